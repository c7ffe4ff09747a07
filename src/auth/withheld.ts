/**
 * The fields withheld from one request, and the scopes that would unlock them: noted by the auth directive
 * (directive.ts), one per request in its context, and reported once in `extensions.withheld`
 * (src/plugins/withheld.ts).
 */
export class Withheld {
  private readonly fields = new Map<string, Set<string>>();

  note(field: string, scopes: string[]): void {
    const known = this.fields.get(field) ?? new Set<string>();
    for (const scope of scopes) known.add(scope);
    this.fields.set(field, known);
  }

  get empty(): boolean {
    return this.fields.size === 0;
  }

  /** The `extensions.withheld` entry of the response. */
  toExtension() {
    const fields = [...this.fields.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([field, scopes]) => ({ field, requires: [...scopes].sort() }));
    const scopes = [...new Set(fields.flatMap((f) => f.requires))].sort();
    return {
      message: `Some fields were withheld (returned as null): a token with the scope ${scopes.join(', ')} unlocks them.`,
      fields,
    };
  }
}
