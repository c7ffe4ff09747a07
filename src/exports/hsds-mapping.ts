// data·inclusion v1 → Open Referral HSDS 3.0: pure functions from public v1 records to HSDS objects, in the
// specification's compiled (nested) form, and their rows in its tabular form. docs/hsds.md is the mapping table
// (what maps where, what is lost); test/exports/hsds-mapping.test.ts validates the output against the vendored
// HSDS 3.0 schemas.
//
// Why no contact field is read here: a file leaves with no viewer left to check a scope against (see
// CONTACT_FIELDS in public-records.ts). The input types omit them, so the compiler refuses a mapping that
// would read `telephone`, `courriel` or `contact_nom_prenom`; HSDS `phone`, `contact` and `email` stay empty.
import { createHash } from 'node:crypto';
import { categorieOf, lookup, NOMENCLATURES, type NomenclatureName } from '../domain/nomenclatures';
import type { ServiceRecord, StructureRecord } from '../domain/validation';

type ContactField = 'telephone' | 'courriel' | 'contact_nom_prenom';

/** A public structure: a v1 structure without its contact fields (what `publicRecords` yields). */
export type HsdsStructureInput = Omit<StructureRecord, ContactField>;
/** A public service: a v1 service without its contact fields. */
export type HsdsServiceInput = Omit<ServiceRecord, ContactField>;

/** An HSDS object: scalar fields (never null: absent instead) and nested child objects. */
export type HsdsObject = { [field: string]: string | number | HsdsObject | HsdsObject[] };

// ---- ids ----

/**
 * HSDS 3 requires every `id` to be a UUID (`format: uuid`; docs/hsds/identifiers.md of the specification).
 * Passerelle's ids (`<source>--<producer id>`) are not: each HSDS id is a name-based UUID (RFC 4122 version 5,
 * SHA-1) of the kind of object and the Passerelle key in this fixed namespace, so the same record gets the same
 * HSDS id in every export and a reuser can update rather than duplicate. Never change the namespace.
 */
export const HSDS_NAMESPACE = 'e85c7d47-7b81-44cb-b439-0817aa1fc3fa';
const NAMESPACE_BYTES = Buffer.from(HSDS_NAMESPACE.replace(/-/g, ''), 'hex');

