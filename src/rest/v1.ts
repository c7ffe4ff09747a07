// `/api/v1`: a drop-in REST API compatible with data·inclusion's API v1 (issue 14). It only translates: the
// reference's query parameters become the graph's filter (src/graph/filters.ts checks every value and applies the
// `publics`/catégorie rules), the store reads with the graph's `whereClause` (src/store/offer-filter.ts) and
// search statements (src/store/search-query.ts), and the caller's token gives the same viewer, source licences
// and scopes as on /graphql (App.contextFor). No rule of the offer is written again here.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GraphQLError } from 'graphql';
import { Prisma } from '../generated/prisma/client';
import type { Context } from '../context';
import type { Store } from '../store/database';
import type { Logger } from '../logger';
import { ErrorCode, StatementTimeoutError } from '../errors';
import { hasScope } from '../auth/viewer';
import { browserOrigin, type BrowserOrigin } from '../auth/origins';
import { visibleFilter } from '../graph/filters';
import type { ServiceFilter, StructureFilter } from '../generated/graphql';
import { NOMENCLATURES, valuesOf, type NomenclatureName } from '../domain/nomenclatures';
import type { OfferFilter } from '../store/offer-filter';
import { rowShape } from '../store/row-shape';
import { searchOrigin, searchPage, type SearchOrigin } from '../store/search-query';
import { ChangeCursorError, MAX_FEED_PAGE } from '../store/changes';
import type { QueryParameter, Route, RouteDoc } from '../route';
import type { PushLimits } from '../config';
import { pushRoutes } from './push';
import { badParameter, parseQuery, RestInputError, type ParsedQuery } from './parameters';
import { byIds, doublonRef, duplicateIds, publicPart, readPage, readWhere, type V1Record } from './records';

export const API_V1 = '/api/v1';
export const DEFAULT_PAGE_SIZE = 5000;
export const MAX_PAGE_SIZE = 10000;
/** The reference's search radius (services.py: `ST_DWithin(…, 50_000)`). */
const SEARCH_RADIUS_METRES = 50_000;

export interface RestHost {
  store(): Store | undefined;
  contextFor(store: Store, authorization: string | undefined, origin?: BrowserOrigin): Promise<Context>;
  logger: Logger;
  /** The server's rate limits, as on /graphql: true when it answered 429 (the caller's bucket is empty). */
  rateLimited?(req: IncomingMessage, res: ServerResponse, context: Context): Promise<boolean>;
  /** Limits of the producer write API (PUT routes, src/rest/push.ts). */
  pushLimits?: PushLimits;
}

// ——— parameters, as the reference names them ———

const nomenclature = (name: NomenclatureName, description: string): QueryParameter => ({ name, type: 'string', list: true, description, enum: valuesOf(name) });

const PAGE: QueryParameter[] = [
  { name: 'page', type: 'integer', minimum: 1, default: 1, description: 'Page number, from 1.' },
  { name: 'size', type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE, description: `Page size (at most ${MAX_PAGE_SIZE}).` },
];
const SOURCES: QueryParameter = { name: 'sources', type: 'string', list: true, description: 'Source slugs (see /api/v1/sources).' };
const TERRITORY: QueryParameter[] = [
  { name: 'code_region', type: 'string', description: 'INSEE code of a région (2 digits).' },
  { name: 'slug_region', type: 'string', description: 'Slug of a région (`ile-de-france`).' },
  { name: 'code_departement', type: 'string', description: 'INSEE code of a département (`35`, `2A`, `974`).' },
  { name: 'slug_departement', type: 'string', description: 'Slug of a département (`cote-d-or`).' },
  { name: 'code_commune', type: 'string', description: 'INSEE code of a commune; an unknown commune is a 422. Paris, Lyon and Marseille include their arrondissements.' },
];
const SCORE: QueryParameter = { name: 'score_qualite_minimum', type: 'number', minimum: 0, maximum: 1, description: 'Minimum quality score (0 to 1).' };
const SERVICE_CRITERIA: QueryParameter[] = [
  { ...nomenclature('thematiques', 'Thématiques; a catégorie stands for all its thématiques.'), enum: [...valuesOf('thematiques'), ...valuesOf('thematiques_categories')] },
  nomenclature('frais', 'Frais.'),
  nomenclature('publics', 'Publics; services for `tous-publics` match any; asking `tous-publics` applies no publics filter.'),
  nomenclature('modes_accueil', "Modes d'accueil."),
  { ...nomenclature('types_services', 'Types of service.'), name: 'types' },
  SCORE,
  { name: 'recherche_public', type: 'string', description: 'French full-text search (Passerelle reads nom, description, thématique labels and publics_precisions: more than the reference).' },
];
const EXCLURE_DOUBLONS: QueryParameter = { name: 'exclure_doublons', type: 'boolean', default: false, description: 'One record per duplicate cluster (the best score, then the latest date_maj).' };

