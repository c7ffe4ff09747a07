import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importFile, type ImportOptions } from '../../src/ingest/import';
import { parseList } from '../../src/ingest/import/fields';
import { createProgress } from '../../src/operations/progress';
import { loadConfig } from '../../src/config';
import { runOperation } from '../../src/operations/run';
import { ENGINES, createTestStore, type TestStore } from '../support/engines';
import { createTestApp } from '../support/graphql';
import { templateWorkbook } from '../fixtures/producer-template';

const FIXTURES = path.join(__dirname, '../fixtures/import');
const fixture = (name: string) => path.join(FIXTURES, name);
const NOW = new Date('2026-12-01T12:00:00Z');
const config = loadConfig({});


describe('parseList: lists as producers write them in a text cell', () => {
  it.each([
    ['a, b', ['a', 'b']],
    ['a,b;c', ['a', 'b', 'c']],
    ['["a","b"]', ['a', 'b']],
    ["['a', 'b']", ['a', 'b']],
    ['{a,b}', ['a', 'b']],
    ['[]', null],
    ['  ', null],
  ])('%s', (text, expected) => expect(parseList(text)).toEqual(expected));
});

describe('createProgress off a terminal', () => {
  it('prints nothing while it runs and one line when it ends', () => {
    let written = '';
    const stream = { isTTY: false, write: (text: string) => ((written += text), true) } as unknown as NodeJS.WriteStream;
    const progress = createProgress({ label: 'import big.csv', unit: 'rows', total: 100, stream });
    progress.update(50, 1000);
    expect(written).toBe('');
    progress.update(100, 2000);
    progress.stop();
    progress.stop();
    expect(written).toMatch(/^import big\.csv: 2,000 rows in \d+\.\d s \([\d,]+ rows\/s\)\n$/);
  });
});

