// Validation of data·inclusion v1 records (Structure, Service) in the reference's snake_case shape.
// Rules: schema v1 (data-inclusion-schema 1.0.8) fields, common formats, lengths, nomenclature values,
// sets without duplicates, `tous-publics` alone, date_maj between 2000-01-01 and today, ids
// `<source>--<producer id>` with a known source.
import { z } from 'zod';
import { parseOfferId } from './ids';
import { isValue, type NomenclatureName } from './nomenclatures';

export interface ValidationError {
  /** The field path, e.g. `nom`, `publics[1]`. */
  field: string;
  message: string;
}

export type ValidationResult<T> =
  | { ok: true; value: T; /** Values kept although Passerelle's nomenclatures lack them (tolerant mode only). */ newer: NewerValue[] }
  | { ok: false; errors: ValidationError[] };

/** A nomenclature value or source slug a record carries that Passerelle's copy of the nomenclatures lacks. */
export interface NewerValue {
  /** The field path, e.g. `thematiques[2]`. */
  field: string;
  nomenclature: NomenclatureName;
  value: string;
}

export interface ValidationOptions {
  /** Today's date (YYYY-MM-DD), the upper bound of date_maj; defaults to the current date. */
  today?: string;
  /**
   * Keep nomenclature values and source slugs Passerelle does not know (reported in `newer`) instead of
   * rejecting the record: records a partner already validated against a newer reference (data·inclusion
   * adds values, e.g. `mdph` in 1.0.8) are not lost. Every other rule still applies.
   */
  tolerant?: boolean;
}

export const MIN_DATE_MAJ = '2000-01-01';

/** The current date: the later of UTC and Europe/Paris dates, so French producers are never "in the future". */
const PARIS_DATE = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' });

export function currentDate(now: Date = new Date()): string {
  const utc = now.toISOString().slice(0, 10);
  // One formatter for the process: building one per call (toLocaleDateString) cost more than the rest of a
  // record's validation.
  const paris = PARIS_DATE.format(now);
  return paris > utc ? paris : utc;
}

// ---- common types (§2.1) ----

const text = () => z.string().nullish();
const pattern = (re: RegExp, what: string) => z.string().regex(re, { error: `must be ${what}` });

const codePostal = pattern(/^\d{5}$/, 'a 5-digit postal code');
const codeCommune = pattern(/^\w{5}$/, 'a 5-character INSEE commune code');
const codeSiret = pattern(/^\d{14}$/, 'a 14-digit SIRET');
const httpUrl = z
  .string()
  .min(1, { error: 'must not be empty' })
  .max(2083, { error: 'must be at most 2083 characters long' })
  .pipe(z.url({ protocol: /^https?$/, hostname: /\./, error: 'must be an http(s) URL' }));
const email = z.email({ error: 'must be an e-mail address' });

const ZONE_CODE = /^(?:\w{5}|\w{2,3}|\d{9}|99[0-5]\d{2}|france)$/;

function dateMaj(options: ValidationOptions) {
  return z.string().superRefine((value, ctx) => {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    const date = match ? new Date(`${value}T00:00:00Z`) : undefined;
    if (!match || !date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) {
      ctx.addIssue({ code: 'custom', message: 'must be a date in YYYY-MM-DD format', input: value });
      return;
    }
    const today = options.today ?? currentDate();
    if (value < MIN_DATE_MAJ) {
      ctx.addIssue({ code: 'custom', message: `must not be before ${MIN_DATE_MAJ}`, input: value });
    } else if (value > today) {
      ctx.addIssue({ code: 'custom', message: `must not be in the future (today is ${today})`, input: value });
    }
  });
}

const sized = (min: number, max: number) =>
  z.string().superRefine((value, ctx) => {
    const length = [...value].length;
    if (length < min || length > max) {
      ctx.addIssue({
        code: 'custom',
        message: `must be ${min} to ${max} characters long, not ${length}`,
        input: value,
      });
    }
  });

/** The nomenclature fields of each kind of record, and the nomenclature each one's values come from. */
const NOMENCLATURE_FIELDS: Readonly<Record<'Structure' | 'Service', Readonly<Record<string, NomenclatureName>>>> = {
  Structure: { source: 'sources', reseaux_porteurs: 'reseaux_porteurs' },
  Service: {
    source: 'sources',
    type: 'types_services',
    thematiques: 'thematiques',
    frais: 'frais',
    publics: 'publics',
    modes_accueil: 'modes_accueil',
    modes_mobilisation: 'modes_mobilisation',
    mobilisable_par: 'personnes_mobilisatrices',
  },
};

/** A value of a nomenclature; in tolerant mode any string (what `newerValues` reports afterwards). */
function nomenclatureValue(name: NomenclatureName, tolerant = false) {
  if (tolerant) return z.string().min(1, { error: 'must not be empty' });
  const error = name === 'sources' ? 'is not a known source slug' : `is not a value of the ${name} nomenclature`;
  return z.string().refine((value) => isValue(name, value), { error });
}

