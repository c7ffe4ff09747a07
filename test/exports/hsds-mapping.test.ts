import { structures, services } from '../fixtures/offer';
import type { ServiceRecord, StructureRecord } from '../../src/domain/validation';
import type { PublicRecord } from '../../src/exports/public-records';
import { hsdsId, HSDS_NAMESPACE, organizationFromStructure, serviceFromRecord, structureLocation, structureLocationId, type HsdsObject, type HsdsRows } from '../../src/exports/hsds-mapping';
import { serviceRows, staticRows, structureRows } from '../../src/exports/hsds';
import { HSDS_TABLES, HSDS_VERSION } from '../../src/exports/hsds-tables';
import { errorsOf, readSpec, tabularRequired, validator } from './hsds-support';

/** The fixtures plus a service with its own address, coordinates, zone and hours, and a structure with every public field. */
const STRUCTURES: StructureRecord[] = [
  ...structures,
  {
    id: 'dora--rennes',
    source: 'dora',
    nom: 'Maison de quartier Villejean',
    date_maj: '2026-09-15',
    adresse: '3 place de Bretagne',
    complement_adresse: 'Bâtiment B',
    code_postal: '35000',
    code_insee: '35238',
    commune: 'Rennes',
    horaires_accueil: 'Mo-Fr 09:00-12:00',
    accessibilite_lieu: 'https://acceslibre.beta.gouv.fr/app/35-rennes/a/lieu/erp/villejean/',
    lien_source: 'https://dora.inclusion.beta.gouv.fr/structures/rennes',
    reseaux_porteurs: ['caf', 'inconnu-plus-recent'],
  } as StructureRecord,
];
const SERVICES: ServiceRecord[] = [
  ...services,
  {
    id: 'dora--rennes-alpha',
    source: 'dora',
    structure_id: 'dora--rennes',
    nom: 'Cours de français',
    description: 'Cours de français langue étrangère pour adultes, deux fois par semaine.',
    date_maj: '2026-09-20',
    thematiques: ['lecture-ecriture-calcul--maitriser-le-francais', 'numerique--maitriser-les-fondamentaux-du-numerique'],
    publics: ['etrangers'],
    frais: 'gratuit',
    adresse: '10 rue de Dinan',
    commune: 'Rennes',
    code_postal: '35000',
    code_insee: '35238',
    latitude: 48.12,
    longitude: -1.69,
    zone_eligibilite: ['35238', '35', '243500139', 'france'],
    horaires_accueil: 'Tu,Th 18:00-20:00',
    lien_source: 'https://dora.inclusion.beta.gouv.fr/services/rennes-alpha',
    lien_mobilisation: 'https://dora.inclusion.beta.gouv.fr/services/rennes-alpha/orienter',
    modes_mobilisation: ['se-presenter'],
    mobilisable_par: ['usagers', 'professionnels'],
    mobilisation_precisions: 'Inscription sur place le mardi.',
    conditions_acces: 'Être majeur.',
    telephone: '+33299000000',
    courriel: 'alpha@example.org',
    contact_nom_prenom: 'Lou Bernard',
  } as ServiceRecord,
];

const CONTACT_VALUES = [...STRUCTURES, ...SERVICES].flatMap((record) => {
  const r = record as Record<string, unknown>;
  return ['telephone', 'courriel', 'contact_nom_prenom'].map((field) => r[field]).filter((value): value is string => typeof value === 'string');
});

const organizations = STRUCTURES.map((structure) => organizationFromStructure(structure));
const byStructure = new Map(STRUCTURES.map((structure, index) => [structure.id, organizations[index]]));
const compiledServices = SERVICES.map((service) => {
  const organization = byStructure.get(service.structure_id);
  return serviceFromRecord(service, { organization, structureLocation: organization && structureLocation(organization) });
});

function tabular(): HsdsRows {
  const rows: HsdsRows = new Map();
  const add = (more: HsdsRows) => more.forEach((list, table) => rows.set(table, [...(rows.get(table) ?? []), ...list]));
  const structureBatch = STRUCTURES as unknown as PublicRecord[];
  add(staticRows());
  add(structureRows(structureBatch));
  const located = new Set(STRUCTURES.filter((structure) => structureLocation(organizationFromStructure(structure))).map((structure) => structure.id));
  add(serviceRows(SERVICES as unknown as PublicRecord[], located));
  return rows;
}

