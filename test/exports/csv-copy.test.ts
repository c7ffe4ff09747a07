import { PassThrough, Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import * as fixture from '../fixtures/offer';
import { createTestStore, type TestStore } from '../support/engines';
import { writeOffer } from '../../src/store/write';
import { copiesCsv, copyCsv } from '../../src/exports/csv-copy';
import { writeExport } from '../../src/exports/formats';
import { filtersKey, publicRecords, type ExportEntity, type ExportFilters } from '../../src/exports/public-records';
import type { ServiceRecord, StructureRecord } from '../../src/domain/validation';

/**
 * On PostgreSQL the CSV export is written by COPY (src/exports/csv-copy.ts); everywhere else by csv-stringify from
 * the public records. Both files, read back with a CSV parser, must hold the same header and the same rows, cell
 * for cell, on records with everything CSV and Python's list repr must escape.
 */
const RESTRICTED = ['soliguide'];

const awkwardStructure = {
  ...fixture.structures[0],
  id: 'dora--awkward',
  nom: 'L\'Escale "Solidaire", accueil; écoute',
  description: 'Première ligne,\nseconde "ligne"\r\navec une tabulation\tet un \\ antislash',
  reseaux_porteurs: ['caf'],
  latitude: 48.123456789,
  longitude: -1.5,
  telephone: null,
  courriel: null,
} as StructureRecord;

const awkwardService = {
  ...fixture.services[0],
  id: 'dora--awkward-service',
  structure_id: 'dora--awkward',
  nom: 'Aide "administrative", l\'accès aux droits',
  modes_accueil: [],
  zone_eligibilite: ['35', '35238'],
  volume_horaire_hebdomadaire: 2.5,
  nombre_semaines: 12,
  date_maj: '2024-01-15',
} as ServiceRecord;

const AWKWARD_LIST = ["l'association", 'a "b" et \'c\'', 'back\\slash', 'ligne\nnouvelle', 'tab\there'];

const staleService = { ...fixture.services[0], id: 'dora--stale', structure_id: 'dora--awkward', date_maj: '2020-01-01' } as ServiceRecord;

async function viaCopy(store: TestStore, entity: ExportEntity, filters: ExportFilters): Promise<{ text: string; rows: number }> {
  if (!copiesCsv(store)) throw new Error('this store cannot COPY');
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  const rows = await copyCsv(store, entity, filters, out, { restrictedSources: RESTRICTED, now: fixture.NOW });
  return { text: Buffer.concat(chunks).toString('utf8'), rows };
}

async function viaStringifier(store: TestStore, entity: ExportEntity, filters: ExportFilters): Promise<{ text: string; rows: number }> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  const records = publicRecords(store, entity, filters, { restrictedSources: RESTRICTED, now: fixture.NOW, batchSize: 2 });
  const rows = await writeExport('csv', records, out, { entity, generatedAt: fixture.NOW, filters: filtersKey(filters) });
  return { text: Buffer.concat(chunks).toString('utf8'), rows };
}

const table = (text: string) => parse(text, { relax_column_count: false }) as string[][];

describe('CSV export by COPY on PostgreSQL', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore('postgres');
    await writeOffer(
      store,
      {
        structures: [...fixture.structures, fixture.soliguideStructure, awkwardStructure],
        services: [...fixture.services, fixture.soliguideService, awkwardService, staleService],
      },
      { now: fixture.NOW },
    );
    // Values no producer's file can bring (list items are nomenclature values), written past validation: the
    // encoder must still write them as Python would.
    await store.prisma.$executeRawUnsafe(`UPDATE structures SET reseaux_porteurs = $1::text[] WHERE id = 'dora--awkward'`, AWKWARD_LIST);
    await store.prisma.$executeRawUnsafe(`UPDATE services SET publics = '{}' WHERE id = 'dora--awkward-service'`);
  });
  afterAll(async () => {
    await store?.dispose();
  });

  it.each<[ExportEntity, ExportFilters]>([
    ['structures', {}],
    ['services', {}],
    ['services', { sources: ['dora'] }],
    ['services', { departement: '75' }],
    ['structures', { updatedSince: new Date('2000-01-01') }],
  ])('%s %j: the same header and rows, cell for cell, as csv-stringify writes', async (entity, filters) => {
    const copied = await viaCopy(store, entity, filters);
    const stringified = await viaStringifier(store, entity, filters);
    expect(copied.rows).toBe(stringified.rows);
    expect(table(copied.text)).toEqual(table(stringified.text));
    expect(table(copied.text).length).toBe(copied.rows + 1);
  });

  it('writes lists as Python does, escapes CSV, leaves out contacts and the restricted source, and gives each row its verdict', async () => {
    const [header, ...rows] = table((await viaCopy(store, 'structures', {})).text);
    const awkward = Object.fromEntries(header.map((column, i) => [column, rows.find((row) => row[header.indexOf('id')] === 'dora--awkward')![i]]));
    expect(awkward.nom).toBe(awkwardStructure.nom);
    expect(awkward.description).toBe(awkwardStructure.description);
    expect(awkward.reseaux_porteurs).toBe(`["l'association", 'a "b" et \\'c\\'', 'back\\\\slash', 'ligne\\nnouvelle', 'tab\\there']`);
    expect(awkward.latitude).toBe('48.123456789');
    expect(header).not.toContain('courriel');
    expect(rows.map((row) => row[header.indexOf('source')])).not.toContain('soliguide');

    const services = table((await viaCopy(store, 'services', {})).text);
    const column = (name: string) => services[0].indexOf(name);
    const service = services.find((row) => row[column('id')] === 'dora--awkward-service')!;
    expect(service[column('publics')]).toBe(''); // an empty required set is null
    expect(service[column('modes_accueil')]).toBe('[]');
    expect(service[column('zone_eligibilite')]).toBe("['35', '35238']");
    expect(service[column('volume_horaire_hebdomadaire')]).toBe('2.5');
    expect(service[column('fraicheur')]).toBe('STALE'); // 2024-01-15 → 2026-11-01: 1,021 days
    expect(services.find((row) => row[column('id')] === 'dora--stale')![column('fraicheur')]).toBe('STALE');
    for (const value of fixture.CONTACT_VALUES) expect(services.flat()).not.toContain(value);
  });

  it('a reader that fails mid-file stops the statement and gives its connection back', async () => {
    if (!copiesCsv(store)) throw new Error('this store cannot COPY');
    // More attempts than the pool has connections: a connection kept by an abandoned COPY would hang the last ones.
    for (let attempt = 0; attempt < 12; attempt++) {
      const failing = new Writable({
        write(_chunk, _encoding, callback) {
          callback(new Error('the client went away'));
        },
      });
      await expect(copyCsv(store, 'services', {}, failing, { restrictedSources: RESTRICTED })).rejects.toThrow('the client went away');
    }
    const [row] = await store.query<{ n: number }>({ text: 'SELECT count(*)::int AS n FROM services', values: [] });
    expect(row.n).toBe(fixture.services.length + 3);
  });
});