export const STRUCTURES_PARAMETERS: readonly QueryParameter[] = [
  ...PAGE,
  SOURCES,
  { name: 'reseaux_porteurs', type: 'string', list: true, description: 'Réseaux porteurs.', enum: valuesOf('reseaux_porteurs') },
  ...TERRITORY,
  EXCLURE_DOUBLONS,
];
export const SERVICES_PARAMETERS: readonly QueryParameter[] = [...PAGE, SOURCES, ...SERVICE_CRITERIA, ...TERRITORY];
export const SEARCH_PARAMETERS: readonly QueryParameter[] = [
  ...PAGE,
  SOURCES,
  { name: 'code_commune', type: 'string', description: 'Where the person lives: services eligible there, within 50 km of its centre (or of lat/lon), or remote. Unknown: 422.' },
  { name: 'lat', type: 'number', minimum: -90, maximum: 90, description: 'Latitude of the person (with lon).' },
  { name: 'lon', type: 'number', minimum: -180, maximum: 180, description: 'Longitude of the person (with lat).' },
  ...SERVICE_CRITERIA,
  EXCLURE_DOUBLONS,
];

/** The graph's argument (`filter.modesAccueil`) → the reference's parameter (`modes_accueil`), for 422s. */
const PARAMETER_OF: Record<string, string> = {
  sources: 'sources',
  thematiques: 'thematiques',
  publics: 'publics',
  frais: 'frais',
  modesAccueil: 'modes_accueil',
  types: 'types',
  reseauxPorteurs: 'reseaux_porteurs',
  codeCommune: 'code_commune',
  codeDepartement: 'code_departement',
  codeRegion: 'code_region',
  scoreQualiteMin: 'score_qualite_minimum',
  q: 'recherche_public',
};

// ——— translation to the graph's filter ———

