import { createLogger } from '../../src/logger';
import { isValue } from '../../src/domain/nomenclatures';
import { createConnector } from '../../src/partners';
import { CATEGORIES, PUBLICS_OTHER, htmlToText } from '../../src/partners/soliguide';
import { PartnerError, type PartnerConfig, type PartnerTransport } from '../../src/partners/types';
import type { ServiceRecord } from '../../src/domain/validation';
import { FakeTransport, type Init } from './fake-transport';
import * as fx from './fixtures/soliguide';



const partner: PartnerConfig = {
  id: 'soliguide',
  type: 'soliguide',
  baseUrl: 'https://api.soliguide.fr',
  token: 'secret',
  live: false,
  sources: ['soliguide'],
  cacheTtlSeconds: 60,
  timeoutMs: 1000,
};

function route(path: string, init?: Init): unknown {
  if (path === '/new-search' && init?.method === 'POST') {
    const body = init.body as { options: { page: number } };
    return fx.searchPages[body.options.page - 1] ?? { places: [], nbResults: 1004 };
  }
  const place = /^\/place\/(\d+)$/.exec(path);
  if (place) {
    const id = place[1];
    if (Number(id) >= 7000 && Number(id) < 7100) return { ...fx.placeBagagerie, lieu_id: Number(id), services_all: [] };
    return fx.placesById[id];
  }
  return undefined;
}

function setup(delayMs = 0) {
  const logs: Record<string, any>[] = [];
  const logger = createLogger('warn', { write: (line: string) => void logs.push(JSON.parse(line)) });
  const transport = new FakeTransport('soliguide', route, delayMs);
  return { logs, transport, connector: createConnector(partner, transport, logger) };
}

