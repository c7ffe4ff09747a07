import type { Logger } from '../logger';
import type { ServiceRecord, StructureRecord } from '../domain/validation';

/**
 * Partner connectors: one module per partner API (data·inclusion, Dora, Soliguide, Emplois de
 * l'inclusion), all behind this interface. A connector speaks its partner's documented payloads and
 * answers in v1 records (snake_case, validated: a malformed record is dropped with a logged reason,
 * never served half-mapped).
 */
export type PartnerType = 'data-inclusion' | 'dora' | 'soliguide' | 'emplois';

/** One partner as declared in passerelle.config.json. */
export interface PartnerConfig {
  id: string;
  type: PartnerType;
  baseUrl: string;
  /** The partner's API token (already resolved from `tokenEnv` when the file names an env var). */
  token?: string;
  /** Resolve this partner's sources live (true) or only harvest it into the store (false). */
  live: boolean;
  /** Source slugs this partner answers for (`service(id: "dora--…")` goes to the partner declaring `dora`). */
  sources: string[];
  cacheTtlSeconds: number;
  timeoutMs: number;
}

/**
 * A list of services asked of a partner: the filters a connector may push down to its partner's API, and
 * `keep`, the whole filter (its one definition: src/store/offer-filter.ts), which the connector applies to each
 * page it receives so that `limit` counts records that match. A connector never filters by itself.
 */
export interface PartnerListQuery {
  sources?: string[];
  thematiques?: string[];
  /** The publics asked, without `tous-publics` (a partner speaking data·inclusion's API adds it itself). */
  publics?: string[];
  frais?: string[];
  types?: string[];
  modesAccueil?: string[];
  codeCommune?: string;
  codeDepartement?: string;
  codeRegion?: string;
  /** Upper bound of records wanted. */
  limit: number;
  /** The records of a page that the list keeps (all of them when absent). */
  keep?: (services: ServiceRecord[]) => Promise<ServiceRecord[]>;
}

export interface PartnerPage {
  structures: StructureRecord[];
  services: ServiceRecord[];
  /** Opaque mark of the next page, absent on the last one. */
  next?: string;
}

/**
 * A partner type: everything Passerelle needs to know of it in one place — its name in the config file,
 * the Authorization scheme its API expects, and how to build its connector. Each connector module exports
 * its descriptor; src/partners/index.ts lists them, and the config's types, the transport's auth header and
 * the factory all derive from that list (adding a partner type is one module and one line there).
 */
export interface PartnerDescriptor<T extends PartnerType = PartnerType> {
  readonly type: T;
  /** The scheme of its `Authorization: <scheme> <token>` header. */
  readonly authScheme: 'Bearer' | 'Token' | 'JWT';
  create(partner: PartnerConfig, transport: PartnerTransport, logger: Logger, options?: ConnectorOptions): Connector;
}

/** Options a connector may take besides its partner (all optional; the defaults suit production). */
export interface ConnectorOptions {
  /** Records asked per harvest page, where the partner lets the caller choose (data·inclusion). */
  harvestPageSize?: number;
}

export interface Connector {
  readonly partner: PartnerConfig;
  /** Services by id (`<source>--<producer id>`), in one batched call where the partner has one. */
  servicesByIds(ids: readonly string[]): Promise<ServiceRecord[]>;
  /** Structures by id. */
  structuresByIds(ids: readonly string[]): Promise<StructureRecord[]>;
  /** A search with what the partner supports. */
  listServices(query: PartnerListQuery): Promise<ServiceRecord[]>;
  /** One page of the partner's whole dataset (harvest), starting at `mark` (undefined: the first page). */
  page(mark?: string): Promise<PartnerPage>;
}

/**
 * How a connector reaches its partner: one JSON request, with the partner's auth header, timeout,
 * retries, circuit breaker and call counting handled underneath (src/partners/http.ts). Throws a
 * PartnerError when the partner cannot answer.
 */
export interface PartnerTransport {
  request(path: string, init?: { method?: 'GET' | 'POST'; query?: Record<string, string | number | readonly string[]>; body?: unknown }): Promise<unknown>;
}

/** A partner that could not answer (after retries), or whose circuit is open. */
export class PartnerError extends Error {
  constructor(
    readonly partnerId: string,
    message: string,
    readonly reason: 'timeout' | 'http' | 'malformed' | 'network' | 'circuit-open',
    readonly status?: number,
  ) {
    super(`partner ${partnerId}: ${message}`);
    this.name = 'PartnerError';
  }
}
