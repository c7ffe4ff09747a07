import { UsageRecorder } from '../../src/auth/usage';
import { createTestStore, ENGINES, type TestStore } from '../support/engines';

describe.each(ENGINES)('usage on %s', (engine) => {
  let store: TestStore;
  const statements: string[] = [];
  beforeAll(async () => {
    store = await createTestStore(engine, { onQuery: (sql) => statements.push(sql) });
    await store.prisma.apiClient.createMany({
      data: ['a', 'b', 'c', 'idle'].map((id) => ({ id, name: id.toUpperCase() })),
    });
  });
  afterAll(async () => {
    await store?.dispose();
  });

  const clients = async () =>
    Object.fromEntries(
      (await store.prisma.apiClient.findMany({ orderBy: { id: 'asc' } })).map((c) => [c.id, { n: c.requestCount, last: c.lastSeenAt }]),
    );

  test('100 requests are written by one UPDATE on flush, with their counts and last-seen instants', async () => {
    const usage = new UsageRecorder(store, { flushIntervalSeconds: 0 });
    const start = Date.parse('2026-03-01T09:00:00.000Z');
    for (let i = 0; i < 100; i += 1) {
      // a: 50 requests, b: 30, c: 20; instants not in order.
      const id = i % 10 < 5 ? 'a' : i % 10 < 8 ? 'b' : 'c';
      usage.record(id, new Date(start + ((i * 37) % 100) * 1000));
    }
    expect(usage.pendingCount).toBe(100);
    const before = statements.length;
    await usage.flush();
    const written = statements.slice(before);
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(/^\s*UPDATE api_clients/);
    expect(usage.pendingCount).toBe(0);

    const lastOf = (id: string) => {
      let last = 0;
      for (let i = 0; i < 100; i += 1) {
        const who = i % 10 < 5 ? 'a' : i % 10 < 8 ? 'b' : 'c';
        if (who === id) last = Math.max(last, start + ((i * 37) % 100) * 1000);
      }
      return new Date(last);
    };
    expect(await clients()).toEqual({
      a: { n: 50, last: lastOf('a') },
      b: { n: 30, last: lastOf('b') },
      c: { n: 20, last: lastOf('c') },
      idle: { n: 0, last: null },
    });

    // Counts add up; last seen never goes back.
    usage.record('a', new Date(start - 86_400_000));
    usage.record('b', new Date(start + 86_400_000));
    await usage.close();
    const after = await clients();
    expect(after.a).toEqual({ n: 51, last: lastOf('a') });
    expect(after.b).toEqual({ n: 31, last: new Date(start + 86_400_000) });
  });

  test('nothing pending: nothing written', async () => {
    const usage = new UsageRecorder(store, { flushIntervalSeconds: 0 });
    const before = statements.length;
    await usage.flush();
    await usage.close();
    expect(statements.length).toBe(before);
  });

  test('unknown clients are ignored; the timer flushes', async () => {
    const usage = new UsageRecorder(store, { flushIntervalSeconds: 1 });
    usage.record('no-such-client');
    usage.record('c');
    const deadline = Date.now() + 5000;
    while (usage.pendingCount > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(usage.pendingCount).toBe(0);
    await usage.close(); // waits for the timer's write
    expect((await clients()).c.n).toBe(21);
  });
});
