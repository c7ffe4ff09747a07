import { ENGINES, createTestStore, type TestStore } from '../support/engines';
import { createTestApp } from '../support/graphql';
import { syncSources, writeOffer } from '../../src/store/write';
import { dashboardFigures } from '../../src/store/quality-dashboard';
import { DEFAULT_FRESHNESS, fraicheurOf, parisDate } from '../../src/quality/freshness';
import { CRITERES, criteresService, scoredServiceOf } from '../../src/quality/score';
import type { ServiceModel } from '../../src/domain/models';
import * as fixture from '../fixtures/offer';
import { CONTACT_VALUES, soliguideService, soliguideStructure } from '../fixtures/offer';

/**
 * The data-quality dashboard's figures (`tableauQualite`), on both engines: what they count equals what the
 * store holds, restricted sources are left out (for every caller), a write is seen at the next request, and no
 * contact value is in the answer.
 */
describe.each(ENGINES)('the data-quality dashboard on %s', (engine) => {
  let store: TestStore;
  const today = parisDate(new Date());
  const options = { hidden: ['soliguide'], today, thresholds: DEFAULT_FRESHNESS };

  beforeAll(async () => {
    store = await createTestStore(engine, { territories: true });
    await syncSources(store);
    await writeOffer(store, { structures: [...fixture.structures, soliguideStructure], services: [...fixture.services, soliguideService] }, { now: fixture.NOW });
  }, 180_000);

  afterAll(async () => {
    await store?.dispose();
  });

  test('counts equal the store, per source, per département, per score band, per freshness and thématique', async () => {
    const f = await dashboardFigures(store, options);
    const services = await store.prisma.service.findMany({ where: { source: { not: 'soliguide' } } });
    const structures = await store.prisma.structure.findMany({ where: { source: { not: 'soliguide' } } });
    expect(f.services).toBe(services.length);
    expect(f.structures).toBe(structures.length);
    expect(f.services).toBeGreaterThan(2);
    // Per source.
    const bySource = new Map<string, number>();
    for (const s of services) bySource.set(s.source, (bySource.get(s.source) ?? 0) + 1);
    expect(Object.fromEntries(f.sources.filter((s) => s.services > 0).map((s) => [s.slug, s.services]))).toEqual(Object.fromEntries(bySource));
    const structuresBySource = new Map<string, number>();
    for (const s of structures) structuresBySource.set(s.source, (structuresBySource.get(s.source) ?? 0) + 1);
    expect(Object.fromEntries(f.sources.map((s) => [s.slug, s.structures]))).toEqual(Object.fromEntries(structuresBySource));
    expect(f.sources.some((s) => s.slug === 'soliguide')).toBe(false);
    // Per département: every département listed; the services with one are counted there.
    expect(f.departements.length).toBe(await store.prisma.departement.count());
    expect(f.departements.reduce((n, d) => n + d.services, 0)).toBe(services.filter((s) => s.departementCode).length);
    // Score bands and freshness add up to the services; the bands hold each score where it falls.
    const scored = services.filter((s) => s.scoreQualite !== null);
    expect(f.bands.reduce((a, b) => a + b, 0)).toBe(scored.length);
    expect(f.servicesSansScore).toBe(services.length - scored.length);
    for (const s of scored) expect(f.bands[Math.min(Math.floor(s.scoreQualite! * 10), 9)]).toBeGreaterThan(0);
    const verdicts = { fresh: 0, toCheck: 0, stale: 0 };
    for (const s of services) {
      const verdict = fraicheurOf(s.dateMaj, DEFAULT_FRESHNESS).verdict;
      verdicts[verdict === 'FRESH' ? 'fresh' : verdict === 'TO_CHECK' ? 'toCheck' : 'stale'] += 1;
    }
    expect(f.fraicheur).toEqual(verdicts);
    const thematiques: Record<string, number> = {};
    for (const s of services) for (const t of s.thematiques) thematiques[t] = (thematiques[t] ?? 0) + 1;
    expect(f.thematiques).toEqual(thematiques);
    expect(f.doublons.structuresEnDoublon).toBe(structures.filter((s) => s.clusterId).length);
    // The score's criteria: their means equal those `qualite.criteres` gives the services, one by one.
    const criteres = services.map((s) => criteresService(scoredServiceOf(s as unknown as ServiceModel), s.updatedAt));
    expect(f.criteres.map((c) => c.nom)).toEqual([...CRITERES]);
    for (const c of f.criteres) {
      const values = criteres.map((x) => x[c.nom]).filter((v): v is number => v !== null);
      expect(c.services).toBe(values.length);
      if (values.length) expect(c.moyenne).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 3);
    }
    // No restricted source hidden: soliguide is counted.
    const all = await dashboardFigures(store, { ...options, hidden: [] });
    expect(all.services).toBe(f.services + 1);
    expect(all.structures).toBe(f.structures + 1);
  });

  test('kept while the offer is unchanged; a write is counted at the next request', async () => {
    const first = await dashboardFigures(store, options);
    expect(await dashboardFigures(store, options)).toBe(first); // the cached answer itself
    const added = { ...fixture.services[0], id: `${fixture.services[0].source}--tableau-nouveau`, nom: 'Service ajouté pour le tableau' };
    await writeOffer(store, { structures: [], services: [added] }, { now: fixture.NOW });
    const after = await dashboardFigures(store, options);
    expect(after.services).toBe(first.services + 1);
  });

  test('through the graph: public figures for every caller, no contact value, ten gaps of each kind', async () => {
    const api = await createTestApp(store, { restrictedSources: ['soliguide'] });
    try {
      const result = await api.query(`{ tableauQualite { jour structures services scoreMoyen servicesSansScore criteres { nom moyenne services }
        parSource { slug nom services structures scoreMoyen fraicheur { fresh toCheck stale } }
        parDepartement { code nom services structures scoreMoyen }
        scores { min max services } fraicheur { fresh toCheck stale }
        doublons { clustersStructures structuresEnDoublon clustersServices servicesEnDoublon }
        thematiquesPeuCouvertes { value label services } departementsPeuCouverts { code nom services } } }`);
      expect(result.errors).toBeUndefined();
      const t = result.data.tableauQualite;
      expect(t.jour).toBe(today);
      expect(t.services).toBe((await dashboardFigures(store, options)).services);
      expect(t.scores).toHaveLength(10);
      expect(t.scores[9]).toMatchObject({ min: 0.9, max: 1 });
      expect(t.thematiquesPeuCouvertes).toHaveLength(10);
      expect(t.departementsPeuCouverts).toHaveLength(10);
      expect(t.departementsPeuCouverts[0].services).toBeLessThanOrEqual(t.departementsPeuCouverts[9].services);
      const text = JSON.stringify(result.data);
      for (const value of CONTACT_VALUES) expect(text).not.toContain(value);
      expect(text).not.toContain('soliguide');
    } finally {
      await api.stop();
    }
  });
});