/** The values of a valid record that Passerelle's nomenclatures lack. */
function newerValues(kind: 'Structure' | 'Service', record: Record<string, unknown>): NewerValue[] {
  const out: NewerValue[] = [];
  for (const [field, nomenclature] of Object.entries(NOMENCLATURE_FIELDS[kind])) {
    const value = record[field];
    if (typeof value === 'string' && !isValue(nomenclature, value)) out.push({ field, nomenclature, value });
    if (Array.isArray(value)) {
      value.forEach((item, index) => {
        if (typeof item === 'string' && !isValue(nomenclature, item)) out.push({ field: `${field}[${index}]`, nomenclature, value: item });
      });
    }
  }
  return out;
}

/** A set (array without duplicates) of values checked by `item`. */
function set(item: z.ZodType<string>, minItems = 0) {
  return z
    .array(item)
    .min(minItems, { error: `must have at least ${minItems} value${minItems > 1 ? 's' : ''}` })
    .superRefine((values, ctx) => {
      const seen = new Set<string>();
      values.forEach((value, index) => {
        if (seen.has(value)) {
          ctx.addIssue({ code: 'custom', message: 'duplicates an earlier value (sets allow no duplicates)', path: [index], input: value });
        }
        seen.add(value);
      });
    })
    .nullish();
}

/**
 * `doublons` (structures): the ids of the same place listed by other producers, as data·inclusion's dedup
 * found them. Like `score_qualite`, computed by a source, not a v1 field.
 *
 * The quality score a record's source computed (data·inclusion's `score_qualite`, or a connector that
 * scores before it withholds contacts, as the reference does for Dora). Not a v1 field: kept apart from
 * STRUCTURE_FIELDS / SERVICE_FIELDS; when absent, Passerelle computes the score (src/quality/score.ts).
 */
const sourceScore = z.number().min(0, { error: 'must be a score from 0 to 1' }).max(1, { error: 'must be a score from 0 to 1' }).nullish();
/** Who computed `score_qualite` when a source brought it: `data-inclusion` for its API's own score; else Passerelle. */
const sourceScoreOrigin = z.enum(['passerelle', 'data-inclusion']).nullish();


