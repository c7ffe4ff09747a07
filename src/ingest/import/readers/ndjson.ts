// NDJSON (JSON Lines): one record per line; a record with `structure_id` is a service (or every record is
// of `--kind`). Blank lines are skipped; a line that is not a JSON object is an error of that line.
import readline from 'node:readline';
import { kindOfRecord } from '../fields';
import { countedStream, type RawRow, type ReadOptions } from './types';

export async function* readNdjson(file: string, options: ReadOptions): AsyncGenerator<RawRow> {
  const stream = countedStream(file, options.onBytes, 'utf8');
  const lines = readline.createInterface({ input: stream, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of lines) {
      line += 1;
      if (text.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(line === 1 ? text.replace(/^\uFEFF/, '') : text);
      } catch (error) {
        const kind = options.kind ?? 'structure';
        if (kind === options.want) {
          yield { kind, line, values: {}, typed: true, problems: [{ severity: 'error', kind, line, message: `not JSON: ${(error as Error).message}` }] };
        }
        continue;
      }
      const record = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
      const kind = options.kind ?? (record ? kindOfRecord(record) : 'structure');
      if (kind !== options.want) continue;
      if (!record) {
        yield { kind, line, values: {}, typed: true, problems: [{ severity: 'error', kind, line, message: 'a record must be a JSON object' }] };
        continue;
      }
      yield { kind, line, values: record, typed: true, problems: [] };
    }
  } finally {
    lines.close();
    stream.destroy();
  }
}
