// The import's report: every problem with where the producer finds it (sheet, line), the field, the value
// and a plain-English message; warnings apart from errors; a summary.
//
// Why contact values are masked everywhere, the report file included: the report is meant to travel (to
// the producer, into a ticket, into CI logs), and telephone, courriel and contact_nom_prenom are personal
// data. The line and the field are enough for the producer to find the cell in their own file.

export type Kind = 'structure' | 'service';
export type Severity = 'error' | 'warning';

export interface Problem {
  severity: Severity;
  kind?: Kind;
  /** The XLSX sheet. */
  sheet?: string;
  /** 1-based line as the producer sees it: the header is line 1 (CSV, XLSX); NDJSON and JSON: the line in the file. */
  line?: number;
  /** The XLSX column letter, or the CSV column number. */
  column?: string;
  /** The record's id as the file gives it, when known. */
  id?: string;
  /** The v1 field (column) the problem is about; absent for a problem of the whole row or file. */
  field?: string;
  /** The value as read (truncated; masked for contact fields). */
  value?: string;
  message: string;
}

export interface KindCounts {
  /** Data rows read (control rows marked `__ignore__` excluded). */
  read: number;
  valid: number;
  /** Inserted, or updated because they differed (0 on a dry run). */
  written: number;
  /** Identical to what the store held. */
  unchanged: number;
  rejected: number;
}

export interface ImportSummary extends KindCounts {
  /** Rows marked by the `__ignore__` control column (the template's description and example rows). */
  ignored: number;
  errors: number;
  warnings: number;
  structures: KindCounts;
  services: KindCounts;
}

export interface ImportReport {
  file: string;
  format: string;
  source: string;
  /** The source was not known: the import registered it (or, on a dry run, would have). */
  sourceRegistered: boolean;
  dryRun: boolean;
  startedAt: string;
  finishedAt: string;
  summary: ImportSummary;
  errors: Problem[];
  warnings: Problem[];
  /** Problems counted but not listed (the lists stop at MAX_LISTED each, so memory stays bounded). */
  unlisted: { errors: number; warnings: number };
}

/** Fields holding personal contact data: their values never appear in a report or a log. */
export const CONTACT_FIELDS: ReadonlySet<string> = new Set(['telephone', 'courriel', 'contact_nom_prenom']);

const MAX_VALUE_LENGTH = 80;
export const MAX_LISTED = 10_000;

/** A value as the report shows it: text, truncated, masked for contact fields. */
export function shownValue(field: string | undefined, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (field && CONTACT_FIELDS.has(field.replace(/\[\d+\]$/, ''))) return '(masked: contact data)';
  let text: string;
  if (typeof value === 'string') text = value;
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  const chars = [...text];
  return chars.length > MAX_VALUE_LENGTH ? `${chars.slice(0, MAX_VALUE_LENGTH - 1).join('')}…` : text;
}

const emptyCounts = (): KindCounts => ({ read: 0, valid: 0, written: 0, unchanged: 0, rejected: 0 });

/** Collects problems and counts while the import runs. */
export class ReportBuilder {
  readonly errors: Problem[] = [];
  readonly warnings: Problem[] = [];
  readonly unlisted = { errors: 0, warnings: 0 };
  readonly counts = { structure: emptyCounts(), service: emptyCounts() };
  ignored = 0;
  errorCount = 0;
  warningCount = 0;

  add(problem: Problem): void {
    if (problem.severity === 'error') {
      this.errorCount += 1;
      if (this.errors.length < MAX_LISTED) this.errors.push(problem);
      else this.unlisted.errors += 1;
    } else {
      this.warningCount += 1;
      if (this.warnings.length < MAX_LISTED) this.warnings.push(problem);
      else this.unlisted.warnings += 1;
    }
  }

  summary(): ImportSummary {
    const s = this.counts.structure;
    const v = this.counts.service;
    const sum = (key: keyof KindCounts) => s[key] + v[key];
    return {
      read: sum('read'),
      valid: sum('valid'),
      written: sum('written'),
      unchanged: sum('unchanged'),
      rejected: sum('rejected'),
      ignored: this.ignored,
      errors: this.errorCount,
      warnings: this.warningCount,
      structures: { ...s },
      services: { ...v },
    };
  }
}

const n = (value: number) => value.toLocaleString('en-US');

/** Where a problem is, as a producer reads it: `Services line 4 (column J)`, `line 12`. */
export function placeOf(problem: Problem): string {
  const parts: string[] = [];
  if (problem.sheet) parts.push(problem.sheet);
  if (problem.line !== undefined) parts.push(`line ${problem.line}`);
  let place = parts.join(' ');
  if (problem.column) place += `${place ? ' ' : ''}(column ${problem.column})`;
  return place || 'file';
}

/** One line of the terminal's list of problems. */
export function problemLine(problem: Problem): string {
  const field = problem.field ? ` ${problem.field}` : '';
  const value = problem.value !== undefined ? ` = ${JSON.stringify(problem.value)}` : '';
  return `  ${problem.severity === 'error' ? 'error  ' : 'warning'} ${placeOf(problem)}:${field}${value}: ${problem.message}`;
}

/** The terminal's summary: one line of counts, then the first problems (errors first). */
export function summaryLines(report: ImportReport, options: { listed?: number; reportFile?: string } = {}): string[] {
  const s = report.summary;
  const what = report.dryRun ? 'dry run, nothing written' : `${n(s.written)} written, ${n(s.unchanged)} unchanged`;
  const lines = [
    `import ${report.file} (${report.format}, source ${report.source}${report.sourceRegistered ? (report.dryRun ? ', a new source: would be registered' : ', new source registered') : ''}): ` +
      `${n(s.read)} rows read (${n(s.structures.read)} structures, ${n(s.services.read)} services), ${n(s.valid)} valid, ${what}, ` +
      `${n(s.rejected)} rejected; ${n(s.errors)} error${s.errors === 1 ? '' : 's'}, ${n(s.warnings)} warning${s.warnings === 1 ? '' : 's'}` +
      (s.ignored ? `; ${n(s.ignored)} control row${s.ignored === 1 ? '' : 's'} (__ignore__) skipped` : ''),
  ];
  const listed = options.listed ?? 20;
  const shown = [...report.errors, ...report.warnings].slice(0, listed);
  for (const problem of shown) lines.push(problemLine(problem));
  const more = s.errors + s.warnings - shown.length;
  if (more > 0) lines.push(`  … and ${n(more)} more${options.reportFile ? ` (see ${options.reportFile})` : ' (--report FILE lists them all)'}`);
  if (options.reportFile) lines.push(`report written to ${options.reportFile}`);
  return lines;
}
