// The columns of a producer's file and how a text cell (CSV, XLSX) becomes a v1 value. JSON and NDJSON
// records are typed already and are not coerced: what they hold is what is validated.
import { SERVICE_FIELDS, STRUCTURE_FIELDS } from '../../domain/validation';
import type { Kind } from './report';

/** The reference's control column: a row whose cell is true is a description or example row, skipped. */
export const IGNORE_COLUMN = '__ignore__';

export const FIELDS: Readonly<Record<Kind, ReadonlySet<string>>> = {
  structure: new Set<string>(STRUCTURE_FIELDS as string[]),
  service: new Set<string>(SERVICE_FIELDS as string[]),
};

/** Set-valued fields: a text cell holds a list (see parseList). */
export const LIST_FIELDS: ReadonlySet<string> = new Set([
  'reseaux_porteurs',
  'thematiques',
  'publics',
  'modes_accueil',
  'zone_eligibilite',
  'modes_mobilisation',
  'mobilisable_par',
]);

export const NUMBER_FIELDS: ReadonlySet<string> = new Set(['longitude', 'latitude', 'volume_horaire_hebdomadaire', 'nombre_semaines']);

/**
 * Codes that spreadsheet software turns into numbers, losing their leading zeros (01000 → 1000): a number
 * cell is padded back to the code's length, with a warning.
 */
export const CODE_LENGTHS: Readonly<Record<string, number>> = { code_postal: 5, code_insee: 5, siret: 14 };

/** The kind of a JSON/NDJSON record: a service names its structure. */
export function kindOfRecord(record: Record<string, unknown>): Kind {
  return 'structure_id' in record ? 'service' : 'structure';
}

/** The kind a header describes: a sheet or CSV with a `structure_id` column holds services. */
export function kindOfColumns(columns: readonly string[]): Kind {
  return columns.includes('structure_id') ? 'service' : 'structure';
}

/**
 * A list as producers write it in a text cell. Accepted forms:
 * - comma- or semicolon-separated values, `a, b` (the reference's producer template and its valideur);
 * - a bracketed list of quoted values: JSON `["a","b"]`, or the Python repr `['a', 'b']` that data·inclusion's
 *   open-data CSV carries (pandas writes lists that way);
 * - a PostgreSQL array literal `{a,b}` (a `COPY … CSV` export).
 * Values are trimmed; empty items are dropped; an empty list is no value.
 */
export function parseList(text: string): string[] | null {
  const trimmed = text.trim();
  let items: string[];
  if (/^\[.*\]$/s.test(trimmed)) {
    items = [];
    const quoted = /'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"/g;
    let match: RegExpExecArray | null;
    while ((match = quoted.exec(trimmed)) !== null) items.push(match[1] ?? match[2]);
    if (items.length === 0) items = trimmed.slice(1, -1).split(/[,;]/);
  } else if (/^\{.*\}$/s.test(trimmed)) {
    items = trimmed.slice(1, -1).split(',').map((item) => item.replace(/^"(.*)"$/s, '$1'));
  } else {
    items = trimmed.split(/[,;]/);
  }
  const values = items.map((item) => item.trim()).filter((item) => item !== '');
  return values.length > 0 ? values : null;
}

/** `12`, `-1.5`, `10,5` (decimal comma) → a number; anything else stays text (validation names it). */
function parseNumber(text: string): number | string {
  const trimmed = text.trim();
  if (/^-?\d+(?:[.,]\d+)?$/.test(trimmed)) return Number(trimmed.replace(',', '.'));
  return trimmed;
}

/** `23/02/2026` (the French order) → `2026-02-23`; anything else stays as written. */
function parseDate(text: string): string {
  const trimmed = text.trim();
  const french = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(trimmed);
  if (french) return `${french[3]}-${french[2].padStart(2, '0')}-${french[1].padStart(2, '0')}`;
  return trimmed;
}

/** A text cell of a v1 field → its value (null when empty). */
export function fromText(field: string, text: string): unknown {
  if (text.trim() === '') return null;
  if (LIST_FIELDS.has(field)) return parseList(text);
  if (NUMBER_FIELDS.has(field)) return parseNumber(text);
  if (field === 'date_maj') return parseDate(text);
  return text.trim();
}

/** Truthy control cells: TRUE, true, vrai, oui, x, 1 (a boolean cell, or its text). */
export function isTrueCell(value: unknown): boolean {
  if (value === true) return true;
  if (typeof value === 'number') return value !== 0;
  if (typeof value !== 'string') return false;
  return ['true', 'vrai', 'oui', 'yes', 'x', '1'].includes(value.trim().toLowerCase());
}
