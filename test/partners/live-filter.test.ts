import DataLoader from 'dataloader';
import { createLogger } from '../../src/logger';
import { createConnector } from '../../src/partners';
import { PartnerCache } from '../../src/partners/cache';
import type { PartnerRegistry } from '../../src/partners/registry';
import type { PartnerConfig } from '../../src/partners/types';
import { liveServicesList } from '../../src/loaders/live-services';
import { offerFilter } from '../../src/graph/filters';
import type { Commune } from '../../src/generated/prisma/client';
import type { ServiceFilter } from '../../src/generated/graphql';
import { FakeTransport, type Init } from './fake-transport';
import * as fx from './fixtures/dora';

/**
 * A live list from a partner that cannot filter (Dora): the connector walks its pages and keeps, page by page,
 * what the list's filter keeps — the store's definition (src/store/offer-filter.ts), not a connector's own:
 * Paris keeps its arrondissements' records, an arrondissement's record is in its city's EPCI, and asking
 * `tous-publics` turns the publics filter off.
 */
const partner: PartnerConfig = {
  id: 'dora',
  type: 'dora',
  baseUrl: 'https://partner.invalid',
  token: 'secret',
  live: true,
  sources: ['dora'],
  cacheTtlSeconds: 60,
  timeoutMs: 1000,
};

// One Dora page: a service in Paris 11e (an arrondissement), one in Paris itself, one in Lille.
const page = {
  count: 3,
  next: null,
  previous: null,
  results: [
    { ...fx.serviceEpicerie, id: 'paris-11', code_insee: '75111', code_postal: '75011', commune: 'Paris' },
    { ...fx.serviceEpicerie, id: 'paris', code_insee: '75056', code_postal: '75001', commune: 'Paris' },
    { ...fx.serviceEpicerie, id: 'lille', code_insee: '59350', code_postal: '59000', commune: 'Lille' },
  ],
};

const commune = (code: string, parentCode: string | null, departementCode: string, regionCode: string, epciCode: string | null) =>
  ({ code, parentCode, departementCode, regionCode, epciCode }) as Commune;
const COMMUNES = new Map(
  [
    commune('75056', null, '75', '11', '200054781'),
    commune('75111', '75056', '75', '11', null),
    commune('59350', null, '59', '32', '200093201'),
  ].map((c) => [c.code, c]),
);

async function live(input: ServiceFilter): Promise<string[]> {
  const transport = new FakeTransport('dora', (path: string, init?: Init) =>
    path === '/api/v2/services/' && Number(init?.query?.page ?? 1) === 1 ? page : undefined,
  );
  const connector = createConnector(partner, transport, createLogger('silent'));
  const partners = { liveFor: () => [{ connector, sources: ['dora'] }], cache: new PartnerCache() } as unknown as PartnerRegistry;
  const list = await liveServicesList(
    {
      partners,
      communeByCode: new DataLoader(async (codes: readonly string[]) => codes.map((code) => COMMUNES.get(code) ?? null)),
      structureById: { load: async () => null, loadMany: async (ids) => ids.map(() => null) },
    },
    { filter: offerFilter(input), first: 50, live: true },
    { page: async () => ({ items: [], hasNextPage: false }), count: async () => 0 },
  );
  return list!.page.items.map((s) => s.id);
}

describe('a live list from a partner that cannot filter', () => {
  it.each([
    ['Paris covers its arrondissements', { codeCommune: '75056' }, ['dora--paris', 'dora--paris-11']],
    ['an arrondissement alone', { codeCommune: '75111' }, ['dora--paris-11']],
    ['an arrondissement is in its city’s EPCI', { codeEpci: '200054781' }, ['dora--paris', 'dora--paris-11']],
    ['a région', { codeRegion: '32' }, ['dora--lille']],
    ['tous-publics turns the publics filter off', { publics: ['tous-publics'], codeDepartement: '75' }, ['dora--paris', 'dora--paris-11']],
    // `q` is not sent to the partner: its records are matched in memory (src/store/full-text.ts).
    ['q: full-text, accents and plural ignored, with a territory', { q: 'epiceries solidaires', codeDepartement: '75' }, ['dora--paris', 'dora--paris-11']],
    ['q: a word no record has', { q: 'boulangerie' }, []],
  ])('%s', async (_, filter, expected) => {
    expect(await live(filter)).toEqual(expected);
  });
});
