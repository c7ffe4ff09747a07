/** Raw SQL rows (snake_case columns) as Prisma models (camelCase fields). */
const CAMEL = new Map<string, string>();
function camel(column: string): string {
  let name = CAMEL.get(column);
  if (!name) {
    name = column.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase());
    CAMEL.set(column, name);
  }
  return name;
}

/** A raw row (snake_case columns) as the Prisma model (camelCase), without the query's helper columns. */
export function fromRow<T>(raw: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(raw)) {
    if (column.startsWith('_')) continue;
    out[camel(column)] = value;
  }
  return out as T;
}
