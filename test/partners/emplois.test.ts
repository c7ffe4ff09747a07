import { createLogger } from '../../src/logger';
import { isValue } from '../../src/domain/nomenclatures';
import { createConnector } from '../../src/partners';
import { mapStructure } from '../../src/partners/emplois';
import { DI_KIND_TO_RESEAU, PASSERELLE_KIND_TO_RESEAU, reseauOfKind } from '../../src/partners/emplois-mappings';
import { acceptStructure } from '../../src/partners/common';
import type { PartnerConfig } from '../../src/partners/types';
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

type Pages = Record<'siae' | 'orga', unknown[]>;

function setup(pages: Pages = fx.pages) {
  const logs: Record<string, any>[] = [];
  const logger = createLogger('warn', { write: (line: string) => void logs.push(JSON.parse(line)) });
  const route = (path: string, init?: Init): unknown => {
    if (path !== '/api/v1/data-inclusion/') return undefined;
    const type = init?.query?.type as 'siae' | 'orga';
    return pages[type]?.[Number(init?.query?.page ?? 1) - 1];
  };
  const transport = new FakeTransport('emplois', route, 1);
  return { logs, transport, connector: createConnector(partner, transport, logger) };
}

async function harvest(pages: Pages = fx.pages) {
  const { connector, logs } = setup(pages);
  const structures = [];
  let mark: string | undefined;
  do {
    const page = await connector.page(mark);
    expect(page.services).toEqual([]);
    structures.push(...page.structures);
    mark = page.next;
  } while (mark);
  return { structures, logs };
}

const ID = 'emplois-de-linclusion--';

