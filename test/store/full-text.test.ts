import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Prisma } from '../../src/generated/prisma/client';
import { ENGINES, createTestStore, type TestStore } from '../support/engines';
import { createTestApp } from '../support/graphql';
import { syncSources, writeOffer } from '../../src/store/write';
import { deployMigrations, defaultMigrationsDir } from '../../src/store/migrate';
import { documentMatches, normaliseText, searchDocument, textMatch, textRank } from '../../src/store/full-text';
import type { ServiceRecord } from '../../src/domain/validation';
import * as fixture from '../fixtures/offer';

/**
 * `ServiceFilter.q` (src/store/full-text.ts): French full-text over nom, description, thématique labels and
 * publics_precisions, on both engines. The in-memory form shares the table of src/store/offer-filter's cases
 * (test/store/offer-filter.test.ts); here, the store's side and what only it does (pages, rank, backfill).
 */

const service = (id: string, fields: Partial<ServiceRecord>): ServiceRecord =>
  ({
    date_maj: '2026-10-01',
    id,
    source: 'dora',
    structure_id: 'dora--paris-11',
    type: 'accompagnement',
    thematiques: [],
    publics: ['tous-publics'],
    ...fields,
  }) as ServiceRecord;

const E1 = 'dora--ft-ecrivain-1';
const E2 = 'dora--ft-ecrivain-2';
const E3 = 'dora--ft-ecrivain-3';
const O = 'dora--ft-other';
const SERVICES: ServiceRecord[] = [
  service(E1, { nom: 'Écrivain public', description: 'Aide à la rédaction de courriers administratifs.', frais: 'gratuit', code_insee: '75111' }),
  service(E2, { nom: 'Permanence du mardi', description: 'Des écrivains publics vous aident pour vos démarches.', frais: 'payant' }),
  service(E3, { nom: 'Ecrivain-public numérique', description: 'Rédiger un courriel, remplir un formulaire en ligne.', frais: 'gratuit', code_insee: '75111' }),
  service(O, {
    nom: 'Aide alimentaire',
    description: 'Colis et épicerie solidaire, une fois par semaine.',
    // Label "Accès aux soins": "soins" is in no other field of these services.
    thematiques: ['sante--acces-aux-soins'],
    publics_precisions: 'Familles monoparentales hébergées à l’hôtel',
  }),
];
const ECRIVAINS = [E1, E2, E3];

const PAGE = `query ($filter: ServiceFilter, $first: Int, $after: String) {
  services(filter: $filter, first: $first, after: $after) { totalCount nodes { id } pageInfo { hasNextPage endCursor } }
}`;

describe('normalisation and the in-memory rule', () => {
  test('accents, case, hyphens and apostrophes', () => {
    expect(normaliseText('Écrivain-public l’Œuvre')).toBe('ecrivain public l oeuvre');
    expect(normaliseText('-exclu')).toBe('-exclu');
  });
  test('the document holds the thématique labels, not only their slugs', () => {
    expect(searchDocument({ nom: 'X', description: 'Y', thematiques: ['sante--acces-aux-soins'], publics_precisions: 'Z' })).toBe('x\ny\nacces aux soins\nz');
  });
  test.each([
    ['écrivain public', true],
    ['ecrivains publics', true],
    ['Écrivain-public', true],
    ['des écrivains', true],
    ['écrivain -public', false],
    ['le des', false],
  ])('%s', (q, expected) => {
    expect(documentMatches(normaliseText('Écrivain public, aide aux démarches'), q)).toBe(expected);
  });
});

