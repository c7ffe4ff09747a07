// Connector for the Soliguide (Solinum) API, mapped as data·inclusion maps Soliguide.
//
// Upstream read (solinumasso/soliguide @ ef581c26):
//   POST /new-search  (packages/api/src/search/routes/search.routes.ts; body checked by dto/search.dto.ts)
//     {"location":{"geoType":"pays","geoValue":"fr"},"options":{"limit":N,"page":P,"sortBy":"lieu_id","sortValue":1}}
//     → {places, nbResults}; an API user gets the projection FIELDS_FOR_SEARCH.API
//   GET  /place/{lieu_id}  one place (place/routes/place.routes.ts), or 404 PLACE_NOT_EXIST
//   There is no route by service (serviceObjectId): see `servicesByIds`.
// Mapping: data·inclusion @ d4969e37, pipeline/dbt/models/staging/sources/soliguide/stg_soliguide__*.sql and
// intermediate/v1/001_mappings/soliguide/int_soliguide__{structures,services}_v1.sql; the tables are data in
// ./soliguide-mappings.ts, the opening hours in ./soliguide-hours.ts. Where Passerelle differs, a comment says why.
//
// A place is a structure `soliguide--<lieu_id>`; each entry of its `services_all` is a service
// `soliguide--<serviceObjectId>` (DI's ids).
import { LRUCache } from 'lru-cache';
import type { Logger } from '../logger';
import { offerId, producerIdIn } from '../domain/ids';
import type { ServiceRecord, StructureRecord } from '../domain/validation';
import type { Connector, PartnerConfig, PartnerDescriptor, PartnerListQuery, PartnerPage, PartnerTransport } from './types';
import {
  acceptService,
  acceptStructure,
  dropNonObject,
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
  encodeMark,
  getEach,
  harvestPosition,
  listServicesByPages,
} from './paging';
import { DI_PUBLICS, DI_RESEAUX_PORTEURS, PUBLICS_DIMENSIONS, labelOf, thematiquesOf, typeOf } from './soliguide-mappings';
import { TEMPORARILY_CLOSED, toOsmOpeningHours } from './soliguide-hours';

export const SOURCE = 'soliguide';

/** The search order asked of `/new-search` (values allowed by search.dto.ts and searchOptions.dto.ts). */
export const SEARCH_SORT = { sortBy: 'lieu_id', sortValue: 1 } as const;

/**
 * Most serviceObjectId → lieu entries the connector remembers: a national pass holds about 10⁵ services; an
 * entry is a few hundred bytes, so the bound keeps the index under about 50 MB.
 */
export const SERVICE_INDEX_SIZE = 200_000;

// ---------------------------------------------------------------------------------------------
// Field readers
// ---------------------------------------------------------------------------------------------

const ENTITIES: Readonly<Record<string, string>> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', eacute: 'é', egrave: 'è', ecirc: 'ê',
  agrave: 'à', acirc: 'â', ccedil: 'ç', ocirc: 'ô', ucirc: 'û', ugrave: 'ù', icirc: 'î', iuml: 'ï',
  euml: 'ë', rsquo: '’', lsquo: '‘', laquo: '«', raquo: '»', hellip: '…', ndash: '–', mdash: '—', euro: '€',
};

/**
 * Soliguide's HTML descriptions as plain text: blocks and line breaks become new lines, list items `- `.
 * (DI converts them to Markdown; Passerelle serves plain text, which the v1 text fields are.)
 */
