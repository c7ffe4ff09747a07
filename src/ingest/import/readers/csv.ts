// CSV: the reference's snake_case column names on the first line; one kind per file (`structure_id`
// among the columns, or `--kind`, says services). The delimiter (`,` `;` or tab) is the one the header uses
// most. Lists as the reference writes them (see parseList).
import fs from 'node:fs';
import { parse } from 'csv-parse';
import { fromText, isTrueCell, kindOfColumns } from '../fields';
import { readHeader, rowValues } from '../header';
import type { Problem } from '../report';
import { countedStream, type RawRow, type ReadOptions } from './types';

async function firstLine(file: string): Promise<string> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).toString('utf8').split(/\r?\n/)[0];
  } finally {
    await handle.close();
  }
}

function delimiterOf(line: string): string {
  const counts = [',', ';', '\t'].map((d) => [d, line.split(d).length - 1] as const);
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0][1] > 0 ? counts[0][0] : ',';
}

export async function* readCsv(file: string, options: ReadOptions): AsyncGenerator<RawRow> {
  const delimiter = delimiterOf(await firstLine(file));
  const parser = countedStream(file, options.onBytes).pipe(
    parse({ delimiter, bom: true, info: true, relax_column_count: true, skip_empty_lines: true, relax_quotes: true }),
  );
  let header: ReturnType<typeof readHeader> | undefined;
  const columnName = (index: number) => String(index + 1);
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const newlines = record.reduce((sum, cell) => sum + (cell.match(/\n/g)?.length ?? 0), 0);
      const line = info.lines - newlines;
      if (!header) {
        const names = record.map((cell) => cell.trim().toLowerCase());
        const kind = options.kind ?? kindOfColumns(names);
        if (kind !== options.want) return; // a file of the other kind: nothing for this pass
        header = readHeader(
          record.map((text, index) => ({ index, text })),
          kind,
          { columnName },
          options.report,
        );
        continue;
      }
      const kind = header.kind;
      if (header.ignore !== undefined && isTrueCell(record[header.ignore])) {
        options.ignored(kind);
        continue;
      }
      const problems: Problem[] = [];
      const values = rowValues(
        header,
        (index, field) => fromText(field, record[index] ?? ''),
        (field, indexes) =>
          problems.push({
            severity: 'error',
            kind,
            line,
            field,
            message: `columns ${indexes.map(columnName).join(' and ')} both give ${field}, with different values`,
          }),
      );
      yield { kind, line, values, problems };
    }
  } finally {
    parser.destroy();
  }
}
