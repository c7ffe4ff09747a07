// Connector for the Emplois de l'inclusion data·inclusion endpoint (reference: data-inclusion.md §6
// "emplois-de-linclusion").
//   GET /api/v1/data-inclusion/?type=siae|orga&page_size=1000   DRF pages {count?, next, results}
// Structures only (SIAE and prescriber organisations), ids `emplois-de-linclusion--<id>`. Fields: id,
// kind, nom, siret, description, adresse, complement_adresse, code_postal, commune, code_insee,
// latitude, longitude, site_web, lien_source, telephone, courriel, date_maj. `kind` → reseaux_porteurs.
// The endpoint has no by-id form: structuresByIds walks the pages until every id is found.
import type { Logger } from '../logger';
import { offerId, producerIdIn } from '../domain/ids';
import type { ServiceRecord, StructureRecord } from '../domain/validation';
import type { Connector, PartnerConfig, PartnerPage, PartnerTransport } from './types';
import {
  HARVEST_PAGE_SIZE,
  acceptStructure,
  decodeMark,
  drfNextPage,
  acceptAll,
  encodeMark,
  isObject,
  malformed,
  num,
  str,
  toDate,
  toUrl,
  type Json,
  type MappingContext,
} from './common';

export const SOURCE = 'emplois-de-linclusion';

/**
 * Emplois `kind` → v1 `reseaux_porteurs`, where a v1 value names the same kind of structure. Source:
 * the kinds of SIAE (ACI, AI, EI, EITI, ETTI, EA, EATT, GEIQ, OPCS) and of prescriber organisations
 * (FT/PE, ML, CAP_EMPLOI, DEPT, CCAS…), which are the v0 `typologies_structures` codes
 * (nomenclatures.json), and the v1 `reseaux_porteurs` values. Kinds absent here (OPCS, OTHER, ODC,
 * OACAS, PENSION, PREVENTION…) give no réseau.
 */
export const KIND_TO_RESEAUX: Readonly<Record<string, string>> = {
  // SIAE
  ACI: 'aci',
  AI: 'ai',
  EI: 'ei',
  EITI: 'eiti',
  ETTI: 'etti',
  EA: 'ea',
  EATT: 'eatt',
  GEIQ: 'geiq',
  // prescribers
  AFPA: 'afpa',
  ASE: 'ase',
  CAARUD: 'caarud',
  CADA: 'cada',
  CAF: 'caf',
  CAP_EMPLOI: 'cap-emploi-reseau-cheops',
  CAVA: 'cava',
  CCAS: 'ccas-cias',
  CHRS: 'chrs',
  CHU: 'chu',
  CIDFF: 'cidff',
  CPH: 'cph',
  CSAPA: 'csapa',
  DEPT: 'departements',
  E2C: 'ecoles-de-la-deuxieme-chance',
  EPIDE: 'epide',
  FT: 'france-travail',
  PE: 'france-travail', // Pôle emploi, France Travail's former kind
  HUDA: 'huda',
  MDPH: 'mdph',
  ML: 'mission-locale',
  MSA: 'mutualite-sociale-agricole',
  PIJ_BIJ: 'reseau-information-jeunesse',
  PJJ: 'pjj',
  PLIE: 'plie',
  RS_FJT: 'residences-fjt',
  SPIP: 'spip',
};

export function mapStructure(raw: Json): Json {
  const emploisId = str(raw.id);
  const kind = str(raw.kind)?.toUpperCase();
  const reseau = kind ? KIND_TO_RESEAUX[kind] : undefined;
  return {
    source: SOURCE,
    id: emploisId ? offerId(SOURCE, emploisId) : undefined,
    nom: str(raw.nom),
    date_maj: toDate(raw.date_maj),
    description: str(raw.description),
    lien_source: toUrl(raw.lien_source),
    siret: str(raw.siret),
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
    const { resource, page } = mark ? decodeMark(mark, HARVEST_ORDER) : { resource: HARVEST_ORDER[0], page: 1 };
    const body = await this.transport.request(PATH, { query: { type: resource, page, page_size: HARVEST_PAGE_SIZE } });
    if (!isObject(body) || !Array.isArray(body.results)) throw malformed(this.partner.id, `${PATH}?type=${resource} without results`);
    const structures = acceptAll(this.ctx, body.results, mapStructure, acceptStructure);
    const result: PartnerPage = { structures, services: [] };
    const next = str(body.next);
    if (next && body.results.length > 0) {
      result.next = encodeMark(resource, drfNextPage(next, page));
    } else {
      const following = HARVEST_ORDER[HARVEST_ORDER.indexOf(resource) + 1];
      if (following) result.next = encodeMark(following, 1);
    }
    return result;
  }
}

export function createEmploisConnector(partner: PartnerConfig, transport: PartnerTransport, logger: Logger): Connector {
  return new EmploisConnector(partner, transport, logger);
}
