/**
 * A query merging the store and one live partner whose API answers in 50 ms: the latency Passerelle adds
 * over the partner's own, and partner calls per request — uncached (cache TTL 0) and cached. In-process
 * (in-memory PGlite with the 2,000-structure demo offer, a local data·inclusion-shaped partner), sequential
 * requests: latency, not throughput. Goals: one partner call per partner per request; ≤ 20 ms added.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { App } from '../app';
import { createLogger } from '../logger';
import { generateOffer } from '../ingest/seed';
import { PartnerRegistry } from '../partners/registry';
import type { PartnerConfig } from '../partners/types';
import { openStore } from '../store/database';
import { deployMigrations } from '../store/migrate';
import { syncSources, writeOffer } from '../store/write';
import { importTerritories } from '../territories/import';

export const PARTNER_LATENCY_MS = 50;
export const LIVE_PARTNER_GOALS = { partnerCallsPerRequest: 1, addedMs: 20 };
const DEFAULT_ROUNDS = 40;

export interface Latency {
  p50: number;
  p90: number;
}

export interface MergedFigures extends Latency {
  /** Partner cache TTL, seconds (0: off). */
  cacheTtlSeconds: number;
  /** p50 over the partner's own p50, milliseconds. */
  addedMs: number;
  /** p50 ÷ the partner's own p50. */
  ratio: number;
  partnerCallsPerRequest: number;
}

export interface LivePartnerFigures {
  rounds: number;
  partnerAlone: Latency;
  merged: MergedFigures[];
}

export async function measureLivePartner(options: { rounds?: number } = {}): Promise<LivePartnerFigures> {
  const rounds = options.rounds ?? DEFAULT_ROUNDS;
  const store = await openStore({});
  const partner = http.createServer();
  try {
    await deployMigrations(store);
    await importTerritories(store);
    await syncSources(store);
    const now = new Date();
    const offer = generateOffer({ structures: 2000, servicesPerStructure: 3, seed: 'bench', now });
    await writeOffer(store, offer, { now });

    // The partner: data·inclusion API v1 answering after 50 ms with 40 dora services in Paris.
    const liveServices = offer.services
      .slice(0, 40)
      .map((s, i) => ({ ...s, id: `dora--live-${String(i).padStart(3, '0')}`, source: 'dora', structure_id: `dora--live-structure`, code_insee: '75111' }));
    let partnerCalls = 0;
    partner.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      partnerCalls += 1;
      setTimeout(() => {
        const url = new URL(req.url ?? '/', 'http://x');
        const found = url.pathname === '/api/v1/services';
        const body = found ? { items: liveServices, total: liveServices.length, page: 1, size: liveServices.length, pages: 1 } : { detail: 'Not found' };
        res.writeHead(found ? 200 : 404, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      }, PARTNER_LATENCY_MS);
    });
    await new Promise<void>((r) => partner.listen(0, '127.0.0.1', r));
    const baseUrl = `http://127.0.0.1:${(partner.address() as AddressInfo).port}`;

    const partnerAlone = await timed(rounds, async () => {
      await (await fetch(`${baseUrl}/api/v1/services?sources=dora&page=1&size=1000`)).json();
    });

    const query = JSON.stringify({ query: '{ services(live: true, first: 50, filter: { codeDepartement: "75" }) { totalCount nodes { id nom provenance { live } } } }' });
    const merged: MergedFigures[] = [];
    for (const cacheTtlSeconds of [0, 300]) {
      const config: PartnerConfig = { id: 'di', type: 'data-inclusion', baseUrl, live: true, sources: ['dora'], cacheTtlSeconds, timeoutMs: 2000 };
      const app = new App({ logger: createLogger('silent'), development: false, partners: new PartnerRegistry([config], createLogger('silent')) });
      await app.start();
      try {
        app.attachStore(store);
        const port = await app.listen(0, '127.0.0.1');
        const post = async () => {
          const res = await fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: query });
          const body = (await res.json()) as { errors?: unknown; data?: { services: { totalCount: number } } };
          if (body.errors) throw new Error(JSON.stringify(body.errors));
        };
        await post(); // warm-up (schema, plans, cache)
        partnerCalls = 0;
        const latency = await timed(rounds, post);
        merged.push({
          cacheTtlSeconds,
          ...latency,
          addedMs: latency.p50 - partnerAlone.p50,
          ratio: latency.p50 / partnerAlone.p50,
          partnerCallsPerRequest: partnerCalls / rounds,
        });
      } finally {
        await app.stop();
      }
    }
    return { rounds, partnerAlone, merged };
  } finally {
    if (partner.listening) await new Promise<void>((r) => partner.close(() => r()));
    await store.close();
  }
}

async function timed(rounds: number, run: () => Promise<void>): Promise<Latency> {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(rounds * 0.5)], p90: times[Math.floor(rounds * 0.9)] };
}
