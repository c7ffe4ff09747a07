import { generateOffer, seedCommunes, seedOffer, storeIsEmpty } from '../../src/ingest/seed';
import { validateService, validateStructure } from '../../src/domain/validation';
import { OfferValidationError, syncSources, writeOffer } from '../../src/store/write';
import { scoreService, scoreStructure } from '../../src/quality/score';
import { SOURCES } from '../../src/domain/nomenclatures';
import { ENGINES, createTestStore, type TestStore } from '../support/engines';

const NOW = new Date('2026-06-15T10:00:00Z');

describe('generateOffer', () => {
  const offer = generateOffer({ now: NOW });

  it('is deterministic: same seed, same records; another seed, another offer', () => {
    expect(generateOffer({ now: NOW })).toEqual(offer);
    const small = generateOffer({ now: NOW, structures: 50, seed: 'autre' });
    expect(small.structures).toHaveLength(50);
    expect(small.structures.map((s) => s.id)).not.toEqual(offer.structures.slice(0, 50).map((s) => s.id));
  });

  it('has the default size: 2,000 structures and 6,000 services', () => {
    expect(offer.structures).toHaveLength(2000);
    expect(offer.services).toHaveLength(6000);
    expect(generateOffer({ now: NOW, structures: 10, servicesPerStructure: 2.5 }).services).toHaveLength(25);
    expect(generateOffer({ now: NOW, structures: 10, servicesPerStructure: 0 }).services).toHaveLength(0);
  });

  it('produces only valid v1 records with unique ids and existing structures', () => {
    const today = NOW.toISOString().slice(0, 10);
    const invalid = [
      ...offer.structures.map((s) => validateStructure(s, { today })),
      ...offer.services.map((s) => validateService(s, { today })),
    ].filter((result) => !result.ok);
    expect(invalid).toEqual([]);
    const ids = [...offer.structures, ...offer.services].map((record) => record.id);
    expect(new Set(ids).size).toBe(ids.length);
    const structureIds = new Set(offer.structures.map((s) => s.id));
    expect(offer.services.every((s) => structureIds.has(s.structure_id))).toBe(true);
  });

  it('is plausibly distributed', () => {
    const share = <T>(items: T[], test: (item: T) => boolean) => items.filter(test).length / items.length;
    const { structures, services } = offer;
    // Several sources, dora the largest, none unknown.
    const sources = new Set(structures.map((s) => s.source));
    expect(sources.size).toBeGreaterThanOrEqual(10);
    for (const source of ['dora', 'emplois-de-linclusion', 'france-travail', 'action-logement', 'mediation-numerique', 'soliguide', 'agefiph']) {
      expect(sources).toContain(source);
    }
    expect(SOURCES.map((s) => s.value)).toEqual(expect.arrayContaining([...sources]));
    // Spread over many communes and départements, weighted by population (Paris is the most frequent).
    expect(new Set(structures.map((s) => s.code_insee)).size).toBeGreaterThan(500);
    expect(new Set(structures.map((s) => s.code_insee!.slice(0, 2))).size).toBeGreaterThan(80);
    const paris = structures.filter((s) => s.code_insee === '75056').length;
    expect(paris).toBeGreaterThan(30);
    // Coordinates near the commune centre (≤ ~1 km).
    const { communes } = seedCommunes();
    const centres = new Map(communes.map((c) => [c.code, c]));
    for (const s of structures) {
      const centre = centres.get(s.code_insee!)!;
      const dLat = (s.latitude! - centre.latitude) * 111.32;
      const dLon = (s.longitude! - centre.longitude) * 111.32 * Math.cos((centre.latitude * Math.PI) / 180);
      expect(Math.hypot(dLat, dLon)).toBeLessThanOrEqual(1.01);
      expect(centre.codesPostaux).toContain(s.code_postal);
    }
    // Names by kind.
    expect(structures.some((s) => s.nom.startsWith('CCAS '))).toBe(true);
    expect(structures.some((s) => s.nom.startsWith('Mission locale '))).toBe(true);
    expect(structures.some((s) => s.nom.startsWith('France Travail ') || s.nom.startsWith('Agence France Travail '))).toBe(true);
    // Contacts and identifiers on most records.
    expect(share(structures, (s) => !!s.siret)).toBeGreaterThan(0.5);
    expect(share(structures, (s) => !!s.telephone)).toBeGreaterThan(0.7);
    expect(structures.filter((s) => s.telephone).every((s) => /^\+\d{11,12}$/.test(s.telephone!))).toBe(true);
    expect(share(structures, (s) => !!s.courriel)).toBeGreaterThan(0.6);
    expect(share(services, (s) => !!s.contact_nom_prenom)).toBeGreaterThan(0.4);
    // date_maj spread over 3 years before now.
    const dates = [...structures, ...services].map((r) => r.date_maj).sort();
    expect(dates[0] >= '2023-06-15').toBe(true);
    expect(dates[dates.length - 1] <= '2026-06-15').toBe(true);
    expect(share(services, (s) => s.date_maj < '2024-06-15')).toBeGreaterThan(0.2);
    // Services.
    expect(share(services, (s) => s.frais === 'gratuit')).toBeGreaterThan(0.6);
    expect(share(services, (s) => s.publics?.[0] === 'tous-publics')).toBeGreaterThan(0.03);
    expect(services.every((s) => s.thematiques!.length >= 1 && s.thematiques!.length <= 3)).toBe(true);
    expect(services.every((s) => s.description.length >= 50 && s.description.length <= 600)).toBe(true);
    expect(share(services, (s) => s.zone_eligibilite?.[0] === 'france')).toBeGreaterThan(0.01);
    expect(share(services, (s) => /^\d{2,3}$|^2[AB]$/.test(s.zone_eligibilite?.[0] ?? ''))).toBeGreaterThan(0.1);
    expect(share(services, (s) => s.zone_eligibilite?.[0]?.length === 5)).toBeGreaterThan(0.1);
    expect(new Set(services.map((s) => s.type)).size).toBeGreaterThanOrEqual(6);
    // Mission locale services target young people.
    const missionLocale = new Set(structures.filter((s) => s.reseaux_porteurs?.includes('mission-locale')).map((s) => s.id));
    const jeunes = services.filter((s) => missionLocale.has(s.structure_id));
    expect(share(jeunes, (s) => !!s.publics?.includes('jeunes') || !!s.publics?.includes('tous-publics'))).toBeGreaterThan(0.8);
    // Scores vary.
    const scores = services.map((s) => scoreService(s, NOW));
    expect(Math.min(...scores)).toBeLessThan(0.8);
    expect(Math.max(...scores)).toBe(1);
  });
});

