// Connector for the Dora API v2 (gip-inclusion/dora back/dora/api/{urls,views,serializers}.py @ 388804a7).
//   GET /api/v2/structures/?page_size=1000&o=creation_date   DRF pages {count, next, previous, results}
//   GET /api/v2/services/?page_size=1000&o=creation_date
//   GET /api/v2/services/{id}/, GET /api/v2/structures/{id}/  one record, or 404 (no batch form)
// Access: Dora's APIPermission serves data·inclusion's own account only (README, partner access).
// The payload mixes v1 values (`frais` a single string, `publics`, `thematiques`, `types` = [kind],
// `modes_accueil`) and v0-named fields (presentation_*, typologie, labels_nationaux, modes_orientation_*,
// zone_diffusion_*, contact_public, temps_passe_*, prise_rdv, formulaire_en_ligne). It is mapped to v1 as
// data·inclusion's pipeline maps it (gip-inclusion/data-inclusion @ d4969e37, pipeline/dbt/models/
// staging/sources/dora/stg_dora__*.sql and intermediate/v1/001_mappings/dora/int_dora__*_v1.sql), with its
// `_map_dora__*` tables as data (./dora-mappings.ts). Where Passerelle differs on purpose, the code says so.
// Ids are `dora--<Dora uuid>`.
import type { Logger } from '../logger';
import { readPackageJson } from '../territories/reference';
import { offerId, producerIdIn } from '../domain/ids';
import type { ServiceRecord, StructureRecord } from '../domain/validation';
import { isValue, valuesOf } from '../domain/nomenclatures';
import { scoreService, type ScoredService } from '../quality/score';
import type { Connector, PartnerConfig, PartnerDescriptor, PartnerListQuery, PartnerPage, PartnerTransport } from './types';
import {
  acceptService,
  acceptStructure,
  compact,
  acceptAll,
  isObject,
  malformed,
  num,
  str,
  strings,
  toDate,
  toUrl,
  truncate,
  unique,
  type Json,
  type MappingContext,
} from './common';
import {
  HARVEST_PAGE_SIZE,
  drfNextPage,
  getEach,
  harvestPosition,
  listServicesByPages,
  nextHarvestMark,
} from './paging';
import {
  LABEL_NATIONAL_TO_RESEAU_PORTEUR,
  MODES_ORIENTATION_TO_MOBILISATION,
  MODE_MOBILISATION_FROM_LIENS,
  TYPES_TO_TYPE,
  TYPOLOGIE_TO_RESEAU_PORTEUR,
} from './dora-mappings';

export const SOURCE = 'dora';

// ---------------------------------------------------------------------------------------------
// Mapping functions (data·inclusion's SQL, cited per rule)
// ---------------------------------------------------------------------------------------------

let departementsByRegion: Map<string, string[]> | undefined;

/** The départements of a région, sorted (INSEE COG, @etalab/decoupage-administratif departements.json). */
export function departementsOfRegion(code: string): string[] {
  if (!departementsByRegion) {
    const rows = readPackageJson<{ code: string; region: string }[]>('departements.json');
    departementsByRegion = new Map();
    for (const row of rows) {
      const list = departementsByRegion.get(row.region) ?? [];
      list.push(row.code);
      departementsByRegion.set(row.region, list);
    }
    for (const list of departementsByRegion.values()) list.sort();
  }
  return departementsByRegion.get(code) ?? [];
}

/** A set as data·inclusion aggregates it (`ARRAY_AGG(DISTINCT item ORDER BY item)`): unique, sorted. */
function sortedSet(values: Iterable<string>): string[] {
  return unique(values).sort();
}

/** A table's row for `key` (never an inherited property such as `constructor`). */
function row<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

/** Length in characters (code points), as PostgreSQL's LENGTH counts them. */
const length = (text: string): number => [...text].length;
/** The first `count` characters (code points), as PostgreSQL's LEFT. */
const left = (text: string, count: number): string => [...text].slice(0, count).join('');

/**
 * A service's name as stg_dora__services.sql cleans it: trailing dots become "…" when there are several,
 * a single one is removed (not after "etc"); then, as int_dora__services_v1.sql and the final
 * int__services_v1.sql do, a name over 150 characters becomes its first 149 + "…" (not a dropped record).
 */
export function serviceNom(value: unknown): string | undefined {
  const nom = str(value)?.replace(/\.{2,}$/, '…').replace(/(?<!etc)\.$/, '');
  return truncate(nom || undefined, 150);
}

/**
 * A structure's name as stg_dora__structures.sql cleans it (all trailing dots removed, not after "etc"),
 * cut like a service's by the final int__structures_v1.sql.
 */
export function structureNom(value: unknown): string | undefined {
  const nom = str(value)?.replace(/(?<!etc)\.+$/, '');
  return truncate(nom || undefined, 150);
}