describe('Soliguide connector', () => {
  it('maps a place to a structure and its services_all to services', async () => {
    const { connector } = setup();
    const page = await connector.page();
    expect(page.structures[0]).toEqual({
      source: 'soliguide',
      id: 'soliguide--4521',
      nom: 'Restos du Cœur – Lille Moulins',
      // 22:30Z is past midnight in Paris
      date_maj: '2025-10-03',
      description: 'Distribution de repas et accompagnement des personnes en difficulté.\n\n- Repas chauds\n- Colis',
      lien_source: 'https://soliguide.fr/fr/fiche/restos-du-coeur-lille-moulins-4521',
      commune: 'Lille',
      code_postal: '59000',
      code_insee: '59350',
      adresse: '12 rue de Douai, 59000 Lille',
      complement_adresse: 'Entrée par la cour',
      longitude: 3.0712,
      latitude: 50.6229,
      telephone: '03 20 11 22 33',
      courriel: 'lille.moulins@restos.example.org',
      site_web: 'https://www.restosducoeur.org',
    });
    const [repas, juridique] = page.services;
    expect(repas).toEqual({
      source: 'soliguide',
      structure_id: 'soliguide--4521',
      id: 'soliguide--4521--64a1f0c2b3d4e5f60123aa01',
      nom: 'Distribution alimentaire',
      description: 'Repas chauds du lundi au vendredi, de 11h30 à 13h30.',
      date_maj: '2025-10-03',
      lien_source: 'https://soliguide.fr/fr/fiche/restos-du-coeur-lille-moulins-4521',
      thematiques: ['equipement-et-alimentation--alimentation'],
      frais: 'gratuit',
      // accueil 0: unconditional welcome
      publics: ['tous-publics'],
      commune: 'Lille',
      code_postal: '59000',
      code_insee: '59350',
      adresse: '12 rue de Douai, 59000 Lille',
      complement_adresse: 'Entrée par la cour',
      longitude: 3.0712,
      latitude: 50.6229,
      telephone: '03 20 11 22 33',
      courriel: 'lille.moulins@restos.example.org',
      modes_accueil: ['en-presentiel'],
      modes_mobilisation: ['se-presenter'],
      mobilisable_par: ['usagers'],
    });
    expect(juridique).toMatchObject({
      id: 'soliguide--4521--64a1f0c2b3d4e5f60123aa02',
      nom: 'Conseil juridique',
      description: "Permanence d'un juriste bénévole,\nsur rendez-vous.",
      thematiques: ['difficultes-administratives-ou-juridiques--prendre-en-compte-une-problematique-judiciaire'],
      frais: 'payant',
      frais_precisions: '2 € la consultation',
      // the service's own publics: violence, asylum/refugee only, women only, 18–25
      publics: ['personnes-en-situation-durgence', 'personnes-exilees', 'femmes', 'jeunes'],
      publics_precisions: 'Jeunes femmes exilées victimes de violences',
      modes_mobilisation: ['telephoner'],
      mobilisable_par: ['usagers', 'professionnels'],
      mobilisation_precisions: 'Prendre rendez-vous par téléphone',
    });
  });

  it('drops places from Dora, malformed places and services without description, with a logged reason', async () => {
    const { connector, logs } = setup();
    const page = await connector.page();
    expect(page.structures.map((s) => s.id)).toEqual(['soliguide--4521']);
    expect(page.services.map((s) => s.id)).toEqual(['soliguide--4521--64a1f0c2b3d4e5f60123aa01', 'soliguide--4521--64a1f0c2b3d4e5f60123aa02']);
    expect(logs.map((log) => [log.msg, log.partner, log.id])).toEqual([
      ['partner record dropped', 'soliguide', 'soliguide--4521--64a1f0c2b3d4e5f60123aa03'],
      ['partner record dropped', 'soliguide', 'soliguide--4523'],
    ]);
    expect(logs[0].errors).toEqual([{ field: 'description', message: 'description is required' }]);
    expect(logs[1].errors.map((e: { field: string }) => e.field)).toEqual(['nom', 'date_maj']);
    expect(JSON.stringify(logs)).not.toContain('lille.moulins@');
  });

  it('walks the national search with page(mark) until no next', async () => {
    const { connector, transport } = setup();
    const ids: string[] = [];
    const marks: (string | undefined)[] = [];
    let mark: string | undefined;
    do {
      const page = await connector.page(mark);
      ids.push(...page.structures.map((s) => s.id));
      mark = page.next;
      marks.push(mark);
    } while (mark);
    expect(marks).toEqual(['places:2', undefined]);
    expect(ids).toEqual(['soliguide--4521', 'soliguide--9876']);
    expect(transport.calls).toEqual(
      [1, 2].map((page) => ({
        path: '/new-search',
        init: { method: 'POST', body: { location: { geoType: 'pays', geoValue: 'fr' }, options: { limit: 1000, page } } },
      })),
    );
  });

  it('servicesByIds fetches each place once (GET /place/{lieu_id}); structuresByIds at most 4 in flight', async () => {
    const { connector, transport } = setup(5);
    const services = await connector.servicesByIds([
      'soliguide--4521--64a1f0c2b3d4e5f60123aa02',
      'soliguide--4521--64a1f0c2b3d4e5f60123aa01',
      'soliguide--9876--64a1f0c2b3d4e5f60123bb01',
      'soliguide--4522--64a1f0c2b3d4e5f60123aa01', // a place from Dora: nothing
      'dora--atelier',
    ]);
    expect(transport.calls.map((call) => call.path)).toEqual(['/place/4521', '/place/9876', '/place/4522']);
    expect(services.map((s) => s.id)).toEqual([
      'soliguide--4521--64a1f0c2b3d4e5f60123aa01',
      'soliguide--4521--64a1f0c2b3d4e5f60123aa02',
      'soliguide--9876--64a1f0c2b3d4e5f60123bb01',
    ]);
    expect(services[2]).toMatchObject({ nom: 'Bagagerie' });
    expect(services[2]).not.toHaveProperty('thematiques');

    transport.calls.length = 0;
    transport.maxInFlight = 0;
    const ids = [...Array.from({ length: 9 }, (_, i) => `soliguide--${7000 + i}`), 'soliguide--1'];
    const structures = await connector.structuresByIds(ids);
    expect(transport.calls).toHaveLength(10);
    expect(structures).toHaveLength(9);
    expect(transport.maxInFlight).toBe(4);
  });

  it('listServices walks the national search, each page filtered by the list\'s keep', async () => {
    const { connector } = setup();
    const all = (await connector.listServices({ limit: 100 })).map((s) => s.id);
    const seen: string[] = [];
    // A stub: what a live list keeps is src/store/offer-filter.ts's, given by the loader (src/loaders/live-services.ts).
    const keep = async (records: ServiceRecord[]) => {
      seen.push(...records.map((r) => r.id));
      return records.filter((r) => r.id === 'soliguide--9876--64a1f0c2b3d4e5f60123bb01');
    };
    const services = await connector.listServices({ codeCommune: '59512', limit: 5, keep });
    expect(services.map((s) => s.id)).toEqual(['soliguide--9876--64a1f0c2b3d4e5f60123bb01']);
    expect(seen).toEqual(all);
  });

  it('tables target v1 values; HTML becomes plain text', () => {
    for (const { thematiques } of Object.values(CATEGORIES)) for (const value of thematiques) expect([value, isValue('thematiques', value)]).toEqual([value, true]);
    for (const value of Object.values(PUBLICS_OTHER)) expect(isValue('publics', value)).toBe(true);
    expect(htmlToText('<p>A &amp; B&nbsp;&eacute;t&#233; &#x2014; <em>ok</em></p><p></p><br>')).toBe('A & B été — ok');
  });
});
