import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ENGINES, createTestStore, type TestStore } from '../support/engines';
import { loadConfig, type WebhookSettings } from '../../src/config';
import { createLogger } from '../../src/logger';
import { runOperation } from '../../src/operations/run';
import { syncSources, writeOffer } from '../../src/store/write';
import { deleteServices, pushRecords } from '../../src/ingest/push';
import { addWebhook, listWebhooks, replayWebhook, retryWebhook } from '../../src/webhooks/endpoints';
import { WebhookDispatcher } from '../../src/webhooks/dispatcher';
import { isPrivateAddress, checkWebhookUrl } from '../../src/webhooks/ssrf';
import { matchesFilter } from '../../src/webhooks/filter';
import type { Viewer } from '../../src/auth/viewer';
import * as fixture from '../fixtures/offer';
import { startReceiver, waitFor } from './receiver';
import { createConnector } from '../../src/partners';
import { harvest } from '../../src/partners/harvest';
import { createTransport } from '../../src/partners/http';
import type { PartnerConfig } from '../../src/partners/types';
import { startFakePartner } from '../partners/fake-server';
import * as partnerFixtures from '../partners/fixtures/data-inclusion';

/**
 * How long a test waits for an event. The change feed shows a change once every older transaction of the database
 * server has ended (src/store/changes.ts): on an idle server that is at once, on a shared test server another
 * database's long transaction can hold it back for a while.
 */
const FEED_WAIT = 30_000;

const SETTINGS: WebhookSettings = { allowPrivate: true, retryBaseMs: 50, maxAttempts: 8, pollMs: 100, timeoutMs: 2000 };
const LIMITS = { maxRecords: 1000, maxBytes: 10 * 1024 * 1024 };
const PRODUCER: Viewer = { kind: 'client', clientId: 'producer', tokenId: 't', scopes: new Set(['import']), allowedSources: new Set(['dora']) };

const mobilite = (id: string, codeInsee = '59350', extra: Record<string, unknown> = {}) => ({
  id,
  structure_id: 'dora--paris-11',
  nom: `Mobilité ${id}`,
  description: 'Un accompagnement vers la mobilité, pour se rendre au travail ou en formation, chaque semaine.',
  date_maj: '2026-10-01',
  thematiques: ['mobilite--etre-accompagne-dans-son-parcours-mobilite'],
  code_insee: codeInsee,
  courriel: 'secret-contact@example.org',
  telephone: '+33100000000',
  ...extra,
});

describe('the SSRF guard', () => {
  test.each(['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fc00::1', 'fd12::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1'])('%s is refused', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });
  test.each(['8.8.8.8', '1.1.1.1', '2001:4860:4860::8888', '::ffff:8.8.8.8'])('%s is public', (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });
  test.each(['http://127.0.0.1:9/x', 'http://[::1]/x', 'http://169.254.169.254/latest', 'http://10.0.0.1/', 'http://localhost:8080/'])('registering %s is refused unless allowed', async (url) => {
    await expect(checkWebhookUrl(url, false)).rejects.toThrow(/private|loopback/);
    await expect(checkWebhookUrl(url, true)).resolves.toBeInstanceOf(URL);
  });
  test.each(['ftp://example.org/', 'file:///etc/passwd', 'not a url', 'http://user:pw@example.org/'])('%s is not a webhook URL', async (url) => {
    await expect(checkWebhookUrl(url, true)).rejects.toThrow();
  });
});

describe('the filter', () => {
  const change = (record: Record<string, unknown> | null, entity: 'structure' | 'service' = 'service', source = 'dora') => ({ entity, source, record });
  test('département, commune, thématiques (a catégorie stands for its thématiques), sources, entities', () => {
    const service = { code_insee: '59350', thematiques: ['mobilite--etre-accompagne-dans-son-parcours-mobilite'] };
    expect(matchesFilter({ codeDepartement: '59', thematiques: ['mobilite'] }, change(service))).toBe(true);
    expect(matchesFilter({ codeDepartement: '75' }, change(service))).toBe(false);
    expect(matchesFilter({ codeCommune: '59350' }, change(service))).toBe(true);
    expect(matchesFilter({ thematiques: ['numerique'] }, change(service))).toBe(false);
    expect(matchesFilter({ thematiques: ['mobilite'] }, change({ code_insee: '59350' }, 'structure'))).toBe(false);
    expect(matchesFilter({ sources: ['dora'] }, change(null))).toBe(true);
    expect(matchesFilter({ sources: ['soliguide'] }, change(null))).toBe(false);
    expect(matchesFilter({ entities: ['structure'] }, change(service))).toBe(false);
  });
});

