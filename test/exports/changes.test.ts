import { Client } from 'pg';
import { Prisma } from '../../src/generated/prisma/client';
import { pruneChanges } from '../../src/store/changes';
import { publicRecords, type PublicRecord } from '../../src/exports/public-records';
import { syncSources, writeOffer } from '../../src/store/write';
import type { ServiceRecord } from '../../src/domain/validation';
import { ENGINES, createTestStore, type TestStore } from '../support/engines';
import { createTestApp } from '../support/graphql';
import * as fixture from '../fixtures/offer';

/**
 * The change feed (issue 13): a replica that applies it from an empty cursor holds exactly the store's public
 * content — also when records change between its pages —, on both engines; the same through GraphQL and NDJSON;
 * public whatever the token; expired cursors refused; a transaction still running never skipped (PostgreSQL).
 */

const FEED = `query ($since: String, $first: Int) {
  changes(since: $since, first: $first) {
    nodes { cursor entity id source operation changedAt record }
    pageInfo { hasNextPage endCursor }
  }
}`;

interface Change {
  cursor: string;
  entity: 'STRUCTURE' | 'SERVICE';
  id: string;
  source: string;
  operation: 'UPSERT' | 'DELETE';
  record: PublicRecord | null;
}

type Replica = Map<string, PublicRecord>;