describe.each(ENGINES)('import on %s', (engine) => {
  let store: TestStore;
  let dir: string;
  const run = (file: string, options: Partial<ImportOptions> = {}) =>
    importFile(store, file, { source: 'mon-cd', sourceName: 'Mon conseil départemental', now: NOW, ...options });
  const count = async () => ({ structures: await store.prisma.structure.count(), services: await store.prisma.service.count() });

  beforeAll(async () => {
    store = await createTestStore(engine);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-import-'));
  });
  afterAll(async () => {
    await store?.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await store.prisma.service.deleteMany();
    await store.prisma.structure.deleteMany();
    await store.prisma.source.deleteMany({ where: { slug: { in: ['mon-cd', 'autre-cd'] } } });
  });

  it('reports each defect with its line, field, value and message, and writes only the valid rows', async () => {
    const report = await run(fixture('defects.ndjson'));
    const entries = (list: typeof report.errors) => list.map((p) => [p.line, p.field ?? null, p.value ?? null, p.message]);
    expect(entries(report.errors)).toEqual([
      [2, 'nom', 'CS', 'nom must be 3 to 150 characters long, not 2'],
      [3, 'date_maj', '1999-12-31', 'date_maj must not be before 2000-01-01'],
      [3, 'siret', '1234', 'siret must be a 14-digit SIRET'],
      [4, 'date_maj', '2027-01-15', 'date_maj must not be in the future (today is 2026-12-01)'],
      [4, 'code_postal', '35 000', 'code_postal must be a 5-digit postal code'],
      [4, 'code_insee', '3523', 'code_insee must be a 5-character INSEE commune code'],
      [5, 'courriel', '(masked: contact data)', 'courriel must be an e-mail address'],
      [5, 'site_web', 'tilleuls.fr', 'site_web must be an http(s) URL'],
      [6, 'id', 's1', 'the id is already used by the structure on line 1'],
      [7, 'source', 'dora', 'the row\'s source is not the imported source "mon-cd" (--source)'],
      [8, 'reseaux_porteurs[1]', 'pas-un-reseau', 'reseaux_porteurs[1] is not a value of the reseaux_porteurs nomenclature'],
      [16, null, null, expect.stringMatching(/^not JSON: /)],
      [9, 'publics', '["tous-publics","jeunes"]', 'publics must not combine "tous-publics" with other publics'],
      [10, 'description', null, 'description is required'],
      [11, 'structure_id', 'mon-cd--inconnue', 'structure_id names no structure of this file or of the store'],
      [12, 'structure_id', 'mon-cd--s2', 'structure_id names a structure of this file that was rejected (see its errors)'],
      [13, 'modes_accueil[1]', 'en-presentiel', 'modes_accueil[1] duplicates an earlier value (sets allow no duplicates)'],
      [14, 'nombre_semaines', '0', 'nombre_semaines must be an integer ≥ 1'],
      [17, 'thematiques[0]', 'famille--garde-denfant', 'thematiques[0] is not a value of the thematiques nomenclature; did you mean "famille--garde-denfants"?'],
      [19, 'telephone', '(masked: contact data)', 'telephone must be a string'],
    ]);
    expect(entries(report.warnings)).toEqual([[5, 'couleur', null, 'unknown key: not a field of the v1 Structure schema; ignored (reported once, on its first row)']]);
    // No contact value anywhere in the report.
    expect(JSON.stringify(report)).not.toMatch(/pas-un-courriel|12345\b|0299000000/);
    expect(report.summary).toMatchObject({ read: 18, valid: 2, written: 2, unchanged: 0, rejected: 16, errors: 20, warnings: 1 });
    expect(await store.prisma.structure.findMany({ select: { id: true } })).toEqual([{ id: 'mon-cd--s1' }]);
    expect(await store.prisma.service.findMany({ select: { id: true, structureId: true } })).toEqual([{ id: 'mon-cd--v7', structureId: 'mon-cd--s1' }]);
  });

  it('reads CSV: control rows, multi-line cells, lists in every form, `;` files, French dates and decimal commas', async () => {
    const structures = await run(fixture('structures.csv'));
    expect(structures.summary).toMatchObject({ read: 4, valid: 4, written: 4, rejected: 0, ignored: 1, errors: 0, warnings: 0 });
    const services = await run(fixture('services.csv'));
    expect(services.errors).toEqual([]);
    expect(services.summary).toMatchObject({ read: 2, written: 2 });
    const rows = await store.prisma.structure.findMany({ orderBy: { id: 'asc' }, select: { id: true, reseauxPorteurs: true, description: true } });
    expect(rows).toEqual([
      { id: 'mon-cd--cs-tilleuls', reseauxPorteurs: ['ccas-cias', 'france-service'], description: 'Un centre social de quartier,\nouvert à tous.' },
      { id: 'mon-cd--epicerie', reseauxPorteurs: ['france-service'], description: null },
      { id: 'mon-cd--mairie-annexe', reseauxPorteurs: ['ccas-cias'], description: null },
      { id: 'mon-cd--ml-rennes', reseauxPorteurs: ['mission-locale'], description: null },
    ]);
    const cej = await store.prisma.service.findUniqueOrThrow({ where: { id: 'mon-cd--cej' } });
    expect(cej).toMatchObject({
      thematiques: ['trouver-un-emploi--repondre-a-des-offres-demploi', 'famille--garde-denfants'],
      publics: ['jeunes'],
      modesAccueil: ['a-distance', 'en-presentiel'],
      zoneEligibilite: ['243500139'],
      volumeHoraireHebdomadaire: 10.5,
      nombreSemaines: 12,
    });
    const aide = await store.prisma.service.findUniqueOrThrow({ where: { id: 'mon-cd--aide-alimentaire' } });
    expect(aide.dateMaj.toISOString().slice(0, 10)).toBe('2026-10-01');
    expect(aide.publics).toEqual(['familles', 'personnes-en-situation-durgence']);
  });

  it.each(['offer.json', 'offer-array.json', 'offer.ndjson'])('reads %s: a service may come before its structure', async (name) => {
    const report = await run(fixture(name));
    expect(report.errors).toEqual([]);
    expect(report.summary).toMatchObject({ read: 2, valid: 2, written: 2, rejected: 0 });
    expect((await count()).services).toBe(1);
  });

  it('reports a JSON record at the line it starts on; a truncated file is an error', async () => {
    const file = path.join(dir, 'lines.json');
    fs.writeFileSync(
      file,
      '[\n  {"id": "a", "nom": "Centre social", "date_maj": "2026-10-01"},\n  {\n    "id": "b",\n    "nom": "X",\n    "date_maj": "2026-10-01"\n  },\n  "texte",\n',
    );
    const report = await run(file);
    expect(report.errors.map((p) => [p.line, p.field ?? null, p.message])).toEqual([
      [3, 'nom', 'nom must be 3 to 150 characters long, not 1'],
      [8, null, 'a record must be a JSON object'],
      [9, null, 'the JSON ends before its arrays are closed (a truncated file?)'],
    ]);
    expect(report.summary).toMatchObject({ read: 3, written: 1, rejected: 2 });
  });

  it("reads the reference's producer template with its spreadsheet quirks", async () => {
    const file = path.join(dir, 'modele.xlsx');
    await templateWorkbook(file);
    const report = await run(file);
    const entries = (list: typeof report.errors) => list.map((p) => [p.sheet, p.line, p.column ?? null, p.field ?? null, p.value ?? null, p.message]);
    expect(entries(report.warnings)).toEqual([
      ['Structures', 1, 'C', null, '2026-02-23', expect.stringContaining('the header cell is a date, not a column name')],
      ['Structures', 1, 'O', null, 'colonne en trop', 'unknown column: not a field of the v1 Structure schema; ignored'],
      ['Structures', 4, 'J', 'telephone', null, 'the cell is a number: its leading 0 is restored; format the column as text'],
      ['Structures', 5, 'G', 'code_postal', null, 'the cell is a number: read as "01000" (leading zeros restored); format the column as text'],
      ['Services', 1, 'D', null, '2026-03-03', expect.stringContaining('read as date_maj')],
      ['Services', 1, 'I', 'lien_source', 'lien_source', expect.stringContaining('column lien_source appears more than once (also column G)')],
      ['Services', 1, 'P', null, 'lien_url_gen', 'unknown column: not a field of the v1 Service schema; ignored'],
    ]);
    expect(entries(report.errors)).toEqual([
      ['Structures', 6, 'D', 'nom', null, 'the cell holds a formula the file has no computed value for (save it from a spreadsheet program)'],
      ['Structures', 6, null, 'nom', null, 'nom is required'],
      ['Services', 5, null, 'lien_source', null, 'columns G and I both give lien_source, with different values'],
      ['Services', 5, null, 'frais', 'true', 'frais is not a value of the frais nomenclature'],
      ['Services', 5, null, 'nombre_semaines', 'beaucoup', 'nombre_semaines must be a number'],
    ]);
    expect(report.summary).toMatchObject({ read: 5, valid: 3, written: 3, rejected: 2, ignored: 4 });
    const folie = await store.prisma.structure.findUniqueOrThrow({ where: { id: 'mon-cd--folie-mericourt' } });
    expect(folie).toMatchObject({
      nom: 'Maison de quartier Folie-Méricourt', // a formula's value
      siret: '82454114801871', // a number cell
      codePostal: '75011',
      codeInsee: '75111',
      telephone: '0123456789',
      siteWeb: 'https://folie.fr/', // a hyperlink
      horairesAccueil: 'Mo-Fr 09:00-18:00', // rich text
      reseauxPorteurs: ['ccas-cias', 'france-service'],
    });
    expect(folie.dateMaj.toISOString().slice(0, 10)).toBe('2026-11-02'); // a date cell under a date header
    expect((await store.prisma.structure.findUniqueOrThrow({ where: { id: 'mon-cd--bourg' } })).codePostal).toBe('01000');
    const permanence = await store.prisma.service.findUniqueOrThrow({ where: { id: 'mon-cd--permanence' } });
    expect(permanence).toMatchObject({ zoneEligibilite: ['75056'], modesAccueil: ['en-presentiel', 'a-distance'], volumeHoraireHebdomadaire: 2.5, nombreSemaines: 4 });
  });

  it('is idempotent: the same file again writes nothing', async () => {
    const first = await run(fixture('structures.csv'));
    expect(first.summary).toMatchObject({ written: 4, unchanged: 0 });
    const before = await store.prisma.structure.findMany({ orderBy: { id: 'asc' }, select: { id: true, updatedAt: true } });
    const second = await run(fixture('structures.csv'));
    expect(second.summary).toMatchObject({ read: 4, valid: 4, written: 0, unchanged: 4 });
    expect(await store.prisma.structure.findMany({ orderBy: { id: 'asc' }, select: { id: true, updatedAt: true } })).toEqual(before);
  });

  it('registers an unknown source with its name; refuses one without a name', async () => {
    await expect(run(fixture('structures.csv'), { source: 'autre-cd', sourceName: undefined })).rejects.toThrow(
      'unknown source "autre-cd": give --source-name "Its name" to register it with this import',
    );
    const report = await run(fixture('structures.csv'), { source: 'autre-cd', sourceName: 'Un autre département' });
    expect(report.sourceRegistered).toBe(true);
    expect(await store.prisma.source.findUnique({ where: { slug: 'autre-cd' } })).toMatchObject({ nom: 'Un autre département' });
    expect((await store.prisma.structure.findFirstOrThrow()).id).toMatch(/^autre-cd--/);
    // The new source is one of the graph's at once: named, and a filter on it works.
    const api = await createTestApp(store);
    try {
      const { data, errors } = await api.query(`{ structures(filter: { sources: ["autre-cd"] }) { totalCount nodes { source { slug nom } } } }`);
      expect(errors).toBeUndefined();
      expect(data.structures.totalCount).toBe(await store.prisma.structure.count());
      expect(data.structures.nodes[0].source).toEqual({ slug: 'autre-cd', nom: 'Un autre département' });
    } finally {
      await api.stop();
    }
    // A known source (of the reference) needs no name; unknown nomenclature values stay errors whatever the source.
    const dora = await run(fixture('structures.csv'), { source: 'dora', sourceName: undefined, dryRun: true });
    expect(dora.sourceRegistered).toBe(true); // registered under the reference's name
    expect(dora.summary.rejected).toBe(0);
  });

  it('looks for duplicates around what it wrote: the same place listed twice in a file is one cluster', async () => {
    const place = {
      nom: 'Centre social des Trois Cités',
      date_maj: '2026-09-01',
      siret: '41234567800017',
      commune: 'Poitiers',
      code_postal: '86000',
      code_insee: '86194',
      adresse: '12 rue des Trois Cités',
      telephone: '05 49 00 00 00',
    };
    const file = path.join(dir, 'doublons.json');
    fs.writeFileSync(file, JSON.stringify([
      { ...place, id: 'mon-cd--cs-3-cites' },
      { ...place, id: 'mon-cd--centre-social-3-cites', nom: 'Centre Social Trois Cites' },
    ]));
    const report = await run(file);
    expect(report.summary.rejected).toBe(0);
    const rows = await store.prisma.structure.findMany({ where: { id: { in: ['mon-cd--cs-3-cites', 'mon-cd--centre-social-3-cites'] } }, select: { clusterId: true } });
    expect(rows).toHaveLength(2);
    expect(rows[0].clusterId).not.toBeNull();
    expect(rows[1].clusterId).toBe(rows[0].clusterId);
  });

  it('a dry run validates and reports, and writes nothing (not even the source)', async () => {
    const report = await run(fixture('defects.ndjson'), { dryRun: true });
    expect(report.summary).toMatchObject({ read: 18, valid: 2, written: 0, rejected: 16 });
    expect(await count()).toEqual({ structures: 0, services: 0 });
    expect(await store.prisma.source.findUnique({ where: { slug: 'mon-cd' } })).toBeNull();
  });

  it('writes in batches of the given size, structures before services', async () => {
    const batches: string[] = [];
    const report = await run(fixture('structures.csv'), { batchSize: 3, afterBatch: ({ kind, rows }) => void batches.push(`${kind}:${rows}`) });
    expect(report.summary.written).toBe(4);
    expect(batches).toEqual(['structure:3', 'structure:1']);
  });

  it('the operation prints the summary, writes the report file and exits 1 when a row is rejected', async () => {
    const reportFile = path.join(dir, 'report.json');
    const result = await runOperation('import', { file: fixture('defects.ndjson'), source: 'mon-cd', sourceName: 'Mon CD', report: reportFile }, { store, config });
    expect(result.exitCode).toBe(1);
    expect(result.lines[0]).toMatch(/^import defects\.ndjson \(ndjson, source mon-cd, new source registered\): 18 rows read \(9 structures, 9 services\), 2 valid, 2 written, 0 unchanged, 16 rejected; 20 errors, 1 warning$/);
    expect(result.lines).toContain(`report written to ${reportFile}`);
    const saved = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
    expect(saved.errors[0]).toEqual({ severity: 'error', kind: 'structure', line: 2, id: 's2', field: 'nom', value: 'CS', message: 'nom must be 3 to 150 characters long, not 2' });
    const clean = await runOperation('import', { file: fixture('structures.csv'), source: 'mon-cd' }, { store, config });
    expect(clean.exitCode).toBe(0);
  });
});
