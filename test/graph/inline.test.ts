import { ENGINES, createTestStore, type TestStore } from '../support/engines';
import { createTestApp } from '../support/graphql';
import { syncSources, writeOffer } from '../../src/store/write';
import { generateOffer } from '../../src/ingest/seed';
import { expandThematiques } from '../../src/domain/nomenclatures';

const NOW = new Date('2026-11-01T12:00:00Z');
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * Nested relations read in their parent's statement (src/graph/selection.ts): the answers are checked
 * against the store read directly (Prisma), through fragments, aliases, edges, filters and cursors, and
 * the statements are counted.
 */
describe.each(ENGINES)('relations read in one statement on %s', (engine) => {
  let store: TestStore;
  let api: Awaited<ReturnType<typeof createTestApp>>;
  let statements: string[] = [];

  beforeAll(async () => {
    store = await createTestStore(engine, { territories: true, onQuery: (sql) => statements.push(sql) });
    await syncSources(store);
    await writeOffer(store, generateOffer({ structures: 150, servicesPerStructure: 4, seed: 'inline', now: NOW }), { now: NOW });
    api = await createTestApp(store);
  });
  afterAll(async () => {
    await api?.stop();
    await store?.dispose();
  });

  async function run(query: string, variables?: Record<string, unknown>): Promise<{ data: any; count: number }> {
    statements = [];
    const { data, errors } = await api.query(query, variables);
    expect(errors).toBeUndefined();
    return { data, count: statements.length };
  }

  /** The store's answer, read without the graph: a structure's services matching thématiques, by id. */
  async function servicesOf(structureId: string, thematiques?: string[]) {
    const all = await store.prisma.service.findMany({
      where: { structureId, ...(thematiques ? { thematiques: { hasSome: expandThematiques(thematiques) } } : {}) },
    });
    return all.sort((a, b) => byteOrder(a.id, b.id));
  }

  test('the deep front-end query is one statement, whatever the page size', async () => {
    const deep = (n: number) => `{ services(first: ${n}) { nodes { id nom structure { id nom services(first: 5) { nodes { nom } } } } } }`;
    const ten = await run(deep(10));
    const hundred = await run(deep(100));
    expect(ten.count).toBe(1);
    expect(hundred.count).toBe(1);
    for (const service of hundred.data.services.nodes.slice(0, 20)) {
      const stored = await store.prisma.service.findUniqueOrThrow({ where: { id: service.id }, include: { structure: true } });
      expect(service.nom).toBe(stored.nom);
      expect(service.structure).toMatchObject({ id: stored.structureId, nom: stored.structure.nom });
      expect(service.structure.services.nodes.map((s: any) => s.nom)).toEqual((await servicesOf(stored.structureId)).slice(0, 5).map((s) => s.nom));
    }
  });

  test('fragments, aliases with different selections, edges, filters, counts and cursors read the right records', async () => {
    // The catégorie most services have, so that structures have several of them (pages of 1 go on).
    const counts = new Map<string, number>();
    for (const s of await store.prisma.service.findMany({ select: { thematiques: true } })) {
      for (const c of new Set(s.thematiques.map((t) => t.split('--')[0]))) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    const categorie = [...counts].sort((a, b) => b[1] - a[1])[0][0];
    const { data, count } = await run(
      `query($n: Int!, $c: [String!]) {
        services(first: 40) { edges { cursor node { ...S } } }
      }
      fragment S on Service {
        id dateMaj updatedAt provenance { live fetchedAt }
        a: structure { nom dateMaj mob: services(first: $n, filter: { thematiques: $c }) { totalCount pageInfo { hasNextPage endCursor } nodes { id } } }
        b: structure { id siret ... on Structure { all: services(first: 2) { totalCount edges { node { id a: structure { id nom } } } } } }
      }`,
      { n: 1, c: [categorie] },
    );
    expect(count).toBe(1);
    let nextPages = 0;
    for (const { node } of data.services.edges) {
      const stored = await store.prisma.service.findUniqueOrThrow({ where: { id: node.id }, include: { structure: true } });
      expect(node.dateMaj).toBe(stored.dateMaj.toISOString().slice(0, 10));
      expect(node.updatedAt).toBe(stored.updatedAt.toISOString());
      expect(node.provenance).toEqual({ live: false, fetchedAt: stored.updatedAt.toISOString() });
      expect(node.a.nom).toBe(stored.structure.nom);
      expect(node.a.dateMaj).toBe(stored.structure.dateMaj.toISOString().slice(0, 10));
      const mobilite = await servicesOf(stored.structureId, [categorie]);
      expect(node.a.mob.totalCount).toBe(mobilite.length);
      expect(node.a.mob.nodes.map((s: any) => s.id)).toEqual(mobilite.slice(0, 1).map((s) => s.id));
      expect(node.a.mob.pageInfo.hasNextPage).toBe(mobilite.length > 1);
      expect(node.b).toMatchObject({ id: stored.structureId, siret: stored.structure.siret });
      const all = await servicesOf(stored.structureId);
      expect(node.b.all.totalCount).toBe(all.length);
      expect(node.b.all.edges.map((e: any) => e.node.id)).toEqual(all.slice(0, 2).map((s) => s.id));
      for (const edge of node.b.all.edges) expect(edge.node.a).toEqual({ id: stored.structureId, nom: stored.structure.nom });

      // The next page of a nested connection read inline, through its cursor.
      if (node.a.mob.pageInfo.hasNextPage && nextPages < 3) {
        nextPages += 1;
        const next = await run(`query($id: ID!, $after: String, $c: [String!]) { structure(id: $id) { services(first: 1, after: $after, filter: { thematiques: $c }) { nodes { id } } } }`, {
          id: stored.structureId,
          c: [categorie],
          after: node.a.mob.pageInfo.endCursor,
        });
        expect(next.count).toBe(1);
        expect(next.data.structure.services.nodes.map((s: any) => s.id)).toEqual([mobilite[1].id]);
      }
    }
    expect(nextPages).toBeGreaterThan(0);
  });

  test('a filtered list with its count is one statement', async () => {
    const { data, count } = await run(
      `{ services(first: 50, filter: { thematiques: ["mobilite"] }) { totalCount nodes { id nom thematiques { label } structure { nom } } } }`,
    );
    expect(count).toBe(1);
    const expected = await store.prisma.service.count({ where: { thematiques: { hasSome: expandThematiques(['mobilite']) } } });
    expect(data.services.totalCount).toBe(expected);
    expect(data.services.nodes.length).toBe(Math.min(50, expected));
    for (const node of data.services.nodes) expect(node.thematiques.some((t: any) => typeof t.label === 'string' && t.label.length > 0)).toBe(true);
  });

  test('fifty records by id with their structure are one statement', async () => {
    const ids = (await store.prisma.service.findMany({ take: 50, orderBy: { nom: 'asc' }, include: { structure: true } }));
    const query = `{ ${ids.map((s, i) => `s${i}: service(id: "${s.id}") { id nom structure { nom } }`).join(' ')} }`;
    const { data, count } = await run(query);
    expect(count).toBe(1);
    ids.forEach((s, i) => expect(data[`s${i}`]).toEqual({ id: s.id, nom: s.nom, structure: { nom: s.structure.nom } }));
  });
});
