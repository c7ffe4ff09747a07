import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { ENGINES, createTestStore, type TestStore } from '../support/engines';
import { createTestApp } from '../support/graphql';
import { loadConfig } from '../../src/config';
import { createAuthenticator } from '../../src/auth/authenticate';
import { TokenVerifier, issueToken } from '../../src/auth/tokens';
import { runOperation } from '../../src/operations/run';
import { syncSources, writeOffer } from '../../src/store/write';
import { importFile } from '../../src/ingest/import';
import { exportColumns, publicRecords, REQUIRED_SETS, type ExportEntity, type PublicRecord } from '../../src/exports/public-records';
import { listCell } from '../../src/exports/list-encoding';
import { writeExport, type ExportFormat } from '../../src/exports/formats';
import { validateService, type ServiceRecord, type StructureRecord } from '../../src/domain/validation';
import { DEFAULT_FRESHNESS, ageJours, parisDate, verdictOf } from '../../src/quality/freshness';
import * as fixture from '../fixtures/offer';
import { CONTACT_VALUES, soliguideStructure, soliguideService } from '../fixtures/offer';

/**
 * What a reuser downloads from `/exports/…`: every format read back with a reader library and compared row by
 * row with the store's public records (built here from Prisma, independently of the export's own reader).
 */
/** A dora service of the soliguide structure: a restricted source's record too. */
const serviceOfSoliguide = {
  id: 'dora--chez-soliguide',
  source: 'dora',
  structure_id: 'soliguide--4242',
  nom: 'Permanence chez Soliguide',
  description: 'Une permanence tenue dans les locaux du lieu Soliguide.',
  date_maj: '2026-10-01',
  code_insee: '75111',
} as ServiceRecord;
/** Some more dora structures, so that batches of 3 rows take several statements. */
const extraStructures = Array.from({ length: 8 }, (_, i) => ({
  id: `dora--extra-${i}`,
  source: 'dora',
  nom: `Structure d'essai "${i}", l'accueil`,
  date_maj: i % 2 ? '2025-01-15' : '2023-03-01',
  code_insee: i % 2 ? '35238' : '59512',
  commune: i % 2 ? 'Rennes' : 'Roubaix',
  longitude: i % 2 ? -1.68 : null,
  latitude: i % 2 ? 48.11 : null,
  courriel: `extra${i}@private.example.org`,
  reseaux_porteurs: i % 3 ? ['caf'] : [],
})) as StructureRecord[];

const CONTACTS = [
  ...CONTACT_VALUES,
  ...extraStructures.map((s) => s.courriel as string),
];
const RESTRICTED_IDS = ['soliguide--4242', 'soliguide--4242-douche', 'dora--chez-soliguide'];
const FORMATS: ExportFormat[] = ['csv', 'json', 'ndjson', 'geojson', 'parquet', 'xlsx'];
const ENTITIES: ExportEntity[] = ['structures', 'services'];

