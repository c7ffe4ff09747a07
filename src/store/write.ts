// Writing the offer: validate a batch of v1 records, score it, and upsert it set-based in one transaction.
// Unchanged rows are left alone (their updated_at is kept), so updated_at tells consumers what changed.
import { analyzeAfterBulkWrite } from './analyze';
import { InputError } from '../errors';
import type { Prisma } from '../generated/prisma/client';
import type { Store } from './database';
import { upsertStatement } from './upsert';
import { DOCUMENT_VECTOR_SQL, searchDocument } from './full-text';
import { SOURCES } from '../domain/nomenclatures';
import {
  SERVICE_FIELDS,
  STRUCTURE_FIELDS,
  validateService,
  validateStructure,
  type ServiceRecord,
  type StructureRecord,
  type ValidationError,
  type ValidationOptions,
} from '../domain/validation';
import { scoreService, scoreStructure } from '../quality/score';

export interface Offer {
  structures: readonly unknown[];
  services: readonly unknown[];
}

export interface WriteOptions {
  /** The reference date of the quality score (date_maj_recente); defaults to the current time. */
  now?: Date;
  /** Rows per INSERT statement. */
  chunkSize?: number;
  /**
   * Keep nomenclature values and source slugs Passerelle does not know (records a partner connector
   * already accepted; src/partners/common.ts reported them). Producers' files are checked strictly.
   */
  tolerant?: boolean;
}

export interface WriteResult {
  /** Structures inserted, or updated because they differed. */
  structuresWritten: number;
  /** Services inserted, or updated because they differed. */
  servicesWritten: number;
  /** Records of the batch identical to what the store held (not rewritten). */
  structuresUnchanged: number;
  servicesUnchanged: number;
}

/** A batch with invalid records; nothing of it was written. `errors[].field` is a path like `structures[3].nom`. */
export class OfferValidationError extends InputError {
  constructor(readonly errors: ValidationError[]) {
    const shown = errors.slice(0, 20).map((error) => `  ${error.field}: ${error.message}`);
    if (errors.length > shown.length) shown.push(`  … and ${errors.length - shown.length} more`);
    super(`the offer has ${errors.length} invalid value${errors.length > 1 ? 's' : ''}; nothing was written:\n${shown.join('\n')}`);
    this.name = 'OfferValidationError';
  }
}

/** A Prisma transaction client (`store.prisma.$transaction(async (tx) => …)`). */
export type Tx = Prisma.TransactionClient;

const ARRAY_FIELDS = new Set(['doublons', 'reseaux_porteurs', 'thematiques', 'publics', 'modes_accueil', 'zone_eligibilite', 'modes_mobilisation', 'mobilisable_par']);
const SQL_TYPES: Record<string, string> = {
  date_maj: 'date',
  longitude: 'float8',
  latitude: 'float8',
  volume_horaire_hebdomadaire: 'float8',
  nombre_semaines: 'int4',
  score_qualite: 'float8',
};
const sqlType = (field: string) => (ARRAY_FIELDS.has(field) ? 'text[]' : (SQL_TYPES[field] ?? 'text'));

/**
 * The offer's upsert (src/store/upsert.ts): lists never null, `created_at` / `updated_at` kept by the statement;
 * a service's `recherche` arrives as its normalised search document and is stored as its tsvector.
 */
function offerUpsert(table: 'structures' | 'services', fields: readonly string[]): string {
  return upsertStatement({
    table,
    key: 'id',
    columns: Object.fromEntries(fields.map((field) => [field, sqlType(field)])),
    insert: {
      ...Object.fromEntries(fields.filter((field) => ARRAY_FIELDS.has(field)).map((field) => [field, `COALESCE(r."${field}", '{}')`])),
      ...(fields.includes('recherche') ? { recherche: DOCUMENT_VECTOR_SQL('r."recherche"') } : {}),
    },
    timestamps: { created: 'created_at', updated: 'updated_at' },
  });
}

const STRUCTURE_COLUMNS = [...STRUCTURE_FIELDS, 'doublons'] as string[];
const SERVICE_COLUMNS = [...SERVICE_FIELDS, 'score_qualite', 'score_origine', 'recherche'] as string[];
// A structure's score is derived from its services and set afterwards; the upsert leaves it alone.
const STRUCTURE_UPSERT = offerUpsert('structures', STRUCTURE_COLUMNS);
const SERVICE_UPSERT = offerUpsert('services', SERVICE_COLUMNS);

