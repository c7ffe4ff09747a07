import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ENGINES, createTestStore, type TestStore } from '../support/engines';
import { buildTerritoriesReference, type TerritoriesReference } from '../../src/territories/reference';
import { CentresFileError, importCentres, importTerritories, territoriesLoaded } from '../../src/territories/import';

let reference: TerritoriesReference;
beforeAll(() => {
  reference = buildTerritoriesReference();
});

function tempCsv(content: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-centres-'));
  const file = path.join(dir, 'centres.csv');
  fs.writeFileSync(file, content);
  return file;
}

/** A digest of every territory row, to prove that an operation changed nothing. */
async function digest(store: TestStore): Promise<string> {
  const rows = await store.prisma.$queryRawUnsafe<{ d: string }[]>(`
    SELECT md5(
      (SELECT coalesce(string_agg(t::text, '|' ORDER BY code), '') FROM regions t) ||
      (SELECT coalesce(string_agg(t::text, '|' ORDER BY code), '') FROM departements t) ||
      (SELECT coalesce(string_agg(t::text, '|' ORDER BY code), '') FROM epcis t) ||
      (SELECT coalesce(string_agg(t::text, '|' ORDER BY code), '') FROM communes t)) AS d`);
  return rows[0].d;
}

describe.each(ENGINES)('territories import on %s', (engine) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(engine);
  });
  afterAll(async () => {
    await store?.dispose();
  });

  it('imports every territory in one go', async () => {
    expect(await territoriesLoaded(store)).toBe(false);
    const started = Date.now();
    const result = await importTerritories(store, reference);
    console.log(`importTerritories on ${engine}: ${Date.now() - started} ms (${result.communes} communes)`);
    const expected = {
      regions: reference.regions.length,
      departements: reference.departements.length,
      epcis: reference.epcis.length,
      communes: reference.communes.length,
    };
    expect(result).toEqual({ ...expected, changed: expected.regions + expected.departements + expected.epcis + expected.communes });
    expect({
      regions: await store.prisma.region.count(),
      departements: await store.prisma.departement.count(),
      epcis: await store.prisma.epci.count(),
      communes: await store.prisma.commune.count(),
    }).toEqual(expected);
    expect(expected.regions).toBe(18);
    expect(expected.departements).toBe(101);
    expect(await territoriesLoaded(store)).toBe(true);
  });

  it('is idempotent: a second import changes nothing', async () => {
    const before = await digest(store);
    const started = Date.now();
    const result = await importTerritories(store, reference);
    console.log(`importTerritories again on ${engine}: ${Date.now() - started} ms`);
    expect(result.changed).toBe(0);
    expect(result.communes).toBe(reference.communes.length);
    expect(await digest(store)).toBe(before);
  });

  it('stores communes, arrondissements and their links', async () => {
    const paris = await store.prisma.commune.findUniqueOrThrow({
      where: { code: '75056' },
      include: { departement: { include: { region: true } }, epci: true },
    });
    expect(paris).toMatchObject({
      nom: 'Paris',
      nomRecherche: 'paris',
      kind: 'commune-actuelle',
      parentCode: null,
      departementCode: '75',
      regionCode: '11',
      epciCode: '200054781',
      centreSource: 'geonames',
      centreApproximatif: false,
    });
    expect(paris.codesPostaux).toContain('75001');
    expect(paris.population).toBeGreaterThan(2_000_000);
    expect(paris.latitude).toBeCloseTo(48.86, 1);
    expect(paris.longitude).toBeCloseTo(2.35, 1);
    expect(paris.departement.region.nom).toBe('Île-de-France');
    expect(paris.departement.population).toBe(paris.population);
    expect(paris.epci?.nom).toBe('Métropole du Grand Paris');

    const marseille1 = await store.prisma.commune.findUniqueOrThrow({ where: { code: '13201' } });
    expect(marseille1).toMatchObject({
      kind: 'arrondissement-municipal',
      parentCode: '13055',
      departementCode: '13',
      regionCode: '93',
      epciCode: '200054807',
      codesPostaux: ['13001'],
    });

    const amberieu = await store.prisma.commune.findUniqueOrThrow({
      where: { code: '01004' },
      include: { departement: true, epci: true },
    });
    expect(amberieu).toMatchObject({ nom: 'Ambérieu-en-Bugey', nomRecherche: 'amberieu en bugey', regionCode: '84' });
    expect(amberieu.departement.nom).toBe('Ain');
    expect(amberieu.epci).toMatchObject({ code: '240100883', type: 'CC' });
    expect(await store.prisma.commune.count({ where: { parentCode: '75056' } })).toBe(20);
  });

  it('imports official centres from a CSV file, and a territories re-import keeps them', async () => {
    const file = tempCsv('code_insee,latitude,longitude\n75056,48.8566,2.3522\n"13201",43.2999,5.3841\n');
    expect(await importCentres(store, file)).toBe(2);
    const rows = await store.prisma.commune.findMany({ where: { code: { in: ['75056', '13201'] } }, orderBy: { code: 'asc' } });
    expect(rows.map((r) => [r.code, r.latitude, r.longitude, r.centreSource, r.centreApproximatif])).toEqual([
      ['13201', 43.2999, 5.3841, 'import', false],
      ['75056', 48.8566, 2.3522, 'import', false],
    ]);
    const again = await importTerritories(store, reference);
    expect(again.changed).toBe(0);
    expect((await store.prisma.commune.findUniqueOrThrow({ where: { code: '75056' } })).centreSource).toBe('import');
  });

  it('rejects a centres file with bad rows, naming row and column, and writes nothing', async () => {
    const before = await digest(store);
    const file = tempCsv(
      [
        'latitude,code_insee,longitude',
        '45.9,01004,5.35', // row 2: valid, yet not written
        'abc,01005,4.9', // row 3
        '95,01006,4.9', // row 4
        '45.1,99999,4.9', // row 5
        '45.1,01004,', // row 6
        '45.1,01007', // row 7
      ].join('\n'),
    );
    const error = await importCentres(store, file).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CentresFileError);
    const message = (error as Error).message;
    expect(message).toContain('row 3, column latitude: "abc" is not a number');
    expect(message).toContain('row 4, column latitude: 95 is out of range [-90, 90]');
    expect(message).toContain('row 5, column code_insee: "99999" is not a known commune');
    expect(message).toContain('row 6, column code_insee: "01004" already given on row 2');
    expect(message).toContain('row 6, column longitude: missing value');
    expect(message).toContain('row 7: 2 values, expected 3');
    expect(await digest(store)).toBe(before);

    const badHeader = tempCsv('code,latitude,longitude\n01004,45.9,5.35\n');
    await expect(importCentres(store, badHeader)).rejects.toThrow(/row 1, column code: unknown column[\s\S]*row 1: missing column code_insee/);
    expect(await digest(store)).toBe(before);
  });
});