/**
 * `presentation_detail`, else `presentation_resume` (int_dora__{services,structures}_v1.sql); a detail of
 * 10000 characters or more becomes its first 9999 + "…" (the reference cuts rather than drops the record).
 */
export function mapDescription(raw: Json): string | undefined {
  const detail = str(raw.presentation_detail);
  if (detail !== undefined && length(detail) >= 10000) return `${left(detail, 9999)}…`;
  return detail ?? str(raw.presentation_resume);
}

/**
 * `frais` is one v1 value (serializers.py `get_frais`: `fee_condition.value`), passed through as
 * data·inclusion does. A list (the payload before Dora moved to v1) yields its first v1 value, if any.
 */
export function mapFrais(value: unknown): string | undefined {
  const candidates = Array.isArray(value) ? strings(value) : [str(value)];
  return candidates.find((frais): frais is string => isValue('frais', frais));
}

/**
 * `publics` are v1 values. Dora's serializer (`get_publics`) already turns "no restriction" (`[]`) and "every
 * public" into `["tous-publics"]`; the rule is applied again here so that a record never combines
 * `tous-publics` with other publics (v1 forbids it). Values that are not v1 publics are dropped (data·inclusion's
 * validation would reject the whole record); a payload without `publics` (Dora before 2025-10) has none.
 */
export function mapPublics(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const given = strings(value);
  const publics = sortedSet(given.filter((item) => isValue('publics', item)));
  const specific = valuesOf('publics').filter((item) => item !== 'tous-publics');
  if (given.length === 0 || publics.includes('tous-publics') || specific.every((item) => publics.includes(item))) {
    return ['tous-publics'];
  }
  return publics;
}

/**
 * `thematiques` are v1 values since Dora's migrations 0128–0131 (2025-11-24), `--autre` already filtered by
 * its serializer; data·inclusion passes them through. Values that are not v1 thématiques (an `--autre`, a
 * stale v0 value) are dropped: Dora still holds v0 leftovers, which data·inclusion's validation rejects.
 */
export function mapThematiques(value: unknown): string[] {
  return sortedSet(strings(value).filter((item) => !item.endsWith('--autre') && isValue('thematiques', item)));
}

/** `types` (`[kind]`) → the v1 `type` of the first TYPES_TO_TYPE row they meet (int_dora__services_v1.sql). */
export function mapType(value: unknown): string | undefined {
  const types = strings(value);
  return TYPES_TO_TYPE.find(([from]) => from.some((type) => types.includes(type)))?.[1];
}

/** `typologie` and `labels_nationaux` → `reseaux_porteurs`, through data·inclusion's two tables only. */
export function mapReseaux(typologie: string | undefined, labels: readonly string[]): string[] {
  const out: string[] = [];
  const fromTypologie = typologie === undefined ? undefined : row(TYPOLOGIE_TO_RESEAU_PORTEUR, typologie);
  if (fromTypologie) out.push(fromTypologie);
  for (const label of labels) {
    const reseau = row(LABEL_NATIONAL_TO_RESEAU_PORTEUR, label);
    if (reseau) out.push(reseau);
  }
  return sortedSet(out);
}

/**
 * `modes_orientation_*` → `modes_mobilisation` through `_map_dora__modes_mobilisation.sql`, plus
 * `utiliser-lien-mobilisation` whenever `prise_rdv` or `formulaire_en_ligne` is set.
 */
export function mapModesMobilisation(beneficiaire: readonly string[], accompagnateur: readonly string[], hasLien: boolean): string[] {
  return sortedSet([
    ...beneficiaire.flatMap((mode) => row(MODES_ORIENTATION_TO_MOBILISATION.beneficiaire, mode) ?? []),
    ...accompagnateur.flatMap((mode) => row(MODES_ORIENTATION_TO_MOBILISATION.accompagnateur, mode) ?? []),
    ...(hasLien ? [MODE_MOBILISATION_FROM_LIENS] : []),
  ]);
}

function departementOf(codeInsee: string | undefined): string | undefined {
  if (!codeInsee) return undefined;
  return codeInsee.startsWith('97') ? codeInsee.slice(0, 3) : codeInsee.slice(0, 2);
}

/**
 * `zone_diffusion_type` / `_code` → `zone_eligibilite` as int_dora__services_v1.sql: a région becomes its
 * départements, `pays` becomes `france`, any other type its code.
 * Passerelle adds, on purpose, what the final int__services_v1.sql does for sources that give a zone type
 * without a code: a `commune` zone is the service's commune, a `departement` zone the département of its
 * commune (data·inclusion leaves Dora's zone empty then).
 */