/** Validates, scores and upserts a batch of structures and services, all or nothing. */
export async function writeOffer(store: Store, offer: Offer, options: WriteOptions = {}): Promise<WriteResult> {
  // Validated before the transaction opens: an invalid batch never holds a connection.
  const prepared = prepareOffer(offer, options);
  const result = await store.prisma.$transaction((tx) => writePrepared(tx, prepared, options.chunkSize ?? 1000), {
    timeout: 10 * 60_000,
    maxWait: 60_000,
  });
  await analyzeAfterBulkWrite(store, ['structures', 'services'], result.structuresWritten + result.servicesWritten);
  return result;
}

/**
 * writeOffer inside the caller's transaction (`store.prisma.$transaction(async (tx) => …)`), so that the
 * batch commits or rolls back with the caller's other statements. Same validation and result.
 */
export async function writeOfferIn(tx: Tx, offer: Offer, options: WriteOptions = {}): Promise<WriteResult> {
  return writePrepared(tx, prepareOffer(offer, options), options.chunkSize ?? 1000);
}

interface PreparedOffer {
  structures: StructureRecord[];
  services: ServiceRecord[];
  normalisedStructures: Record<string, unknown>[];
  scoredServices: Record<string, unknown>[];
}

function prepareOffer(offer: Offer, options: WriteOptions): PreparedOffer {
  const now = options.now ?? new Date();
  const { structures, services, errors } = validateOffer(offer, { tolerant: options.tolerant });
  if (errors.length > 0) throw new OfferValidationError(errors);
  return {
    structures,
    services,
    scoredServices: services.map((service) => ({
      ...normalise(service, SERVICE_FIELDS),
      score_qualite: service.score_qualite ?? scoreService(service, now),
      // `data-inclusion` when the score is the one its API published (its connector says so); else Passerelle's.
      score_origine: service.score_qualite != null ? (service.score_origine ?? 'passerelle') : 'passerelle',
      recherche: searchDocument(service),
    })),
    normalisedStructures: structures.map((structure) => normalise(structure, STRUCTURE_COLUMNS)),
  };
}

async function writePrepared(tx: Tx, prepared: PreparedOffer, chunkSize: number): Promise<WriteResult> {
  const { structures, services, normalisedStructures, scoredServices } = prepared;
  await checkStructuresExist(tx, structures, services);
  const movedFrom = await currentStructureIds(tx, services.map((service) => service.id));

  let structuresWritten = 0;
  for (const chunk of chunks(normalisedStructures, chunkSize)) {
    structuresWritten += await tx.$executeRawUnsafe(STRUCTURE_UPSERT, JSON.stringify(chunk));
  }
  let servicesWritten = 0;
  for (const chunk of chunks(scoredServices, chunkSize)) {
    servicesWritten += await tx.$executeRawUnsafe(SERVICE_UPSERT, JSON.stringify(chunk));
  }

  const affected = new Set<string>([
    ...structures.map((structure) => structure.id),
    ...services.map((service) => service.structure_id),
    ...movedFrom,
  ]);
  await updateStructureScores(tx, [...affected], chunkSize);
  return {
    structuresWritten,
    servicesWritten,
    structuresUnchanged: structures.length - structuresWritten,
    servicesUnchanged: services.length - servicesWritten,
  };
}

/** Every record validated (all errors collected, as `structures[i].field` paths), duplicates refused. */
export function validateOffer(offer: Offer, options: ValidationOptions = {}): { structures: StructureRecord[]; services: ServiceRecord[]; errors: ValidationError[] } {
  const errors: ValidationError[] = [];
  const structures: StructureRecord[] = [];
  const services: ServiceRecord[] = [];
  const check = <T extends { id: string }>(
    kind: 'structures' | 'services',
    records: readonly unknown[],
    validate: (input: unknown) => { ok: true; value: T } | { ok: false; errors: ValidationError[] },
    into: T[],
  ) => {
    const seen = new Map<string, number>();
    records.forEach((record, index) => {
      const result = validate(record);
      if (!result.ok) {
        for (const error of result.errors) {
          const field = error.field ? `${kind}[${index}].${error.field}` : `${kind}[${index}]`;
          errors.push({ field, message: error.message });
        }
        return;
      }
      const first = seen.get(result.value.id);
      if (first !== undefined) {
        errors.push({ field: `${kind}[${index}].id`, message: `id ${JSON.stringify(result.value.id)} is already used by ${kind}[${first}]` });
        return;
      }
      seen.set(result.value.id, index);
      into.push(result.value);
    });
  };
  check('structures', offer.structures, (input) => validateStructure(input, options), structures);
  check('services', offer.services, (input) => validateService(input, options), services);
  return { structures, services, errors };
}

