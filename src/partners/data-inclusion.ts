// Connector for the data·inclusion API v1 (reference: data-inclusion.md §3).
//   GET /api/v1/services?page&size&sources&thematiques&code_commune&code_departement → Page[Service]
//   GET /api/v1/structures?page&size&sources&code_commune&code_departement            → Page[ListedStructure]
//   GET /api/v1/services/{id}, GET /api/v1/structures/{id}                              → one record, or 404
// Pages are `{items, total, page, size, pages}` (offset pagination, page ≥ 1, size ≤ 10000).
// Records are already v1: the v1 fields are kept with data·inclusion's own `score_qualite` (its score is the
// reference's; Passerelle does not recompute it) and, on structures, its dedup signal `doublons` (as ids);
// the other API-added fields (adresse_certifiee, extra, structure, services) are dropped. Every record is
// validated tolerantly (src/partners/common.ts): a nomenclature value newer than Passerelle's is kept.
import type { Logger } from '../logger';
import {
  SERVICE_FIELDS,
  STRUCTURE_FIELDS,
  type ServiceRecord,
  type StructureRecord,
} from '../domain/validation';
import {
  type Connector,
  type ConnectorOptions,
  type PartnerConfig,
  type PartnerDescriptor,
  type PartnerListQuery,
  type PartnerPage,
  type PartnerTransport,
} from './types';
import {
  type MappingContext,
  acceptStructure,
  acceptService,
  acceptAll,
  type Json,
  isObject,
  pick,
  num,
  str,
  unique,
  toDate,
  malformed,
} from './common';
import {
  HARVEST_PAGE_SIZE,
  getEach,
  harvestPosition,
  listServicesByPages,
  nextHarvestMark,
} from './paging';

// ---------------------------------------------------------------------------------------------
// data·inclusion connector
// ---------------------------------------------------------------------------------------------

const SOURCE_PATHS = { services: '/api/v1/services', structures: '/api/v1/structures' } as const;
type Resource = keyof typeof SOURCE_PATHS;
/** Harvest order: structures first, then their services. */
const HARVEST_ORDER: readonly Resource[] = ['structures', 'services'];
/** Largest `size` the API accepts (§3.2). */
const MAX_PAGE_SIZE = 10000;

interface DiPage {
  items: unknown[];
  page: number;
  pages: number;
}

export class DataInclusionConnector implements Connector {
  private readonly ctx: MappingContext;
  private readonly harvestPageSize: number;

  constructor(
    readonly partner: PartnerConfig,
    private readonly transport: PartnerTransport,
    logger: Logger,
    options: ConnectorOptions = {},
  ) {
    this.ctx = { partner: partner.id, logger };
    const size = options.harvestPageSize ?? HARVEST_PAGE_SIZE;
    if (!Number.isSafeInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
      throw new RangeError(`partner ${partner.id}: harvestPageSize must be an integer from 1 to ${MAX_PAGE_SIZE} (got ${size})`);
    }
    this.harvestPageSize = size;
  }

  /** The API has no batch form: one GET per id (src/partners/paging.ts). */
  async servicesByIds(ids: readonly string[]): Promise<ServiceRecord[]> {
    return this.toServices(await getEach(this.transport, ids.map((id) => `${SOURCE_PATHS.services}/${encodeURIComponent(id)}`)));
  }

  async structuresByIds(ids: readonly string[]): Promise<StructureRecord[]> {
    return this.toStructures(await getEach(this.transport, ids.map((id) => `${SOURCE_PATHS.structures}/${encodeURIComponent(id)}`)));
  }

  async listServices(query: PartnerListQuery): Promise<ServiceRecord[]> {
    const limit = Math.max(0, Math.floor(query.limit));
    if (limit === 0) return [];
    const size = Math.min(limit, MAX_PAGE_SIZE);
    const filters: Record<string, string | readonly string[]> = {};
    if (query.sources?.length) filters.sources = query.sources;
    if (query.thematiques?.length) filters.thematiques = query.thematiques;
    if (query.publics?.length) filters.publics = query.publics;
    if (query.frais?.length) filters.frais = query.frais;
    if (query.types?.length) filters.types = query.types;
    if (query.modesAccueil?.length) filters.modes_accueil = query.modesAccueil;
    if (query.codeCommune) filters.code_commune = query.codeCommune;
    if (query.codeDepartement) filters.code_departement = query.codeDepartement;
    if (query.codeRegion) filters.code_region = query.codeRegion;
    return listServicesByPages(query, async (page) => {
      const body = await this.fetchPage('services', page, size, filters);
      return { services: this.toServices(body.items), next: body.items.length > 0 && page < body.pages ? page + 1 : undefined };
    });
  }

  async page(mark?: string): Promise<PartnerPage> {
    const { resource, page } = harvestPosition(HARVEST_ORDER, mark);
    const body = await this.fetchPage(resource, page, this.harvestPageSize, {});
    const result: PartnerPage =
      resource === 'structures'
        ? { structures: this.toStructures(body.items), services: [] }
        : { structures: [], services: this.toServices(body.items) };
    const next = nextHarvestMark(HARVEST_ORDER, resource, body.items.length > 0 && page < body.pages ? page + 1 : undefined);
    if (next) result.next = next;
    return result;
  }

  private async fetchPage(
    resource: Resource,
    page: number,
    size: number,
    filters: Record<string, string | readonly string[]>,
  ): Promise<DiPage> {
    const body = await this.transport.request(SOURCE_PATHS[resource], { query: { ...filters, page, size } });
    if (!isObject(body) || !Array.isArray(body.items)) throw malformed(this.partner.id, `${SOURCE_PATHS[resource]} without items`);
    return { items: body.items, page: num(body.page) ?? page, pages: num(body.pages) ?? page };
  }

  private toStructures(items: readonly unknown[]): StructureRecord[] {
    return acceptAll(this.ctx, items, (item) => v1Fields(item, STRUCTURE_FIELDS), acceptStructure);
  }

  private toServices(items: readonly unknown[]): ServiceRecord[] {
    return acceptAll(this.ctx, items, (item) => v1Fields(item, SERVICE_FIELDS), acceptService);
  }
}

/**
 * The v1 fields of an API record, its date normalised, with what data·inclusion computed: `score_qualite`
 * and, on structures, `doublons` — `[{source, id}]` on lists, whole structures on a detail — as ids.
 */
function v1Fields(item: Json, fields: readonly string[]): Json {
  const record = pick(item, fields);
  record.date_maj = toDate(record.date_maj);
  const score = num(item.score_qualite);
  if (score !== undefined) {
    record.score_qualite = score;
    record.score_origine = 'data-inclusion';
  }
  if (Array.isArray(item.doublons)) {
    record.doublons = unique(item.doublons.map((doublon) => (isObject(doublon) ? str(doublon.id) : undefined)).filter((id): id is string => id !== undefined));
  }
  return record;
}

export const dataInclusionPartner: PartnerDescriptor<'data-inclusion'> = {
  type: 'data-inclusion',
  authScheme: 'Bearer', // FastAPI HTTPBearer (a JWT data·inclusion issues)
  create: (partner, transport, logger, options) => new DataInclusionConnector(partner, transport, logger, options),
};