describe('Emplois de l’inclusion connector', () => {
  it('maps a realistic harvest (siae then orga pages) to whole v1 structures', async () => {
    const { structures } = await harvest();
    expect(structures).toEqual([
      {
        source: 'emplois-de-linclusion',
        id: `${ID}3f1c9a52-8e7b-4d2a-a1b3-0c9d8e7f6a51`,
        nom: 'Atelier chantier Roubaix Environnement',
        date_maj: '2025-08-19',
        description: 'Chantier d’insertion : entretien des espaces verts et petits travaux du bâtiment.',
        lien_source: 'https://emplois.inclusion.beta.gouv.fr/company/4242/card',
        siret: '50123456700021',
        commune: 'ROUBAIX',
        code_postal: '59100',
        code_insee: '59512',
        adresse: '21 RUE DE L EPEULE',
        complement_adresse: 'Bâtiment B',
        longitude: 3.165134,
        latitude: 50.690215,
        telephone: '0320112233',
        courriel: 'contact@aci-roubaix.example.org',
        site_web: 'https://aci-roubaix.example.org',
        reseaux_porteurs: ['aci'],
      },
      {
        // "" fields left out; 00:12+01:00 is still the 28th in Paris (the 27th in UTC)
        source: 'emplois-de-linclusion',
        id: `${ID}7a2b3c4d-5e6f-4a1b-8c9d-0e1f2a3b4c5d`,
        nom: 'Intérim solidaire Lille',
        date_maj: '2025-02-28',
        lien_source: 'https://emplois.inclusion.beta.gouv.fr/company/4243/card',
        siret: '50123456700039',
        commune: 'Lille',
        code_postal: '59800',
        code_insee: '59350',
        adresse: '4 place du Théâtre',
        longitude: 3.065364,
        latitude: 50.637126,
        telephone: '03 20 55 44 33',
        courriel: 'lille@interim-solidaire.example.org',
        reseaux_porteurs: ['etti'],
      },
      {
        // OPCS: no réseau; 59320 is nine communes', the name picks Sequedin
        source: 'emplois-de-linclusion',
        id: `${ID}9b8c7d6e-5f4a-4b3c-9d2e-1f0a9b8c7d6e`,
        nom: 'Atelier pénitentiaire de Sequedin',
        date_maj: '2024-11-05',
        description: 'Activité de production en détention.',
        lien_source: 'https://emplois.inclusion.beta.gouv.fr/company/4244/card',
        siret: '50123456700047',
        commune: 'SEQUEDIN',
        code_postal: '59320',
        code_insee: '59566',
        adresse: 'RUE DE L EPINETTE',
        longitude: 2.983921,
        latitude: 50.617463,
      },
      {
        // a site without scheme gets https://
        source: 'emplois-de-linclusion',
        id: `${ID}d1e2f3a4-b5c6-4d7e-8f9a-0b1c2d3e4f5a`,
        nom: 'Mission locale Métropole Sud',
        date_maj: '2025-11-03',
        description: 'Accompagnement des 16-25 ans vers l’emploi et la formation.',
        lien_source: 'https://emplois.inclusion.beta.gouv.fr/prescribers/4/card',
        siret: '31234567800015',
        commune: 'LAMBERSART',
        code_postal: '59130',
        code_insee: '59328',
        adresse: '1 AVENUE DE LA REPUBLIQUE',
        longitude: 3.025014,
        latitude: 50.650027,
        telephone: '0320000000',
        courriel: 'accueil@ml-metropole-sud.example.org',
        site_web: 'https://ml-metropole-sud.example.org',
        reseaux_porteurs: ['mission-locale'],
      },
      {
        // no siret; CEDEX postal code and city: Lille by name within the Nord
        source: 'emplois-de-linclusion',
        id: `${ID}e2f3a4b5-c6d7-4e8f-9a0b-1c2d3e4f5a6b`,
        nom: 'France Travail Lille Vauban',
        date_maj: '2026-01-12',
        lien_source: 'https://emplois.inclusion.beta.gouv.fr/prescribers/5/card',
        commune: 'LILLE CEDEX',
        code_postal: '59044',
        code_insee: '59350',
        adresse: '11 RUE JEAN SANS PEUR',
        complement_adresse: 'CS 30012',
        longitude: 3.051127,
        latitude: 50.632561,
        telephone: '3949',
        courriel: 'ape.59044@francetravail.fr',
        site_web: 'https://www.francetravail.fr',
        reseaux_porteurs: ['france-travail'],
      },
    ]);
  });

  it('maps data·inclusion’s special cases to whole v1 structures', async () => {
    const { structures, logs } = await harvest({ siae: [fx.edgeSiaePage], orga: [fx.edgeOrgaPage] });
    expect(logs).toEqual([]);
    expect(structures).toEqual([
      {
        // description of 4 characters blanked, coordinates 0 → none, "ST ETIENNE" → Saint-Étienne,
        // 00:45+02:00 on 1 July is 1 July (as data·inclusion's CAST(… AS DATE))
        source: 'emplois-de-linclusion',
        id: `${ID}0a1b2c3d-4e5f-4061-8273-94a5b6c7d8e9`,
        nom: 'ETTI Loire Intérim',
        date_maj: '2025-07-01',
        lien_source: 'https://emplois.inclusion.beta.gouv.fr/company/5120/card',
        siret: '50123456700062',
        commune: 'ST ETIENNE',
        code_postal: '42000',
        code_insee: '42218',
        adresse: '12 RUE DE LA RESISTANCE',
        telephone: '04 77 00 11 22',
        courriel: 'contact@loire-interim.example.org',
        site_web: 'https://www.loire-interim.example.org',
        reseaux_porteurs: ['etti'],
      },
      {
        // an arrondissement's name: the commune's code, as data·inclusion's (75056)
        source: 'emplois-de-linclusion',
        id: `${ID}1b2c3d4e-5f60-4172-8384-a5b6c7d8e9f0`,
        nom: 'Association intermédiaire Paris Est',
        date_maj: '2026-03-02',
        description: 'Mise à disposition de salariés auprès de particuliers, associations et entreprises.',
        lien_source: 'https://emplois.inclusion.beta.gouv.fr/company/5121/card',
        siret: '50123456700070',
        commune: 'Paris 11e Arrondissement',
        code_postal: '75011',
        code_insee: '75056',
        adresse: '8 rue de la Fontaine au Roi',
        longitude: 2.371862,
        latitude: 48.868734,
        telephone: '0143001122',
        courriel: 'accueil@ai-paris-est.example.org',
        site_web: 'https://ai-paris-est.example.org',
        reseaux_porteurs: ['ai'],
      },
      {
        // a commune déléguée's name → its commune
        source: 'emplois-de-linclusion',
        id: `${ID}2c3d4e5f-6071-4283-9495-b6c7d8e9f0a1`,
        nom: 'GEIQ Alpes Savoie',
        date_maj: '2025-10-15',
        description: 'Groupement d’employeurs pour l’insertion et la qualification dans le BTP et l’industrie.',
        lien_source: 'https://emplois.inclusion.beta.gouv.fr/company/5122/card',
        siret: '50123456700088',
        commune: 'Annecy-le-Vieux',
        code_postal: '74940',
        code_insee: '74010',
        adresse: '5 chemin des Croix',
        longitude: 6.142563,
        latitude: 45.919351,
        telephone: '0450112233',
        courriel: 'contact@geiq-alpes.example.org',
        site_web: 'https://geiq-alpes.example.org',
        reseaux_porteurs: ['geiq'],
      },
      {
        // unresolvable commune: no code_insee, never a guess
        source: 'emplois-de-linclusion',
        id: `${ID}3d4e5f60-7182-4394-a5a6-c7d8e9f0a1b2`,
        nom: 'Entreprise d’insertion du Val-d’Oise',
        date_maj: '2023-04-17',
        description: 'Entreprise d’insertion : maraîchage biologique et vente en circuit court.',
        lien_source: 'https://emplois.inclusion.beta.gouv.fr/company/5123/card',
        siret: '50123456700096',
        commune: 'CERGY PONTOISE',
        code_postal: '95000',
        adresse: '2 RUE DES CHAUFFOURS',
        longitude: 2.078384,
        latitude: 49.041618,
        telephone: '0130000000',
        reseaux_porteurs: ['ei'],
      },
      {
        // siret of 14 zeros, description of 3 characters and lien_source null left out; no city, a postal
        // code of two communes: the coordinates settle it
        source: 'emplois-de-linclusion',
        id: `${ID}4e5f6071-8293-44a5-b6b7-d8e9f0a1b2c3`,
        nom: 'Point information jeunesse de Saint-Étienne',
        date_maj: '2026-02-01',
        code_postal: '42230',
        code_insee: '42218',
        adresse: '6 RUE DE LA RIVIERE',
        longitude: 4.387,
        latitude: 45.434,
        telephone: '04 77 48 00 00',
        courriel: 'pij@saint-etienne.example.org',
        reseaux_porteurs: ['reseau-information-jeunesse'],
      },
      {
        // OHPD: no réseau (data·inclusion's table); postal code and city contradict: no code_insee
        source: 'emplois-de-linclusion',
        id: `${ID}5f607182-93a4-45b6-87c8-e9f0a1b2c3d4`,
        nom: 'Association d’aide aux sortants de prison du Nord',
        date_maj: '2024-07-08',
        description: 'Organisme habilité par le préfet : accompagnement social et accès aux droits.',
        lien_source: 'https://emplois.inclusion.beta.gouv.fr/prescribers/812/card',
        siret: '40123456700011',
        commune: 'Lille',
        code_postal: '59100',
        longitude: 3.176512,
        latitude: 50.694315,
        telephone: '0320998877',
        courriel: 'contact@aasp-nord.example.org',
        site_web: 'http://aasp-nord.example.org',
      },
    ]);
  });

  describe('defects of the former mapping (issue 9)', () => {
    const accept = (raw: Record<string, unknown>) => {
      const logs: unknown[] = [];
      const logger = createLogger('warn', { write: (line: string) => void logs.push(JSON.parse(line)) });
      return { record: acceptStructure({ partner: 'emplois', logger }, mapStructure(raw)), logs };
    };

    it('derives code_insee from code_postal + commune: the payload has none', () => {
      expect(Object.keys(fx.siaeAci)).not.toContain('code_insee');
      expect(accept(fx.siaeAci).record?.code_insee).toBe('59512');
      expect(accept({ ...fx.siaeAci, code_postal: '42007', commune: 'ST ETIENNE CEDEX 1' }).record?.code_insee).toBe('42218');
      expect(accept({ ...fx.siaeAci, code_postal: '62170', commune: 'MONTREUIL' }).record?.code_insee).toBe('62588');
      expect(accept({ ...fx.siaeAci, code_postal: '95000', commune: 'CERGY PONTOISE' }).record).not.toHaveProperty('code_insee');
    });

    it('latitude and longitude of 0 are none (data·inclusion NULLIF(…, 0)), each on its own', () => {
      const { record } = accept({ ...fx.siaeAci, latitude: 0, longitude: 0 });
      expect(record).not.toHaveProperty('latitude');
      expect(record).not.toHaveProperty('longitude');
      expect(accept({ ...fx.siaeAci, latitude: 0 }).record).toMatchObject({ longitude: 3.165134 });
    });

    it('a description of 1–5 characters is blanked, the record kept', () => {
      for (const description of ['A', 'ETTI', '12345', '  néant  ']) {
        const { record, logs } = accept({ ...fx.siaeAci, description });
        expect(logs).toEqual([]);
        expect(record).toBeDefined();
        expect(record).not.toHaveProperty('description');
      }
      expect(accept({ ...fx.siaeAci, description: 'Atelier' }).record?.description).toBe('Atelier');
    });

    it('kind → réseau follows data·inclusion’s table, exact kinds only', () => {
      expect(reseauOfKind('FT')).toBe('france-travail');
      expect(reseauOfKind('OHPD')).toBeUndefined();
      expect(reseauOfKind('Autre')).toBeUndefined();
      expect(reseauOfKind('Orienteur')).toBeUndefined();
      // not Emplois kinds any more (Pôle emploi became FT; no MDPH kind)
      expect(reseauOfKind('PE')).toBeUndefined();
      expect(reseauOfKind('MDPH')).toBeUndefined();
      // data·inclusion joins on the exact value
      expect(reseauOfKind('ft')).toBeUndefined();
      expect(reseauOfKind('toString')).toBeUndefined();
      expect(accept({ ...fx.siaeAci, kind: 'PE' }).record).not.toHaveProperty('reseaux_porteurs');
    });

    it('the placeholder siret of 14 zeros is none', () => {
      expect(accept({ ...fx.orgaMissionLocale, siret: '00000000000000' }).record).not.toHaveProperty('siret');
    });

    it('date_maj, an ISO datetime in Europe/Paris, becomes its date', () => {
      expect(accept({ ...fx.siaeAci, date_maj: '2025-03-31T00:05:00.000001+02:00' }).record?.date_maj).toBe('2025-03-31');
    });
  });

  it('the kind table: data·inclusion’s 38 rows (31 with a réseau, 7 deliberately none) plus two, all v1 values', () => {
    expect(Object.keys(DI_KIND_TO_RESEAU)).toHaveLength(38);
    expect(Object.values(DI_KIND_TO_RESEAU).filter((value) => value !== null)).toHaveLength(31);
    expect(Object.keys(PASSERELLE_KIND_TO_RESEAU).filter((kind) => kind in DI_KIND_TO_RESEAU)).toEqual([]);
    const values = [...Object.values(DI_KIND_TO_RESEAU), ...Object.values(PASSERELLE_KIND_TO_RESEAU)].filter((value): value is string => value !== null);
    for (const value of values) expect([value, isValue('reseaux_porteurs', value)]).toEqual([value, true]);
  });

  it('walks siae then orga pages with page(mark) until no next; the malformed structure is dropped and logged', async () => {
    const { connector, transport, logs } = setup();
    const seen: { ids: string[]; next?: string }[] = [];
    let mark: string | undefined;
    do {
      const page = await connector.page(mark);
      seen.push({ ids: page.structures.map((s) => s.id.slice(-4)), next: page.next });
      mark = page.next;
    } while (mark);
    expect(seen).toEqual([
      { ids: ['6a51', '4c5d'], next: 'siae:2' },
      { ids: ['7d6e'], next: 'orga:1' },
      { ids: ['4f5a', '5a6b'], next: undefined },
    ]);
    expect(transport.calls.map((call) => call.init?.query)).toEqual([
      { type: 'siae', page: 1, page_size: 1000 },
      { type: 'siae', page: 2, page_size: 1000 },
      { type: 'orga', page: 1, page_size: 1000 },
    ]);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ msg: 'partner record dropped', partner: 'emplois', id: `${ID}c0ffee00-0000-4000-8000-000000000000` });
    expect(logs[0].errors.map((e: { field: string }) => e.field)).toEqual(['nom']);
    expect(JSON.stringify(logs)).not.toContain('contact@aci-roubaix');
  });

  it('has no services: servicesByIds and listServices answer [] without a request', async () => {
    const { connector, transport } = setup();
    expect(await connector.servicesByIds([`${ID}x`])).toEqual([]);
    expect(await connector.listServices({ limit: 10 })).toEqual([]);
    expect(transport.calls).toEqual([]);
  });

  it('structuresByIds walks the pages only until every id is found', async () => {
    const { connector, transport } = setup();
    const structures = await connector.structuresByIds([`${ID}${fx.siaeEtti.id}`, `${ID}${fx.siaeOpcs.id}`]);
    expect(structures.map((s) => s.nom)).toEqual(['Intérim solidaire Lille', 'Atelier pénitentiaire de Sequedin']);
    expect(transport.calls).toHaveLength(2);
    expect(await connector.structuresByIds(['dora--x'])).toEqual([]);
    expect(transport.calls).toHaveLength(2);
  });
});
