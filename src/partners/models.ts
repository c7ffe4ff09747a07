import type { ServiceRecord, StructureRecord } from '../domain/validation';
import type { ServiceModel, StructureModel } from '../domain/models';
import { scoreService } from '../quality/score';

/**
 * A live partner's v1 record (snake_case, validated by its connector) in the shape the graph resolves
 * (the store's model, camelCase), with its origin. Live records are scored like stored ones.
 */
function camelRecord(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) out[key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = value ?? null;
  return out;
}

const STRUCTURE_LISTS = ['reseauxPorteurs', 'doublons'];
const SERVICE_LISTS = ['thematiques', 'publics', 'modesAccueil', 'zoneEligibilite', 'modesMobilisation', 'mobilisablePar'];

export function structureFromPartner(record: StructureRecord, partner: string, fetchedAt: Date): StructureModel {
  const model = camelRecord(record as unknown as Record<string, unknown>);
  for (const list of STRUCTURE_LISTS) model[list] ??= [];
  return {
    ...(model as unknown as StructureModel),
    dateMaj: new Date(`${record.date_maj}T00:00:00.000Z`),
    scoreQualite: record.score_qualite ?? null,
    scoreOrigine: record.score_qualite != null ? (record.score_origine ?? 'passerelle') : 'passerelle',
    createdAt: fetchedAt,
    updatedAt: fetchedAt,
    origin: { partner, fetchedAt },
  };
}

export function serviceFromPartner(record: ServiceRecord, partner: string, fetchedAt: Date): ServiceModel {
  const model = camelRecord(record as unknown as Record<string, unknown>);
  for (const list of SERVICE_LISTS) model[list] ??= [];
  return {
    ...(model as unknown as ServiceModel),
    dateMaj: new Date(`${record.date_maj}T00:00:00.000Z`),
    scoreQualite: record.score_qualite ?? scoreService(record, fetchedAt),
    // Who computed it: data·inclusion's connector marks the score its API published (src/partners/data-inclusion.ts).
    scoreOrigine: record.score_qualite != null ? (record.score_origine ?? 'passerelle') : 'passerelle',
    createdAt: fetchedAt,
    updatedAt: fetchedAt,
    origin: { partner, fetchedAt },
  };
}