export function htmlToText(html: unknown): string | undefined {
  if (typeof html !== 'string') return undefined;
  const text = html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<li[^>]*>/gi, '\n- ')
    .replace(/<\/(p|div|ul|ol|h[1-6]|tr)>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, code: string) => {
      if (code[0] === '#') {
        const point = code[1] === 'x' || code[1] === 'X' ? parseInt(code.slice(2), 16) : parseInt(code.slice(1), 10);
        return Number.isFinite(point) && point > 0 && point <= 0x10ffff ? String.fromCodePoint(point) : entity;
      }
      return ENTITIES[code.toLowerCase()] ?? entity;
    })
    .split('\n')
    .map((line) => line.replace(/[ \t\u00a0]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return text || undefined;
}

/** A table's own entry (never an Object.prototype member for a key like `constructor`). */
function ownValue<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

function obj(value: unknown): Json {
  return isObject(value) ? value : {};
}

/** Text parts joined as DI's ARRAY_TO_STRING (missing parts skipped); undefined when nothing is left. */
function joined(parts: readonly (string | undefined)[], separator: string): string | undefined {
  return parts.filter((part): part is string => !!part).join(separator) || undefined;
}

/**
 * DI's dates: the date part of a `YYYY-MM-DDTHH:MM:SS.mmmZ` timestamp, i.e. the UTC date (stg_soliguide__*.sql,
 * "soliguide can have corrupted timestamps"). Other forms go through Passerelle's usual reading.
 */
export function soliguideDate(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const match = /(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}:\d{2}\.\d{3}Z/.exec(value);
  return match ? match[1] : toDate(value);
}

function frenchDate(value: unknown): string | undefined {
  const date = typeof value === 'string' ? /(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}:\d{2}\.\d{3}Z/.exec(value) : null;
  return date ? `${date[3]}/${date[2]}/${date[1]}` : undefined;
}

/** Whether Soliguide says the place comes from Dora (DI: `sources @> [{"name": "dora"}]`). */
export function comesFromDora(place: Json): boolean {
  return Array.isArray(place.sources) && place.sources.some((source) => isObject(source) && source.name === 'dora');
}

/**
 * DI keeps `position.country = 'fr'` (stg_soliguide__lieux.sql). A place without `position.country` is
 * judged by its top-level `country` (both are in the API projection), rather than dropped.
 */
export function inFrance(place: Json): boolean {
  return (str(obj(place.position).country) ?? str(place.country)) === 'fr';
}

/** DI's name: trailing "..." → "…", a trailing "." removed unless after "etc" (stg_soliguide__lieux.sql). */
export function cleanName(name: unknown): string | undefined {
  const text = str(name);
  return text?.replace(/\.{2,}$/, '…').replace(/(?<!etc)\.$/, '');
}

/** DI's address: the trailing ", 75011 Paris…" removed, then commas trimmed (stg_soliguide__lieux.sql). */
export function streetAddress(address: unknown): string | undefined {
  const text = typeof address === 'string' ? address.replace(/, \d\d\d\d\d.*$/, '').replace(/^,+|,+$/g, '') : undefined;
  return str(text);
}

/** pg_trgm's trigrams of a text: lower-cased words, each padded "  word ". */
function trigrams(text: string): Set<string> {
  const out = new Set<string>();
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    const padded = `  ${word} `;
    for (let i = 0; i + 3 <= padded.length; i++) out.add(padded.slice(i, i + 3));
  }
  return out;
}

const ACCUEIL = trigrams('Accueil');

/**
 * DI's `label <% 'Accueil'` (pg_trgm word similarity ≥ 0.6): the share of the label's trigrams found in
 * "Accueil" (the best extent of a one-word text is the word). Null for no label, as in SQL.
 */
function labelIsAccueil(label: string | undefined): boolean | null {
  if (label === undefined) return null;
  const own = trigrams(label);
  if (own.size === 0) return false;
  let common = 0;
  for (const trigram of own) if (ACCUEIL.has(trigram)) common++;
  return common / own.size >= 0.6;
}

/**
 * The place's phone as DI picks it from `entity.phones[]` (CommonPlaceEntity.phones; there is no top-level
 * `phones`): ORDER BY `label <% 'Accueil'` DESC (NULL first, as PostgreSQL sorts DESC), then the longest
 * number, then the smallest. A phone without a number is skipped (DI could pick it and give no telephone).
 */
export function placePhone(entity: unknown): string | undefined {
  const phones = Array.isArray(obj(entity).phones) ? (obj(entity).phones as unknown[]) : [];
  const candidates = phones
    .filter(isObject)
    .map((phone) => ({ number: str(phone.phoneNumber), accueil: labelIsAccueil(str(phone.label)) }))
    .filter((phone): phone is { number: string; accueil: boolean | null } => phone.number !== undefined);
  const rank = (accueil: boolean | null) => (accueil === null ? 0 : accueil ? 1 : 2);
  candidates.sort(
    (a, b) =>
      rank(a.accueil) - rank(b.accueil) ||
      b.number.length - a.number.length ||
      (a.number < b.number ? -1 : a.number > b.number ? 1 : 0),
  );
  return candidates[0]?.number;
}