export function mapZone(type: string | undefined, code: string | undefined, codeInsee: string | undefined): string[] | undefined {
  if (type === 'region') {
    const departements = code ? departementsOfRegion(code) : [];
    return departements.length ? departements : undefined;
  }
  if (type === 'pays') return ['france'];
  if (code) return [code];
  if (type === 'commune' && codeInsee) return [codeInsee];
  const departement = type === 'departement' ? departementOf(codeInsee) : undefined;
  return departement ? [departement] : undefined;
}

/** Whole weeks: the reference casts `temps_passe_semaines` to an integer; v1 wants at least 1 (else left out). */
function weeks(value: unknown): number | undefined {
  const count = num(value);
  return count !== undefined && Math.round(count) >= 1 ? Math.round(count) : undefined;
}

export function mapStructure(raw: Json): Json {
  const doraId = str(raw.id);
  return {
    source: SOURCE,
    id: doraId ? offerId(SOURCE, doraId) : undefined,
    nom: structureNom(raw.nom),
    date_maj: toDate(raw.date_maj),
    description: mapDescription(raw),
    lien_source: toUrl(raw.lien_source),
    siret: str(raw.siret),
    // The address as Dora gives it. data·inclusion keeps it only with a street line and a commune
    // (int_dora__adresses_v1.sql); Passerelle keeps a commune without street, so territory filters still apply.
    commune: str(raw.commune),
    code_postal: str(raw.code_postal),
    code_insee: str(raw.code_insee),
    adresse: str(raw.adresse),
    complement_adresse: str(raw.complement_adresse),
    longitude: num(raw.longitude),
    latitude: num(raw.latitude),
    telephone: str(raw.telephone),
    courriel: str(raw.courriel),
    site_web: toUrl(raw.site_web),
    horaires_accueil: str(raw.horaires_ouverture),
    accessibilite_lieu: toUrl(raw.accessibilite),
    reseaux_porteurs: mapReseaux(str(raw.typologie), strings(raw.labels_nationaux)),
  };
}

/**
 * A Dora service as a v1 record. When its contacts are not public (`contact_public: false`), the record is
 * scored with them first and then loses them, as data·inclusion does (scored in int__criteres_qualite_v1,
 * contacts nulled afterwards in marts__services_v1.sql): `score_qualite` carries that score, so that
 * Passerelle does not recompute a lower one from the record without contacts.
 */
export function mapService(raw: Json, now: Date = new Date()): Json {
  const doraId = str(raw.id);
  const structureId = str(raw.structure_id);
  // stg_dora__services__modes_orientation_beneficiaire.sql drops the value `professionnel`.
  const beneficiaire = strings(raw.modes_orientation_beneficiaire).filter((mode) => mode !== 'professionnel');
  const accompagnateur = strings(raw.modes_orientation_accompagnateur);
  const codeInsee = str(raw.code_insee);
  const record: Json = {
    source: SOURCE,
    structure_id: structureId ? offerId(SOURCE, structureId) : undefined,
    id: doraId ? offerId(SOURCE, doraId) : undefined,
    nom: serviceNom(raw.nom),
    description: mapDescription(raw),
    date_maj: toDate(raw.date_maj),
    lien_source: toUrl(raw.lien_source),
    type: mapType(raw.types),
    thematiques: mapThematiques(raw.thematiques),
    frais: mapFrais(raw.frais),
    frais_precisions: str(raw.frais_autres),
    publics: mapPublics(raw.publics),
    publics_precisions: str(raw.publics_precisions),
    // pre_requis then justificatifs, one a line (data·inclusion sorts each list by its database collation;
    // Passerelle keeps Dora's order).
    conditions_acces: [...strings(raw.pre_requis), ...strings(raw.justificatifs)].join('\n') || undefined,
    // The address as Dora gives it (see mapStructure).
    commune: str(raw.commune),
    code_postal: str(raw.code_postal),
    code_insee: codeInsee,
    adresse: str(raw.adresse),
    complement_adresse: str(raw.complement_adresse),
    longitude: num(raw.longitude),
    latitude: num(raw.latitude),
    telephone: str(raw.telephone),
    courriel: str(raw.courriel),
    contact_nom_prenom: str(raw.contact_nom_prenom),
    modes_accueil: sortedSet(strings(raw.modes_accueil).filter((mode) => isValue('modes_accueil', mode))),
    zone_eligibilite: mapZone(str(raw.zone_diffusion_type), str(raw.zone_diffusion_code), codeInsee),
    // COALESCE(prise_rdv, formulaire_en_ligne); Passerelle falls back to the form when prise_rdv is no URL.
    lien_mobilisation: toUrl(raw.prise_rdv) ?? toUrl(raw.formulaire_en_ligne),
    modes_mobilisation: mapModesMobilisation(beneficiaire, accompagnateur, !!(str(raw.prise_rdv) ?? str(raw.formulaire_en_ligne))),
    mobilisable_par: [...(beneficiaire.length ? ['usagers'] : []), ...(accompagnateur.length ? ['professionnels'] : [])],
    // data·inclusion writes `TRIM(beneficiaire_autres || ' ' || accompagnateur_autres)`, which SQL makes NULL
    // unless both are set; Passerelle keeps either one alone (and equals data·inclusion's text when both are).
    mobilisation_precisions:
      [str(raw.modes_orientation_beneficiaire_autres), str(raw.modes_orientation_accompagnateur_autres)].filter(Boolean).join(' ') ||
      undefined,
    volume_horaire_hebdomadaire: num(raw.temps_passe_duree_hebdomadaire),
    nombre_semaines: weeks(raw.temps_passe_semaines),
    // int_dora__services_v1.sql: "We decided against using dora's recurrence field in the new horaires_accueil
    // field" (`recurrence` is free text; horaires_accueil is OSM opening_hours).
    horaires_accueil: undefined,
  };
  // marts__services_v1.sql: `_is_contact_public IS FALSE` → no contacts (an absent flag keeps them).
  if (raw.contact_public === false) {
    record.score_qualite = scoreService(compact(record) as unknown as ScoredService, now);
    record.telephone = undefined;
    record.courriel = undefined;
    record.contact_nom_prenom = undefined;
  }
  return record;
}

