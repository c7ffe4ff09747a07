import { createLogger } from '../../src/logger';
import { createConnector } from '../../src/partners';
import { PartnerError, type PartnerConfig, type PartnerTransport } from '../../src/partners/types';
import { FakeTransport, type Init } from './fake-transport';
import * as fx from './fixtures/data-inclusion';



const partner: PartnerConfig = {
  id: 'di',
  type: 'data-inclusion',
  baseUrl: 'https://api.data.inclusion.gouv.fr',
  live: true,
  sources: ['dora', 'france-travail'],
  cacheTtlSeconds: 60,
  timeoutMs: 1000,
};

function route(path: string, init?: Init): unknown {
  const page = Number(init?.query?.page ?? 1);
  if (path === '/api/v1/structures') return fx.structuresPages[page - 1];
  if (path === '/api/v1/services') return fx.servicesPages[page - 1];
  const byId = /^\/api\/v1\/services\/(.+)$/.exec(path);
  if (byId) {
    const id = decodeURIComponent(byId[1]);
    if (id.startsWith('dora--genere-')) return { ...fx.detailedService(fx.serviceAtelier.id), id };
    return fx.detailedService(id);
  }
  return undefined;
}

function setup(delayMs = 0) {
  const logs: Record<string, any>[] = [];
  const logger = createLogger('warn', { write: (line: string) => void logs.push(JSON.parse(line)) });
  const transport = new FakeTransport('di', route, delayMs);
  return { logs, transport, connector: createConnector(partner, transport, logger) };
}

describe('data·inclusion connector', () => {
  it('keeps the v1 fields and drops the API-added ones', async () => {
    const { connector } = setup();
    const page = await connector.page(undefined);
    expect(page.structures.map((s) => s.id)).toEqual(['dora--cs-belleville', 'france-travail--59350-lille-vauban']);
    expect(page.structures[0]).not.toHaveProperty('score_qualite');
    expect(page.structures[0]).not.toHaveProperty('doublons');
    expect(page.structures[0]).not.toHaveProperty('adresse_certifiee');

    const [service] = await connector.servicesByIds(['dora--atelier-numerique-belleville']);
    const { score_qualite, adresse_certifiee, extra, ...v1 } = fx.serviceAtelier;
    void score_qualite, adresse_certifiee, extra;
    const expected = Object.fromEntries(Object.entries(v1).filter(([, value]) => value !== null));
    expect(service).toEqual(expected);
    expect(service).not.toHaveProperty('structure');
  });

  it('walks every page with page(mark): structures, then services, until no next', async () => {
    const { connector, transport, logs } = setup();
    const marks: (string | undefined)[] = [];
    const ids: string[] = [];
    let mark: string | undefined;
    do {
      const page = await connector.page(mark);
      ids.push(...page.structures.map((s) => s.id), ...page.services.map((s) => s.id));
      mark = page.next;
      marks.push(mark);
    } while (mark);
    expect(marks).toEqual(['services:1', 'services:2', undefined]);
    expect(ids).toEqual([
      'dora--cs-belleville',
      'france-travail--59350-lille-vauban',
      'dora--atelier-numerique-belleville',
      'france-travail--accompagnement-intensif-jeunes',
      'dora--atelier-cuisine-belleville',
    ]);
    expect(transport.calls.map((call) => [call.path, call.init?.query?.page])).toEqual([
      ['/api/v1/structures', 1],
      ['/api/v1/services', 1],
      ['/api/v1/services', 2],
    ]);

    // the malformed service is dropped, with its reason logged (paths and messages, no contact value)
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ level: 40, msg: 'partner record dropped', partner: 'di', id: 'dora--aide-belleville' });
    expect(logs[0].errors.map((error: { field: string }) => error.field)).toEqual(['description', 'publics']);
    expect(JSON.stringify(logs)).not.toContain('ne-pas-logger');
  });

  it('pushes the list filters down to /api/v1/services', async () => {
    const { connector, transport } = setup();
    const services = await connector.listServices({
      sources: ['dora'],
      thematiques: ['numerique'],
      codeDepartement: '75',
      codeCommune: '75111',
      limit: 3,
    });
    expect(transport.calls[0]).toEqual({
      path: '/api/v1/services',
      init: { query: { sources: ['dora'], thematiques: ['numerique'], code_commune: '75111', code_departement: '75', page: 1, size: 3 } },
    });
    expect(services.map((s) => s.id)).toEqual([
      'dora--atelier-numerique-belleville',
      'france-travail--accompagnement-intensif-jeunes',
      'dora--atelier-cuisine-belleville',
    ]);
  });

  it('pushes publics, frais, types, modes d\'accueil and région down too, and keeps what the list keeps', async () => {
    const { connector, transport } = setup();
    const services = await connector.listServices({
      publics: ['jeunes'],
      frais: ['gratuit'],
      types: ['atelier'],
      modesAccueil: ['en-presentiel'],
      codeRegion: '11',
      limit: 2,
      keep: async (records) => records.filter((r) => r.id !== 'dora--atelier-numerique-belleville'),
    });
    expect(transport.calls[0]).toEqual({
      path: '/api/v1/services',
      init: { query: { publics: ['jeunes'], frais: ['gratuit'], types: ['atelier'], modes_accueil: ['en-presentiel'], code_region: '11', page: 1, size: 2 } },
    });
    expect(services.map((s) => s.id)).not.toContain('dora--atelier-numerique-belleville');
  });

  it('servicesByIds: one GET per id (no batch form), missing ids omitted, at most 4 in flight', async () => {
    const { connector, transport } = setup(5);
    const ids = [
      'dora--atelier-numerique-belleville',
      'france-travail--accompagnement-intensif-jeunes',
      'dora--inconnu',
      ...Array.from({ length: 7 }, (_, i) => `dora--genere-${i}`),
      'dora--atelier-numerique-belleville',
    ];
    const services = await connector.servicesByIds(ids);
    expect(transport.calls.map((call) => call.path)).toEqual([
      '/api/v1/services/dora--atelier-numerique-belleville',
      '/api/v1/services/france-travail--accompagnement-intensif-jeunes',
      '/api/v1/services/dora--inconnu',
      ...Array.from({ length: 7 }, (_, i) => `/api/v1/services/dora--genere-${i}`),
    ]);
    expect(services.map((s) => s.id)).toEqual(ids.filter((id, i) => id !== 'dora--inconnu' && ids.indexOf(id) === i));
    expect(transport.maxInFlight).toBeLessThanOrEqual(4);
    expect(transport.maxInFlight).toBe(4);
  });

  it('structuresByIds: GET /api/v1/structures/{id}', async () => {
    const { connector, transport } = setup();
    expect(await connector.structuresByIds(['dora--nope'])).toEqual([]);
    expect(transport.calls.map((call) => call.path)).toEqual(['/api/v1/structures/dora--nope']);
  });

  it('throws a malformed PartnerError on a page without items', async () => {
    const logger = createLogger('silent');
    const connector = createConnector(partner, new FakeTransport('di', () => ({ results: [] })), logger);
    await expect(connector.page()).rejects.toMatchObject({ name: 'PartnerError', reason: 'malformed' });
    await expect(connector.page('bogus')).rejects.toThrow('invalid page mark');
  });
});
