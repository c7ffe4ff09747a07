import type { Access } from '../auth/source-licences';
import { badUserInput, shown } from '../errors';
import { expandThematiques, isValue, type NomenclatureName } from '../domain/nomenclatures';
import type { SearchNear, ServiceFilter, StructureFilter } from '../generated/graphql';
import type { OfferFilter } from '../store/offer-filter';
import { MAX_QUERY_LENGTH } from '../store/full-text';
import { parisDate, type FreshnessThresholds } from '../quality/freshness';

/** What the `fraicheur` criterion is read against: the configured thresholds, on the request's day. */
export interface FreshnessClock {
  thresholds: FreshnessThresholds;
  now: Date;
}

/**
 * Checks a filter argument and turns it into the store's filter. Every bad value is reported with the
 * argument path (`filter.thematiques`) and the value, as a BAD_USER_INPUT error.
 */
export function offerFilter(input: ServiceFilter | StructureFilter | null | undefined, argument = 'filter', clock?: FreshnessClock): OfferFilter {
  if (!input) return {};
  const at = (field: string) => `${argument}.${field}`;
  const filter: OfferFilter = {};

  // Any well-formed slug: a producer registered by `passerelle import` is a source the nomenclature does
  // not list yet (a slug no record carries matches nothing).
  if (input.sources) filter.sources = [...new Set(input.sources.map((slug) => code(slug, /^[a-z0-9]+(?:[-_][a-z0-9]+)*$/, at('sources'), 'a source slug')))];
  if (input.thematiques) {
    for (const value of input.thematiques) {
      if (!isValue('thematiques', value) && !isValue('thematiques_categories', value)) {
        throw badUserInput(at('thematiques'), `${shown(value)} is not a thématique or catégorie of the data·inclusion v1 nomenclature`);
      }
    }
    filter.thematiques = expandThematiques(input.thematiques);
  }
  if (input.publics) {
    const publics = checked(input.publics, 'publics', at('publics'), 'a public');
    // As the reference API (data-inclusion:api/src/data_inclusion/api/inclusion_data/services.py): services
    // open to everyone match any public asked; asking `tous-publics` (alone or with others) turns the publics
    // filter off. What the filter then keeps is src/store/offer-filter.ts's, on every path.
    if (publics.length && !publics.includes('tous-publics')) filter.publics = [...publics, 'tous-publics'];
  }
  if (input.frais) filter.frais = checked(input.frais, 'frais', at('frais'), 'a frais value');
  if (input.modesAccueil) filter.modesAccueil = checked(input.modesAccueil, 'modes_accueil', at('modesAccueil'), "a mode d'accueil");
  if (input.types) filter.types = checked(input.types, 'types_services', at('types'), 'a type of service');
  if (input.reseauxPorteurs) {
    filter.reseauxPorteurs = checked(input.reseauxPorteurs, 'reseaux_porteurs', at('reseauxPorteurs'), 'a réseau porteur');
  }
  if (input.codeCommune != null) filter.codeCommune = code(input.codeCommune, /^[0-9][0-9AB][0-9]{3}$/, at('codeCommune'), 'a 5-character INSEE commune code');
  if (input.codeEpci != null) filter.codeEpci = code(input.codeEpci, /^\d{9}$/, at('codeEpci'), 'a 9-digit EPCI SIREN');
  if (input.codeDepartement != null) {
    filter.codeDepartement = code(input.codeDepartement, /^(\d{2}|2A|2B|97\d)$/, at('codeDepartement'), 'a département code (01…95, 2A, 2B, 971…976)');
  }
  if (input.codeRegion != null) filter.codeRegion = code(input.codeRegion, /^\d{2}$/, at('codeRegion'), 'a 2-digit région code');
  if (input.scoreQualiteMin != null) {
    if (!(input.scoreQualiteMin >= 0 && input.scoreQualiteMin <= 1)) {
      throw badUserInput(at('scoreQualiteMin'), `must be between 0 and 1 (got ${input.scoreQualiteMin})`);
    }
    filter.scoreQualiteMin = input.scoreQualiteMin;
  }
  if (input.updatedSince != null) filter.updatedSince = input.updatedSince;
  if (input.excludeDuplicates) filter.excludeDuplicates = true;
  if ('q' in input && input.q != null) {
    const q = input.q.trim();
    if (q.length < 1 || q.length > MAX_QUERY_LENGTH) {
      throw badUserInput(at('q'), `must be 1 to ${MAX_QUERY_LENGTH} characters once trimmed (got ${q.length})`);
    }
    filter.q = q;
  }
  if (input.fraicheur?.length) {
    if (!clock) throw new Error('the fraicheur criterion needs the thresholds and the day (a FreshnessClock)');
    filter.fraicheur = { verdicts: [...new Set(input.fraicheur)].sort(), today: parisDate(clock.now), ...clock.thresholds };
  }
  return filter;
}

function checked(values: readonly string[], name: NomenclatureName, argument: string, what: string): string[] {
  for (const value of values) {
    if (!isValue(name, value)) throw badUserInput(argument, `${shown(value)} is not ${what} of the data·inclusion v1 nomenclature`);
  }
  return [...new Set(values)];
}

function code(value: string, pattern: RegExp, argument: string, what: string): string {
  if (!pattern.test(value)) throw badUserInput(argument, `${shown(value)} is not ${what}`);
  return value;
}

/** The filter a list is read with: checked, and with the viewer's source licences (the one place they join). */
export function visibleFilter(access: Access, input: ServiceFilter | StructureFilter | null | undefined, clock?: FreshnessClock): OfferFilter {
  const filter = offerFilter(input, 'filter', clock);
  return access.hiddenSources.length ? { ...filter, hiddenSources: access.hiddenSources } : filter;
}

/** Where `searchServices` searches from, checked: a point, or a commune to resolve. */
export type SearchPlace = { latitude: number; longitude: number } | { codeCommune: string };

/**
 * Checks `searchServices`'s `near` (exactly one form: `latitude` with `longitude`, or `codeCommune`) and
 * `distanceKm` (above 0, at most 1000), each bad value reported with its argument path.
 */
export function searchArgs(near: SearchNear, distanceKm: number | null | undefined): { place: SearchPlace; radiusMetres: number } {
  const point = near.latitude != null || near.longitude != null;
  const commune = near.codeCommune != null;
  if (point && commune) throw badUserInput('near', 'give either latitude and longitude, or codeCommune, not both');
  if (!point && !commune) throw badUserInput('near', 'give latitude and longitude, or codeCommune');
  const km = distanceKm ?? 50;
  if (!(km > 0 && km <= 1000)) throw badUserInput('distanceKm', `must be above 0 and at most 1000 (got ${km})`);
  const radiusMetres = km * 1000;
  if (commune) return { place: { codeCommune: code(near.codeCommune!, /^[0-9][0-9AB][0-9]{3}$/, 'near.codeCommune', 'a 5-character INSEE commune code') }, radiusMetres };
  if (near.latitude == null) throw badUserInput('near.latitude', 'is required with longitude');
  if (near.longitude == null) throw badUserInput('near.longitude', 'is required with latitude');
  if (!(near.latitude >= -90 && near.latitude <= 90)) throw badUserInput('near.latitude', `must be between -90 and 90 (got ${near.latitude})`);
  if (!(near.longitude >= -180 && near.longitude <= 180)) throw badUserInput('near.longitude', `must be between -180 and 180 (got ${near.longitude})`);
  return { place: { latitude: near.latitude, longitude: near.longitude }, radiusMetres };
}