describe.each(ENGINES)('full-text q on %s', (engine) => {
  let store: TestStore;
  let api: Awaited<ReturnType<typeof createTestApp>>;

  beforeAll(async () => {
    store = await createTestStore(engine, { territories: true });
    await syncSources(store);
    await writeOffer(store, { structures: fixture.structures, services: SERVICES }, { now: fixture.NOW });
    api = await createTestApp(store);
  });
  afterAll(async () => {
    await api?.stop();
    await store?.dispose();
  });

  const ids = async (filter: Record<string, unknown>) => {
    const result = await api.query(PAGE, { filter, first: 100 });
    expect(result.errors).toBeUndefined();
    expect(result.data.services.totalCount).toBe(result.data.services.nodes.length);
    return result.data.services.nodes.map((n: { id: string }) => n.id);
  };

  test.each(['écrivain public', 'ecrivains publics', 'Écrivain-public', 'ÉCRIVAIN PUBLIC', 'l’écrivain des publics', '"écrivain public"'])(
    'accents, plurals, hyphens and stop words: %s',
    async (q) => {
      expect(await ids({ q })).toEqual(ECRIVAINS);
    },
  );

  test('a word only in a thématique label', async () => {
    expect(await ids({ q: 'soins' })).toEqual([O]);
  });

  test('publics_precisions', async () => {
    expect(await ids({ q: 'monoparentale hotel' })).toEqual([O]);
  });

  test('web-search syntax: or, -excluded', async () => {
    expect(await ids({ q: 'courriers or colis' })).toEqual([E1, O]);
    expect(await ids({ q: 'écrivain -numérique' })).toEqual([E1, E2]);
  });

  test('combined with other criteria', async () => {
    expect(await ids({ q: 'écrivain public', frais: ['gratuit'] })).toEqual([E1, E3]);
    expect(await ids({ q: 'écrivain public', sources: ['france-travail'] })).toEqual([]);
  });

  test('in a territory’s services connection, and on structures’ services', async () => {
    const result = await api.query(`{
      commune(code: "75056") { services(filter: { q: "écrivains" }) { totalCount nodes { id } } }
      structure(id: "dora--paris-11") { services(filter: { q: "monoparentales" }) { nodes { id } } }
    }`);
    expect(result.errors).toBeUndefined();
    expect(result.data.commune.services).toEqual({ totalCount: 2, nodes: [{ id: E1 }, { id: E3 }] });
    expect(result.data.structure.services.nodes).toEqual([{ id: O }]);
  });

  test('keyset pages keep the id order, with no gap or repeat', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const result = await api.query(PAGE, { filter: { q: 'ecrivain' }, first: 1, after });
      expect(result.errors).toBeUndefined();
      const { nodes, pageInfo, totalCount } = result.data.services;
      expect(totalCount).toBe(3);
      seen.push(...nodes.map((n: { id: string }) => n.id));
      if (!pageInfo.hasNextPage) break;
      after = pageInfo.endCursor;
    }
    expect(seen).toEqual(ECRIVAINS);
  });

  test.each([
    ['empty once trimmed', '   '],
    ['longer than 200 characters', 'a'.repeat(201)],
  ])('bad q: %s', async (_, q) => {
    const result = await api.query(PAGE, { filter: { q }, first: 10 });
    expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0].message).toMatch(/^filter\.q: /);
  });

  test('200 characters once trimmed are accepted', async () => {
    const result = await api.query(PAGE, { filter: { q: ` ${'a'.repeat(200)} ` }, first: 10 });
    expect(result.errors).toBeUndefined();
  });

  test('textMatch and textRank order a search by relevance', async () => {
    const rows = await store.query<{ id: string; rank: number }>(
      Prisma.sql`SELECT s.id, ${textRank('s', 'écrivain public')} AS rank FROM services s WHERE ${textMatch('s', 'écrivain public')} ORDER BY rank DESC, s.id`,
    );
    expect(rows.map((r) => r.id).sort()).toEqual(ECRIVAINS);
    expect(rows.every((r) => r.rank > 0)).toBe(true);
    for (let i = 1; i < rows.length; i++) expect(rows[i - 1].rank).toBeGreaterThanOrEqual(rows[i].rank);
  });

  test('writing the same services again leaves them unchanged (the document compares equal)', async () => {
    const result = await writeOffer(store, { structures: fixture.structures, services: SERVICES }, { now: fixture.NOW });
    expect(result.servicesWritten).toBe(0);
    expect(result.servicesUnchanged).toBe(SERVICES.length);
  });
});

describe.each(ENGINES)('a store migrated before full_text on %s', (engine) => {
  let store: TestStore;
  let before: string;
  beforeAll(async () => {
    before = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-before-full-text-'));
    for (const entry of fs.readdirSync(defaultMigrationsDir())) {
      if (entry.endsWith('.toml') || entry < '20261202051000') fs.cpSync(path.join(defaultMigrationsDir(), entry), path.join(before, entry), { recursive: true });
    }
    store = await createTestStore(engine, { migrate: false });
    await deployMigrations(store, before);
  });
  afterAll(async () => {
    await store?.dispose();
    fs.rmSync(before, { recursive: true, force: true });
  });

  test('gets its existing services searchable on the next deploy', async () => {
    await store.prisma.$executeRawUnsafe(
      `INSERT INTO structures (id, source, nom, date_maj) VALUES ('dora--old', 'dora', 'Ancienne', '2026-01-01')`,
    );
    await store.prisma.$executeRawUnsafe(
      `INSERT INTO services (id, source, structure_id, nom, description, date_maj, thematiques, publics_precisions)
       VALUES ('dora--old-1', 'dora', 'dora--old', 'Écrivains publics', 'Aide aux démarches.', '2026-01-01', '{sante--acces-aux-soins}', 'Personnes âgées'),
              ('dora--old-2', 'dora', 'dora--old', 'Autre', 'Rien à voir.', '2026-01-01', '{}', NULL)`,
    );
    expect(await deployMigrations(store)).toContain('20261202051000_full_text');
    const matching = async (q: string) =>
      (await store.query<{ id: string }>(Prisma.sql`SELECT s.id FROM services s WHERE ${textMatch('s', q)} ORDER BY s.id`)).map((r) => r.id);
    expect(await matching('écrivain public')).toEqual(['dora--old-1']);
    expect(await matching('soins')).toEqual(['dora--old-1']);
    expect(await matching('agees')).toEqual(['dora--old-1']);
    const [{ missing }] = await store.query<{ missing: number }>(Prisma.sql`SELECT count(*)::int AS missing FROM services WHERE recherche IS NULL`);
    expect(missing).toBe(0);
  });
});