/** "Côte-d'Or" → "cote-d-or", "Île-de-France" → "ile-de-france": the reference's slugs. */
export function slugOf(nom: string): string {
  return nom
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

async function territoryCode(store: Store, table: 'regions' | 'departements', code: string | undefined, slug: string | undefined, names: [string, string]): Promise<string | undefined> {
  if (slug === undefined) return code;
  const rows = await store.query<{ code: string; nom: string }>(Prisma.sql`SELECT code, nom FROM ${Prisma.raw(table)}`);
  const found = rows.find((r) => slugOf(r.nom) === slug);
  if (!found) throw badParameter(names[1], `"${slug}" is not the slug of a ${table === 'regions' ? 'région' : 'département'}`, slug, 'enum');
  if (code !== undefined && code !== found.code) throw badParameter(names[1], `names ${found.code}, not ${names[0]}=${code}`, slug);
  return found.code;
}

/** The graph's filter for these parameters, checked by the graph's rules, with the caller's source licences. */
async function filterFor(ctx: Context, store: Store, q: ParsedQuery): Promise<OfferFilter> {
  const input: ServiceFilter & StructureFilter = {
    sources: q.sources as string[] | undefined,
    thematiques: q.thematiques as string[] | undefined,
    publics: q.publics as string[] | undefined,
    frais: q.frais as string[] | undefined,
    modesAccueil: q.modes_accueil as string[] | undefined,
    types: q.types as string[] | undefined,
    reseauxPorteurs: q.reseaux_porteurs as string[] | undefined,
    codeCommune: q.code_commune as string | undefined,
    codeRegion: await territoryCode(store, 'regions', q.code_region as string | undefined, q.slug_region as string | undefined, ['code_region', 'slug_region']),
    codeDepartement: await territoryCode(store, 'departements', q.code_departement as string | undefined, q.slug_departement as string | undefined, ['code_departement', 'slug_departement']),
    scoreQualiteMin: q.score_qualite_minimum as number | undefined,
    q: q.recherche_public as string | undefined,
    excludeDuplicates: q.exclure_doublons === true ? true : undefined,
  };
  for (const key of Object.keys(input) as (keyof typeof input)[]) if (input[key] === undefined) delete input[key];
  const filter = visibleFilter(ctx.access, input, { thresholds: ctx.freshness, now: ctx.now });
  if (filter.codeCommune !== undefined && !(await ctx.loaders.communeByCode.load(filter.codeCommune))) {
    throw new RestInputError('This `code_commune` does not exist.');
  }
  return filter;
}

// ——— responses ———

interface Answer {
  status?: number;
  body: unknown;
}

interface Call {
  req: IncomingMessage;
  ctx: Context;
  store: Store;
  query: ParsedQuery;
  params: Record<string, string>;
  /** Whether contact values are served (the token carries `contact:read`). */
  contacts: boolean;
}

/** The reference's page: `size` is the number of items, `pages` counts pages of the size asked. */
function page<T>(items: T[], total: number, q: ParsedQuery): { items: T[]; total: number; page: number; size: number; pages: number } {
  return { items, total, page: q.page as number, size: items.length, pages: Math.ceil(total / (q.size as number)) };
}

const offsetOf = (q: ParsedQuery) => ((q.page as number) - 1) * (q.size as number);

async function withDoublons(ctx: Context, store: Store, rows: V1Record[]): Promise<V1Record[]> {
  const dups = await duplicateIds(store, rows, ctx.access);
  return rows.map((r) => ({ ...publicPart(r), doublons: (dups.get(r.id as string) ?? []).map(doublonRef) }));
}

async function listStructures({ ctx, store, query, contacts }: Call): Promise<Answer> {
  const filter = await filterFor(ctx, store, query);
  const { rows, total } = await readPage(store, 'structure', filter, offsetOf(query), query.size as number, contacts);
  return { body: page(await withDoublons(ctx, store, rows), total, query) };
}

async function listServices({ ctx, store, query, contacts }: Call): Promise<Answer> {
  const filter = await filterFor(ctx, store, query);
  const { rows, total } = await readPage(store, 'service', filter, offsetOf(query), query.size as number, contacts);
  return { body: page(rows, total, query) };
}

const notFound: Answer = { status: 404, body: { detail: 'Not Found' } };

async function oneStructure({ ctx, store, params, contacts }: Call): Promise<Answer> {
  const filter = visibleFilter(ctx.access, {});
  const [row] = await readWhere(store, 'structure', filter, byIds([params.id]), contacts);
  if (!row) return notFound;
  const dups = (await duplicateIds(store, [row], ctx.access)).get(params.id) ?? [];
  const [doublons, services] = await Promise.all([
    dups.length ? readWhere(store, 'structure', filter, byIds(dups), contacts) : Promise.resolve([]),
    readWhere(store, 'service', filter, Prisma.sql`x.structure_id = ${params.id}`, contacts),
  ]);
  return { body: { ...publicPart(row), doublons: doublons.map(publicPart), services } };
}

/** Services with their structure (the reference's `DetailedService`), in the order of `ids`. */
async function detailedServices(ctx: Context, store: Store, ids: string[], contacts: boolean): Promise<V1Record[]> {
  if (ids.length === 0) return [];
  const filter = visibleFilter(ctx.access, {});
  const services = await readWhere(store, 'service', filter, byIds(ids), contacts);
  const structureIds = [...new Set(services.map((s) => s.structure_id as string))];
  const structures = new Map((await readWhere(store, 'structure', filter, byIds(structureIds), contacts)).map((s) => [s.id as string, publicPart(s)]));
  const byId = new Map(services.map((s) => [s.id as string, { ...s, structure: structures.get(s.structure_id as string) ?? null }]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

async function oneService({ ctx, store, params, contacts }: Call): Promise<Answer> {
  const [service] = await detailedServices(ctx, store, [params.id], contacts);
  return service ? { body: service } : notFound;
}

/**
 * `/search/services`: "what can a person living here use", through the graph's search statement (eligibility
 * zones of the commune, 50 km or remote, distance then id). Pages: the first `page × size` hits are read and the
 * last `size` served (the search's order is (distance, id): an offset has no index to jump by).
 */
async function searchServices({ ctx, store, query, contacts }: Call): Promise<Answer> {
  const lat = query.lat as number | undefined;
  const lon = query.lon as number | undefined;
  if ((lat === undefined) !== (lon === undefined)) throw new RestInputError('The `lat` and `lon` must be simultaneously filled.');
  const { codeCommune, ...rest } = await filterFor(ctx, store, query);
  const filter: OfferFilter = rest;
  let origin: SearchOrigin | undefined;
  if (codeCommune !== undefined) {
    const found = await searchOrigin(store, codeCommune);
    if (found === undefined) throw new RestInputError('This `code_commune` does not exist.');
    if (found === null && lat === undefined) throw new RestInputError('This `code_commune` has no known centre: give lat and lon.');
    origin = { latitude: lat ?? found!.latitude, longitude: lon ?? found!.longitude, zones: found?.zones };
  } else if (lat !== undefined && lon !== undefined) {
    origin = { latitude: lat, longitude: lon };
  }
  const offset = offsetOf(query);
  const size = query.size as number;
  if (!origin) {
    // No place: the reference lists the services, distance null.
    const { rows, total } = await readPage(store, 'service', filter, offset, size, contacts);
    const detailed = await detailedServices(ctx, store, rows.map((r) => r.id as string), contacts);
    return { body: page(detailed.map((service) => ({ service, distance: null })), total, query) };
  }
  const hits = await searchPage(store, { origin, radiusMetres: SEARCH_RADIUS_METRES, filter, first: offset + size }, rowShape('service', ['id']), true);
  const kept = hits.items.slice(offset);
  const detailed = await detailedServices(ctx, store, kept.map((h) => h.service.id), contacts);
  const distance = new Map(kept.map((h) => [h.service.id, h.distance === null ? null : Math.round(h.distance / 1000)]));
  return { body: page(detailed.map((service) => ({ service, distance: distance.get(service.id as string) ?? null })), hits.total ?? 0, query) };
}

async function listSources({ ctx }: Call): Promise<Answer> {
  const sources = await ctx.loaders.sources();
  return { body: sources.map((s) => ({ slug: s.slug, nom: s.nom, description: s.description ?? null })) };
}

const CHANGES_PARAMETERS: readonly QueryParameter[] = [
  { name: 'since', type: 'string', description: 'Resume after this cursor (a change\'s `cursor`, the page\'s `cursor`, or an export\'s X-Passerelle-Changes-Cursor); absent: from the start.' },
  { name: 'size', type: 'integer', minimum: 1, maximum: MAX_FEED_PAGE, default: 1000, description: `Changes per page (at most ${MAX_FEED_PAGE}).` },
];

/**
 * `/changes`: the change feed (beyond the reference; GraphQL `changes`, NDJSON `/exports/changes.ndjson`), as JSON:
 * `{ items, cursor, has_more }`. Public as the exports whatever the token. A cursor that is not the feed's: 422;
 * older than its retention: 410 (download the export again).
 */
async function listChanges({ ctx, query }: Call): Promise<Answer> {
  try {
    const page = await ctx.changeFeed(query.since === undefined ? undefined : String(query.since), Number(query.size));
    return {
      body: {
        items: page.changes.map((c) => ({ cursor: c.cursor, entity: c.entity, id: c.id, source: c.source, operation: c.operation, changed_at: c.changedAt.toISOString(), record: c.record })),
        cursor: page.endCursor,
        has_more: page.hasMore,
      },
    };
  } catch (error) {
    if (!(error instanceof ChangeCursorError)) throw error;
    if (error.kind === 'invalid') return { status: 422, body: { detail: [{ type: 'value_error', loc: ['query', 'since'], msg: error.message }] } };
    return { status: 410, body: { detail: error.message } };
  }
}

/** `/doc/<name>` → the nomenclature it serves (the reference's names). */
export const DOC_NOMENCLATURES: Readonly<Record<string, NomenclatureName>> = {
  frais: 'frais',
  'modes-accueil': 'modes_accueil',
  'modes-mobilisation': 'modes_mobilisation',
  'personnes-mobilisatrices': 'personnes_mobilisatrices',
  publics: 'publics',
  'reseaux-porteurs': 'reseaux_porteurs',
  thematiques: 'thematiques',
  'types-services': 'types_services',
  /** Not in the reference: the catégories `thematiques` also accepts. */
  'thematiques-categories': 'thematiques_categories',
};

function nomenclatureItems(name: NomenclatureName) {
  return [...NOMENCLATURES[name]]
    .map((item) => ({ value: item.value, label: item.label, description: item.description ?? null }))
    .sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
}

// ——— HTTP ———

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}

/** The graph's BAD_USER_INPUT (`filter.thematiques: "x" is not…`) as the reference's 422 on `thematiques`. */
function restError(error: unknown): { status: number; body: unknown; headers?: Record<string, string> } | undefined {
  if (error instanceof RestInputError) return { status: 422, body: { detail: error.detail } };
  if (error instanceof StatementTimeoutError) return { status: 503, body: { detail: error.message } };
  if (error instanceof GraphQLError) {
    const code = error.extensions.code;
    if (code === ErrorCode.UNAUTHENTICATED) return { status: 401, body: { detail: error.message }, headers: { 'www-authenticate': 'Bearer realm="passerelle", error="invalid_token"' } };
    if (code === ErrorCode.ORIGIN_REFUSED) return { status: 403, body: { detail: error.message } };
    if (code === ErrorCode.BAD_USER_INPUT) {
      const argument = String(error.extensions.argument ?? '');
      const name = PARAMETER_OF[argument.replace(/^filter\./, '')] ?? argument;
      return { status: 422, body: { detail: [{ type: 'value_error', loc: ['query', name], msg: error.message.replace(/^[^:]*: /, '') }] } };
    }
  }
  return undefined;
}

const WITHHELD = 'courriel, telephone, contact_nom_prenom; a token with the scope contact:read unlocks them';

function restRoute(host: RestHost, path: string, description: string, doc: RouteDoc, answer: (call: Call) => Promise<Answer>, records = true): Route {
  return {
    path: `${API_V1}${path}`,
    auth: 'optional-token',
    description,
    doc,
    handler: async (req, res, params) => {
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { detail: 'Method Not Allowed' }, { allow: 'GET, HEAD' });
      const store = host.store();
      if (!store) return send(res, 503, { detail: 'the store is not ready yet; retry in a few seconds' });
      try {
        const ctx = await host.contextFor(store, req.headers.authorization, browserOrigin(req));
        if (await host.rateLimited?.(req, res, ctx)) return;
        const query = parseQuery(new URL(req.url ?? '/', 'http://localhost').searchParams, doc.parameters ?? []);
        const contacts = hasScope(ctx.viewer, 'contact:read');
        const result = await answer({ req, ctx, store, query, params, contacts });
        send(res, result.status ?? 200, result.body, contacts || !records ? {} : { 'x-passerelle-withheld': WITHHELD });
      } catch (error) {
        const known = restError(error);
        if (!known) throw error;
        send(res, known.status, known.body, known.headers);
      }
    },
  };
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const pageOf = (item: Record<string, unknown>) => ({
  type: 'object',
  required: ['items', 'total', 'page', 'size', 'pages'],
  properties: { items: { type: 'array', items: item }, total: { type: 'integer' }, page: { type: 'integer' }, size: { type: 'integer' }, pages: { type: 'integer' } },
});
const ERRORS = { 401: 'A token was sent and is not valid.', 422: 'A parameter is not valid: `{ detail }` as the reference.' };

/** The `/api/v1` routes, in the route table's order. */
export function restRoutes(host: RestHost): Route[] {
  const docRoutes: Route[] = Object.entries(DOC_NOMENCLATURES).map(([slug, name]) => ({
    path: `${API_V1}/doc/${slug}`,
    methods: ['GET', 'HEAD'],
    auth: 'public',
    description: `The ${name} nomenclature: value, label, description, sorted by value.`,
    doc: { summary: `Nomenclature ${slug}`, tags: ['documentation'], response: { type: 'array', items: ref('NomenclatureItem') } },
    handler: (_req, res) => send(res, 200, nomenclatureItems(name), { 'cache-control': 'public, max-age=3600' }),
  }));
  return [
    restRoute(host, '/structures', 'Structures, by page, in id order.', { summary: 'Lister les structures', tags: ['données'], parameters: STRUCTURES_PARAMETERS, response: pageOf(ref('ListedStructure')), errors: ERRORS }, listStructures),
    restRoute(host, '/structures/{id}', 'A structure with its duplicates and services; 404 when unknown or not visible.', { summary: 'Détailler une structure', tags: ['données'], response: ref('DetailedStructure'), errors: { ...ERRORS, 404: 'No such structure.' } }, oneStructure),
    restRoute(host, '/services', 'Services, by page, in id order.', { summary: 'Lister les services', tags: ['données'], parameters: SERVICES_PARAMETERS, response: pageOf(ref('Service')), errors: ERRORS }, listServices),
    restRoute(host, '/services/{id}', 'A service with its structure; 404 when unknown or not visible.', { summary: 'Détailler un service', tags: ['données'], response: ref('DetailedService'), errors: { ...ERRORS, 404: 'No such service.' } }, oneService),
    restRoute(host, '/search/services', 'Services a person living in a commune (or at a point) can use, nearest first; distance in km.', { summary: 'Rechercher des services', tags: ['données'], parameters: SEARCH_PARAMETERS, response: pageOf({ type: 'object', required: ['service', 'distance'], properties: { service: ref('DetailedService'), distance: { type: ['integer', 'null'] } } }), errors: ERRORS }, searchServices),
    restRoute(host, '/sources', 'The data sources.', { summary: 'Lister les sources', tags: ['données'], response: { type: 'array', items: ref('Source') } }, listSources, false),
    restRoute(
      host,
      '/changes',
      'The change feed (beyond the reference): changes to the public offer since a cursor, in commit order.',
      {
        summary: 'Suivre les changements',
        tags: ['données'],
        parameters: CHANGES_PARAMETERS,
        response: {
          type: 'object',
          required: ['items', 'cursor', 'has_more'],
          properties: { items: { type: 'array', items: { type: 'object' } }, cursor: { type: 'string' }, has_more: { type: 'boolean' } },
        },
        errors: { 410: 'The cursor is older than the feed keeps: download the export again.', 422: 'The cursor is not one of the feed\'s.' },
      },
      listChanges,
      false,
    ),
    ...docRoutes,
    ...pushRoutes(host),
    {
      path: `${API_V1}/{rest*}`,
      auth: 'public',
      description: 'Any other path under /api/v1: 404 as the reference.',
      handler: (_req, res) => send(res, 404, { detail: 'Not Found' }),
    },
  ];
}