/** The v1 fields of a record, absent ones as null (so an update clears them). */
function normalise(record: object, fields: readonly string[]): Record<string, unknown> {
  const source = record as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const field of fields) out[field] = source[field] ?? null;
  return out;
}

/** Which of these structure ids the store holds. */
export async function storedStructureIds(tx: Tx, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await tx.$queryRawUnsafe<{ id: string }[]>(
    `SELECT s."id" FROM "structures" s WHERE s."id" IN (SELECT jsonb_array_elements_text($1::jsonb))`,
    JSON.stringify(ids),
  );
  return new Set(rows.map((row) => row.id));
}

async function checkStructuresExist(tx: Tx, structures: StructureRecord[], services: ServiceRecord[]): Promise<void> {
  const inBatch = new Set(structures.map((structure) => structure.id));
  const outside = [...new Set(services.map((service) => service.structure_id).filter((id) => !inBatch.has(id)))];
  if (outside.length === 0) return;
  const known = await storedStructureIds(tx, outside);
  const errors: ValidationError[] = [];
  services.forEach((service, index) => {
    if (!inBatch.has(service.structure_id) && !known.has(service.structure_id)) {
      errors.push({
        field: `services[${index}].structure_id`,
        message: `structure_id ${JSON.stringify(service.structure_id)} names no structure of the batch or the store`,
      });
    }
  });
  if (errors.length > 0) throw new OfferValidationError(errors);
}

/** The structures the given services belong to now (a service may move to another structure). */
async function currentStructureIds(tx: Tx, serviceIds: string[]): Promise<string[]> {
  if (serviceIds.length === 0) return [];
  const rows = await tx.$queryRawUnsafe<{ structure_id: string }[]>(
    `SELECT DISTINCT s."structure_id" FROM "services" s WHERE s."id" IN (SELECT jsonb_array_elements_text($1::jsonb))`,
    JSON.stringify(serviceIds),
  );
  return rows.map((row) => row.structure_id);
}

/**
 * Sets score_qualite of the given structures to the mean of their services' scores (as in the store now), and
 * score_origine: `data-inclusion` when every score averaged is data·inclusion's, else `passerelle`.
 */
export async function updateStructureScores(tx: Tx, structureIds: string[], chunkSize = 1000): Promise<void> {
  for (const ids of chunks(structureIds, chunkSize * 5)) {
    const rows = await tx.$queryRawUnsafe<{ id: string; scores: (number | null)[] | null; relayed: boolean | null }[]>(
      `SELECT st."id", array_remove(array_agg(sv."score_qualite" ORDER BY sv."score_qualite"), NULL) AS "scores",
              bool_and(sv."score_origine" = 'data-inclusion') FILTER (WHERE sv."score_qualite" IS NOT NULL) AS "relayed"
       FROM "structures" st LEFT JOIN "services" sv ON sv."structure_id" = st."id"
       WHERE st."id" IN (SELECT jsonb_array_elements_text($1::jsonb))
       GROUP BY st."id"`,
      JSON.stringify(ids),
    );
    const scores = rows.map((row) => ({
      id: row.id,
      score_qualite: scoreStructure((row.scores ?? []).filter((score): score is number => score !== null).map(Number)),
      score_origine: row.relayed ? 'data-inclusion' : 'passerelle',
    }));
    if (scores.length === 0) continue;
    await tx.$executeRawUnsafe(
      `UPDATE "structures" st SET "score_qualite" = r."score_qualite", "score_origine" = r."score_origine", "updated_at" = now()
       FROM jsonb_to_recordset($1::jsonb) AS r("id" text, "score_qualite" float8, "score_origine" text)
       WHERE st."id" = r."id" AND (st."score_qualite", st."score_origine") IS DISTINCT FROM (r."score_qualite", r."score_origine")`,
      JSON.stringify(scores),
    );
  }
}

/** Upserts the current data sources (slug, name, description) into the sources table. */
export async function syncSources(store: Store): Promise<number> {
  const rows = SOURCES.map((source) => ({ slug: source.value, nom: source.label, description: source.description ?? null }));
  return store.prisma.$executeRawUnsafe(
    `INSERT INTO "sources" ("slug", "nom", "description")
     SELECT r."slug", r."nom", r."description" FROM jsonb_to_recordset($1::jsonb) AS r("slug" text, "nom" text, "description" text)
     ON CONFLICT ("slug") DO UPDATE SET "nom" = EXCLUDED."nom", "description" = EXCLUDED."description"
     WHERE ("sources"."nom", "sources"."description") IS DISTINCT FROM (EXCLUDED."nom", EXCLUDED."description")`,
    JSON.stringify(rows),
  );
}

function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let start = 0; start < items.length; start += size) yield items.slice(start, start + size);
}