interface Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function get(base: string, pathAndQuery: string, headers: Record<string, string> = {}): Promise<Response> {
  return new Promise((resolve, reject) => {
    http
      .get(`${base}${pathAndQuery}`, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          resolve({ status: res.statusCode!, headers: res.headers, body: res.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw });
        });
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/** The public records as the store holds them, built from Prisma (not from the export's reader). */
async function expectedRecords(store: TestStore, entity: ExportEntity, keep: (id: string) => boolean = () => true): Promise<PublicRecord[]> {
  const today = parisDate(new Date());
  const rows: Record<string, unknown>[] =
    entity === 'structures' ? await store.prisma.structure.findMany({ orderBy: { id: 'asc' } }) : await store.prisma.service.findMany({ orderBy: { id: 'asc' } });
  const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return rows
    .filter((row) => !RESTRICTED_IDS.includes(row.id as string) && keep(row.id as string))
    .map((row) => {
      const byName = Object.fromEntries(Object.entries(row).map(([k, v]) => [snake(k), v]));
      const record: PublicRecord = {};
      for (const column of exportColumns(entity)) {
        if (column === 'fraicheur') continue;
        let value = byName[column] as PublicRecord[string] | Date;
        if (value instanceof Date) value = value.toISOString().slice(0, 10);
        if (Array.isArray(value) && value.length === 0 && REQUIRED_SETS.includes(column)) value = null;
        record[column] = value ?? null;
      }
      record.fraicheur = verdictOf(ageJours(record.date_maj as string, today), DEFAULT_FRESHNESS);
      return record;
    })
    .sort((a, b) => ((a.id as string) < (b.id as string) ? -1 : 1));
}

const LIST_COLUMNS = new Set(['reseaux_porteurs', 'thematiques', 'publics', 'modes_accueil', 'zone_eligibilite', 'modes_mobilisation', 'mobilisable_par']);

/** The expected record as a text cell reader sees it (CSV, XLSX): lists as the reference writes them, nulls empty. */
function asTextCells(record: PublicRecord, emptyAs: '' | null): Record<string, string | number | null> {
  return Object.fromEntries(
    Object.entries(record).map(([k, v]) => {
      if (LIST_COLUMNS.has(k)) return [k, listCell(v as string[] | null) ?? emptyAs];
      if (v === null) return [k, emptyAs];
      return [k, v as string | number];
    }),
  );
}

/** Parses a downloaded file into rows of column → value. */
async function readRows(format: ExportFormat, body: Buffer): Promise<Record<string, unknown>[]> {
  switch (format) {
    case 'csv':
      return parseCsv(body, { columns: true, bom: true }) as Record<string, unknown>[];
    case 'json':
      return JSON.parse(body.toString('utf8')) as Record<string, unknown>[];
    case 'ndjson':
      return body.toString('utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
    case 'geojson':
      return (JSON.parse(body.toString('utf8')) as { features: { properties: Record<string, unknown> }[] }).features.map((f) => f.properties);
    case 'parquet': {
      const { parquetReadObjects } = await import('hyparquet');
      const file = body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength);
      return (await parquetReadObjects({ file })) as Record<string, unknown>[];
    }
    case 'xlsx': {
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(body as unknown as ArrayBuffer);
      const sheet = workbook.worksheets[0];
      const header = (sheet.getRow(1).values as unknown[]).slice(1) as string[];
      const rows: Record<string, unknown>[] = [];
      sheet.eachRow((row, number) => {
        if (number === 1) return;
        const values = row.values as unknown[];
        rows.push(Object.fromEntries(header.map((column, i) => [column, values[i + 1] ?? null])));
      });
      return rows;
    }
  }
}

/** A row read back, in the shape of a public record, to compare with the store's. */
function comparable(format: ExportFormat, row: Record<string, unknown>): Record<string, unknown> {
  if (format !== 'parquet') return row;
  return Object.fromEntries(
    Object.entries(row).map(([k, v]) => {
      if (v instanceof Date) return [k, v.toISOString().slice(0, 10)];
      return [k, v === undefined ? null : v];
    }),
  );
}

function expectedFor(format: ExportFormat, record: PublicRecord): Record<string, unknown> {
  if (format === 'csv') {
    // CSV is text: numbers are their decimal text, nulls empty cells.
    return Object.fromEntries(Object.entries(asTextCells(record, '')).map(([k, v]) => [k, v === null ? '' : String(v)]));
  }
  if (format === 'xlsx') return asTextCells(record, null);
  return record;
}

describe.each(ENGINES)('open-data exports, on %s', (engine) => {
  let store: TestStore;
  let api: Awaited<ReturnType<typeof createTestApp>>;
  let base: string;
  const config = loadConfig({ PASSERELLE_REVOCATION_CACHE_SECONDS: '0' });
  let partnerToken: string;

  beforeAll(async () => {
    store = await createTestStore(engine, { territories: true });
    await syncSources(store);
    await writeOffer(
      store,
      { structures: [...fixture.structures, soliguideStructure, ...extraStructures], services: [...fixture.services, soliguideService, serviceOfSoliguide] },
      { now: fixture.NOW },
    );
    const op = (name: string, args: Record<string, unknown>) => runOperation(name, args, { store, config });
    // A client with every right a token can carry: contacts and the restricted source.
    await op('clients.add', { id: 'partner', name: 'Partner', scopes: ['contact:read'], sources: ['soliguide'] });
    partnerToken = (await issueToken(store, config, { clientId: 'partner', scopes: ['contact:read'] })).token;
    api = await createTestApp(store, { authenticate: createAuthenticator(new TokenVerifier(store, config)), restrictedSources: config.restrictedSources });
    base = (await api.url()).replace(/\/graphql$/, '');
  });
  afterAll(async () => {
    await api?.stop();
    await store?.dispose();
  });

  test('publicRecords: v1 columns in order, no contact, no restricted source, across keyset batches', async () => {
    const batches: PublicRecord[][] = [];
    for await (const batch of publicRecords(store, 'structures', {}, { restrictedSources: ['soliguide'], batchSize: 3 })) batches.push(batch);
    expect(batches.length).toBeGreaterThan(2);
    const records = batches.flat();
    expect(records).toEqual(await expectedRecords(store, 'structures'));
    expect(Object.keys(records[0])).toEqual(exportColumns('structures'));
    expect(exportColumns('services').slice(0, 4)).toEqual(['source', 'structure_id', 'id', 'nom']);
    for (const column of ['courriel', 'telephone', 'contact_nom_prenom']) expect(exportColumns('services')).not.toContain(column);
    expect(exportColumns('services').slice(-2)).toEqual(['score_qualite', 'fraicheur']);
  });

  test('REQUIRED_SETS are exactly the v1 sets that need at least one value', () => {
    const valid = validateService(fixture.services[0]);
    expect(valid.ok).toBe(true);
    for (const column of LIST_COLUMNS) {
      if (column === 'reseaux_porteurs') continue;
      const result = validateService({ ...fixture.services[0], [column]: [] });
      expect([column, result.ok]).toEqual([column, !REQUIRED_SETS.includes(column)]);
    }
  });

  describe.each(FORMATS)('%s', (format) => {
    test.each(ENTITIES)('%s: every public row, as the store holds it; no contact, no restricted record, whatever the token', async (entity) => {
      const expected = await expectedRecords(store, entity);
      for (const authorization of [undefined, `Bearer ${partnerToken}`]) {
        const response = await get(base, `/exports/${entity}.${format}`, authorization ? { authorization } : {});
        expect(response.status).toBe(200);
        const text = format === 'xlsx' || format === 'parquet' ? '' : response.body.toString('utf8');
        for (const value of CONTACTS) expect(text).not.toContain(value);
        const rows = (await readRows(format, response.body)).map((row) => comparable(format, row));
        expect(rows.map((row) => row.id)).toEqual(expected.map((record) => record.id));
        expect(rows).toEqual(expected.map((record) => expectedFor(format, record)));
        // Every value read back, in every cell: no contact, no restricted id.
        const cells = JSON.stringify(rows);
        for (const value of [...CONTACTS, ...RESTRICTED_IDS]) expect(cells).not.toContain(value);
        for (const row of rows) {
          for (const column of ['courriel', 'telephone', 'contact_nom_prenom']) expect(row).not.toHaveProperty(column);
        }
      }
    });
  });

  test('GeoJSON: points from longitude/latitude (null geometry without them), generated_at in the file', async () => {
    const response = await get(base, '/exports/structures.geojson');
    const collection = JSON.parse(response.body.toString('utf8'));
    expect(collection.type).toBe('FeatureCollection');
    expect(collection.generated_at).toBe(response.headers['x-export-generated-at']);
    const paris = collection.features.find((f: { properties: { id: string } }) => f.properties.id === 'dora--paris-11');
    expect(paris.geometry).toEqual({ type: 'Point', coordinates: [2.3713, 48.8686] });
    const roubaix = collection.features.find((f: { properties: { id: string } }) => f.properties.id === 'dora--extra-0');
    expect(roubaix.geometry).toBeNull();
  });

  test('Parquet: typed columns (LIST<STRING>, DATE, DOUBLE) and the export time in its key-value metadata', async () => {
    const response = await get(base, '/exports/services.parquet');
    const { parquetMetadata } = await import('hyparquet');
    const body = response.body;
    const metadata = parquetMetadata(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength));
    const kv = Object.fromEntries((metadata.key_value_metadata ?? []).map((e) => [e.key, e.value]));
    expect(kv['passerelle.generated_at']).toBe(response.headers['x-export-generated-at']);
    const byName = Object.fromEntries(metadata.schema.map((e) => [e.name, e]));
    expect(byName.thematiques.converted_type).toBe('LIST');
    expect(byName.date_maj.converted_type).toBe('DATE');
    expect(byName.score_qualite.type).toBe('DOUBLE');
  });

  test('XLSX: sheet named for `passerelle import`, workbook created at the export time', async () => {
    const response = await get(base, '/exports/services.xlsx');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(response.body as unknown as ArrayBuffer);
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['Services']);
    // XLSX keeps whole seconds.
    expect(workbook.created.toISOString().slice(0, 19)).toBe((response.headers['x-export-generated-at'] as string).slice(0, 19));
  });

  test('headers: type, file name, ETag and 304, Last-Modified, gzip for text formats only', async () => {
    const day = parisDate(new Date());
    const csv = await get(base, '/exports/services.csv', { 'accept-encoding': 'gzip' });
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe(`attachment; filename="services-inclusion-${day}.csv"`);
    expect(csv.headers['content-encoding']).toBe('gzip');
    expect(csv.headers.vary).toBe('Accept-Encoding');
    expect(Date.parse(csv.headers['x-export-generated-at'] as string)).toBeGreaterThan(Date.now() - 60_000);
    const newest = await store.prisma.service.aggregate({ _max: { updatedAt: true }, where: { id: { notIn: RESTRICTED_IDS } } });
    expect(csv.headers['last-modified']).toBe(newest._max.updatedAt!.toUTCString());
    const etag = csv.headers.etag as string;
    expect(etag).toMatch(/^"services\.csv-v\d+-[\w-]+"$/);

    const again = await get(base, '/exports/services.csv', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect((await get(base, '/exports/services.csv?departement=75', { 'if-none-match': etag })).status).toBe(200);
    expect((await get(base, '/exports/services.json', { 'if-none-match': etag })).status).toBe(200);

    const parquet = await get(base, '/exports/services.parquet', { 'accept-encoding': 'gzip' });
    expect(parquet.headers['content-type']).toBe('application/vnd.apache.parquet');
    expect(parquet.headers['content-encoding']).toBeUndefined();
    const xlsx = await get(base, '/exports/structures.xlsx', { 'accept-encoding': 'gzip' });
    expect(xlsx.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(xlsx.headers['content-disposition']).toBe(`attachment; filename="structures-inclusion-${day}.xlsx"`);
    expect(xlsx.headers['content-encoding']).toBeUndefined();
    expect((await get(base, '/exports/structures.geojson')).headers['content-type']).toBe('application/geo+json; charset=utf-8');
    expect((await get(base, '/exports/structures.ndjson')).headers['content-type']).toBe('application/x-ndjson; charset=utf-8');

    // A write moves the offer's version: the old ETag no longer matches.
    await writeOffer(store, { structures: [{ ...fixture.structures[1], nom: 'France Travail Lyon 3e' }], services: [] }, { now: fixture.NOW });
    expect((await get(base, '/exports/services.csv', { 'if-none-match': etag })).status).toBe(200);
    await writeOffer(store, { structures: [fixture.structures[1]], services: [] }, { now: fixture.NOW });
  });

  test('filters: source, departement, region, updatedSince; a bad value is a 400 naming the parameter', async () => {
    const ids = async (query: string) => (JSON.parse((await get(base, `/exports/structures.json${query}`)).body.toString('utf8')) as PublicRecord[]).map((r) => r.id);
    expect(await ids('?source=france-travail')).toEqual(['france-travail--lyon-3']);
    expect(await ids('?source=france-travail,emplois-de-linclusion')).toEqual(['emplois-de-linclusion--roubaix', 'france-travail--lyon-3']);
    expect(await ids('?source=soliguide')).toEqual([]);
    expect(await ids('?departement=75')).toEqual(['dora--paris-11']);
    expect(await ids('?departement=35')).toEqual(extraStructures.filter((_, i) => i % 2).map((s) => s.id));
    expect(await ids('?region=32')).toEqual(['dora--extra-0', 'dora--extra-2', 'dora--extra-4', 'dora--extra-6', 'emplois-de-linclusion--roubaix']);
    expect(await ids(`?updatedSince=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`)).toEqual([]);
    expect((await ids('?updatedSince=2020-01-01')).length).toBe((await expectedRecords(store, 'structures')).length);

    for (const [query, argument] of [
      ['?departement=100', 'departement'],
      ['?region=ile-de-france', 'region'],
      ['?source=Not%20A%20Slug', 'source'],
      ['?updatedSince=yesterday', 'updatedSince'],
      ['?departement=75&departement=69', 'departement'],
    ]) {
      const response = await get(base, `/exports/services.csv${query}`);
      expect(response.status).toBe(400);
      const body = JSON.parse(response.body.toString('utf8'));
      expect(body.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', argument });
      expect(body.errors[0].message.startsWith(`${argument}: `)).toBe(true);
    }
  });

  test('unknown export names under the prefix are 404; other /exports/ paths are not answered here', async () => {
    expect((await get(base, '/exports/services.pdf')).status).toBe(404);
    expect((await get(base, '/exports/services.csv', {})).status).toBe(200);
    const { isPublicExportPath } = await import('../../src/exports/http');
    expect(isPublicExportPath('/exports/changes.ndjson')).toBe(false);
    expect(isPublicExportPath('/exports/hsds/services.json')).toBe(false);
    expect(isPublicExportPath('/exports/services.csv')).toBe(true);
  });

  // The formats `passerelle import` reads (GeoJSON and Parquet are for reuse, not for producers).
  test.each(['csv', 'json', 'ndjson', 'xlsx'] as ExportFormat[])('round trip: a %s export re-imported with `passerelle import` gives the same records', async (format) => {
    const target = await createTestStore(engine);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-export-'));
    try {
      await syncSources(target);
      const source = 'dora';
      const keep = (id: string) => id.startsWith('dora--');
      for (const entity of ENTITIES) {
        const file = path.join(dir, `${entity}.${format}`);
        const out = fs.createWriteStream(file);
        await writeExport(format, publicRecords(store, entity, { sources: [source] }, { restrictedSources: ['soliguide'] }), out, {
          entity,
          generatedAt: new Date(),
          filters: `source=${source}`,
        });
        const report = await importFile(target, file, { source, now: fixture.NOW, kind: entity === 'structures' ? 'structure' : 'service' });
        expect([entity, report.summary.rejected, report.errors]).toEqual([entity, 0, []]);
      }
      for (const entity of ENTITIES) {
        const before = await expectedRecords(store, entity, keep);
        const after = await expectedRecords(target, entity, keep);
        // The score counts contacts, which no export carries: it may differ where the record had some.
        const withoutScore = (records: PublicRecord[]) => records.map(({ score_qualite: _, ...rest }) => rest);
        expect(withoutScore(after)).toEqual(withoutScore(before));
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      await target.dispose();
    }
  });
});