/** Cross-field rules: id is `<source>--<producer id>` with that record's source. */
function checkId(record: { id: unknown; source: unknown }, ctx: z.RefinementCtx): void {
  if (typeof record.id !== 'string' || typeof record.source !== 'string') return;
  const parts = parseOfferId(record.id);
  if (!parts) {
    ctx.addIssue({ code: 'custom', path: ['id'], message: 'must be "<source>--<producer id>"', input: record.id });
  } else if (parts.source !== record.source) {
    ctx.addIssue({
      code: 'custom',
      path: ['id'],
      message: `must start with its source "${record.source}--"`,
      input: record.id,
    });
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const addressFields = {
  commune: text(),
  code_postal: codePostal.nullish(),
  code_insee: codeCommune.nullish(),
  adresse: text(),
  complement_adresse: text(),
  longitude: z.number().min(-180, { error: 'must be a WGS84 longitude' }).max(180, { error: 'must be a WGS84 longitude' }).nullish(),
  latitude: z.number().min(-90, { error: 'must be a WGS84 latitude' }).max(90, { error: 'must be a WGS84 latitude' }).nullish(),
};

// ---- Structure v1 (§2.2) ----

function structureSchema(options: ValidationOptions = {}) {
  const tolerant = options.tolerant ?? false;
  return z
    .strictObject({
      source: nomenclatureValue('sources', tolerant),
      id: z.string(),
      nom: sized(3, 150),
      date_maj: dateMaj(options),
      description: sized(5, 10000).nullish(),
      lien_source: httpUrl.nullish(),
      siret: codeSiret.nullish(),
      ...addressFields,
      telephone: text(),
      courriel: email.nullish(),
      site_web: httpUrl.nullish(),
      horaires_accueil: text(),
      accessibilite_lieu: httpUrl.nullish(),
      reseaux_porteurs: set(nomenclatureValue('reseaux_porteurs', tolerant)),
      score_qualite: sourceScore,
      score_origine: sourceScoreOrigin,
      doublons: set(z.string().regex(/^[^-].*--./, { error: 'must be a structure id "<source>--<producer id>"' })),
    })
    .superRefine(checkId, { when: (payload) => isRecord(payload.value) });
}

// ---- Service v1 (§2.3) ----

function serviceSchema(options: ValidationOptions = {}) {
  const tolerant = options.tolerant ?? false;
  return z
    .strictObject({
      source: nomenclatureValue('sources', tolerant),
      structure_id: z.string().regex(/^[^-].*--./, { error: 'must be a structure id "<source>--<producer id>"' }),
      id: z.string(),
      nom: sized(3, 150),
      description: sized(5, 10000),
      date_maj: dateMaj(options),
      lien_source: httpUrl.nullish(),
      type: nomenclatureValue('types_services', tolerant).nullish(),
      thematiques: set(nomenclatureValue('thematiques', tolerant)),
      frais: nomenclatureValue('frais', tolerant).nullish(),
      frais_precisions: text(),
      publics: set(nomenclatureValue('publics', tolerant), 1).superRefine((values, ctx) => {
        if (values && values.length > 1 && values.includes('tous-publics')) {
          ctx.addIssue({ code: 'custom', message: 'must not combine "tous-publics" with other publics', input: values });
        }
      }),
      publics_precisions: text(),
      conditions_acces: text(),
      ...addressFields,
      telephone: text(),
      courriel: email.nullish(),
      modes_accueil: set(nomenclatureValue('modes_accueil', tolerant)),
      zone_eligibilite: set(z.string().regex(ZONE_CODE, { error: 'must be a commune, département, EPCI or country code, or "france"' }), 1),
      contact_nom_prenom: text(),
      lien_mobilisation: httpUrl.nullish(),
      modes_mobilisation: set(nomenclatureValue('modes_mobilisation', tolerant), 1),
      mobilisable_par: set(nomenclatureValue('personnes_mobilisatrices', tolerant), 1),
      mobilisation_precisions: text(),
      volume_horaire_hebdomadaire: z.number().min(0, { error: 'must be a number ≥ 0' }).nullish(),
      nombre_semaines: z.number().int({ error: 'must be an integer' }).min(1, { error: 'must be an integer ≥ 1' }).nullish(),
      horaires_accueil: text(),
      score_qualite: sourceScore,
      score_origine: sourceScoreOrigin,
    })
    .superRefine(checkId, { when: (payload) => isRecord(payload.value) });
}

const STRUCTURE_SCHEMA = structureSchema();
const SERVICE_SCHEMA = serviceSchema();

export type StructureRecord = z.output<typeof STRUCTURE_SCHEMA>;
export type ServiceRecord = z.output<typeof SERVICE_SCHEMA>;

/** Fields a record may carry besides the v1 ones (what its source computed). */
const SOURCE_COMPUTED = new Set<string>(['score_qualite', 'score_origine', 'doublons']);

/** The v1 field names, in schema order. */
export const STRUCTURE_FIELDS = Object.keys(STRUCTURE_SCHEMA.shape).filter((key) => !SOURCE_COMPUTED.has(key)) as (keyof StructureRecord)[];
export const SERVICE_FIELDS = Object.keys(SERVICE_SCHEMA.shape).filter((key) => !SOURCE_COMPUTED.has(key)) as (keyof ServiceRecord)[];

const schemasByOptions = new Map<string, { structure: typeof STRUCTURE_SCHEMA; service: typeof SERVICE_SCHEMA }>();

function schemasFor(options: ValidationOptions) {
  if (!options.today && !options.tolerant) return { structure: STRUCTURE_SCHEMA, service: SERVICE_SCHEMA };
  const key = `${options.today ?? ''}|${options.tolerant ? 'tolerant' : 'strict'}`;
  let schemas = schemasByOptions.get(key);
  if (!schemas) {
    if (schemasByOptions.size > 16) schemasByOptions.clear();
    schemas = { structure: structureSchema(options), service: serviceSchema(options) };
    schemasByOptions.set(key, schemas);
  }
  return schemas;
}

export function validateStructure(input: unknown, options: ValidationOptions = {}): ValidationResult<StructureRecord> {
  return run(schemasFor(options).structure, input, 'Structure', options);
}

export function validateService(input: unknown, options: ValidationOptions = {}): ValidationResult<ServiceRecord> {
  return run(schemasFor(options).service, input, 'Service', options);
}

function run<T>(schema: z.ZodType<T>, input: unknown, kind: 'Structure' | 'Service', options: ValidationOptions): ValidationResult<T> {
  if (!isRecord(input)) {
    return { ok: false, errors: [{ field: '', message: `a ${kind} record must be an object, got ${describe(input)}` }] };
  }
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return { ok: true, value: result.data, newer: options.tolerant ? newerValues(kind, input) : [] };
  const errors: ValidationError[] = [];
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        errors.push({ field: formatPath([...issue.path, key]), message: `${key} is not a field of the v1 ${kind} schema` });
      }
      continue;
    }
    const field = formatPath(issue.path);
    errors.push({ field, message: `${field} ${describeIssue(issue)}` });
  }
  return { ok: false, errors };
}

const EXPECTED: Record<string, string> = { array: 'a list', int: 'an integer', object: 'an object' };

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') {
    if (issue.input === undefined || issue.input === null) return 'is required';
    const expected = EXPECTED[issue.expected] ?? `a ${issue.expected}`;
    return `must be ${expected}, got ${describe(issue.input)}`;
  }
  const message = issue.code === 'custom' || issue.message.startsWith('must') || issue.message.startsWith('is ') || issue.message.startsWith('dup') || issue.message.startsWith('"')
    ? issue.message
    : `is invalid: ${issue.message}`;
  return 'input' in issue && issue.input !== undefined ? `${message} (got ${describe(issue.input)})` : message;
}

/** `['publics', 1]` → `publics[1]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

function describe(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}
