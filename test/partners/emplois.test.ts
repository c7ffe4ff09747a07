import { createLogger } from '../../src/logger';
import { isValue } from '../../src/domain/nomenclatures';
import { createConnector } from '../../src/partners';
import { KIND_TO_RESEAUX } from '../../src/partners/emplois';
import { PartnerError, type PartnerConfig, type PartnerTransport } from '../../src/partners/types';
import { FakeTransport, type Init } from './fake-transport';
import * as fx from './fixtures/emplois';



const partner: PartnerConfig = {
  id: 'emplois',
  type: 'emplois',
  baseUrl: 'https://emplois.inclusion.beta.gouv.fr',
  token: 'secret',
  live: false,
  sources: ['emplois-de-linclusion'],
  cacheTtlSeconds: 60,
  timeoutMs: 1000,
};

function route(path: string, init?: Init): unknown {
  if (path !== '/api/v1/data-inclusion/') return undefined;
  const type = init?.query?.type as 'siae' | 'orga';
  return fx.pages[type]?.[Number(init?.query?.page ?? 1) - 1];
}

function setup() {
  const logs: Record<string, any>[] = [];
  const logger = createLogger('warn', { write: (line: string) => void logs.push(JSON.parse(line)) });
  const transport = new FakeTransport('emplois', route, 1);
  return { logs, transport, connector: createConnector(partner, transport, logger) };
}

describe('Emplois de l’inclusion connector', () => {
  it('maps an SIAE to a v1 structure, kind → reseaux_porteurs', async () => {
    const { connector } = setup();
    const page = await connector.page();
    expect(page.services).toEqual([]);
    expect(page.structures[0]).toEqual({
      source: 'emplois-de-linclusion',
      id: 'emplois-de-linclusion--3f1c9a52-8e7b-4d2a-a1b3-0c9d8e7f6a51',
      nom: 'Atelier chantier Roubaix Environnement',
      date_maj: '2025-08-19',
      description: 'Chantier d’insertion : entretien des espaces verts et petits travaux du bâtiment.',
      lien_source: 'https://emplois.inclusion.beta.gouv.fr/company/4242/card',
      siret: '50123456700021',
      commune: 'Roubaix',
      code_postal: '59100',
      code_insee: '59512',
      adresse: '21 rue de l’Épeule',
      complement_adresse: 'Bâtiment B',
      longitude: 3.1651,
      latitude: 50.6902,
      telephone: '0320112233',
      courriel: 'contact@aci-roubaix.example.org',
      site_web: 'https://aci-roubaix.example.org',
      reseaux_porteurs: ['aci'],
    });
    // empty description and site_web, no code_insee: left out
    expect(page.structures[1]).toMatchObject({ nom: 'Intérim solidaire Lille', reseaux_porteurs: ['etti'], date_maj: '2025-02-28' });
    for (const field of ['description', 'site_web', 'code_insee']) expect(page.structures[1]).not.toHaveProperty(field);
  });

  it('walks siae then orga pages with page(mark) until no next; the malformed structure is dropped and logged', async () => {
    const { connector, transport, logs } = setup();
    const seen: { ids: string[]; reseaux: unknown[]; next?: string }[] = [];
    let mark: string | undefined;
    do {
      const page = await connector.page(mark);
      seen.push({ ids: page.structures.map((s) => s.id.slice(-4)), reseaux: page.structures.map((s) => s.reseaux_porteurs), next: page.next });
      mark = page.next;
    } while (mark);
    expect(seen).toEqual([
      { ids: ['6a51', '4c5d'], reseaux: [['aci'], ['etti']], next: 'siae:2' },
      // OPCS has no v1 réseau
      { ids: ['7d6e'], reseaux: [undefined], next: 'orga:1' },
      { ids: ['4f5a', '5a6b'], reseaux: [['mission-locale'], ['france-travail']], next: undefined },
    ]);
    expect(transport.calls.map((call) => call.init?.query)).toEqual([
      { type: 'siae', page: 1, page_size: 1000 },
      { type: 'siae', page: 2, page_size: 1000 },
      { type: 'orga', page: 1, page_size: 1000 },
    ]);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ msg: 'partner record dropped', partner: 'emplois', id: 'emplois-de-linclusion--c0ffee00-0000-4000-8000-000000000000' });
    expect(logs[0].errors.map((e: { field: string }) => e.field)).toEqual(['date_maj', 'siret']);
    expect(JSON.stringify(logs)).not.toContain('contact@aci-roubaix');
  });

  it('has no services: servicesByIds and listServices answer [] without a request', async () => {
    const { connector, transport } = setup();
    expect(await connector.servicesByIds(['emplois-de-linclusion--x'])).toEqual([]);
    expect(await connector.listServices({ limit: 10 })).toEqual([]);
    expect(transport.calls).toEqual([]);
  });

  it('structuresByIds walks the pages only until every id is found', async () => {
    const { connector, transport } = setup();
    const structures = await connector.structuresByIds([
      'emplois-de-linclusion--7a2b3c4d-5e6f-4a1b-8c9d-0e1f2a3b4c5d',
      'emplois-de-linclusion--9b8c7d6e-5f4a-4b3c-9d2e-1f0a9b8c7d6e',
    ]);
    expect(structures.map((s) => s.nom)).toEqual(['Intérim solidaire Lille', 'Atelier pénitentiaire de Sequedin']);
    expect(transport.calls).toHaveLength(2);
    expect(await connector.structuresByIds(['dora--x'])).toEqual([]);
    expect(transport.calls).toHaveLength(2);
  });

  it('kind table targets v1 values', () => {
    for (const value of Object.values(KIND_TO_RESEAUX)) expect([value, isValue('reseaux_porteurs', value)]).toEqual([value, true]);
  });
});
