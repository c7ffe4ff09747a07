import type { Context } from '../context';
import type { Critere as CritereType, QualiteOrigine, Resolvers } from '../generated/graphql';
import type { ServiceModel, StructureModel } from '../domain/models';
import { fraicheurOf } from '../quality/freshness';
import { CRITERES, criteresService, criteresStructure, round2, scoreStructure, scoredServiceOf, type CriteresQualite } from '../quality/score';
import { filterKey, rowShape } from '../store/row-shape';
import type { NestedRead } from '../loaders/pages';
import { visibleFilter } from './filters';

/**
 * `qualite` and `fraicheur` of structures and services. The score is the record's (`scoreQualite`, with who
 * computed it); the criteria are read from the record with the score's own function (src/quality/score.ts),
 * on the day the score was computed (`updatedAt`: a write that changes the score changes the row). Contact
 * criteria say whether a contact is there, never which: `qualite` shows no contact data, so it needs no scope.
 */
export interface QualiteModel {
  score: number | null;
  origine: QualiteOrigine;
  criteres(): Promise<CritereType[]> | CritereType[];
}

/** The columns the score reads, with who computed it and when (src/graph/selection.ts reads them for `qualite`). */
export const SCORE_FIELDS = [
  'source',
  'adresse',
  'modesAccueil',
  'modesMobilisation',
  'mobilisablePar',
  'publics',
  'thematiques',
  'courriel',
  'lienMobilisation',
  'telephone',
  'dateMaj',
  'frais',
  'fraisPrecisions',
  'description',
  'scoreQualite',
  'scoreOrigine',
  'updatedAt',
] as const;

/** A structure's criteria are read over this many of its services at most (by id), as `services(first:)` would. */
const MAX_SERVICES_READ = 1000;

const SERVICE_SCORE_READ: Omit<NestedRead, 'request' | 'key' | 'countKey'> = { shape: rowShape('service', SCORE_FIELDS) };

const origineOf = (stored: string | null | undefined): QualiteOrigine => (stored === 'data-inclusion' ? 'DATA_INCLUSION' : 'PASSERELLE');

function listed(criteres: CriteresQualite): CritereType[] {
  return CRITERES.map((nom) => {
    const valeur = criteres[nom];
    return { nom, valeur: valeur === null ? null : round2(valeur), applicable: valeur !== null };
  });
}

function serviceCriteres(service: ServiceModel): CriteresQualite {
  return criteresService(scoredServiceOf(service), service.updatedAt);
}

/** The services `Structure.services` lists (the store's, those this viewer may see), as the score reads them. */
function servicesOf(ctx: Context, structure: StructureModel): Promise<ServiceModel[]> {
  const filter = visibleFilter(ctx.access, undefined);
  const request = { filter, first: MAX_SERVICES_READ };
  const countKey = filterKey(filter);
  const read: NestedRead = { ...SERVICE_SCORE_READ, request, countKey, key: `${SERVICE_SCORE_READ.shape.key};${MAX_SERVICES_READ};;${countKey}` };
  return ctx.loaders
    .servicePages('structure')
    .load({ parent: structure.id, read })
    .then((page) => page.items);
}

export function serviceQualite(service: ServiceModel): QualiteModel {
  return {
    score: service.scoreQualite ?? null,
    origine: origineOf(service.scoreOrigine),
    criteres: () => listed(serviceCriteres(service)),
  };
}

/**
 * A structure's: its score as written (the mean of its services'); a live structure without one (only
 * data·inclusion's carry a score) gets the mean of its services' scores now.
 */
export async function structureQualite(ctx: Context, structure: StructureModel): Promise<QualiteModel> {
  let services: Promise<ServiceModel[]> | undefined;
  const ofServices = () => (services ??= servicesOf(ctx, structure));
  const stored = structure.scoreQualite ?? null;
  const score =
    stored ?? scoreStructure((await ofServices()).map((s) => s.scoreQualite).filter((v): v is number => v !== null && v !== undefined));
  return {
    score,
    origine: stored === null ? 'PASSERELLE' : origineOf(structure.scoreOrigine),
    criteres: async () => listed(criteresStructure((await ofServices()).map(serviceCriteres))),
  };
}

export const qualityResolvers: Resolvers = {
  Service: {
    qualite: (s) => serviceQualite(s),
    fraicheur: (s, _, ctx) => fraicheurOf(s.dateMaj, ctx.freshness, ctx.now),
  },
  Structure: {
    qualite: (s, _, ctx) => structureQualite(ctx, s),
    fraicheur: (s, _, ctx) => fraicheurOf(s.dateMaj, ctx.freshness, ctx.now),
  },
  Qualite: {
    criteres: (q) => q.criteres(),
  },
};