describe.each(ENGINES)('seed and writeOffer on %s', (engine) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(engine);
  });
  afterAll(async () => {
    await store?.dispose();
  });

  it('seeds N structures and M services, with sources and scores', async () => {
    expect(await storeIsEmpty(store)).toBe(true);
    const started = Date.now();
    const result = await seedOffer(store, { now: NOW });
    const elapsed = Date.now() - started;
    console.log(`seedOffer on ${engine}: 2000 structures / 6000 services in ${elapsed} ms`);
    expect(result).toMatchObject({ structures: 2000, services: 6000, structuresWritten: 2000, servicesWritten: 6000 });
    expect(await store.prisma.structure.count()).toBe(2000);
    expect(await store.prisma.service.count()).toBe(6000);
    expect(await store.prisma.source.count()).toBe(16);
    expect(await storeIsEmpty(store)).toBe(false);

    // Stored values match the records, scores as computed.
    const offer = generateOffer({ now: NOW });
    const record = offer.services[0];
    const row = await store.prisma.service.findUniqueOrThrow({ where: { id: record.id }, include: { structure: { include: { services: true } } } });
    expect(row.thematiques).toEqual(record.thematiques);
    expect(row.publics).toEqual(record.publics);
    expect(row.dateMaj.toISOString().slice(0, 10)).toBe(record.date_maj);
    expect(row.scoreQualite).toBe(scoreService(record, NOW));
    expect(row.structure.scoreQualite).toBe(scoreStructure(row.structure.services.map((s) => s.scoreQualite!)));
  });

  it('leaves updated_at unchanged when the same data is written again, and moves it only for changed rows', async () => {
    const before = await store.prisma.service.findMany({ select: { id: true, updatedAt: true }, orderBy: { id: 'asc' } });
    const beforeStructures = await store.prisma.structure.findMany({ select: { id: true, updatedAt: true }, orderBy: { id: 'asc' } });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const batches: { structures: number; total: number }[] = [];
    const again = await seedOffer(store, { now: NOW, batchSize: 500, onBatch: (progress) => batches.push(progress) });
    // Progress after every committed batch (what the seed command's bar shows).
    expect(batches).toEqual([500, 1000, 1500, 2000].map((structures) => ({ structures, total: 2000 })));
    expect(again).toMatchObject({ structuresWritten: 0, servicesWritten: 0, structuresUnchanged: 2000, servicesUnchanged: 6000 });
    expect(await store.prisma.service.findMany({ select: { id: true, updatedAt: true }, orderBy: { id: 'asc' } })).toEqual(before);
    expect(await store.prisma.structure.findMany({ select: { id: true, updatedAt: true }, orderBy: { id: 'asc' } })).toEqual(beforeStructures);

    const offer = generateOffer({ now: NOW, structures: 2000 });
    const changed = { ...offer.services[1], nom: 'Nom modifié du service', frais: null };
    const result = await writeOffer(store, { structures: [], services: [changed] }, { now: NOW });
    expect(result).toMatchObject({ structuresWritten: 0, servicesWritten: 1 });
    const row = await store.prisma.service.findUniqueOrThrow({ where: { id: changed.id } });
    expect(row.nom).toBe('Nom modifié du service');
    expect(row.frais).toBeNull();
    expect(row.updatedAt.getTime()).toBeGreaterThan(before.find((b) => b.id === changed.id)!.updatedAt.getTime());
    const after = await store.prisma.service.findMany({ select: { id: true, updatedAt: true }, orderBy: { id: 'asc' } });
    const moved = after.filter((row, index) => row.updatedAt.getTime() !== before[index].updatedAt.getTime()).map((row) => row.id);
    expect(moved).toEqual([changed.id]);
  });

  it('writes nothing from an invalid batch and names the paths', async () => {
    await syncSources(store);
    const counts = async () => [await store.prisma.structure.count(), await store.prisma.service.count()];
    const before = await counts();
    const good = {
      source: 'dora',
      id: 'dora--nouvelle',
      nom: 'Nouvelle structure',
      date_maj: '2026-01-01',
    };
    const badService = {
      source: 'dora',
      id: 'dora--nouveau-service',
      structure_id: 'dora--nouvelle',
      nom: 'Se',
      description: 'Description suffisante.',
      date_maj: '2026-01-01',
      publics: ['tous-publics', 'jeunes'],
    };
    const error = await writeOffer(store, { structures: [good, { ...good, id: 'dora--autre', nom: 'ab' }], services: [badService] }, { now: NOW }).catch((e) => e);
    expect(error).toBeInstanceOf(OfferValidationError);
    expect((error as OfferValidationError).errors.map((e) => e.field)).toEqual(['structures[1].nom', 'services[0].nom', 'services[0].publics']);
    expect((error as Error).message).toContain('structures[1].nom: nom must be 3 to 150 characters long');
    expect(await counts()).toEqual(before);

    // A service whose structure is neither in the batch nor in the store.
    const orphan = { ...badService, nom: 'Service orphelin', publics: ['jeunes'], structure_id: 'dora--inconnue' };
    const missing = await writeOffer(store, { structures: [good], services: [orphan] }, { now: NOW }).catch((e) => e);
    expect(missing).toBeInstanceOf(OfferValidationError);
    expect((missing as OfferValidationError).errors).toEqual([
      { field: 'services[0].structure_id', message: 'structure_id "dora--inconnue" names no structure of the batch or the store' },
    ]);
    expect(await counts()).toEqual(before);

    // Duplicate ids in one batch.
    const duplicate = await writeOffer(store, { structures: [good, good], services: [] }).catch((e) => e);
    expect((duplicate as OfferValidationError).errors).toEqual([
      { field: 'structures[1].id', message: 'id "dora--nouvelle" is already used by structures[0]' },
    ]);

    // The valid part alone is written; a service may name a structure already in the store.
    const ok = await writeOffer(store, { structures: [good], services: [] }, { now: NOW });
    expect(ok).toMatchObject({ structuresWritten: 1, servicesWritten: 0 });
    expect((await store.prisma.structure.findUniqueOrThrow({ where: { id: 'dora--nouvelle' } })).scoreQualite).toBe(0);
    await writeOffer(store, { structures: [], services: [{ ...orphan, structure_id: 'dora--nouvelle' }] }, { now: NOW });
    const structure = await store.prisma.structure.findUniqueOrThrow({ where: { id: 'dora--nouvelle' }, include: { services: true } });
    expect(structure.services).toHaveLength(1);
    expect(structure.scoreQualite).toBe(structure.services[0].scoreQualite);
  });
});
