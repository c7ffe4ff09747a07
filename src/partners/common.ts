// What the connectors share to map records: validation with a logged reason (never a contact value), field
// readers, dates, urls and text. How they walk pages and fetch by id is in ./paging.ts.
import type { Logger } from '../logger';
import { newerValuesKept } from '../metrics';
import {
  type NewerValue,
  validateService,
  validateStructure,
  type ServiceRecord,
  type StructureRecord,
  type ValidationError,
  type ValidationOptions,
  type ValidationResult,
} from '../domain/validation';
import { PartnerError } from './types';

export type Json = Record<string, unknown>;

export interface MappingContext {
  partner: string;
  logger: Logger;
}

/** Fields whose offending value may appear in a log line (nomenclature values, codes, dates, ids). */
const LOGGABLE_VALUE_FIELDS = new Set([
  'source',
  'id',
  'structure_id',
  'date_maj',
  'code_postal',
  'code_insee',
  'type',
  'thematiques',
  'frais',
  'publics',
  'modes_accueil',
  'modes_mobilisation',
  'mobilisable_par',
  'reseaux_porteurs',
  'zone_eligibilite',
]);

/**
 * Validation errors as they may be logged: field paths and messages, with the offending value kept
 * only for non-personal fields (contacts, names and free text never reach the log).
 */
