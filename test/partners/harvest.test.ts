import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../../src/logger';
import { InputError } from '../../src/errors';
import { runOperation } from '../../src/operations/run';
import { createConnector } from '../../src/partners';
import { harvest, HarvestStoppedError, type HarvestOptions } from '../../src/partners/harvest';
import { createTransport } from '../../src/partners/http';
import type { Connector, PartnerConfig } from '../../src/partners/types';
import { loadConfig } from '../../src/config';
import { syncSources, writeOffer } from '../../src/store/write';
import { createTestStore, ENGINES, type TestStore } from '../support/engines';
import { startFakePartner, type FakePartner, type Fault } from './fake-server';
import * as fx from './fixtures/data-inclusion';

const PAGE_SIZE = 2;
const NOW = new Date('2026-01-15T10:00:00Z');

/** A record of another source, written before any harvest: it must never be touched. */
const soliguideStructure = {
  ...fx.structureBelleville,
  source: 'soliguide',
  id: 'soliguide--4521',
  doublons: undefined,
  score_qualite: undefined,
  adresse_certifiee: undefined,
};
const soliguideService = {
  ...fx.serviceCuisine,
  source: 'soliguide',
  id: 'soliguide--4521-repas',
  structure_id: 'soliguide--4521',
  score_qualite: undefined,
  adresse_certifiee: undefined,
  extra: undefined,
};

