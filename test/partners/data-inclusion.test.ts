import { createLogger } from '../../src/logger';
import { createConnector } from '../../src/partners';
import { PartnerError, type PartnerConfig, type PartnerTransport } from '../../src/partners/types';
import { FakeTransport, type Init } from './fake-transport';
import * as fx from './fixtures/data-inclusion';
import { metrics, newerValuesKept } from '../../src/metrics';
import { serviceFromPartner, structureFromPartner } from '../../src/partners/models';
import { scoreService } from '../../src/quality/score';

async function counted(nomenclature: string, value: string): Promise<number> {
  const { values } = await newerValuesKept.get();
  return values.find((entry) => entry.labels.partner === 'di' && entry.labels.nomenclature === nomenclature && entry.labels.value === value)?.value ?? 0;
}



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
  it('keeps the v1 fields, data·inclusion\'s score and doublons (as ids), and drops the other API-added fields', async () => {
    const { connector } = setup();
    const page = await connector.page(undefined);
    expect(page.structures.map((s) => s.id)).toEqual(['dora--cs-belleville', 'france-travail--59350-lille-vauban']);
    expect(page.structures[0]).toMatchObject({ score_qualite: 0.72, score_origine: 'data-inclusion', doublons: ['soliguide--4521'] });
    expect(page.structures[1]).toMatchObject({ score_qualite: 0.5 });
    expect(page.structures[1]).not.toHaveProperty('doublons');
    expect(page.structures[0]).not.toHaveProperty('adresse_certifiee');

    const [service] = await connector.servicesByIds(['dora--atelier-numerique-belleville']);
    const { adresse_certifiee, extra, ...v1 } = fx.serviceAtelier;
    void adresse_certifiee, extra;
    // data·inclusion's score, marked as its own (`qualite.origine`: DATA_INCLUSION).
    const expected = { ...Object.fromEntries(Object.entries(v1).filter(([, value]) => value !== null)), score_origine: 'data-inclusion' };
    expect(service).toEqual(expected);
    expect(service).not.toHaveProperty('structure');
  });

  it('serves data·inclusion\'s score on live records instead of recomputing it', async () => {
    const { connector } = setup();
    const [service] = await connector.servicesByIds(['dora--atelier-numerique-belleville']);
    const [structure] = (await connector.page(undefined)).structures;
    const now = new Date('2026-12-01T00:00:00Z');
    expect(serviceFromPartner(service, 'di', now).scoreQualite).toBe(fx.serviceAtelier.score_qualite);
    expect(scoreService(service, now)).not.toBe(fx.serviceAtelier.score_qualite);
    expect(structureFromPartner(structure, 'di', now)).toMatchObject({ scoreQualite: 0.72, doublons: ['soliguide--4521'] });
  });

  it('keeps records whose nomenclature values or source are newer than Passerelle\'s, with a log line and a counter', async () => {
    const newer = {
      ...fx.serviceAtelier,
      id: 'nouvelle-source--atelier',
      source: 'nouvelle-source',
      structure_id: 'nouvelle-source--cs',
      thematiques: ['numerique--acquerir-un-equipement', 'numerique--une-thematique-de-demain'],
      publics: ['mdph-demain'],
    };
    const logs: Record<string, any>[] = [];
    const logger = createLogger('warn', { write: (line: string) => void logs.push(JSON.parse(line)) });
    const connector = createConnector(partner, new FakeTransport('di', () => ({ ...newer, structure: {} })), logger);
    const before = await counted('thematiques', 'numerique--une-thematique-de-demain');
    const [service] = await connector.servicesByIds(['nouvelle-source--atelier']);
    expect(service).toMatchObject({ id: 'nouvelle-source--atelier', source: 'nouvelle-source', publics: ['mdph-demain'] });
    expect(service.thematiques).toEqual(newer.thematiques);
    expect(await counted('thematiques', 'numerique--une-thematique-de-demain')).toBe(before + 1);
    const line = logs.find((entry) => entry.msg === "partner record kept with values newer than Passerelle's nomenclatures");
    expect(line).toMatchObject({ partner: 'di', id: 'nouvelle-source--atelier' });
    expect(line?.values).toEqual([
      { field: 'source', value: 'nouvelle-source' },
      { field: 'thematiques[1]', value: 'numerique--une-thematique-de-demain' },
      { field: 'publics[0]', value: 'mdph-demain' },
    ]);
    // What the metrics endpoint serves.
    expect(await metrics.metrics()).toContain('passerelle_partner_newer_values_total{partner="di",nomenclature="publics",value="mdph-demain"}');
  });

  it('keeps a record whose optional URL or e-mail its validator accepted and ours does not, without that field', async () => {
    const { site_web, ...rest } = fx.structureBelleville;
    void site_web;
    const odd = { ...rest, site_web: 'cs-belleville', courriel: 'accueil@', lien_source: 'pas une url' };
    const logs: Record<string, any>[] = [];
    const logger = createLogger('warn', { write: (line: string) => void logs.push(JSON.parse(line)) });
    const connector = createConnector(partner, new FakeTransport('di', () => odd), logger);
    const [structure] = await connector.structuresByIds(['dora--cs-belleville']);
    expect(structure).toMatchObject({ id: 'dora--cs-belleville', nom: 'Centre social Belleville' });
    expect(structure).not.toHaveProperty('site_web');
    expect(structure).not.toHaveProperty('courriel');
    expect(structure).not.toHaveProperty('lien_source');
    const line = logs.find((entry) => entry.msg === 'partner record kept without its invalid optional fields');
    expect(line?.errors.map((error: { field: string }) => error.field).sort()).toEqual(['courriel', 'lien_source', 'site_web']);
    // No contact value reaches the log.
    expect(JSON.stringify(logs)).not.toContain('accueil@');

    // A required field still drops the record.
    const broken = createConnector(partner, new FakeTransport('di', () => ({ ...odd, nom: 'X' })), createLogger('silent'));
    expect(await broken.structuresByIds(['dora--cs-belleville'])).toEqual([]);
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