export function loggableErrors(errors: readonly ValidationError[]): ValidationError[] {
  return errors.map(({ field, message }) => {
    const root = field.split(/[.[]/)[0];
    return { field, message: LOGGABLE_VALUE_FIELDS.has(root) ? message : message.replace(/ \(got [\s\S]*\)$/, '') };
  });
}

function drop(ctx: MappingContext, id: unknown, errors: readonly ValidationError[]): undefined {
  ctx.logger.warn(
    { partner: ctx.partner, id: typeof id === 'string' ? id : null, errors: loggableErrors(errors) },
    'partner record dropped',
  );
  return undefined;
}

/**
 * Partner records are validated tolerantly: a value newer than Passerelle's nomenclatures (or a source
 * slug it does not know yet) is kept, logged and counted, not a reason to drop a record the partner
 * already validated against its own, newer reference. Every other rule drops the record.
 */
function reportNewer(ctx: MappingContext, id: unknown, newer: readonly NewerValue[]): void {
  if (newer.length === 0) return;
  for (const { nomenclature, value } of newer) newerValuesKept.inc({ partner: ctx.partner, nomenclature, value: value.slice(0, 80) });
  ctx.logger.warn(
    { partner: ctx.partner, id: typeof id === 'string' ? id : null, values: newer.map(({ field, value }) => ({ field, value: value.slice(0, 80) })) },
    'partner record kept with values newer than Passerelle\'s nomenclatures',
  );
}

/**
 * Optional fields whose value Passerelle's validator may judge more strictly than the partner's own (an URL
 * pydantic accepts, an e-mail address, a code): a bad value there costs the field, not the record. Fields
 * whose absence changes what a record means (ids, names, dates, publics, eligibility zone) are not here.
 */
const DROPPABLE_FIELDS = new Set([
  'lien_source',
  'site_web',
  'accessibilite_lieu',
  'lien_mobilisation',
  'courriel',
  'siret',
  'code_postal',
  'code_insee',
  'longitude',
  'latitude',
  'volume_horaire_hebdomadaire',
  'nombre_semaines',
]);

function accept<R>(
  ctx: MappingContext,
  record: Json,
  validate: (input: unknown, options: ValidationOptions) => ValidationResult<R>,
): R | undefined {
  let result = validate(compact(record), { tolerant: true });
  if (!result.ok) {
    const fields = unique(result.errors.map((error) => error.field.split(/[.[]/)[0]));
    if (fields.every((field) => DROPPABLE_FIELDS.has(field))) {
      const errors = result.errors;
      const rest = { ...record };
      for (const field of fields) delete rest[field];
      result = validate(compact(rest), { tolerant: true });
      if (result.ok) {
        ctx.logger.warn(
          { partner: ctx.partner, id: typeof record.id === 'string' ? record.id : null, errors: loggableErrors(errors) },
          'partner record kept without its invalid optional fields',
        );
      }
    }
  }
  if (!result.ok) return drop(ctx, record.id, result.errors);
  reportNewer(ctx, record.id, result.newer);
  return result.value;
}

/** Validates a mapped structure (tolerantly, see above); an invalid one is logged (`partner record dropped`) and dropped. */
export function acceptStructure(ctx: MappingContext, record: Json): StructureRecord | undefined {
  return accept(ctx, record, validateStructure);
}

/** Validates a mapped service (tolerantly, see above); an invalid one is logged (`partner record dropped`) and dropped. */
export function acceptService(ctx: MappingContext, record: Json): ServiceRecord | undefined {
  return accept(ctx, record, validateService);
}

/** A payload item that is not even an object: dropped with a reason. */
export function dropNonObject(ctx: MappingContext, index: number, where = 'the page'): undefined {
  return drop(ctx, undefined, [{ field: '', message: `item ${index} of ${where} is not an object` }]);
}

/**
 * A page's items as validated records: an item that is not an object, or whose mapped record does not
 * validate, is dropped and logged with its reason; the others are kept in order.
 */
export function acceptAll<R>(
  ctx: MappingContext,
  items: readonly unknown[],
  map: (item: Json) => Json,
  accept: (ctx: MappingContext, record: Json) => R | undefined,
): R[] {
  const out: R[] = [];
  items.forEach((item, index) => {
    if (!isObject(item)) return dropNonObject(ctx, index);
    const record = accept(ctx, map(item));
    if (record) out.push(record);
  });
  return out;
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The record without its null, undefined and empty-list fields. */
export function compact(record: Json): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(record)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    out[key] = value;
  }
  return out;
}

/** Keeps only the given fields (the v1 ones), dropping whatever an API adds. */
export function pick(record: Json, fields: readonly string[]): Json {
  const out: Json = {};
  for (const field of fields) if (field in record) out[field] = record[field];
  return out;
}

/** A trimmed non-empty string, or undefined (numbers are turned into strings). */
export function str(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed ? trimmed : undefined;
}

export function num(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

/** The strings of a list (non-strings and blanks dropped), or []. */
export function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(str).filter((item): item is string => item !== undefined) : [];
}

/** Values without duplicates, first occurrence order. */
export function unique<T>(values: Iterable<T>): T[] {
  return [...new Set(values)];
}

/**
 * A producer's date or timestamp as `YYYY-MM-DD`: a plain date is kept; a timestamp with an offset or
 * `Z` becomes its Europe/Paris date; a timestamp without offset keeps its date part. Anything else is
 * returned as given, so that validation rejects the record with a reason.
 */
export function toDate(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return text;
  const match = /^(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(text);
  if (!match) return value;
  if (!match[2]) return match[1];
  const date = new Date(text.replace(' ', 'T'));
  if (Number.isNaN(date.getTime())) return value;
  return date.toLocaleDateString('en-CA', { timeZone: 'Europe/Paris' });
}

/**
 * A producer's URL as an http(s) URL: `https://` is prepended when the scheme is missing (as the
 * data·inclusion pipeline does); a value that still is not an http(s) URL is left out (the record is
 * kept without it, as the pipeline removes URLs it cannot reach).
 */
export function toUrl(value: unknown): string | undefined {
  let text = str(value);
  if (!text) return undefined;
  if (!/^[a-z][a-z0-9+.-]*:/i.test(text)) text = `https://${text.replace(/^\/+/, '')}`;
  try {
    const url = new URL(text);
    if ((url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.includes('.') && text.length <= 2083) return text;
  } catch {
    // not a URL
  }
  return undefined;
}

export function malformed(partnerId: string, what: string): PartnerError {
  return new PartnerError(partnerId, `unexpected payload: ${what}`, 'malformed');
}

/**
 * Text cut to at most `max` characters (code points), ending with "…" when cut, as the data·inclusion
 * pipeline does for names (150) and descriptions (10000) rather than dropping the record.
 */
export function truncate(text: string | undefined, max: number): string | undefined {
  if (text === undefined) return undefined;
  const chars = [...text];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text;
}