describe('HSDS 3.0 mapping (pure)', () => {
  it('maps every service to a compiled HSDS service that validates against schema/compiled/service.json', () => {
    const validate = validator('service.json');
    for (const service of compiledServices) {
      expect({ id: service.id, valid: validate(service), errors: errorsOf(validate) }).toEqual({ id: service.id, valid: true, errors: errorsOf(validate) });
    }
    expect(compiledServices).toHaveLength(SERVICES.length);
    // The validator does check: a Passerelle id where HSDS wants a UUID, or a missing status, is refused.
    expect(validate({ ...compiledServices[0], id: 'dora--paris-11-numerique' })).toBe(false);
    const { status: _status, ...withoutStatus } = compiledServices[0];
    expect(validate(withoutStatus)).toBe(false);
  });

  it('maps every structure to an organization that validates against schema/compiled/organization.json', () => {
    const validate = validator('organization.json');
    for (const organization of organizations) expect([validate(organization), errorsOf(validate)]).toEqual([true, errorsOf(validate)]);
  });

  it('gives the tabular rows that validate against schema/compiled/tabular.json, with their tabular-required fields and resolving foreign keys', () => {
    const rows = tabular();
    const document = Object.fromEntries(rows);
    const validate = validator('tabular.json');
    expect([validate(document), errorsOf(validate)]).toEqual([true, errorsOf(validate)]);
    const required = tabularRequired();
    for (const [table, list] of rows) {
      for (const row of list) for (const field of required[table] ?? []) expect({ table, field, present: row[field] !== undefined }).toEqual({ table, field, present: true });
      const ids = list.map((row) => row.id);
      expect(new Set(ids).size).toBe(ids.length);
    }
    const idsOf = (table: string) => new Set((rows.get(table) ?? []).map((row) => row.id));
    for (const table of HSDS_TABLES) {
      for (const key of table.foreignKeys) {
        for (const row of rows.get(table.name) ?? []) {
          const value = row[key.fields];
          if (value !== undefined) expect({ table: table.name, field: key.fields, resolves: idsOf(key.reference.resource).has(value) }).toEqual({ table: table.name, field: key.fields, resolves: true });
        }
      }
    }
    // Attribute links point at the entity they name.
    for (const attribute of rows.get('attribute') ?? []) expect(idsOf(String(attribute.link_entity)).has(attribute.link_id)).toBe(true);
    // taxonomy_term.code is unique in the table (constraints.unique in the specification).
    const codes = (rows.get('taxonomy_term') ?? []).map((term) => term.code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('gives the thématiques as taxonomy terms of the "data·inclusion thématiques" taxonomy, catégories as parents', () => {
    const service = compiledServices.find((object) => object.name === 'Cours de français')!;
    const terms = (service.attributes as HsdsObject[]).map((attribute) => attribute.taxonomy_term as HsdsObject).filter((term) => term.taxonomy === 'data·inclusion thématiques');
    expect(terms.map((term) => term.code).sort()).toEqual(['lecture-ecriture-calcul--maitriser-le-francais', 'numerique--maitriser-les-fondamentaux-du-numerique']);
    const rows = tabular();
    const allTerms = rows.get('taxonomy_term')!;
    const taxonomy = rows.get('taxonomy')!.find((row) => row.name === 'data·inclusion thématiques')!;
    for (const term of terms) {
      expect(term.taxonomy_id).toBe(taxonomy.id);
      expect((term.taxonomy_detail as HsdsObject).name).toBe('data·inclusion thématiques');
      const parent = allTerms.find((row) => row.id === term.parent_id)!;
      expect(String(term.code).startsWith(`${parent.code}--`)).toBe(true);
      expect(parent.parent_id).toBeUndefined();
    }
    expect(allTerms.filter((row) => row.taxonomy_id === taxonomy.id)).toHaveLength(69 + 16);
  });

  it('never carries a contact value: no email, phone or contact, and empty phone and contact tables', () => {
    const text = JSON.stringify([compiledServices, organizations, [...tabular()]]);
    expect(CONTACT_VALUES.length).toBeGreaterThan(4);
    for (const value of CONTACT_VALUES) expect(text).not.toContain(value);
    const rows = tabular();
    expect(rows.get('phone')).toBeUndefined();
    expect(rows.get('contact')).toBeUndefined();
    for (const service of compiledServices) {
      expect(service.email).toBeUndefined();
      expect(service.phones).toBeUndefined();
      expect(service.contacts).toBeUndefined();
    }
  });

  it('places a service at its own location when it has an address or coordinates, else at its structure’s', () => {
    const own = compiledServices.find((object) => object.name === 'Cours de français')!;
    const [ownAt] = own.service_at_locations as HsdsObject[];
    expect((ownAt.location as HsdsObject).external_identifier).toBe('dora--rennes-alpha');
    expect((ownAt.location as HsdsObject).latitude).toBe(48.12);
    const atStructure = compiledServices.find((object) => object.name === 'Atelier numérique')!;
    expect((atStructure.service_at_locations as HsdsObject[])[0].location_id).toBe(structureLocationId('dora--paris-11'));
    expect(atStructure.last_modified).toBe('2026-10-01T00:00:00.000Z');
    expect((own.service_areas as HsdsObject[]).map((area) => area.name)).toEqual(['35238', '35', '243500139', 'france']);
  });

  it('keeps Passerelle ids beside the UUIDs HSDS requires: deterministic version-5 UUIDs, the id as identifier and attribute value', () => {
    const id = hsdsId('service', 'dora--paris-11-numerique');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(hsdsId('service', 'dora--paris-11-numerique')).toBe(id);
    expect(HSDS_NAMESPACE).toBe('e85c7d47-7b81-44cb-b439-0817aa1fc3fa');
    const service = compiledServices.find((object) => object.id === id)!;
    expect((service.attributes as HsdsObject[]).find((attribute) => attribute.value === 'dora--paris-11-numerique')).toBeDefined();
    const organization = organizations[0];
    expect((organization.organization_identifiers as HsdsObject[]).map((identifier) => [identifier.identifier_type, identifier.identifier])).toEqual([
      ['SIRET', '12345678901234'],
      ['data·inclusion id', 'dora--paris-11'],
    ]);
  });

  it('copies the specification’s tables and columns exactly (src/exports/hsds-tables.ts against the vendored datapackage.json)', () => {
    const spec = readSpec<{ version: string; resources: { name: string; path: string; schema: { fields: { name: string; type: string; format?: string; constraints: { required?: boolean } }[]; foreignKeys?: unknown[] } }[] }>('datapackage.json');
    expect(HSDS_VERSION).toBe(spec.version);
    expect(HSDS_TABLES.map((table) => [table.name, table.path])).toEqual(spec.resources.map((resource) => [resource.name, resource.path]));
    HSDS_TABLES.forEach((table, index) => {
      const resource = spec.resources[index];
      expect(table.fields).toEqual(resource.schema.fields.map((field) => ({ name: field.name, type: field.type, ...(field.format ? { format: field.format } : {}), required: field.constraints.required ?? false })));
      expect(table.foreignKeys).toEqual(resource.schema.foreignKeys ?? []);
    });
  });
});
