import DataLoader from 'dataloader';

/**
 * A loader of records by a unique key: one `findMany` for all keys asked in the same tick, answers in
 * the order asked, null for a key that has no record.
 */
export function byKeyLoader<T>(
  fetch: (keys: string[]) => Promise<T[]>,
  keyOf: (record: T) => string,
): DataLoader<string, T | null> {
  return new DataLoader<string, T | null>(async (keys) => {
    const records = await fetch([...new Set(keys)]);
    const byKey = new Map(records.map((r) => [keyOf(r), r]));
    return keys.map((k) => byKey.get(k) ?? null);
  });
}