// ---------------------------------------------------------------------------------------------
// Connector
// ---------------------------------------------------------------------------------------------

const PATHS = { structures: '/api/v2/structures/', services: '/api/v2/services/' } as const;
type Resource = keyof typeof PATHS;
const HARVEST_ORDER: readonly Resource[] = ['structures', 'services'];

interface DrfPage {
  results: unknown[];
  /** The next page number, from DRF's `next` URL; undefined on the last page. */
  next?: number;
}

export class DoraConnector implements Connector {
  private readonly ctx: MappingContext;

  constructor(
    readonly partner: PartnerConfig,
    private readonly transport: PartnerTransport,
    logger: Logger,
  ) {
    this.ctx = { partner: partner.id, logger };
  }

  /** Dora has no batch form: one GET per id (src/partners/paging.ts). */
  async servicesByIds(ids: readonly string[]): Promise<ServiceRecord[]> {
    return this.toServices(await getEach(this.transport, this.pathsOf('services', ids)));
  }

  async structuresByIds(ids: readonly string[]): Promise<StructureRecord[]> {
    return this.toStructures(await getEach(this.transport, this.pathsOf('structures', ids)));
  }

  /** Dora's API has no filters: pages are walked, each filtered by `query.keep`, until `limit` services match. */
  async listServices(query: PartnerListQuery): Promise<ServiceRecord[]> {
    if (query.sources?.length && !query.sources.includes(SOURCE)) return [];
    return listServicesByPages(query, async (page) => {
      const body = await this.fetchPage('services', page);
      return { services: this.toServices(body.results), next: body.next };
    });
  }

  async page(mark?: string): Promise<PartnerPage> {
    const { resource, page } = harvestPosition(HARVEST_ORDER, mark);
    const body = await this.fetchPage(resource, page);
    const result: PartnerPage =
      resource === 'structures'
        ? { structures: this.toStructures(body.results), services: [] }
        : { structures: [], services: this.toServices(body.results) };
    const next = nextHarvestMark(HARVEST_ORDER, resource, body.next);
    if (next) result.next = next;
    return result;
  }

  private pathsOf(resource: Resource, ids: readonly string[]): string[] {
    return ids.flatMap((id) => {
      const doraId = producerIdIn(id, SOURCE);
      return doraId === undefined ? [] : [`${PATHS[resource]}${encodeURIComponent(doraId)}/`];
    });
  }

  private async fetchPage(resource: Resource, page: number): Promise<DrfPage> {
    const body = await this.transport.request(PATHS[resource], {
      query: { page, page_size: HARVEST_PAGE_SIZE, o: 'creation_date' },
    });
    if (!isObject(body) || !Array.isArray(body.results)) throw malformed(this.partner.id, `${PATHS[resource]} without results`);
    const next = str(body.next);
    return { results: body.results, next: next && body.results.length > 0 ? drfNextPage(next, page) : undefined };
  }

  private toStructures(items: readonly unknown[]): StructureRecord[] {
    return acceptAll(this.ctx, items, mapStructure, acceptStructure);
  }

  private toServices(items: readonly unknown[]): ServiceRecord[] {
    return acceptAll(this.ctx, items, (item) => mapService(item), acceptService);
  }
}

export const doraPartner: PartnerDescriptor<'dora'> = {
  type: 'dora',
  authScheme: 'Token', // DRF TokenAuthentication
  create: (partner, transport, logger) => new DoraConnector(partner, transport, logger),
};