/**
 * v1 publics of the publics in effect (the service's when `differentPublics`, else the place's), as DI:
 * dimensions count only when `accueil = 2` (exclusive; 0 unconditional and 1 preferential welcome everyone);
 * a dimension holding all its values is ignored; values map through `_map_soliguide__publics_v1.sql`;
 * nothing mapped → `tous-publics`. DI's age bounds are not publics (they go to `publics_precisions`).
 */
export function mapPublics(publics: unknown): string[] {
  const p = obj(publics);
  const out: string[] = [];
  if (num(p.accueil) === 2) {
    for (const [dimension, all] of Object.entries(PUBLICS_DIMENSIONS)) {
      const values = strings(p[dimension]);
      if (values.length >= all.length) continue;
      for (const value of values) out.push(...(ownValue(DI_PUBLICS, value) ?? []));
    }
  }
  const mapped = unique(out);
  return mapped.length ? mapped : ['tous-publics'];
}

function checked(value: unknown): boolean {
  return obj(value).checked === true;
}

function precisions(value: unknown): string | undefined {
  return htmlToText(obj(value).precisions);
}

/** DI's structure hours: temporary closure, else temporary hours, else the regular hours. */
function placeHours(place: Json): string | undefined {
  const temp = obj(place.tempInfos);
  if (obj(temp.closure).actif === true) return TEMPORARILY_CLOSED;
  const tempHours = obj(temp.hours);
  if (tempHours.actif === true && isObject(tempHours.hours)) return toOsmOpeningHours(tempHours.hours);
  return toOsmOpeningHours(place.newhours);
}

/**
 * DI's service hours: the place's temporary closure, else the service's own hours (`differentHours`), else the
 * place's temporary, else regular hours. Passerelle also writes the temporary closure of the service itself
 * (`close.actif`, CommonNewPlaceService.close), which DI only states in the description: a closed service must
 * not look open to a reuser reading the hours.
 */
function serviceHours(place: Json, service: Json): string | undefined {
  const temp = obj(place.tempInfos);
  if (obj(temp.closure).actif === true || obj(service.close).actif === true) return TEMPORARILY_CLOSED;
  if (service.differentHours === true) return toOsmOpeningHours(service.hours);
  const tempHours = obj(temp.hours);
  if (tempHours.actif === true) return toOsmOpeningHours(tempHours.hours);
  return toOsmOpeningHours(place.newhours);
}

function closureNotice(service: Json): string | undefined {
  const close = obj(service.close);
  if (close.actif !== true) return undefined;
  const from = frenchDate(close.dateDebut);
  if (!from) return undefined;
  const to = close.dateFin === null || close.dateFin === undefined ? null : frenchDate(close.dateFin);
  if (to === undefined) return undefined;
  return to === null
    ? `Ce service est fermé temporairement depuis le ${from}.`
    : `Ce service est fermé temporairement du ${from} au ${to}.`;
}

function saturationNotice(service: Json): string | undefined {
  return str(obj(service.saturated).status)?.toLowerCase() === 'high' ? 'Attention, la structure est très sollicitée pour ce service.' : undefined;
}

/** "L’âge minimum est de 18 ans." / "L’âge maximum…" (DI leaves out 0 and 99, Soliguide's defaults). */
function agePrecisions(publics: unknown): (string | undefined)[] {
  const age = obj(obj(publics).age);
  const min = num(age.min);
  const max = num(age.max);
  return [
    min !== undefined && min !== 0 ? `L’âge minimum est de ${Math.trunc(min)} ans.` : undefined,
    max !== undefined && max !== 99 ? `L’âge maximum est de ${Math.trunc(max)} ans.` : undefined,
  ];
}

// ---------------------------------------------------------------------------------------------
// Mapping
// ---------------------------------------------------------------------------------------------

