// The header row of a CSV file or an XLSX sheet: which column holds which v1 field. Unknown columns are
// reported (a warning) and left out; a field given by two columns is read from the first non-empty one.
import { FIELDS, IGNORE_COLUMN } from './fields';
import type { Kind, Problem } from './report';

/** A header cell as read: its text, and what the spreadsheet had made of it when it was not text. */
export interface HeaderCell {
  /** 0-based column index. */
  index: number;
  text: string;
  /** `date`, `number`, `boolean`, `formula`, `rich text`: the cell was not plain text. */
  typed?: string;
}

export interface Header {
  kind: Kind;
  /** Per v1 field, the 0-based columns that hold it (several when the header repeats it). */
  columns: Map<string, number[]>;
  /** The control column's index, if any. */
  ignore?: number;
}

/** `0` → `A`, `27` → `AB` (spreadsheet column letters). */
export function columnLetter(index: number): string {
  let out = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) out = String.fromCharCode(65 + ((n - 1) % 26)) + out;
  return out;
}

export function readHeader(
  cells: readonly HeaderCell[],
  kind: Kind,
  where: { sheet?: string; columnName: (index: number) => string },
  report: (problem: Problem) => void,
): Header {
  const fields = FIELDS[kind];
  const columns = new Map<string, number[]>();
  let ignore: number | undefined;
  const warn = (cell: HeaderCell, message: string, field?: string) =>
    report({ severity: 'warning', kind, sheet: where.sheet, line: 1, column: where.columnName(cell.index), field, value: cell.text, message });
  const hasDateMaj = cells.some((cell) => cell.text.trim().toLowerCase() === 'date_maj');

  for (const cell of cells) {
    let name = cell.text.trim().toLowerCase();
    if (name === '') continue;
    if (cell.typed) {
      // The reference's own template carries such a cell: the `date_maj` header became a date.
      if (cell.typed === 'date' && !hasDateMaj && fields.has('date_maj') && !columns.has('date_maj')) {
        warn(cell, 'the header cell is a date, not a column name (spreadsheet software converted it); read as date_maj, the only date field — type the header as text');
        name = 'date_maj';
      } else if (!fields.has(name)) {
        warn(cell, `the header cell is a ${cell.typed}, not a column name; the column is ignored`);
        continue;
      }
    }
    if (name === IGNORE_COLUMN) {
      ignore ??= cell.index;
      continue;
    }
    if (!fields.has(name)) {
      warn(cell, `unknown column: not a field of the v1 ${kind === 'structure' ? 'Structure' : 'Service'} schema; ignored`);
      continue;
    }
    const list = columns.get(name);
    if (list) {
      warn(cell, `column ${name} appears more than once (also column ${where.columnName(list[0])}); each row uses the first non-empty one, and differing values are an error`, name);
      list.push(cell.index);
    } else {
      columns.set(name, [cell.index]);
    }
  }
  return { kind, columns, ignore };
}

/**
 * One row's v1 values from its cells, by the header. `valueOf(index, field)` turns a cell into a value
 * (null when empty) and may report a problem of that cell.
 */
export function rowValues(
  header: Header,
  valueOf: (index: number, field: string) => unknown,
  conflict: (field: string, indexes: number[]) => void,
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [field, indexes] of header.columns) {
    let chosen: unknown = null;
    const given: number[] = [];
    let differ = false;
    for (const index of indexes) {
      const value = valueOf(index, field);
      if (value === null || value === undefined) continue;
      if (given.length === 0) chosen = value;
      else if (JSON.stringify(value) !== JSON.stringify(chosen)) differ = true;
      given.push(index);
    }
    if (differ) conflict(field, given);
    if (chosen !== null) values[field] = chosen;
  }
  return values;
}