function strip(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

describe.each(ENGINES)('harvest on %s', (engine) => {
  let store: TestStore;
  let fake: FakePartner;
  /** What the fake partner lists now (tests edit it). */
  let dataset: ReturnType<typeof fx.harvestDataset>;
  const logs: Record<string, any>[] = [];
  const logger = createLogger('debug', { write: (line: string) => void logs.push(JSON.parse(line)) });
  let partner: PartnerConfig;
  /** Set by a test: the next request whose URL matches fails with HTTP 500 `times` times. */
  let failOn: { match: RegExp; times: number } | undefined;

  function connector(): Connector {
    const transport = createTransport(partner, {
      retries: 1,
      backoffMs: 0,
      breaker: { failures: 100, openMs: 1000 },
      onCall: (url) => {
        if (failOn && failOn.match.test(url)) {
          fake.setFault({ kind: 'status', status: 500, times: failOn.times });
          failOn = undefined;
        }
      },
    });
    return createConnector(partner, transport, logger, { harvestPageSize: PAGE_SIZE });
  }

  const run = (options: { maxPages?: number; deleteAfterPasses?: number } = {}) =>
    harvest(store, connector(), { logger, now: () => NOW, ...options });

  async function updatedAt(): Promise<Map<string, string>> {
    const rows = await store.prisma.$queryRawUnsafe<{ id: string; updated_at: Date; score: number | null }[]>(
      `SELECT "id", "updated_at", "score_qualite" AS "score" FROM "structures" UNION ALL SELECT "id", "updated_at", "score_qualite" FROM "services"`,
    );
    return new Map(rows.map((row) => [row.id, `${row.updated_at.toISOString()} ${row.score}`]));
  }
  const ids = async (table: 'structures' | 'services', source = 'dora') =>
    (await store.prisma.$queryRawUnsafe<{ id: string }[]>(`SELECT "id" FROM "${table}" WHERE "source" = $1 ORDER BY "id"`, source)).map(
      (row) => row.id,
    );
  const state = () => store.prisma.harvestState.findUniqueOrThrow({ where: { partnerId: 'di' } });
  const seenCount = () => store.prisma.harvestSeen.count({ where: { partnerId: 'di' } });
  /** Records listed so far by the pass under way (or by the last one, once complete). */
  const listedBy = async (pass: number) => store.prisma.harvestSeen.count({ where: { partnerId: 'di', lastPass: pass } });
  /** Requests for data pages, as `structures:1`, `services:2`. */
  const pagesAsked = (from = 0) =>
    fake.requests.slice(from).map((req) => `${req.path.replace('/api/v1/', '')}:${String(req.query.page)}`);

  beforeAll(async () => {
    store = await createTestStore(engine);
    await syncSources(store);
    await writeOffer(store, { structures: [strip(soliguideStructure)], services: [strip(soliguideService)] }, { now: NOW });
    dataset = fx.harvestDataset(4, 2);
    fake = await startFakePartner((req) => {
      const page = Number(req.query.page ?? 1);
      const size = Number(req.query.size ?? 1000);
      if (req.path === '/api/v1/structures') return fx.pageOf(dataset.structures, page, size);
      if (req.path === '/api/v1/services') return fx.pageOf(dataset.services, page, size);
      return undefined;
    });
    partner = { id: 'di', type: 'data-inclusion', baseUrl: fake.url, live: false, sources: ['dora'], cacheTtlSeconds: 0, timeoutMs: 2000 };
  });
  afterAll(async () => {
    await fake?.close();
    await store?.dispose();
  });

  const allStructures = ['dora--harvest-structure-1', 'dora--harvest-structure-2', 'dora--harvest-structure-3', 'dora--harvest-structure-4'];
  const allServices = allStructures.flatMap((id) => [1, 2].map((j) => id.replace('structure', 'service') + `-${j}`)).sort();

  it('a full harvest writes every record of the partner\'s sources, page by page', async () => {
    const soliguideBefore = await updatedAt();
    const result = await run();
    // structures: 5 records / 2 = 3 pages; services: 10 records / 2 = 5 pages.
    expect(result).toMatchObject({
      pages: 8,
      structures: 4,
      services: 8,
      written: { structures: 4, services: 8 },
      skipped: { otherSource: 2, missingStructure: 1 },
      deleted: { structures: 0, services: 0 },
      pendingDeletion: { structures: 0, services: 0 },
      pass: 1,
      rateLimited: { waits: 0, ms: 0 },
      resumed: false,
      complete: true,
      run: { pages: 8, records: 12 },
    });
    expect(pagesAsked()).toEqual(['structures:1', 'structures:2', 'structures:3', 'services:1', 'services:2', 'services:3', 'services:4', 'services:5']);
    expect(fake.requests.every((req) => req.query.size === String(PAGE_SIZE))).toBe(true);
    expect(await ids('structures')).toEqual(allStructures);
    expect(await ids('services')).toEqual(allServices);
    // other sources: the partner's france-travail records are left out, the stored soliguide ones untouched
    expect(await ids('structures', 'france-travail')).toEqual([]);
    const after = await updatedAt();
    expect(after.get('soliguide--4521')).toBe(soliguideBefore.get('soliguide--4521'));
    expect(after.get('soliguide--4521-repas')).toBe(soliguideBefore.get('soliguide--4521-repas'));
    // the service of an unknown structure was skipped with a reason, not failing its page
    expect(logs.some((l) => l.id === 'dora--service-sans-structure' && /structure is neither in the page nor in the store/.test(l.msg))).toBe(true);

    const s = await state();
    expect(s.completedAt).not.toBeNull();
    expect(s.mark).toBeNull();
    expect(s.lastError).toBeNull();
    expect(s.runId).toBe(result.runId);
    expect(s.passes).toBe(1);
    // every record of the partner's sources is tracked with the pass that last listed it
    expect(await seenCount()).toBe(12);
    expect(await listedBy(1)).toBe(12);
  });

  it('a second harvest of unchanged data writes nothing and deletes nothing (updated_at kept)', async () => {
    const before = await updatedAt();
    const previousRun = (await state()).runId;
    const result = await run();
    expect(result).toMatchObject({
      pages: 8,
      structures: 4,
      services: 8,
      written: { structures: 0, services: 0 },
      deleted: { structures: 0, services: 0 },
      pendingDeletion: { structures: 0, services: 0 },
      pass: 2,
      resumed: false,
      complete: true,
    });
    expect(result.runId).not.toBe(previousRun);
    expect(await updatedAt()).toEqual(before);
  });

  it('a partner failure mid-way stops the run with a clear message, keeps the mark and the pages stored', async () => {
    const from = fake.requests.length;
    dataset.services = dataset.services.map((s) => (s.id === 'dora--harvest-service-4-2' ? { ...s, nom: 'Atelier renommé' } : s));
    failOn = { match: /\/api\/v1\/services\?page=2&/, times: 2 }; // both attempts (retries: 1) fail
    const error = await run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HarvestStoppedError);
    expect((error as Error).message).toBe(
      'harvest of di stopped at page 5 (mark services:2): partner di: HTTP 500 — run the command again to resume',
    );
    expect(pagesAsked(from)).toEqual(['structures:1', 'structures:2', 'structures:3', 'services:1', 'services:2', 'services:2']);
    const s = await state();
    expect(s).toMatchObject({ mark: 'services:2', pages: 4, completedAt: null, passes: 2 });
    expect(s.lastError).toContain('HTTP 500');
    expect(await listedBy(3)).toBe(6); // 4 structures + 2 services listed so far by pass 3
    expect(await seenCount()).toBe(12); // the others keep the pass that last listed them
    // the change is on a page not stored yet
    const [row] = await store.prisma.$queryRawUnsafe<{ nom: string }[]>(`SELECT "nom" FROM "services" WHERE "id" = 'dora--harvest-service-4-2'`);
    expect(row.nom).toBe('Atelier 4.2');

    // the next run resumes from the mark: no page already stored is asked again
    const resumeFrom = fake.requests.length;
    const resumed = await run();
    expect(resumed).toMatchObject({
      resumed: true,
      startMark: 'services:2',
      complete: true,
      pass: 3,
      pages: 4,
      structures: 0,
      services: 6,
      written: { structures: 0, services: 1 },
      deleted: { structures: 0, services: 0 },
      run: { pages: 8, records: 12 },
    });
    expect(pagesAsked(resumeFrom)).toEqual(['services:2', 'services:3', 'services:4', 'services:5']);
    const [renamed] = await store.prisma.$queryRawUnsafe<{ nom: string }[]>(`SELECT "nom" FROM "services" WHERE "id" = 'dora--harvest-service-4-2'`);
    expect(renamed.nom).toBe('Atelier renommé');
    const done = await state();
    expect(done.completedAt).not.toBeNull();
    expect(done.lastError).toBeNull();
    expect(await ids('structures')).toEqual(allStructures);
    expect(await ids('services')).toEqual(allServices);
  });

  it('a record the partner no longer lists is deleted once two complete passes in a row missed it, never after an interrupted one', async () => {
    const soliguideBefore = await updatedAt();
    // structure 2 (and its two services) and service 3-1 disappear from the partner
    dataset.structures = dataset.structures.filter((s) => s.id !== 'dora--harvest-structure-2');
    dataset.services = dataset.services.filter((s) => !String(s.id).startsWith('dora--harvest-service-2-') && s.id !== 'dora--harvest-service-3-1');

    const partial = await run({ maxPages: 3 });
    expect(partial).toMatchObject({ complete: false, pages: 3, deleted: { structures: 0, services: 0 } });
    expect(await ids('structures')).toEqual(allStructures);
    expect(await ids('services')).toEqual(allServices);

    failOn = { match: /\/api\/v1\/services\?page=3&/, times: 2 };
    await expect(run()).rejects.toThrow('harvest of di stopped at page 5 (mark services:3)');
    expect(await ids('structures')).toEqual(allStructures);
    expect(await ids('services')).toEqual(allServices);

    // The first complete pass that misses them keeps them, pending.
    const first = await run();
    expect(first).toMatchObject({
      resumed: true,
      complete: true,
      deleted: { structures: 0, services: 0 },
      pendingDeletion: { structures: 1, services: 3 },
    });
    expect(await ids('structures')).toEqual(allStructures);
    expect(await ids('services')).toEqual(allServices);

    // The second one deletes them.
    const finished = await run();
    expect(finished).toMatchObject({
      resumed: false,
      complete: true,
      deleted: { structures: 1, services: 3 },
      pendingDeletion: { structures: 0, services: 0 },
    });
    expect(await ids('structures')).toEqual(allStructures.filter((id) => id !== 'dora--harvest-structure-2'));
    expect(await ids('services')).toEqual(
      allServices.filter((id) => !id.startsWith('dora--harvest-service-2-') && id !== 'dora--harvest-service-3-1'),
    );
    // structure 3 lost a service: its score follows its remaining one
    const [score] = await store.prisma.$queryRawUnsafe<{ st: number; sv: number }[]>(
      `SELECT st."score_qualite" AS "st", sv."score_qualite" AS "sv" FROM "structures" st JOIN "services" sv ON sv."structure_id" = st."id"
       WHERE st."id" = 'dora--harvest-structure-3'`,
    );
    expect(score.st).toBeCloseTo(score.sv, 5);
    // records of other sources untouched
    const after = await updatedAt();
    expect(after.get('soliguide--4521')).toBe(soliguideBefore.get('soliguide--4521'));
    expect(after.get('soliguide--4521-repas')).toBe(soliguideBefore.get('soliguide--4521-repas'));
    // harvest_seen forgets the deleted records: 3 structures and 5 services left
    expect(await seenCount()).toBe(8);
  });

  it('with deleteAfterPasses: 1, the first complete pass that misses a record deletes it (the former behaviour)', async () => {
    const removed = dataset.services.find((s) => s.id === 'dora--harvest-service-4-1')!;
    dataset.services = dataset.services.filter((s) => s !== removed);
    try {
      const result = await run({ deleteAfterPasses: 1 });
      expect(result).toMatchObject({ complete: true, deleted: { structures: 0, services: 1 }, pendingDeletion: { structures: 0, services: 0 } });
      expect(await ids('services')).not.toContain('dora--harvest-service-4-1');
    } finally {
      dataset.services = [...dataset.services, removed];
    }
    // listed again: written back
    const back = await run();
    expect(back).toMatchObject({ written: { structures: 0, services: 1 }, deleted: { structures: 0, services: 0 } });
    expect(await ids('services')).toContain('dora--harvest-service-4-1');
  });

  it('the harvest operation loads the partner from the configuration and prints a summary', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-harvest-'));
    const file = path.join(dir, 'passerelle.config.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        partners: [{ id: 'di', type: 'data-inclusion', baseUrl: fake.url, token: 'secret', sources: ['dora'], deleteAfterPasses: 3 }],
      }),
    );
    const previous = process.env.PASSERELLE_CONFIG;
    process.env.PASSERELLE_CONFIG = file;
    try {
      const config = { ...loadConfig({}), logLevel: 'silent' };
      await expect(runOperation('harvest', { partner: 'nope' }, { store, config })).rejects.toThrow(InputError);
      await expect(runOperation('harvest', { partner: 'nope' }, { store, config })).rejects.toThrow(
        'unknown partner "nope": declared partners are di',
      );
      // The operation scores with the real clock (scores depend on the records' age): a first run may
      // rescore; a second one the same day writes nothing.
      const first = await runOperation('harvest', { partner: 'di' }, { store, config });
      expect(first.lines).toHaveLength(1);
      expect(first.lines[0]).toMatch(/^harvest di: 2 pages, 3 structures, 5 services \(/);
      const from = fake.requests.length;
      const result = await runOperation('harvest', { partner: 'di' }, { store, config });
      expect(result.lines).toEqual([
        'harvest di: 2 pages, 3 structures, 5 services (0 structures and 0 services written, 8 unchanged); ' +
          '1 service skipped (structure unknown, see the logs); nothing deleted',
      ]);
      expect(fake.requests[from].headers.authorization).toBe('Bearer secret');

      // How many passes must miss a record: the command's option, else the partner's deleteAfterPasses (3 here).
      const services = dataset.services;
      try {
        dataset.services = services.filter((s) => s.id !== 'dora--harvest-service-4-1');
        const now = await runOperation('harvest', { partner: 'di', deleteAfterPasses: 1 }, { store, config });
        expect(now.lines[0]).toMatch(/; 0 structures and 1 service deleted \(not listed any more\)$/);

        dataset.services = services.filter((s) => !['dora--harvest-service-4-1', 'dora--harvest-service-4-2'].includes(String(s.id)));
        const kept = '; 0 structures and 1 service not listed, kept until more passes miss them';
        for (let miss = 1; miss <= 2; miss++) {
          const pending = await runOperation('harvest', { partner: 'di' }, { store, config });
          expect(pending.lines[0]).toMatch(/; nothing deleted; /);
          expect(pending.lines[0].endsWith(kept)).toBe(true);
        }
        expect(await ids('services')).toContain('dora--harvest-service-4-2');
        const third = await runOperation('harvest', { partner: 'di' }, { store, config });
        expect(third.lines[0]).toMatch(/; 0 structures and 1 service deleted \(not listed any more\)$/);
        expect(await ids('services')).not.toContain('dora--harvest-service-4-2');
      } finally {
        dataset.services = services;
      }
    } finally {
      if (previous === undefined) delete process.env.PASSERELLE_CONFIG;
      else process.env.PASSERELLE_CONFIG = previous;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.each(ENGINES)('harvest over shifting pages and rate limits on %s', (engine) => {
  let store: TestStore;
  let fake: FakePartner;
  /** The partner's records, in the order its offset pages list them (tests edit them). */
  let structures: Record<string, unknown>[];
  let services: Record<string, unknown>[];
  /**
   * While set, each request for the structures page of this number first moves the partner's last structure to
   * the front, as a record updated during the pass is re-sorted first: the records between shift one place
   * back, so the boundary one is listed twice and the moved one not at all in that pass.
   */
  let shiftAt: number | undefined;
  /** The ids the partner listed since the last reset. */
  const served = new Set<string>();
  /** Set by a test: a fault for the next request whose URL matches. */
  let faultOn: { match: RegExp; fault: Fault } | undefined;
  let partner: PartnerConfig;
  const logger = createLogger('silent');

  function connector(): Connector {
    const transport = createTransport(partner, {
      retries: 1,
      backoffMs: 0,
      breaker: { failures: 100, openMs: 1000 },
      onCall: (url) => {
        if (faultOn && faultOn.match.test(url)) {
          fake.setFault(faultOn.fault);
          faultOn = undefined;
        }
      },
    });
    return createConnector(partner, transport, logger, { harvestPageSize: PAGE_SIZE });
  }
  const run = (options: Partial<HarvestOptions> = {}) => harvest(store, connector(), { logger, now: () => NOW, ...options });
  const ids = async (table: 'structures' | 'services') =>
    (await store.prisma.$queryRawUnsafe<{ id: string }[]>(`SELECT "id" FROM "${table}" ORDER BY "id"`)).map((row) => row.id);
  const pagesAsked = (from = 0) =>
    fake.requests.slice(from).map((req) => `${req.path.replace('/api/v1/', '')}:${String(req.query.page)}`);

  beforeAll(async () => {
    store = await createTestStore(engine);
    await syncSources(store);
    const data = fx.harvestDataset(6, 1);
    structures = data.structures.filter((s) => s.source === 'dora');
    services = data.services.filter((s) => s.source === 'dora' && s.id !== 'dora--service-sans-structure');
    fake = await startFakePartner((req) => {
      const page = Number(req.query.page ?? 1);
      const size = Number(req.query.size ?? 1000);
      let answer: ReturnType<typeof fx.pageOf<Record<string, unknown>>> | undefined;
      if (req.path === '/api/v1/structures') {
        if (shiftAt === page) structures = [structures[structures.length - 1], ...structures.slice(0, -1)];
        answer = fx.pageOf(structures, page, size);
      } else if (req.path === '/api/v1/services') answer = fx.pageOf(services, page, size);
      for (const item of answer?.items ?? []) served.add(String(item.id));
      return answer;
    });
    partner = { id: 'di', type: 'data-inclusion', baseUrl: fake.url, live: false, sources: ['dora'], cacheTtlSeconds: 0, timeoutMs: 2000 };
  });
  afterAll(async () => {
    await fake?.close();
    await store?.dispose();
  });

  const allStructures = [1, 2, 3, 4, 5, 6].map((i) => `dora--harvest-structure-${i}`);
  const allServices = [1, 2, 3, 4, 5, 6].map((i) => `dora--harvest-service-${i}-1`);
  /** Harvests once, returning the result and the structures the partner did not list during the pass. */
  async function pass(options: Partial<HarvestOptions> = {}) {
    served.clear();
    const result = await run(options);
    const listed = structures.map((s) => String(s.id)).filter((id) => served.has(id));
    return { result, missed: structures.map((s) => String(s.id)).filter((id) => !listed.includes(id)) };
  }

  it('pages that shift during a pass hide a valid record from it; no valid record is deleted over several passes', async () => {
    const first = await pass();
    expect(first.missed).toEqual([]);
    expect(await ids('structures')).toEqual(allStructures);

    shiftAt = 2;
    const missedSoFar: string[] = [];
    for (let n = 0; n < 5; n++) {
      const { result, missed } = await pass();
      // the shift really hides one valid record from each pass, a different one each time
      expect(missed).toHaveLength(1);
      expect(missedSoFar).not.toContain(missed[0]);
      missedSoFar.push(missed[0]);
      expect(result).toMatchObject({
        complete: true,
        deleted: { structures: 0, services: 0 },
        pendingDeletion: { structures: 1, services: 0 },
      });
      expect(await ids('structures')).toEqual(allStructures);
      expect(await ids('services')).toEqual(allServices);
    }
  });

  it('with deleteAfterPasses: 1 the same shift deletes a valid record, which the next pass brings back', async () => {
    const { result, missed } = await pass({ deleteAfterPasses: 1 });
    expect(result.deleted).toEqual({ structures: 1, services: 1 }); // the structure and, with it, its service
    expect(await ids('structures')).toEqual(allStructures.filter((id) => id !== missed[0]));
    await pass();
    expect(await ids('structures')).toEqual(allStructures);
    expect(await ids('services')).toEqual(allServices);
  });

  it('a record removed upstream is deleted by the second complete pass that misses it, not before', async () => {
    structures = structures.filter((s) => s.id !== 'dora--harvest-structure-3');
    services = services.filter((s) => s.id !== 'dora--harvest-service-3-1');

    const first = await pass();
    expect(first.missed).toHaveLength(1); // still shifting: one more valid record hidden
    expect(first.result).toMatchObject({
      deleted: { structures: 0, services: 0 },
      pendingDeletion: { structures: 2, services: 1 },
    });
    expect(await ids('structures')).toEqual(allStructures);
    expect(await ids('services')).toEqual(allServices);

    const second = await pass();
    expect(second.missed).toHaveLength(1);
    expect(second.missed).not.toEqual(first.missed);
    expect(second.result).toMatchObject({
      deleted: { structures: 1, services: 1 },
      pendingDeletion: { structures: 1, services: 0 },
    });
    expect(await ids('structures')).toEqual(allStructures.filter((id) => id !== 'dora--harvest-structure-3'));
    expect(await ids('services')).toEqual(allServices.filter((id) => id !== 'dora--harvest-service-3-1'));
    shiftAt = undefined;
  });

  /** A fake clock that the harvest's waits advance, instead of really waiting. */
  function fakeTime() {
    let at = NOW.getTime();
    const sleeps: number[] = [];
    return {
      sleeps,
      now: () => new Date(at),
      sleep: async (ms: number) => {
        sleeps.push(ms);
        at += ms;
      },
    };
  }

  it('a 429 asking to wait 120 s makes the harvest wait that long, then ask the same page again', async () => {
    const time = fakeTime();
    const from = fake.requests.length;
    faultOn = { match: /\/api\/v1\/services\?page=2&/, fault: { kind: 'rate-limit', retryAfter: 120, times: 1 } };
    const result = await run({ now: time.now, sleep: time.sleep });
    expect(time.sleeps).toEqual([120_000]);
    expect(result).toMatchObject({ complete: true, resumed: false, pages: 6, rateLimited: { waits: 1, ms: 120_000 } });
    expect(pagesAsked(from)).toEqual(['structures:1', 'structures:2', 'structures:3', 'services:1', 'services:2', 'services:2', 'services:3']);
    const state = await store.prisma.harvestState.findUniqueOrThrow({ where: { partnerId: 'di' } });
    expect(state.completedAt!.getTime() - state.startedAt.getTime()).toBe(120_000);
    expect(state.lastError).toBeNull();

    // Without Retry-After (after the transport's own retry): 120 s, as data·inclusion's extractor waits.
    const untimed = fakeTime();
    faultOn = { match: /\/api\/v1\/structures\?page=3&/, fault: { kind: 'rate-limit', retryAfter: '', times: 2 } };
    const next = await run({ now: untimed.now, sleep: untimed.sleep });
    expect(untimed.sleeps).toEqual([120_000]);
    expect(next).toMatchObject({ complete: true, rateLimited: { waits: 1, ms: 120_000 } });
  });

  it('a 429 asking longer than the harvest waits stops the run, resumable, with a clear message', async () => {
    const time = fakeTime();
    faultOn = { match: /\/api\/v1\/services\?page=2&/, fault: { kind: 'rate-limit', retryAfter: 900, times: 1 } };
    const error = await run({ now: time.now, sleep: time.sleep }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HarvestStoppedError);
    expect((error as Error).message).toBe(
      'harvest of di stopped at page 5 (mark services:2): partner di: rate limited (HTTP 429), asked to wait 900 s; ' +
        'a harvest waits at most 600 s on one page — run the command again to resume',
    );
    expect(time.sleeps).toEqual([]);

    // The bound is on the waits for one page, in all.
    faultOn = { match: /\/api\/v1\/services\?page=2&/, fault: { kind: 'rate-limit', retryAfter: 120, times: 2 } };
    const again = await run({ now: time.now, sleep: time.sleep, maxRateLimitWaitMs: 200_000 }).catch((e: unknown) => e);
    expect((again as Error).message).toBe(
      'harvest of di stopped at page 5 (mark services:2): partner di: rate limited (HTTP 429), asked to wait 120 s; ' +
        'a harvest waits at most 200 s on one page (120 s waited already) — run the command again to resume',
    );
    expect(time.sleeps).toEqual([120_000]);
    const state = await store.prisma.harvestState.findUniqueOrThrow({ where: { partnerId: 'di' } });
    expect(state).toMatchObject({ mark: 'services:2', completedAt: null });
    expect(state.lastError).toContain('rate limited');

    const resumed = await run({ now: time.now, sleep: time.sleep });
    expect(resumed).toMatchObject({ resumed: true, startMark: 'services:2', complete: true, deleted: { structures: 0, services: 0 } });
  });

  it('a complete pass that lists nothing deletes nothing and does not count', async () => {
    const before = await store.prisma.harvestState.findUniqueOrThrow({ where: { partnerId: 'di' } });
    const kept = { structures, services };
    structures = [];
    services = [];
    try {
      const empty = await run({ deleteAfterPasses: 1 });
      expect(empty).toMatchObject({ complete: true, pass: before.passes + 1, deleted: { structures: 0, services: 0 } });
      expect(await ids('structures')).toEqual(allStructures.filter((id) => id !== 'dora--harvest-structure-3'));
      expect((await store.prisma.harvestState.findUniqueOrThrow({ where: { partnerId: 'di' } })).passes).toBe(before.passes);
    } finally {
      ({ structures, services } = kept);
    }
    const next = await run({ deleteAfterPasses: 1 });
    expect(next).toMatchObject({ complete: true, pass: before.passes + 1, deleted: { structures: 0, services: 0 } });
  });
});