/** int_soliguide__structures_v1.sql. */
export function mapPlace(place: Json): Json {
  const id = str(place.lieu_id);
  const position = obj(place.position);
  const coordinates = Array.isArray(obj(position.location).coordinates) ? (obj(position.location).coordinates as unknown[]) : [];
  const entity = obj(place.entity);
  const seoUrl = str(place.seo_url);
  const message = obj(obj(place.tempInfos).message);
  // DI prefixes the temporary message whatever its state; Passerelle leaves out one Soliguide marks inactive
  // (`actif: false`, an expired message keeps its text).
  const notice = message.actif === false ? undefined : str(message.name);
  const sources = Array.isArray(place.sources) ? place.sources.filter(isObject).map((source) => str(source.name)) : [];
  return {
    source: SOURCE,
    id: id ? offerId(SOURCE, id) : undefined,
    nom: truncate(cleanName(place.name), 150),
    date_maj: soliguideDate(place.updatedAt),
    description: truncate(joined([notice && `Information temporaire : ${notice}`, htmlToText(place.description)], '\n\n'), 10000),
    lien_source: seoUrl ? `https://soliguide.fr/fr/fiche/${encodeURI(seoUrl)}` : undefined,
    commune: str(position.city),
    code_postal: str(position.postalCode),
    // DI leaves code_insee to its geocoding step; Passerelle has none and keeps Soliguide's, which the
    // territory filters need.
    code_insee: str(position.cityCode),
    adresse: streetAddress(position.address),
    complement_adresse: str(position.additionalInformation),
    longitude: num(coordinates[0]),
    latitude: num(coordinates[1]),
    telephone: placePhone(entity),
    courriel: str(entity.mail),
    site_web: toUrl(entity.website),
    horaires_accueil: placeHours(place),
    reseaux_porteurs: unique(sources.map((name) => (name ? ownValue(DI_RESEAUX_PORTEURS, name) : undefined)).filter((v): v is string => !!v)),
  };
}

/**
 * int_soliguide__services_v1.sql, for one entry of `services_all`; undefined for a service DI leaves out
 * (no serviceObjectId, or a category without thématique).
 */
export function mapPlaceService(place: Json, service: Json, structure: Json): Json | undefined {
  const serviceObjectId = str(service.serviceObjectId);
  const category = str(service.category) ?? '';
  const thematiques = thematiquesOf(category);
  if (!serviceObjectId || thematiques.length === 0) return undefined;
  const own = obj(service.modalities);
  const lieu = obj(place.modalities);
  // The modalities and publics in effect. DI reads the service's `price.checked` even when the service
  // inherits the place's modalities (then it is Soliguide's default, unset → "gratuit"); Passerelle reads
  // the modalities in effect, so a paying place's services are not called free.
  const modalities = service.differentModalities === true ? own : lieu;
  const publics = service.differentPublics === true ? service.publics : place.publics;
  const orientation = checked(modalities.orientation);
  return {
    source: SOURCE,
    structure_id: structure.id,
    id: offerId(SOURCE, serviceObjectId),
    nom: labelOf(category) ?? structure.nom,
    description: truncate(
      joined([htmlToText(service.description), closureNotice(service), saturationNotice(service), htmlToText(place.description)], '\n\n'),
      10000,
    ),
    date_maj: structure.date_maj,
    lien_source: structure.lien_source,
    type: typeOf(category),
    thematiques: [...thematiques],
    frais: checked(modalities.price) ? 'payant' : 'gratuit',
    frais_precisions: precisions(own.price) ?? precisions(lieu.price),
    publics: mapPublics(publics),
    // DI takes the age bounds of the place even for a service with its own publics; Passerelle those in effect.
    publics_precisions: joined(
      [...agePrecisions(publics), htmlToText(obj(service.publics).description) ?? htmlToText(obj(place.publics).description)],
      ' ',
    ),
    conditions_acces: htmlToText(own.other) ?? htmlToText(lieu.other),
    commune: structure.commune,
    code_postal: structure.code_postal,
    code_insee: structure.code_insee,
    adresse: structure.adresse,
    complement_adresse: structure.complement_adresse,
    longitude: structure.longitude,
    latitude: structure.latitude,
    telephone: structure.telephone,
    courriel: structure.courriel,
    modes_accueil: ['en-presentiel'],
    zone_eligibilite: str(obj(place.position).departmentCode) ? [str(obj(place.position).departmentCode)] : undefined,
    // DI always offers e-mail and phone (even when the place lists neither), and walking in when the welcome
    // is unconditional without orientation.
    modes_mobilisation: ['envoyer-un-courriel', 'telephoner', ...(modalities.inconditionnel === true && !orientation ? ['se-presenter'] : [])],
    mobilisable_par: orientation ? ['professionnels'] : ['professionnels', 'usagers'],
    mobilisation_precisions: joined(
      [precisions(modalities.appointment), precisions(modalities.inscription), precisions(modalities.orientation)],
      '\n\n',
    ),
    horaires_accueil: serviceHours(place, service),
  };
}

function serviceIds(place: Json): string[] {
  return Array.isArray(place.services_all)
    ? place.services_all.filter(isObject).map((service) => str(service.serviceObjectId)).filter((id): id is string => !!id)
    : [];
}

