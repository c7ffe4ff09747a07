// JSON: an array of records (a record with `structure_id` is a service, or every record is of `--kind`), or
// an object `{"structures": [...], "services": [...]}` (data·inclusion's own exports are one array per
// kind). Read as a stream: a small scanner finds each element of the arrays (strings and nesting tracked)
// and parses it alone, so memory holds one record at a time, and each record keeps the line it starts on.
//
// Why a scanner rather than stream-json: stream-json 3 is ESM-only, which the CommonJS test runner cannot
// load; the scanner is the part of it this needs, and it gives line numbers, which stream-json does not.
import { kindOfRecord } from '../fields';
import type { Kind } from '../report';
import { countedStream, type RawRow, type ReadOptions } from './types';

const SECTIONS: Record<string, Kind> = { structures: 'structure', services: 'service' };
const WHITESPACE = new Set([' ', '\t', '\n', '\r']);

export async function* readJson(file: string, options: ReadOptions): AsyncGenerator<RawRow> {
  const stream = countedStream(file, options.onBytes, 'utf8');
  const stack: string[] = [];
  let inString = false;
  let escape = false;
  let line = 1;
  let top: 'array' | 'object' | undefined;
  // Keys of the top-level object.
  let expectKey = false;
  let inKey = false;
  let key = '';
  let lastKey: string | undefined;
  // The array whose elements are records: its kind (undefined: told by each record) and depth.
  let section: { kind?: Kind; depth: number } | undefined;
  // The element being captured.
  let capturing = false;
  let scalar = false;
  let parts: string[] = [];
  let start = 0;
  let elementLine = 0;

  const finish = (text: string): RawRow | undefined => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      const kind = section?.kind ?? options.kind ?? 'structure';
      if (kind !== options.want) return undefined;
      return { kind, line: elementLine, values: {}, typed: true, problems: [{ severity: 'error', kind, line: elementLine, message: `not JSON: ${(error as Error).message}` }] };
    }
    const record = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
    const kind = section?.kind ?? options.kind ?? (record ? kindOfRecord(record) : 'structure');
    if (kind !== options.want) return undefined;
    if (!record) return { kind, line: elementLine, values: {}, typed: true, problems: [{ severity: 'error', kind, line: elementLine, message: 'a record must be a JSON object' }] };
    return { kind, line: elementLine, values: record, typed: true, problems: [] };
  };

  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      start = 0;
      for (let i = 0; i < chunk.length; i++) {
        const c = chunk[i];
        if (c === '\n') line += 1;
        if (inString) {
          if (escape) escape = false;
          else if (c === '\\') escape = true;
          else if (c === '"') {
            inString = false;
            if (inKey) {
              inKey = false;
              lastKey = key;
            }
          } else if (inKey) key += c;
          continue;
        }
        const atElementLevel = section !== undefined && stack.length === section.depth;
        if (capturing && scalar && atElementLevel && (c === ',' || c === ']' || WHITESPACE.has(c))) {
          parts.push(chunk.slice(start, i));
          capturing = false;
          const row = finish(parts.join(''));
          parts = [];
          if (row) yield row;
        }
        if (atElementLevel && !capturing && !WHITESPACE.has(c) && c !== ',' && c !== ']') {
          const wanted = section!.kind === undefined || section!.kind === options.want;
          if (wanted) {
            capturing = true;
            scalar = c !== '{' && c !== '[';
            start = i;
            elementLine = line;
          }
        }
        switch (c) {
          case '"':
            inString = true;
            if (top === 'object' && stack.length === 1 && expectKey) {
              inKey = true;
              key = '';
            }
            break;
          case ':':
            if (top === 'object' && stack.length === 1) expectKey = false;
            break;
          case ',':
            if (top === 'object' && stack.length === 1) expectKey = true;
            break;
          case '{':
          case '[':
            if (stack.length === 0) {
              top = c === '[' ? 'array' : 'object';
              if (top === 'array') section = { depth: 1 };
              else expectKey = true;
            } else if (top === 'object' && stack.length === 1) {
              const kind = lastKey === undefined ? undefined : SECTIONS[lastKey];
              if (kind && c === '[') section = { kind, depth: 2 };
              else if (options.want === 'structure') {
                options.report({
                  severity: kind ? 'error' : 'warning',
                  line,
                  field: lastKey,
                  message: kind ? `"${lastKey}" must be an array of records` : `unknown key "${lastKey}": a file holds "structures" and "services"; ignored`,
                });
              }
            }
            stack.push(c);
            break;
          case '}':
          case ']':
            stack.pop();
            if (capturing && !scalar && section && stack.length === section.depth) {
              parts.push(chunk.slice(start, i + 1));
              capturing = false;
              const row = finish(parts.join(''));
              parts = [];
              if (row) yield row;
            }
            if (section && stack.length < section.depth) section = undefined;
            break;
          default:
            if (stack.length === 0 && !WHITESPACE.has(c) && options.want === 'structure') {
              options.report({ severity: 'error', line, message: 'the file must hold a JSON array of records or an object {"structures": [...], "services": [...]}' });
              return;
            }
        }
      }
      if (capturing) parts.push(chunk.slice(start));
    }
    if ((stack.length > 0 || inString) && options.want === 'structure') {
      options.report({ severity: 'error', line, message: 'the JSON ends before its arrays are closed (a truncated file?)' });
    }
  } finally {
    stream.destroy();
  }
}
