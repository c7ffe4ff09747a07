// XLSX, as the reference's producer template and its valideur read it: a sheet "Structures" and a sheet
// "Services" (other sheets, such as the template's nomenclature lists, are not read), the column names on
// row 1, the control column `__ignore__` marking description and example rows, lists comma-separated.
// Read with ExcelJS's streaming reader: rows are handed over one at a time.
//
// Spreadsheet software turns what producers type into other types; each cell is read back as the text the
// producer meant: a date → YYYY-MM-DD; a number → its digits (a postal code, INSEE code or SIRET that lost
// its leading zeros gets them back, with a warning); a boolean → true/false; rich text → its text; a
// hyperlink → its text; a formula → its computed value (an error when the file holds none); an error
// value (#N/A…) → an error.
import type ExcelJS from 'exceljs';
import { CODE_LENGTHS, fromText, isTrueCell, kindOfColumns, NUMBER_FIELDS } from '../fields';
import { columnLetter, readHeader, type HeaderCell } from '../header';
import { rowValues } from '../header';
import type { Kind, Problem } from '../report';
import { countedStream, type RawRow, type ReadOptions } from './types';

const SHEETS: Record<string, Kind> = { structures: 'structure', services: 'service' };

/** A sheet's kind by its name: `Structures`, `services ` (case and spaces do not matter). */
export function kindOfSheet(name: string | undefined): Kind | undefined {
  return name ? SHEETS[name.trim().toLowerCase()] : undefined;
}

type CellOutcome = { value: unknown; typed?: string; problem?: string; warning?: string };

const isoDate = (date: Date) => date.toISOString().slice(0, 10);

/** The plain value inside an ExcelJS cell value: the text of rich text, a hyperlink, a formula's result. */
function plain(value: ExcelJS.CellValue): { value: unknown; typed?: string; problem?: string } {
  if (value === null || value === undefined) return { value: null };
  if (value instanceof Date) return { value, typed: 'date' };
  if (typeof value === 'number') return { value, typed: 'number' };
  if (typeof value === 'boolean') return { value, typed: 'boolean' };
  if (typeof value === 'string') return { value };
  const object = value as unknown as Record<string, unknown>;
  if (Array.isArray(object.richText)) {
    return { value: (object.richText as { text: string }[]).map((run) => run.text).join(''), typed: 'rich text' };
  }
  if ('hyperlink' in object) {
    const inner = plain(object.text as ExcelJS.CellValue);
    return { ...inner, typed: inner.typed ?? 'hyperlink' };
  }
  if ('formula' in object || 'sharedFormula' in object) {
    if (object.result === undefined || object.result === null) return { value: null, typed: 'formula', problem: 'the cell holds a formula the file has no computed value for (save it from a spreadsheet program)' };
    const inner = plain(object.result as ExcelJS.CellValue);
    return { ...inner, typed: 'formula' };
  }
  if ('error' in object) return { value: null, typed: 'error', problem: `the cell holds the error ${String(object.error)}` };
  return { value: null, problem: 'the cell holds a value that is not text, a number or a date' };
}

/** A data cell of a v1 field → its value, with what was done to it. */
export function cellValue(field: string, raw: ExcelJS.CellValue): CellOutcome {
  const { value, typed, problem } = plain(raw);
  if (problem) return { value: null, typed, problem };
  if (value === null) return { value: null };
  if (value instanceof Date) return { value: fromText(field, isoDate(value)), typed };
  if (typeof value === 'boolean') return { value: fromText(field, value ? 'true' : 'false'), typed };
  if (typeof value === 'number') {
    if (NUMBER_FIELDS.has(field)) return { value, typed };
    const digits = Number.isInteger(value) ? value.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 0 }) : String(value);
    const length = CODE_LENGTHS[field];
    if (length && /^\d+$/.test(digits) && digits.length < length) {
      const padded = digits.padStart(length, '0');
      return { value: padded, typed, warning: `the cell is a number: read as "${padded}" (leading zeros restored); format the column as text` };
    }
    if (field === 'telephone' && /^\d{9}$/.test(digits)) {
      return { value: `0${digits}`, typed, warning: 'the cell is a number: its leading 0 is restored; format the column as text' };
    }
    return { value: fromText(field, digits), typed };
  }
  return { value: fromText(field, String(value)), typed };
}

export async function* readXlsx(file: string, options: ReadOptions): AsyncGenerator<RawRow> {
  const stream = countedStream(file, options.onBytes);
  // Loaded when an XLSX file comes (≈ 19 MB of RSS for a module most processes never need).
  const { default: excel } = await import('exceljs');
  const workbook = new excel.stream.xlsx.WorkbookReader(stream, {
    sharedStrings: 'cache',
    styles: 'cache', // dates are numbers with a date style
    hyperlinks: 'ignore',
    worksheets: 'emit',
    entries: 'emit',
  });
  let seen = false;
  try {
    for await (const worksheet of workbook) {
      const sheet = (worksheet as unknown as { name?: string }).name ?? '';
      const kind = kindOfSheet(sheet);
      if (kind) seen = true;
      let header: ReturnType<typeof readHeader> | undefined;
      for await (const row of worksheet) {
        if (kind !== options.want) continue; // the reader must still go through the sheet
        if (!header) {
          if (row.number !== 1) continue;
          const cells: HeaderCell[] = [];
          row.eachCell({ includeEmpty: false }, (cell, col) => {
            const { value, typed } = plain(cell.value);
            const text = value instanceof Date ? isoDate(value) : value === null ? '' : String(value);
            const plainText = typed === 'rich text' || typed === 'hyperlink' || typed === undefined;
            cells.push({ index: col - 1, text, typed: plainText ? undefined : typed });
          });
          const names = cells.map((cell) => cell.text.trim().toLowerCase());
          if (kindOfColumns(names) !== kind && kind === 'structure') {
            options.report({ severity: 'warning', kind, sheet, line: 1, message: 'this Structures sheet has a structure_id column: it is read as structures all the same' });
          }
          header = readHeader(cells, kind, { sheet, columnName: columnLetter }, options.report);
          continue;
        }
        const h = header;
        const values = row.values as ExcelJS.CellValue[]; // 1-based
        if (h.ignore !== undefined && isTrueCell(plain(values[h.ignore + 1]).value)) {
          options.ignored(kind);
          continue;
        }
        const line = row.number;
        const problems: Problem[] = [];
        const data = rowValues(
          h,
          (index, field) => {
            const outcome = cellValue(field, values[index + 1]);
            const at = { kind, sheet, line, column: columnLetter(index), field };
            if (outcome.problem) problems.push({ severity: 'error', ...at, message: outcome.problem });
            if (outcome.warning) problems.push({ severity: 'warning', ...at, message: outcome.warning });
            return outcome.value;
          },
          (field, indexes) =>
            problems.push({ severity: 'error', kind, sheet, line, field, message: `columns ${indexes.map(columnLetter).join(' and ')} both give ${field}, with different values` }),
        );
        if (Object.keys(data).length === 0 && problems.length === 0) continue; // an empty (formatted) row
        yield { kind, sheet, line, values: data, problems };
      }
    }
  } finally {
    stream.destroy();
  }
  if (!seen && options.want === 'structure') {
    options.report({ severity: 'error', message: 'the workbook has no sheet named "Structures" or "Services" (the reference template\'s sheets)' });
  }
}