export function hsdsId(kind: string, key: string): string {
  const hash = createHash('sha1').update(NAMESPACE_BYTES).update(`${kind}:${key}`, 'utf8').digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// ---- taxonomies: the data·inclusion nomenclatures ----

export interface HsdsTaxonomyDescriptor {
  /** The nomenclature the terms come from. */
  nomenclature: NomenclatureName;
  name: string;
  description: string;
  /** Which records carry it, and in which v1 field. */
  entity: 'organization' | 'service';
  field: string;
}

const SCHEMA_URI = 'https://github.com/gip-inclusion/data-inclusion-schema';
const SCHEMA_VERSION = '1';

/** One HSDS taxonomy per nomenclature a public record carries; the thématiques have their catégories as parent terms. */
export const HSDS_TAXONOMIES: readonly HsdsTaxonomyDescriptor[] = [
  { nomenclature: 'thematiques', name: 'data·inclusion thématiques', description: 'Thématiques du référentiel data·inclusion v1 (catégorie--sous-thématique), les catégories en termes parents.', entity: 'service', field: 'thematiques' },
  { nomenclature: 'types_services', name: 'data·inclusion types de service', description: 'Types de service du référentiel data·inclusion v1.', entity: 'service', field: 'type' },
  { nomenclature: 'publics', name: 'data·inclusion publics', description: 'Publics du référentiel data·inclusion v1 (un bénéficiaire est éligible s’il relève d’au moins un des publics).', entity: 'service', field: 'publics' },
  { nomenclature: 'frais', name: 'data·inclusion frais', description: 'Frais du référentiel data·inclusion v1.', entity: 'service', field: 'frais' },
  { nomenclature: 'modes_accueil', name: 'data·inclusion modes d’accueil', description: 'Modes d’accueil du référentiel data·inclusion v1.', entity: 'service', field: 'modes_accueil' },
  { nomenclature: 'modes_mobilisation', name: 'data·inclusion modes de mobilisation', description: 'Modes de mobilisation du référentiel data·inclusion v1.', entity: 'service', field: 'modes_mobilisation' },
  { nomenclature: 'personnes_mobilisatrices', name: 'data·inclusion personnes mobilisatrices', description: 'Qui peut mobiliser le service (mobilisable_par), référentiel data·inclusion v1.', entity: 'service', field: 'mobilisable_par' },
  { nomenclature: 'reseaux_porteurs', name: 'data·inclusion réseaux porteurs', description: 'Réseaux porteurs des structures, référentiel data·inclusion v1.', entity: 'organization', field: 'reseaux_porteurs' },
];

/** The taxonomy holding one term, `id`: a record's Passerelle (data·inclusion) id, in the attribute's `value`. */
export const IDENTIFIER_TAXONOMY = { key: 'identifiants', name: 'data·inclusion identifiants', description: 'Identifiants data·inclusion / Passerelle des enregistrements (<source>--<identifiant du producteur>).' };
const IDENTIFIER_TERM = { code: 'data-inclusion-id', name: 'Identifiant data·inclusion', description: 'L’identifiant data·inclusion / Passerelle de l’enregistrement, <source>--<identifiant du producteur>, dans la valeur de l’attribut.' };

function taxonomyObject(key: string, name: string, description: string): HsdsObject {
  return { id: hsdsId('taxonomy', key), name, description, uri: SCHEMA_URI, version: SCHEMA_VERSION };
}

/** Every HSDS taxonomy of the export, in order. */
export function hsdsTaxonomies(): HsdsObject[] {
  return [
    ...HSDS_TAXONOMIES.map((taxonomy) => taxonomyObject(taxonomy.nomenclature, taxonomy.name, taxonomy.description)),
    taxonomyObject(IDENTIFIER_TAXONOMY.key, IDENTIFIER_TAXONOMY.name, IDENTIFIER_TAXONOMY.description),
  ];
}

function termId(nomenclature: string, value: string): string {
  return hsdsId('taxonomy_term', `${nomenclature}:${value}`);
}

interface TermSpec {
  /** The taxonomy's key (a nomenclature, or `identifiants`) and name. */
  taxonomyKey: string;
  taxonomyName: string;
  /** The nomenclature the value belongs to (`thematiques_categories` for a catégorie of the thématiques taxonomy). */
  nomenclature: string;
  code: string;
  name: string;
  description?: string;
  parentId?: string;
}

function termObject(spec: TermSpec): HsdsObject {
  return compact({
    id: termId(spec.nomenclature, spec.code),
    code: spec.code,
    name: spec.name,
    // HSDS requires a description; most nomenclature values have none: their label is repeated.
    description: spec.description ?? spec.name,
    parent_id: spec.parentId,
    taxonomy: spec.taxonomyName,
    language: 'fr',
    taxonomy_id: hsdsId('taxonomy', spec.taxonomyKey),
  });
}

function nomenclatureTerm(taxonomy: HsdsTaxonomyDescriptor, nomenclature: NomenclatureName, value: string): HsdsObject | undefined {
  const item = lookup(nomenclature, value);
  if (!item) return undefined;
  return termObject({ taxonomyKey: taxonomy.nomenclature, taxonomyName: taxonomy.name, nomenclature, code: item.value, name: item.label, description: item.description, parentId: parentOf(taxonomy, value) });
}

const IDENTIFIER_TERM_OBJECT = termObject({ taxonomyKey: IDENTIFIER_TAXONOMY.key, taxonomyName: IDENTIFIER_TAXONOMY.name, nomenclature: IDENTIFIER_TAXONOMY.key, ...IDENTIFIER_TERM });

/** Every taxonomy term of the export (all the nomenclatures' values, used or not), catégories before their thématiques. */
export function hsdsTaxonomyTerms(): HsdsObject[] {
  const terms: HsdsObject[] = [];
  for (const taxonomy of HSDS_TAXONOMIES) {
    if (taxonomy.nomenclature === 'thematiques') {
      for (const categorie of NOMENCLATURES.thematiques_categories) terms.push(nomenclatureTerm(taxonomy, 'thematiques_categories', categorie.value)!);
    }
    for (const item of NOMENCLATURES[taxonomy.nomenclature]) terms.push(nomenclatureTerm(taxonomy, taxonomy.nomenclature, item.value)!);
  }
  terms.push(IDENTIFIER_TERM_OBJECT);
  return terms;
}

function parentOf(taxonomy: HsdsTaxonomyDescriptor, value: string): string | undefined {
  if (taxonomy.nomenclature !== 'thematiques') return undefined;
  const categorie = categorieOf(value);
  return categorie && termId('thematiques_categories', categorie.value);
}

/** The term of a nomenclature value as nested in a compiled attribute (with its taxonomy), or undefined for an unknown value. */
function nestedTerm(taxonomy: HsdsTaxonomyDescriptor, value: string): HsdsObject | undefined {
  const term = nomenclatureTerm(taxonomy, taxonomy.nomenclature, value);
  if (!term) return undefined;
  const nested: HsdsObject = { ...term, taxonomy_detail: taxonomyObject(taxonomy.nomenclature, taxonomy.name, taxonomy.description) };
  return nested;
}

function attributes(entity: 'organization' | 'service', hsdsRecordId: string, record: Record<string, unknown>, passerelleId: string): HsdsObject[] {
  const out: HsdsObject[] = [];
  for (const taxonomy of HSDS_TAXONOMIES) {
    if (taxonomy.entity !== entity) continue;
    const raw = record[taxonomy.field];
    const values = Array.isArray(raw) ? (raw as string[]) : typeof raw === 'string' ? [raw] : [];
    for (const value of values) {
      const term = nestedTerm(taxonomy, value);
      // A value newer than Passerelle's nomenclatures (tolerant imports) has no term: it is left out, not invented.
      if (!term) continue;
      out.push({ id: hsdsId('attribute', `${entity}:${passerelleId}:${taxonomy.nomenclature}:${value}`), link_id: hsdsRecordId, taxonomy_term_id: term.id as string, link_entity: entity, taxonomy_term: term });
    }
  }
  const identifierTerm: HsdsObject = { ...IDENTIFIER_TERM_OBJECT, taxonomy_detail: taxonomyObject(IDENTIFIER_TAXONOMY.key, IDENTIFIER_TAXONOMY.name, IDENTIFIER_TAXONOMY.description) };
  out.push({ id: hsdsId('attribute', `${entity}:${passerelleId}:id`), link_id: hsdsRecordId, taxonomy_term_id: identifierTerm.id as string, link_entity: entity, value: passerelleId, taxonomy_term: identifierTerm });
  return out;
}

// ---- places ----

type Place = Pick<HsdsStructureInput, 'adresse' | 'complement_adresse' | 'commune' | 'code_postal' | 'code_insee' | 'latitude' | 'longitude' | 'horaires_accueil'>;

/** The département code of a commune (INSEE) or postal code: what HSDS calls `state_province`. */
export function departementOf(codeInsee: string | null | undefined, codePostal: string | null | undefined): string | undefined {
  const code = codeInsee ?? codePostal ?? undefined;
  if (!code) return undefined;
  if (code.startsWith('97')) return code.slice(0, 3);
  // Corse: 2A/2B are in INSEE codes only (postal codes 20xxx do not say which).
  if (code.startsWith('20') && !codeInsee) return undefined;
  return code.slice(0, 2);
}

const hasCoordinates = (place: Place) => typeof place.latitude === 'number' && typeof place.longitude === 'number';

/** A structure's place is a location when it says anything of where it is. */
function structureHasPlace(structure: HsdsStructureInput): boolean {
  return Boolean(structure.adresse || structure.commune || structure.code_postal || structure.code_insee || hasCoordinates(structure));
}

/** A service has a location of its own only with an address or coordinates; else it is delivered at its structure's. */
function serviceHasOwnPlace(service: HsdsServiceInput): boolean {
  return Boolean(service.adresse || hasCoordinates(service));
}

function location(kind: 'structure' | 'service', passerelleId: string, name: string, organizationId: string, place: Place, accessibilite?: string | null): HsdsObject {
  const id = hsdsId('location', `${kind}:${passerelleId}`);
  const out: HsdsObject = compact({
    id,
    location_type: 'physical',
    organization_id: organizationId,
    name,
    latitude: hasCoordinates(place) ? place.latitude : undefined,
    longitude: hasCoordinates(place) ? place.longitude : undefined,
    external_identifier: passerelleId,
    external_identifier_type: `data·inclusion ${kind} id`,
  });
  if (place.commune) {
    // HSDS requires address_1, postal_code and state_province; v1 may lack them: empty strings, documented.
    out.addresses = [
      compact({
        id: hsdsId('address', `${kind}:${passerelleId}`),
        location_id: id,
        address_1: place.adresse ?? '',
        address_2: place.complement_adresse || undefined,
        city: place.commune,
        state_province: departementOf(place.code_insee, place.code_postal) ?? '',
        postal_code: place.code_postal ?? '',
        country: 'FR',
        address_type: 'physical',
      }),
    ];
  }
  if (accessibilite) out.accessibility = [{ id: hsdsId('accessibility', `${kind}:${passerelleId}`), location_id: id, url: accessibilite }];
  if (kind === 'structure' && place.horaires_accueil) out.schedules = [schedule('location_id', id, `structure:${passerelleId}`, place.horaires_accueil)];
  return out;
}

/** v1 hours are OSM `opening_hours` text; HSDS schedules are iCalendar rules: the text goes to `description`. */
function schedule(link: 'location_id' | 'service_id', linkId: string, key: string, horaires: string): HsdsObject {
  return { id: hsdsId('schedule', key), [link]: linkId, description: horaires, notes: 'OpenStreetMap opening_hours' };
}

// ---- organization ----

export const organizationId = (structureId: string) => hsdsId('organization', structureId);
export const structureLocationId = (structureId: string) => hsdsId('location', `structure:${structureId}`);

/** A structure as an HSDS organization, with its identifiers, its location (when it has a place) and attributes. */
export function organizationFromStructure(structure: HsdsStructureInput): HsdsObject {
  const id = organizationId(structure.id);
  const out: HsdsObject = compact({
    id,
    name: structure.nom,
    // HSDS requires a description; v1 structures may have none.
    description: structure.description ?? '',
    website: structure.site_web || undefined,
  });
  const identifiers: HsdsObject[] = [];
  if (structure.siret) identifiers.push({ id: hsdsId('organization_identifier', `${structure.id}:siret`), organization_id: id, identifier_type: 'SIRET', identifier: structure.siret });
  identifiers.push({ id: hsdsId('organization_identifier', `${structure.id}:id`), organization_id: id, identifier_type: 'data·inclusion id', identifier: structure.id });
  out.organization_identifiers = identifiers;
  if (structureHasPlace(structure)) out.locations = [location('structure', structure.id, structure.nom, id, structure, structure.accessibilite_lieu)];
  out.attributes = attributes('organization', id, structure, structure.id);
  return out;
}

/** A structure's location as mapped (what a service delivered there links to), or undefined. */
export function structureLocation(organization: HsdsObject): HsdsObject | undefined {
  const locations = organization.locations;
  return Array.isArray(locations) ? locations[0] : undefined;
}

// ---- service ----

export interface ServiceContext {
  /** The HSDS location of the service's structure, when it has one (and is in the export). */
  structureLocation?: HsdsObject;
  /** The HSDS organization of the service's structure, nested in the compiled service (JSON output). */
  organization?: HsdsObject;
}

function labels(nomenclature: NomenclatureName, values: readonly string[] | null | undefined): string[] {
  return (values ?? []).map((value) => lookup(nomenclature, value)?.label ?? value);
}

function paragraphs(...parts: (string | null | undefined | false)[]): string | undefined {
  const kept = parts.filter((part): part is string => typeof part === 'string' && part.trim() !== '');
  return kept.length ? kept.join('\n\n') : undefined;
}

const ZONE_KIND = (code: string): string => {
  if (code === 'france' || code === '99100') return 'France entière';
  if (/^99\d{3}$/.test(code)) return 'pays (code INSEE)';
  if (/^\d{9}$/.test(code)) return 'EPCI (SIREN)';
  if (/^\w{5}$/.test(code)) return 'commune (code INSEE)';
  return 'département (code INSEE)';
};

/**
 * A service as an HSDS service in the compiled form (`service.json`): its attributes (nomenclature values as
 * taxonomy terms), its eligibility zone as service areas, its hours, and one service_at_location: at its own
 * location when it has an address or coordinates, else at its structure's.
 */
export function serviceFromRecord(service: HsdsServiceInput, context: ServiceContext = {}): HsdsObject {
  const id = hsdsId('service', service.id);
  const orgId = organizationId(service.structure_id);
  const frais = service.frais ? lookup('frais', service.frais)?.label ?? service.frais : undefined;
  const publics = labels('publics', service.publics);
  const modes = labels('modes_mobilisation', service.modes_mobilisation);
  const par = labels('personnes_mobilisatrices', service.mobilisable_par);
  const out: HsdsObject = compact({
    id,
    organization_id: orgId,
    name: service.nom,
    description: service.description,
    url: service.lien_source || undefined,
    // Passerelle holds only current services: data·inclusion publishes no closed or suspended ones.
    status: 'active',
    application_process: paragraphs(
      modes.length > 0 && `Modes de mobilisation : ${modes.join(', ')}.`,
      par.length > 0 && `Mobilisable par : ${par.join(', ')}.`,
      service.mobilisation_precisions,
      service.lien_mobilisation && `Lien de mobilisation : ${service.lien_mobilisation}`,
    ),
    fees_description: paragraphs(frais, service.frais_precisions),
    eligibility_description: paragraphs(publics.length > 0 && `Publics : ${publics.join(', ')}.`, service.publics_precisions, service.conditions_acces),
    // date_maj is a day (Europe/Paris); HSDS asks for an instant: its midnight UTC.
    last_modified: `${service.date_maj}T00:00:00.000Z`,
  });
  if (context.organization) out.organization = context.organization;
  const own = serviceHasOwnPlace(service) ? location('service', service.id, service.nom, orgId, service) : undefined;
  const at = own ?? context.structureLocation;
  if (at) {
    out.service_at_locations = [{ id: hsdsId('service_at_location', service.id), service_id: id, location_id: at.id as string, location: at }];
  }
  if (service.zone_eligibilite?.length) {
    out.service_areas = service.zone_eligibilite.map((code) => ({ id: hsdsId('service_area', `${service.id}:${code}`), service_id: id, name: code, description: ZONE_KIND(code) }));
  }
  if (service.horaires_accueil) out.schedules = [schedule('service_id', id, `service:${service.id}`, service.horaires_accueil)];
  out.attributes = attributes('service', id, service, service.id);
  return out;
}

// ---- tabular rows ----

/** The table each nested key's objects go to, in the compiled form. */
const CHILD_TABLES: Readonly<Record<string, string>> = {
  organization_identifiers: 'organization_identifier',
  locations: 'location',
  location: 'location',
  addresses: 'address',
  accessibility: 'accessibility',
  schedules: 'schedule',
  attributes: 'attribute',
  service_areas: 'service_area',
  service_at_locations: 'service_at_location',
};

/** Rows per HSDS table (its `name`: `organization`, `service`…). */
export type HsdsRows = Map<string, Record<string, string | number>[]>;

/**
 * The tabular rows of a compiled object: its scalar fields in its table, each nested child in its own (foreign
 * keys are already set on the children). Nested `organization` and `taxonomy_term` are skipped (their own
 * tables are written once), and so is a nested location whose id `skipLocation` names (the structure's, written
 * with its organization).
 */
export function flatten(table: string, object: HsdsObject, rows: HsdsRows = new Map(), skipLocation?: (id: string) => boolean): HsdsRows {
  const scalars: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(object)) {
    if (typeof value === 'string' || typeof value === 'number') {
      scalars[key] = value;
      continue;
    }
    const child = CHILD_TABLES[key];
    if (!child) continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      if (child === 'location' && skipLocation?.(item.id as string)) continue;
      flatten(child, item, rows, skipLocation);
    }
  }
  let list = rows.get(table);
  if (!list) rows.set(table, (list = []));
  list.push(scalars);
  return rows;
}

function compact(object: Record<string, string | number | null | undefined>): HsdsObject {
  const out: HsdsObject = {};
  for (const [key, value] of Object.entries(object)) if (value !== undefined && value !== null) out[key] = value;
  return out;
}
