import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../../src/logger';
import { InputError } from '../../src/errors';
import { runOperation } from '../../src/operations/run';
import { createConnector } from '../../src/partners';
import { harvest, HarvestStoppedError } from '../../src/partners/harvest';
import { createTransport } from '../../src/partners/http';
import type { Connector, PartnerConfig } from '../../src/partners/types';
import { loadConfig } from '../../src/config';
import { syncSources, writeOffer } from '../../src/store/write';
import { createTestStore, ENGINES, type TestStore } from '../support/engines';
import { startFakePartner, type FakePartner } from './fake-server';
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

  const run = (options: { maxPages?: number } = {}) => harvest(store, connector(), { logger, now: () => NOW, ...options });

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
    expect(await seenCount()).toBe(0);
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
    expect(s).toMatchObject({ mark: 'services:2', pages: 4, completedAt: null });
    expect(s.lastError).toContain('HTTP 500');
    expect(await seenCount()).toBe(6); // 4 structures + 2 services listed so far
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

  it('a record the partner no longer lists is deleted after the next complete pass, not after an interrupted one', async () => {
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

    const finished = await run();
    expect(finished).toMatchObject({ resumed: true, complete: true, deleted: { structures: 1, services: 3 } });
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
    expect(await seenCount()).toBe(0);
  });

  it('the harvest operation loads the partner from the configuration and prints a summary', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-harvest-'));
    const file = path.join(dir, 'passerelle.config.json');
    fs.writeFileSync(
      file,
      JSON.stringify({ partners: [{ id: 'di', type: 'data-inclusion', baseUrl: fake.url, token: 'secret', sources: ['dora'] }] }),
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
    } finally {
      if (previous === undefined) delete process.env.PASSERELLE_CONFIG;
      else process.env.PASSERELLE_CONFIG = previous;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