/**
 * DI's dedup (stg_soliguide__lieux.sql): Dora's places are dropped, and so is every place that shares a
 * serviceObjectId with a place updated on a later day (the same place entered twice keeps its latest entry).
 * DI sees the whole extract; a page sees its own places (the connector's index adds those seen before).
 */
export function dedupePlaces(places: readonly Json[]): Json[] {
  const latest = new Map<string, string>();
  for (const place of places) {
    const date = String(soliguideDate(place.updatedAt) ?? '');
    for (const id of serviceIds(place)) if (!latest.has(id) || date > latest.get(id)!) latest.set(id, date);
  }
  return places.filter((place) => {
    const date = String(soliguideDate(place.updatedAt) ?? '');
    return serviceIds(place).every((id) => latest.get(id)! <= date);
  });
}

// ---------------------------------------------------------------------------------------------
// Connector
// ---------------------------------------------------------------------------------------------

type Resource = 'places';
const RESOURCES: readonly Resource[] = ['places'];

/** Where a service was last seen: its place and that place's update day. */
interface Seen {
  lieu: string;
  date: string;
}

export class SoliguideConnector implements Connector {
  private readonly ctx: MappingContext;
  /** serviceObjectId → the place holding it, filled from every place the connector reads (bounded, LRU). */
  private readonly serviceIndex = new LRUCache<string, Seen>({ max: SERVICE_INDEX_SIZE });

  constructor(
    readonly partner: PartnerConfig,
    private readonly transport: PartnerTransport,
    logger: Logger,
  ) {
    this.ctx = { partner: partner.id, logger };
  }

  /**
   * Services by id. Soliguide has no route by service: `GET /place/{lieu_id}` only (place.routes.ts; the
   * `/place/lookup` route takes lieu ids and is reserved to Soliguide's own apps). So `soliguide--<serviceObjectId>`
   * is resolved through the index of services the connector has read (harvest pages, lists, places by id):
   * known → its place is fetched (once per place) and the service read from it; **not yet seen → not found**
   * (no request; the loader caches that null for the partner's TTL, and a harvest or list fills the index).
   * The old form `soliguide--<lieu_id>--<serviceObjectId>` is still resolved (its place is named) and
   * answered under the id asked, so that links made before the change keep working.
   */
  async servicesByIds(ids: readonly string[]): Promise<ServiceRecord[]> {
    // canonical service id → the ids asked for it, each with the place it was looked for in
    const asked = new Map<string, { id: string; structureId: string }[]>();
    const lieux: string[] = [];
    for (const id of ids) {
      const producer = producerIdIn(id, SOURCE);
      if (!producer) continue;
      const separator = producer.indexOf('--');
      const serviceId = separator < 0 ? producer : producer.slice(separator + 2);
      const lieu = separator < 0 ? this.serviceIndex.get(serviceId)?.lieu : producer.slice(0, separator);
      if (!lieu || !serviceId) continue;
      lieux.push(lieu);
      const canonical = offerId(SOURCE, serviceId);
      asked.set(canonical, [...(asked.get(canonical) ?? []), { id, structureId: offerId(SOURCE, lieu) }]);
    }
    const places = await this.places(unique(lieux));
    const out: ServiceRecord[] = [];
    const answered = new Set<string>();
    for (const service of places.flatMap((place) => this.map(place).services)) {
      for (const { id, structureId } of asked.get(service.id) ?? []) {
        if (structureId !== service.structure_id || answered.has(id)) continue;
        answered.add(id);
        out.push(id === service.id ? service : { ...service, id });
      }
    }
    return out;
  }

  async structuresByIds(ids: readonly string[]): Promise<StructureRecord[]> {
    const lieux = unique(ids.map((id) => producerIdIn(id, SOURCE)).filter((lieu): lieu is string => !!lieu && !lieu.includes('--')));
    const places = await this.places(lieux);
    return places.flatMap((place) => this.map(place).structures);
  }

  /** The search is national: pages are walked, each filtered by `query.keep`, until `limit` services match. */
  async listServices(query: PartnerListQuery): Promise<ServiceRecord[]> {
    if (query.sources?.length && !query.sources.includes(SOURCE)) return [];
    return listServicesByPages(query, async (page) => {
      const body = await this.search(page);
      return { services: this.mapPage(body.places).services, next: body.next };
    });
  }