/**
 * The feed waits for the oldest write transaction still running in the whole PostgreSQL cluster (other test
 * files write to their own databases of the same server meanwhile): what a test wrote may come a moment later.
 * Asks again until `done` holds, for at most 20 s.
 */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean | Promise<boolean>): Promise<T> {
  const until = Date.now() + 20_000;
  for (;;) {
    const value = await read();
    if ((await done(value)) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function extra(id: string, nom: string): ServiceRecord {
  return {
    ...fixture.services[0],
    id,
    nom,
  } as ServiceRecord;
}

describe.each(ENGINES)('the change feed on %s', (engine) => {
  let store: TestStore;
  let api: Awaited<ReturnType<typeof createTestApp>>;

  beforeAll(async () => {
    store = await createTestStore(engine);
    await syncSources(store);
    await writeOffer(store, { structures: fixture.structures, services: fixture.services }, { now: fixture.NOW });
    api = await createTestApp(store, { restrictedSources: ['soliguide'] });
  });
  afterAll(async () => {
    await api?.stop();
    await store?.dispose();
  });

  async function page(since: string | null, first: number, authorization?: string) {
    const { data, errors } = await api.query(FEED, { since, first }, authorization);
    expect(errors).toBeUndefined();
    return data.changes as { nodes: Change[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
  }

  function apply(replica: Replica, changes: Change[]): void {
    for (const change of changes) {
      const key = `${change.entity}:${change.id}`;
      if (change.operation === 'UPSERT') replica.set(key, change.record!);
      else replica.delete(key);
    }
  }

  /** Pages until caught up; `between` runs after each page (changes made while the replica syncs). */
  async function sync(replica: Replica, since: string | null, first: number, between?: (pageIndex: number) => Promise<void>): Promise<string> {
    let cursor = since;
    for (let i = 0; i < 2000; i++) {
      const { nodes, pageInfo } = await page(cursor, first);
      apply(replica, nodes);
      cursor = pageInfo.endCursor;
      await between?.(i);
      if (!pageInfo.hasNextPage) {
        // Caught up once the replica holds the store (what `between` wrote may come a moment later).
        if (mapsEqual(replica, await storeContent())) return cursor;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    throw new Error('the feed never caught up');
  }

  function mapsEqual(a: Replica, b: Replica): boolean {
    return a.size === b.size && [...a].every(([key, value]) => JSON.stringify(value) === JSON.stringify(b.get(key)));
  }

  /** The store's public content, as a replica should hold it. */
  async function storeContent(): Promise<Replica> {
    const content: Replica = new Map();
    for (const [entity, table] of [['STRUCTURE', 'structures'], ['SERVICE', 'services']] as const) {
      for await (const batch of publicRecords(store, table, {}, { restrictedSources: ['soliguide'] })) {
        for (const record of batch) content.set(`${entity}:${String(record.id)}`, record);
      }
    }
    return content;
  }

  test('an empty replica applying the feed from the start holds the store, with updates and deletions made while it syncs', async () => {
    const replica: Replica = new Map();
    await sync(replica, null, 2, async (i) => {
      if (i === 0) await writeOffer(store, { structures: [], services: [extra('dora--feed-new', 'Nouveau service du flux')] }, { now: fixture.NOW });
      if (i === 1) await store.query(Prisma.sql`UPDATE services SET nom = 'Atelier numérique (renommé)' WHERE id = ${fixture.services[0].id}`);
      if (i === 2) await store.query(Prisma.sql`DELETE FROM services WHERE id = ${fixture.services[1].id}`);
    });
    const expected = await storeContent();
    expect(replica).toEqual(expected);
    expect(replica.get(`SERVICE:${fixture.services[0].id}`)?.nom).toBe('Atelier numérique (renommé)');
    expect(replica.has(`SERVICE:${fixture.services[1].id}`)).toBe(false);
    expect(replica.has('SERVICE:dora--feed-new')).toBe(true);
  });

  test('a replica resuming from its cursor gets only what changed since, tombstones included', async () => {
    const replica: Replica = new Map();
    const cursor = await sync(replica, null, 100);
    await store.query(Prisma.sql`DELETE FROM services WHERE id = 'dora--feed-new'`);
    const { nodes, pageInfo } = await eventually(() => page(cursor, 100), (p) => p.nodes.length > 0);
    expect(nodes.map((n) => [n.entity, n.id, n.operation, n.record])).toEqual([['SERVICE', 'dora--feed-new', 'DELETE', null]]);
    apply(replica, nodes);
    expect(replica).toEqual(await storeContent());
    // Caught up: an empty page keeps the cursor.
    const empty = await page(pageInfo.endCursor, 100);
    expect(empty.nodes).toEqual([]);
    expect(empty.pageInfo).toEqual({ hasNextPage: false, endCursor: pageInfo.endCursor });
  });

  test('public whatever the token: no contact field, no restricted source', async () => {
    await syncSources(store);
    const soliguide = { ...fixture.structures[0], id: 'soliguide--feed', source: 'soliguide', nom: 'Lieu Soliguide du flux' };
    await writeOffer(store, { structures: [soliguide], services: [] }, { now: fixture.NOW });
    const { nodes } = await page(null, 1000);
    expect(nodes.some((n) => n.source === 'soliguide')).toBe(false);
    const text = JSON.stringify(nodes);
    for (const field of ['courriel', 'telephone', 'contact_nom_prenom']) expect(text).not.toContain(`"${field}"`);
    for (const value of fixture.structures.flatMap((s) => [s.courriel, s.telephone]).filter(Boolean)) expect(text).not.toContain(String(value));
    const record = nodes.find((n) => n.entity === 'SERVICE' && n.record)!.record!;
    expect(Object.keys(record).slice(-2)).toEqual(['score_qualite', 'fraicheur']);
  });

  test('NDJSON at /exports/changes.ndjson: the same changes, the cursor in a header, errors with their code', async () => {
    const base = (await api.url()).replace('/graphql', '');
    const response = await fetch(`${base}/exports/changes.ndjson?limit=3`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    const lines = (await response.text()).trim().split('\n').map((line) => JSON.parse(line));
    const graph = await page(null, 3);
    expect(lines.map((l) => [l.cursor, l.id, l.operation, l.record])).toEqual(graph.nodes.map((n) => [n.cursor, n.id, n.operation, n.record]));
    expect(response.headers.get('x-passerelle-changes-cursor')).toBe(graph.pageInfo.endCursor);
    expect(response.headers.get('x-passerelle-has-more')).toBe('true');

    const bad = await fetch(`${base}/exports/changes.ndjson?since=not-a-cursor`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ errors: [{ extensions: { code: 'BAD_USER_INPUT', argument: 'since' } }] });
    const limit = await fetch(`${base}/exports/changes.ndjson?limit=0`);
    expect(limit.status).toBe(400);
  });

  test('an export gives the cursor to resume the feed from: only what changed after it comes', async () => {
    const base = (await api.url()).replace('/graphql', '');
    const response = await fetch(`${base}/exports/services.ndjson`);
    expect(response.status).toBe(200);
    const cursor = response.headers.get('x-passerelle-changes-cursor')!;
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    await response.text();
    expect((await page(cursor, 100)).nodes).toEqual([]);
    await store.query(Prisma.sql`UPDATE services SET nom = 'Après l’export' WHERE id = ${fixture.services[0].id}`);
    const after = await eventually(() => page(cursor, 100), (p) => p.nodes.length > 0);
    expect(after.nodes.map((n) => [n.id, n.operation, n.record?.nom])).toEqual([[fixture.services[0].id, 'UPSERT', 'Après l’export']]);
  });

  test('tombstones past the retention are pruned: an older cursor gets CHANGES_CURSOR_EXPIRED (GraphQL) and 410 (NDJSON)', async () => {
    const before = (await page(null, 1)).pageInfo.endCursor;
    await writeOffer(store, { structures: [], services: [extra('dora--feed-gone', 'Service supprimé')] }, { now: fixture.NOW });
    await store.query(Prisma.sql`DELETE FROM services WHERE id = 'dora--feed-gone'`);
    const replica: Replica = new Map();
    const caughtUp = await sync(replica, null, 1000);
    // A year later, with a 90-day retention.
    const removed = await eventually(() => pruneChanges(store, 90, new Date(Date.now() + 365 * 86_400_000)), (r) => r.tombstones > 0);
    expect(removed.tombstones).toBeGreaterThan(0);
    for (const since of [before, null]) {
      const { data, errors } = await api.query(FEED, { since, first: 10 });
      expect(data?.changes ?? null).toBeNull();
      expect(errors?.[0]).toMatchObject({ extensions: { code: 'CHANGES_CURSOR_EXPIRED', argument: 'since' } });
      expect(errors?.[0].message).toMatch(/^since: .*download the export/);
    }
    const base = (await api.url()).replace('/graphql', '');
    expect((await fetch(`${base}/exports/changes.ndjson?since=${before}`)).status).toBe(410);
    // A replica that was caught up keeps going; pruning dropped superseded changes, not what it still needs.
    expect((await page(caughtUp, 10)).nodes).toEqual([]);
    await store.query(Prisma.sql`UPDATE structures SET nom = 'Centre social Belleville (après)' WHERE id = ${fixture.structures[0].id}`);
    const after = await eventually(() => page(caughtUp, 10), (p) => p.nodes.length > 0);
    expect(after.nodes.map((n) => [n.id, n.operation])).toEqual([[fixture.structures[0].id, 'UPSERT']]);
  });
});

describe('the change feed never skips a transaction still running (PostgreSQL)', () => {
  test('a later transaction that commits first waits behind the earlier one; both come, in order', async () => {
    const store = await createTestStore('postgres');
    const api = await createTestApp(store);
    const slow = new Client({ connectionString: store.url });
    await slow.connect();
    try {
      await syncSources(store);
      await writeOffer(store, { structures: fixture.structures, services: fixture.services }, { now: fixture.NOW });
      const all = async (since: string | null) => {
        const { data, errors } = await api.query(FEED, { since, first: 1000 });
        expect(errors).toBeUndefined();
        return data.changes as { nodes: Change[]; pageInfo: { endCursor: string } };
      };
      const start = (await all(null)).pageInfo.endCursor;
      // The slow transaction writes first (it gets the lower transaction id) and stays open.
      await slow.query('BEGIN');
      await slow.query(`UPDATE structures SET nom = 'Écrit par la transaction lente' WHERE id = $1`, [fixture.structures[0].id]);
      // Another one writes and commits meanwhile.
      await store.query(Prisma.sql`UPDATE structures SET nom = 'Écrit ensuite' WHERE id = ${fixture.structures[1].id}`);
      const during = await all(start);
      expect(during.nodes).toEqual([]);
      await slow.query('COMMIT');
      const after = await eventually(() => all(during.pageInfo.endCursor), (p) => p.nodes.length >= 2);
      expect(after.nodes.map((n) => n.id)).toEqual([fixture.structures[0].id, fixture.structures[1].id]);
      expect(after.nodes[0].record?.nom).toBe('Écrit par la transaction lente');
    } finally {
      await slow.end();
      await api.stop();
      await store.dispose();
    }
  });
});
