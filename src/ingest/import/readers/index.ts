import path from 'node:path';
import { InputError } from '../../../errors';
import { readCsv } from './csv';
import { readJson } from './json';
import { readNdjson } from './ndjson';
import { readXlsx } from './xlsx';
import type { Reader } from './types';

export type { RawRow, ReadOptions, Reader } from './types';

/** The formats an import reads, by file extension. */
export const FORMATS: Readonly<Record<string, { name: string; read: Reader; textual: boolean }>> = {
  '.json': { name: 'json', read: readJson, textual: false },
  '.ndjson': { name: 'ndjson', read: readNdjson, textual: false },
  '.jsonl': { name: 'ndjson', read: readNdjson, textual: false },
  '.csv': { name: 'csv', read: readCsv, textual: true },
  '.xlsx': { name: 'xlsx', read: readXlsx, textual: true },
};

export type FormatName = 'json' | 'ndjson' | 'csv' | 'xlsx';

export function formatOf(file: string, format?: string) {
  if (format) {
    const found = Object.values(FORMATS).find((f) => f.name === format);
    if (!found) throw new InputError(`unknown format "${format}": one of json, ndjson, csv, xlsx`);
    return found;
  }
  const found = FORMATS[path.extname(file).toLowerCase()];
  if (!found) throw new InputError(`cannot tell the format of ${path.basename(file)} from its extension: .json, .ndjson (.jsonl), .csv or .xlsx (or give --format)`);
  return found;
}
