import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import JSZip from 'jszip';
import * as fixture from '../fixtures/offer';
import { ENGINES, createTestStore, type TestStore } from '../support/engines';
import { createTestApp } from '../support/graphql';
import { writeOffer } from '../../src/store/write';
import { writeHsdsPackage } from '../../src/exports/hsds';
import { hsdsId } from '../../src/exports/hsds-mapping';
import type { ServiceRecord, StructureRecord } from '../../src/domain/validation';
import { errorsOf, readSpec, validator } from './hsds-support';

const SPEC = readSpec<{ resources: { name: string; path: string; schema: { fields: { name: string }[] } }[] }>('datapackage.json');
const CONTACTS = ['+33140000001', 'accueil@cs-belleville.example.org', 'numerique@cs-belleville.example.org', '+33140000002', 'Camille Martin'];

const soliguideStructure = { ...fixture.structures[0], id: 'soliguide--lieu-42', source: 'soliguide', nom: 'Lieu Soliguide', siret: null } as StructureRecord;
const soliguideService = { ...fixture.services[0], id: 'soliguide--lieu-42-repas', source: 'soliguide', structure_id: 'soliguide--lieu-42', nom: 'Repas solidaires' } as ServiceRecord;

function rowsOf(text: string): Record<string, string>[] {
  return parse(text, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
}

describe.each(ENGINES)('HSDS 3.0 export (%s)', (engine) => {
  let store: TestStore;
  let dir: string;

  beforeAll(async () => {
    store = await createTestStore(engine);
    await writeOffer(store, { structures: [...fixture.structures, soliguideStructure], services: [...fixture.services, soliguideService] }, { now: fixture.NOW });
    dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'passerelle-hsds-'));
  });

  afterAll(async () => {
    await store?.dispose();
    if (dir) await fs.promises.rm(dir, { recursive: true, force: true });
  });

  it('writes the tabular package into DIR/hsds: every CSV’s header is its datapackage.json fields and the specification’s', async () => {
    const result = await writeHsdsPackage(store, dir, { restrictedSources: ['soliguide'], batchSize: 2, now: fixture.NOW });
    expect(result.dir).toBe(path.join(dir, 'hsds'));
    const datapackage = JSON.parse(await fs.promises.readFile(path.join(dir, 'hsds', 'datapackage.json'), 'utf8'));
    expect(datapackage.profile).toBe('tabular-data-package');
    expect(datapackage.resources.map((resource: { path: string }) => resource.path)).toEqual(SPEC.resources.map((resource) => resource.path));
    for (const resource of SPEC.resources) {
      const text = await fs.promises.readFile(path.join(dir, 'hsds', resource.path), 'utf8');
      const header = parse(text.split('\n')[0])[0];
      const declared = datapackage.resources.find((candidate: { path: string }) => candidate.path === resource.path);
      expect({ path: resource.path, header }).toEqual({ path: resource.path, header: resource.schema.fields.map((field) => field.name) });
      expect(declared.schema.fields.map((field: { name: string }) => field.name)).toEqual(header);
    }
    expect(result.rows.organization).toBe(3);
    expect(result.rows.service).toBe(3);
    expect(result.rows.phone).toBe(0);
    expect(result.rows.contact).toBe(0);
  });

  it('leaves out the restricted source and every contact value, in the CSVs and services.json', async () => {
    const files = await fs.promises.readdir(path.join(dir, 'hsds'));
    expect(files).toContain('services.json');
    for (const file of files) {
      const text = await fs.promises.readFile(path.join(dir, 'hsds', file), 'utf8');
      expect({ file, soliguide: text.includes('soliguide--') }).toEqual({ file, soliguide: false });
      for (const value of CONTACTS) expect({ file, value, found: text.includes(value) }).toEqual({ file, value, found: false });
    }
    const organizations = rowsOf(await fs.promises.readFile(path.join(dir, 'hsds', 'organizations.csv'), 'utf8'));
    expect(organizations.map((row) => row.id).sort()).toEqual(fixture.structures.map((structure) => hsdsId('organization', structure.id)).sort());
    expect(organizations.some((row) => row.id === hsdsId('organization', 'soliguide--lieu-42'))).toBe(false);
  });

  it('writes services.json: compiled services, each valid against schema/compiled/service.json, with the thématiques as data·inclusion taxonomy terms', async () => {
    const services = JSON.parse(await fs.promises.readFile(path.join(dir, 'hsds', 'services.json'), 'utf8')) as Record<string, any>[];
    expect(services).toHaveLength(3);
    const validate = validator('service.json');
    for (const service of services) expect([validate(service), errorsOf(validate)]).toEqual([true, errorsOf(validate)]);
    const atelier = services.find((service) => service.name === 'Atelier numérique')!;
    expect(atelier.organization.name).toBe('Centre social Belleville');
    expect(atelier.service_at_locations[0].location.addresses[0]).toMatchObject({ city: 'Paris', postal_code: '75011', state_province: '75', country: 'FR' });
    const thematiques = atelier.attributes.filter((attribute: any) => attribute.taxonomy_term.taxonomy === 'data·inclusion thématiques');
    expect(thematiques.map((attribute: any) => attribute.taxonomy_term.code)).toEqual(['numerique--maitriser-les-fondamentaux-du-numerique']);
    const terms = rowsOf(await fs.promises.readFile(path.join(dir, 'hsds', 'taxonomy_terms.csv'), 'utf8'));
    expect(terms.find((term) => term.code === 'numerique--maitriser-les-fondamentaux-du-numerique')).toMatchObject({ taxonomy: 'data·inclusion thématiques', parent_id: hsdsId('taxonomy_term', 'thematiques_categories:numerique') });
  });

  it('serves /exports/hsds/datapackage.json, each table’s CSV and services.json over HTTP, without the restricted source', async () => {
    const api = await createTestApp(store, { restrictedSources: ['soliguide'] });
    try {
      const base = (await api.url()).replace(/\/graphql$/, '/exports/hsds');
      const datapackage = await fetch(`${base}/datapackage.json`);
      expect(datapackage.status).toBe(200);
      const descriptor = (await datapackage.json()) as { resources: { path: string; schema: { fields: { name: string }[] } }[] };
      for (const resource of descriptor.resources.filter((candidate) => ['organizations.csv', 'services.csv', 'service_at_location.csv', 'taxonomy_terms.csv', 'phones.csv'].includes(candidate.path))) {
        const response = await fetch(`${base}/${resource.path}`);
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
        const text = await response.text();
        expect(parse(text.split('\n')[0])[0]).toEqual(resource.schema.fields.map((field) => field.name));
        expect(text).not.toContain('soliguide--');
        for (const value of CONTACTS) expect(text).not.toContain(value);
      }
      const links = rowsOf(await (await fetch(`${base}/service_at_location.csv`)).text());
      expect(links).toHaveLength(3);
      const services = (await (await fetch(`${base}/services.json?source=dora`)).json()) as { name: string }[];
      expect(services.map((service) => service.name).sort()).toEqual(['Aide au permis', 'Atelier numérique']);
      expect((await fetch(`${base}/nothing.csv`)).status).toBe(404);
      expect((await fetch(`${base}/services.csv?departement=XYZ`)).status).toBe(400);
    } finally {
      await api.stop();
    }
  });

  it('serves the whole package as /exports/hsds.zip: the same files as each one served alone, without the restricted source', async () => {
    const api = await createTestApp(store, { restrictedSources: ['soliguide'] });
    try {
      const base = (await api.url()).replace(/\/graphql$/, '/exports');
      const response = await fetch(`${base}/hsds.zip`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/zip');
      expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="hsds-inclusion-\d{4}-\d{2}-\d{2}\.zip"$/);
      const zip = await JSZip.loadAsync(Buffer.from(await response.arrayBuffer()));
      const descriptor = JSON.parse(await zip.file('datapackage.json')!.async('string')) as { resources: { path: string }[] };
      expect(Object.keys(zip.files).sort()).toEqual(['datapackage.json', 'services.json', ...descriptor.resources.map((resource) => resource.path)].sort());
      for (const table of ['organizations.csv', 'services.csv', 'service_at_location.csv', 'taxonomy_terms.csv']) {
        const zipped = await zip.file(table)!.async('string');
        expect(rowsOf(zipped)).toEqual(rowsOf(await (await fetch(`${base}/hsds/${table}`)).text()));
        expect(zipped).not.toContain('soliguide--');
        for (const value of CONTACTS) expect(zipped).not.toContain(value);
      }
      const services = JSON.parse(await zip.file('services.json')!.async('string')) as { name: string }[];
      const served = (await (await fetch(`${base}/hsds/services.json`)).json()) as { name: string }[];
      expect(services.length).toBeGreaterThan(0);
      expect(services.map((service) => service.name).sort()).toEqual(served.map((service) => service.name).sort());
      const dora = await JSZip.loadAsync(Buffer.from(await (await fetch(`${base}/hsds.zip?source=dora`)).arrayBuffer()));
      expect(rowsOf(await dora.file('services.csv')!.async('string')).map((row) => row.name).sort()).toEqual(['Aide au permis', 'Atelier numérique']);
      const bad = await fetch(`${base}/hsds.zip?departement=XYZ`);
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { errors: { extensions: { argument: string } }[] }).errors[0].extensions.argument).toBe('departement');
    } finally {
      await api.stop();
    }
  });
});