describe.each(ENGINES)('webhooks, on %s', (engine) => {
  let store: TestStore;
  let dispatcher: WebhookDispatcher;
  const config = loadConfig({ PASSERELLE_WEBHOOK_ALLOW_PRIVATE: 'true' });
  const secrets = new Map<string, string>();
  const receivers: Awaited<ReturnType<typeof startReceiver>>[] = [];
  const receiver = async (failures = 0) => {
    let id: string | undefined;
    const r = await startReceiver(() => (id ? secrets.get(id) : undefined), { failures });
    receivers.push(r);
    return { r, register: async (filter: unknown) => {
      const added = await addWebhook(store, { clientId: 'reuser', url: r.url, filter, allowPrivate: true });
      id = added.webhook.id;
      secrets.set(id, added.secret);
      return added.webhook.id;
    } };
  };

  // Operations first apply pending migrations, which take PostgreSQL's advisory lock on one pooled connection and
  // release it on another if the pool is shared with a busy dispatcher: the dispatcher pauses around them.
  const op = async (name: string, args: Record<string, unknown>, cfg = config) => {
    await dispatcher?.stop();
    try {
      return await runOperation(name, args, { store, config: cfg });
    } finally {
      dispatcher?.start();
    }
  };

  beforeAll(async () => {
    store = await createTestStore(engine);
    await syncSources(store);
    await writeOffer(store, { structures: fixture.structures, services: fixture.services }, { now: fixture.NOW });
    await runOperation('clients.add', { id: 'reuser', name: 'Reuser' }, { store, config });
    dispatcher = new WebhookDispatcher(store, { settings: SETTINGS, restrictedSources: config.restrictedSources, logger: createLogger('silent') });
    dispatcher.start();
  });

  afterAll(async () => {
    await dispatcher?.stop();
    for (const r of receivers) await r.close();
    await store?.dispose();
  });

  test('a push and an import reach a receiver within seconds, signed, public only, filtered', async () => {
    const { r, register } = await receiver();
    await register({ codeDepartement: '59', thematiques: ['mobilite'] });
    await pushRecords(store, PRODUCER, 'service', [mobilite('hook-1'), mobilite('hook-paris', '75111')], { limits: LIMITS });
    const first = await waitFor(() => r.accepted[0], FEED_WAIT);
    expect(first.verified).toBe(true);
    expect(first.body).toMatchObject({ type: 'offer.changed', entity: 'service', recordId: 'dora--hook-1', operation: 'UPSERT', action: 'created', source: 'dora' });
    expect(first.body.record).toMatchObject({ id: 'dora--hook-1', code_insee: '59350' });
    const text = JSON.stringify(r.all);
    expect(text).not.toContain('secret-contact@example.org');
    expect(text).not.toContain('+33100000000');

    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hook-')), 'services.ndjson');
    fs.writeFileSync(file, `${JSON.stringify(mobilite('hook-import'))}\n`);
    const result = await op('import', { file, source: 'dora', kind: 'service' });
    expect(result.exitCode ?? 0).toBe(0);
    const second = await waitFor(() => r.accepted[1], FEED_WAIT);
    expect(second.body).toMatchObject({ recordId: 'dora--hook-import', operation: 'UPSERT' });
    expect(second.verified).toBe(true);

    await pushRecords(store, PRODUCER, 'service', [mobilite('hook-import')], { limits: LIMITS }); // unchanged: no event
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(r.accepted.map((e) => e.body.recordId)).toEqual(['dora--hook-1', 'dora--hook-import']);

    await pushRecords(store, PRODUCER, 'service', [mobilite('hook-1', '59350', { nom: 'Renamed' })], { limits: LIMITS });
    const updated = await waitFor(() => r.accepted[2], FEED_WAIT);
    expect(updated.body).toMatchObject({ recordId: 'dora--hook-1', operation: 'UPSERT', action: 'updated', record: { nom: 'Renamed' } });
    await deleteServices(store, PRODUCER, ['dora--hook-1'], LIMITS);
    const deleted = await waitFor(() => r.accepted[3], FEED_WAIT);
    expect(deleted.body).toMatchObject({ recordId: 'dora--hook-1', operation: 'DELETE', action: 'deleted', record: null });
  });

  test('a harvest reaches a receiver within seconds', async () => {
    const { r, register } = await receiver();
    await register({ sources: ['dora'], entities: ['service'] });
    const dataset = partnerFixtures.harvestDataset(1, 1);
    const fake = await startFakePartner((req) => {
      const page = Number(req.query.page ?? 1);
      const size = Number(req.query.size ?? 1000);
      if (req.path === '/api/v1/structures') return partnerFixtures.pageOf(dataset.structures, page, size);
      if (req.path === '/api/v1/services') return partnerFixtures.pageOf(dataset.services, page, size);
      return undefined;
    });
    try {
      const partner: PartnerConfig = { id: 'di', type: 'data-inclusion', baseUrl: fake.url, live: false, sources: ['dora'], cacheTtlSeconds: 0, timeoutMs: 2000 };
      const logger = createLogger('silent');
      const transport = createTransport(partner, { retries: 0, backoffMs: 0, breaker: { failures: 100, openMs: 1000 } });
      await harvest(store, createConnector(partner, transport, logger, { harvestPageSize: 10 }), { logger });
      const event = await waitFor(() => r.accepted.find((e) => e.body.recordId === 'dora--harvest-service-1-1'), FEED_WAIT);
      expect(event.verified).toBe(true);
      expect(event.body).toMatchObject({ operation: 'UPSERT', entity: 'service', source: 'dora' });
    } finally {
      await fake.close();
    }
  });

  test('a receiver that fails three times gets every event, in order, exactly once; replay sends them again with the same ids', async () => {
    const { r, register } = await receiver(3);
    const id = await register({ sources: ['dora'], entities: ['service'] });
    for (const n of [1, 2, 3]) await pushRecords(store, PRODUCER, 'service', [mobilite(`order-${n}`)], { limits: LIMITS });
    await waitFor(() => r.accepted.length >= 3 && r.accepted, FEED_WAIT);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(r.accepted.map((e) => e.body.recordId)).toEqual(['dora--order-1', 'dora--order-2', 'dora--order-3']);
    expect(r.all.length).toBe(6);
    // The three failed attempts were all at the first event, with the same delivery id.
    expect(new Set(r.all.slice(0, 4).map((e) => e.deliveryId)).size).toBe(1);
    expect(r.all.every((e) => e.verified)).toBe(true);
    const deliveries = await store.prisma.webhookDelivery.findMany({ where: { endpointId: id }, orderBy: { id: 'asc' } });
    expect(deliveries.map((d) => d.status)).toEqual([500, 500, 500, 204, 204, 204]);

    await replayWebhook(store, id, r.accepted[0].body.cursor);
    await waitFor(() => r.all.length >= 8 && r.all, FEED_WAIT);
    expect(r.all.slice(6).map((e) => e.deliveryId)).toEqual(r.all.slice(4, 6).map((e) => e.deliveryId));
  });

  test('after the last attempt an endpoint is dead (cursor kept); retry resumes it', async () => {
    const { r, register } = await receiver(1000);
    const id = await register({ sources: ['dora'], entities: ['service'] });
    const strict = new WebhookDispatcher(store, { settings: { ...SETTINGS, maxAttempts: 2 }, restrictedSources: [], logger: createLogger('silent') });
    await dispatcher.stop();
    try {
      await pushRecords(store, PRODUCER, 'service', [mobilite('dead-1')], { limits: LIMITS });
      const dead = await waitFor(async () => {
        await strict.tick();
        const hook = (await listWebhooks(store)).find((h) => h.id === id)!;
        return hook.state === 'dead' && hook;
      }, FEED_WAIT);
      expect(dead).toMatchObject({ state: 'dead', failures: 2 });
      expect(dead.lastError).toContain('HTTP 500');
      r.fail(0);
      await retryWebhook(store, id);
      await strict.tick();
      expect(r.accepted.map((e) => e.body.recordId)).toEqual(['dora--dead-1']);
      expect(r.all.length).toBe(3);
    } finally {
      dispatcher.start();
    }
  });

  test('a delivery to a private address is refused at delivery time without PASSERELLE_WEBHOOK_ALLOW_PRIVATE', async () => {
    const { r, register } = await receiver();
    const id = await register({ sources: ['dora'] });
    await dispatcher.stop();
    const guarded = new WebhookDispatcher(store, { settings: { ...SETTINGS, allowPrivate: false }, restrictedSources: [], logger: createLogger('silent') });
    try {
      await pushRecords(store, PRODUCER, 'service', [mobilite('ssrf-1')], { limits: LIMITS });
      const hook = await waitFor(async () => {
        await guarded.tick();
        const found = (await listWebhooks(store)).find((h) => h.id === id)!;
        return found.lastError !== null && found;
      }, FEED_WAIT);
      expect(r.all).toEqual([]);
      expect(hook.lastError).toMatch(/private/);
      await store.prisma.webhookEndpoint.delete({ where: { id } });
    } finally {
      dispatcher.start();
    }
  });

  test('a revoked client\'s endpoints stop delivering', async () => {
    await op('clients.add', { id: 'leaving', name: 'Leaves' });
    const r = await startReceiver(() => undefined);
    receivers.push(r);
    await addWebhook(store, { clientId: 'leaving', url: r.url, filter: { sources: ['dora'] }, allowPrivate: true });
    await op('clients.revoke', { id: 'leaving' });
    await pushRecords(store, PRODUCER, 'service', [mobilite('after-revoke')], { limits: LIMITS });
    await dispatcher.tick();
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(r.all).toEqual([]);
  });

  test('webhooks add refuses a private URL unless the operator allows it', async () => {
    const strict = loadConfig({});
    await expect(op('webhooks.add', { client: 'reuser', url: 'http://127.0.0.1:1/x' }, strict)).rejects.toThrow(/private/);
    await expect(op('webhooks.add', { client: 'reuser', url: 'http://127.0.0.1:1/x', filter: '{"nope":1}' })).rejects.toThrow(/filter/);
    const added = await op('webhooks.add', { client: 'reuser', url: 'http://127.0.0.1:1/x', filter: '{"codeDepartement":"59"}' });
    expect(added.lines.join('\n')).toMatch(/secret: whsec_/);
    const listed = await op('webhooks.list', {});
    expect(listed.lines.join('\n')).toContain('http://127.0.0.1:1/x');
    const id = /webhook (wh_[\w-]+)/.exec(added.lines[0])![1];
    await op('webhooks.remove', { id });
  });
});
