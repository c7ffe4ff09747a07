// Connector for the Emplois de l'inclusion data·inclusion endpoint.
//   GET /api/v1/data-inclusion/?type=siae|orga&page=<n>&page_size=1000   DRF pages {count, next, previous, results}
// Reserved to data·inclusion's service token (`DataInclusionPermission`); `Token <key>`.
// Payload: gip-inclusion/les-emplois `itou/api/data_inclusion_api/serializers.py` at commit
// 543eae8d2d547947d3e3ead6dbb2e9668c16db44: id (uid), nom, siret, description, site_web, telephone, courriel,
// code_postal, commune, adresse, complement_adresse, longitude, latitude, date_maj (ISO datetime, Europe/Paris),
// lien_source, kind. Blank fields are "" (not null); siret, lien_source, latitude and longitude may be null.
// There is no `code_insee`: it is derived from code_postal + commune (+ coordinates), commune-resolver.ts.
// Mapping: data·inclusion's staging and int models for this source (gip-inclusion/data-inclusion
// `pipeline/dbt/models/{staging/sources,intermediate/v1/001_mappings}/emplois_de_linclusion/`, commit
// d4969e37319c7c43732fb84e77bf8a030321f781): every text trimmed, "" → null; siret of 14 zeros → null;
// latitude/longitude 0 → null; descriptions of 1–5 characters → null; date_maj → its date; kind → réseau
// (emplois-mappings.ts). Difference: data·inclusion keeps an address only with a street line (adresse or
// complement) and a commune or postal code, and leaves the rest to its geocoder; Passerelle keeps whatever
// location fields come, since they are the only location it has.
// Structures only (SIAE and prescriber organisations), ids `emplois-de-linclusion--<uid>`.
// The endpoint has no by-id form: structuresByIds walks the pages until every id is found.
import type { Logger } from '../logger';
import { offerId, producerIdIn } from '../domain/ids';
import type { ServiceRecord, StructureRecord } from '../domain/validation';
import type { Connector, PartnerConfig, PartnerDescriptor, PartnerPage, PartnerTransport } from './types';
import {
  acceptStructure,
  acceptAll,
  isObject,
  malformed,
  num,
  str,
  toDate,
  toUrl,
  type Json,
  type MappingContext,
} from './common';
import {
  HARVEST_PAGE_SIZE,
  drfNextPage,
  harvestPosition,
  nextHarvestMark,
} from './paging';
import { resolveCodeInsee } from './commune-resolver';
import { reseauOfKind } from './emplois-mappings';

export const SOURCE = 'emplois-de-linclusion';

/** data·inclusion: `NULLIF(REGEXP_REPLACE(description, '^.{1,5}$', ''), '')`, too short to be meaningful. */
const SHORT_DESCRIPTION_MAX = 5;

/** A coordinate, 0 being "none" (data·inclusion: `NULLIF(CAST(… AS FLOAT), 0)`). */
function coordinate(value: unknown): number | undefined {
  const n = num(value);
  return n === 0 ? undefined : n;
}

function description(value: unknown): string | undefined {
  const text = str(value);
  return text && [...text].length > SHORT_DESCRIPTION_MAX ? text : undefined;
}

/** data·inclusion drops the placeholder SIRET of 14 zeros. */
function siret(value: unknown): string | undefined {
  const text = str(value);
  return text === '0'.repeat(14) ? undefined : text;
}

export function mapStructure(raw: Json): Json {
  const emploisId = str(raw.id);
  const reseau = reseauOfKind(str(raw.kind));
  const latitude = coordinate(raw.latitude);
  const longitude = coordinate(raw.longitude);
  const codePostal = str(raw.code_postal);
  const commune = str(raw.commune);
  return {
    source: SOURCE,
    id: emploisId ? offerId(SOURCE, emploisId) : undefined,
    nom: str(raw.nom),
    date_maj: toDate(raw.date_maj),
    description: description(raw.description),
    lien_source: toUrl(raw.lien_source),
    siret: siret(raw.siret),
    commune,
    code_postal: codePostal,
    code_insee: resolveCodeInsee({ codePostal, commune, latitude, longitude }),
    adresse: str(raw.adresse),
    complement_adresse: str(raw.complement_adresse),
    longitude,
    latitude,
    telephone: str(raw.telephone),
    courriel: str(raw.courriel),
    site_web: toUrl(raw.site_web),
    reseaux_porteurs: reseau ? [reseau] : [],
  };
}

const PATH = '/api/v1/data-inclusion/';
type Resource = 'siae' | 'orga';
const HARVEST_ORDER: readonly Resource[] = ['siae', 'orga'];

export class EmploisConnector implements Connector {
  private readonly ctx: MappingContext;

  constructor(
    readonly partner: PartnerConfig,
    private readonly transport: PartnerTransport,
    logger: Logger,
  ) {
    this.ctx = { partner: partner.id, logger };
  }

  /** Emplois publishes no services. */
  async servicesByIds(): Promise<ServiceRecord[]> {
    return [];
  }

  /** Emplois publishes no services. */
  async listServices(): Promise<ServiceRecord[]> {
    return [];
  }

  /** No by-id endpoint: the pages are walked (siae, then orga) until every asked id is found. */
  async structuresByIds(ids: readonly string[]): Promise<StructureRecord[]> {
    const missing = new Set(ids.filter((id) => producerIdIn(id, SOURCE) !== undefined));
    const found = new Map<string, StructureRecord>();
    let mark: string | undefined;
    while (missing.size > 0) {
      const page = await this.page(mark);
      for (const structure of page.structures) {
        if (missing.delete(structure.id)) found.set(structure.id, structure);
      }
      mark = page.next;
      if (!mark) break;
    }
    return ids.flatMap((id) => found.get(id) ?? []).filter((structure, index, all) => all.indexOf(structure) === index);
  }

  async page(mark?: string): Promise<PartnerPage> {
    const { resource, page } = harvestPosition(HARVEST_ORDER, mark);
    const body = await this.transport.request(PATH, { query: { type: resource, page, page_size: HARVEST_PAGE_SIZE } });
    if (!isObject(body) || !Array.isArray(body.results)) throw malformed(this.partner.id, `${PATH}?type=${resource} without results`);
    const structures = acceptAll(this.ctx, body.results, mapStructure, acceptStructure);
    const result: PartnerPage = { structures, services: [] };
    const next = str(body.next);
    const following = nextHarvestMark(HARVEST_ORDER, resource, next && body.results.length > 0 ? drfNextPage(next, page) : undefined);
    if (following) result.next = following;
    return result;
  }
}

export const emploisPartner: PartnerDescriptor<'emplois'> = {
  type: 'emplois',
  authScheme: 'Token', // DRF TokenAuthentication (a ServiceToken for data·inclusion)
  create: (partner, transport, logger) => new EmploisConnector(partner, transport, logger),
};
