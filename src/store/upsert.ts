// The one way the store writes a batch of rows: `INSERT … SELECT FROM jsonb_to_recordset($1) … ON CONFLICT
// (key) DO UPDATE … WHERE (row differs)`. The rows travel as a single JSON parameter (one statement per
// batch whatever its size, no parameter limit), and a row identical to the stored one is not rewritten — so
// writing the same data twice changes nothing, and `updated_at` (where a table keeps one) moves only for
// rows that changed. Seed, import, harvest and the territories reference all write through it.

export interface UpsertSpec {
  table: string;
  /** The conflict key column. */
  key: string;
  /** Every written column (the key included) with its SQL type, in order. */
  columns: Readonly<Record<string, string>>;
  /** SQL expressions, per column, for the value an insert takes from the incoming row `r` (default `r.<column>`). */
  insert?: Readonly<Record<string, string>>;
  /** SQL expressions, per column, for the value an update writes (default `EXCLUDED.<column>`); `t` is the stored row. */
  update?: Readonly<Record<string, string>>;
  /** When a stored row is rewritten (default: any non-key column differs from the incoming one). */
  changedWhen?: string;
  /** Columns the statement sets to now(): `created` on insert, `updated` on insert and on every rewrite. */
  timestamps?: { created: string; updated: string };
}

const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;

/** `(t.a, t.b) IS DISTINCT FROM (EXCLUDED.a, EXCLUDED.b)` over the given columns. */
export function differs(columns: readonly string[]): string {
  return `(${columns.map((c) => `t.${quote(c)}`).join(', ')}) IS DISTINCT FROM (${columns.map((c) => `EXCLUDED.${quote(c)}`).join(', ')})`;
}

/** The upsert statement of a spec; its one parameter is the rows as a JSON array (`JSON.stringify(rows)`). */
export function upsertStatement(spec: UpsertSpec): string {
  const names = Object.keys(spec.columns);
  const updatable = names.filter((name) => name !== spec.key);
  const definition = names.map((name) => `${quote(name)} ${spec.columns[name]}`).join(', ');
  const values = names.map((name) => spec.insert?.[name] ?? `r.${quote(name)}`);
  const sets = updatable.map((name) => `${quote(name)} = ${spec.update?.[name] ?? `EXCLUDED.${quote(name)}`}`);
  const insertColumns = names.map(quote);
  if (spec.timestamps) {
    insertColumns.push(quote(spec.timestamps.created), quote(spec.timestamps.updated));
    values.push('now()', 'now()');
    sets.push(`${quote(spec.timestamps.updated)} = now()`);
  }
  // Rows identical to the stored ones are left out before the insert: an ON CONFLICT … DO UPDATE … WHERE
  // false still locks (and so writes) every conflicting row, which made writing unchanged data slower
  // than writing it the first time.
  const incoming = names.map((name) => spec.insert?.[name] ?? `r.${quote(name)}`);
  const same = `(${names.map((name) => `s.${quote(name)}`).join(', ')}) IS NOT DISTINCT FROM (${incoming.join(', ')})`;
  return `INSERT INTO ${quote(spec.table)} AS t (${insertColumns.join(', ')})
SELECT ${values.join(', ')} FROM jsonb_to_recordset($1::jsonb) AS r(${definition})
WHERE NOT EXISTS (SELECT 1 FROM ${quote(spec.table)} s WHERE s.${quote(spec.key)} = r.${quote(spec.key)} AND ${same})
ON CONFLICT (${quote(spec.key)}) DO UPDATE SET ${sets.join(', ')}
WHERE ${spec.changedWhen ?? differs(updatable)}`;
}