  async page(mark?: string): Promise<PartnerPage> {
    const { page } = harvestPosition(RESOURCES, mark);
    const body = await this.search(page);
    const result: PartnerPage = this.mapPage(body.places);
    if (body.next !== undefined) result.next = encodeMark('places', body.next);
    return result;
  }

  /**
   * One page of the national search, sorted by lieu_id: without `sortBy` the API user's aggregation has no
   * `$sort` (search.service.ts `apiSearchPlacesWithParams`), so `$skip`/`$limit` pages repeat and miss places
   * (DI's extractor works around it with one page of 50,000).
   */
  private async search(page: number): Promise<{ places: unknown[]; next?: number }> {
    const body = await this.transport.request('/new-search', {
      method: 'POST',
      body: { location: { geoType: 'pays', geoValue: 'fr' }, options: { limit: HARVEST_PAGE_SIZE, page, ...SEARCH_SORT } },
    });
    if (!isObject(body) || !Array.isArray(body.places)) throw malformed(this.partner.id, '/new-search without places');
    const total = num(body.nbResults) ?? 0;
    const more = body.places.length > 0 && page * HARVEST_PAGE_SIZE < total;
    return { places: body.places, next: more ? page + 1 : undefined };
  }

  /** Places by lieu id, one GET each (src/partners/paging.ts); a 404 is a missing place. */
  private places(lieux: readonly string[]): Promise<unknown[]> {
    return getEach(this.transport, lieux.map((lieu) => `/place/${encodeURIComponent(lieu)}`));
  }

  /** A search page: DI's dedup within the page, and against newer places the index has seen on earlier pages. */
  private mapPage(items: readonly unknown[]): PartnerPage {
    const page: PartnerPage = { structures: [], services: [] };
    const places: Json[] = [];
    items.forEach((item, index) => {
      if (!isObject(item)) return dropNonObject(this.ctx, index);
      if (!comesFromDora(item)) places.push(item);
    });
    for (const place of dedupePlaces(places)) {
      if (this.supersededInIndex(place)) continue;
      const mapped = this.map(place);
      page.structures.push(...mapped.structures);
      page.services.push(...mapped.services);
    }
    return page;
  }

  /** Remembers where a service is; a place updated earlier than the one already known does not replace it. */
  private index(serviceObjectId: string, seen: Seen): void {
    const known = this.serviceIndex.peek(serviceObjectId);
    if (!known || known.lieu === seen.lieu || known.date <= seen.date) this.serviceIndex.set(serviceObjectId, seen);
  }

  private supersededInIndex(place: Json): boolean {
    const lieu = str(place.lieu_id);
    const date = String(soliguideDate(place.updatedAt) ?? '');
    return serviceIds(place).some((id) => {
      const seen = this.serviceIndex.peek(id);
      return seen !== undefined && seen.lieu !== lieu && seen.date > date;
    });
  }

  /**
   * One place: its structure and services, or nothing when the place comes from Dora, is outside France
   * (both left out by DI without a word) or is invalid (logged). Its services are indexed by serviceObjectId.
   */
  private map(place: unknown): PartnerPage {
    if (!isObject(place) || comesFromDora(place) || !inFrance(place)) return { structures: [], services: [] };
    const structure = acceptStructure(this.ctx, mapPlace(place));
    if (!structure) return { structures: [], services: [] };
    const lieu = str(place.lieu_id)!;
    const date = String(soliguideDate(place.updatedAt) ?? '');
    const services: ServiceRecord[] = [];
    const all = Array.isArray(place.services_all) ? place.services_all : [];
    for (const [index, item] of all.entries()) {
      if (!isObject(item)) {
        dropNonObject(this.ctx, index, `services_all of place ${structure.id}`);
        continue;
      }
      const serviceObjectId = str(item.serviceObjectId);
      if (serviceObjectId) this.index(serviceObjectId, { lieu, date });
      const raw = mapPlaceService(place, item, { ...structure });
      const service = raw && acceptService(this.ctx, raw);
      if (service) services.push(service);
    }
    return { structures: [structure], services };
  }
}

export const soliguidePartner: PartnerDescriptor<'soliguide'> = {
  type: 'soliguide',
  authScheme: 'JWT', // the API user's token, as data·inclusion's extractor sends it
  create: (partner, transport, logger) => new SoliguideConnector(partner, transport, logger),
};
