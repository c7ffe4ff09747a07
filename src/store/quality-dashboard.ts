import { Prisma } from '../generated/prisma/client';
import type { FreshnessThresholds } from '../quality/freshness';
import { CRITERES, criteresService, type Critere } from '../quality/score';
import { OFFER_VERSION_SQL, VersionedCache } from './offer-version';
import type { Store } from './database';

/**
 * The data-quality dashboard's figures (`Query.tableauQualite`, the `/qualite` page): counts over the public
 * offer, in one statement. Never a contact column; restricted sources (`hidden`) left out. The answer is kept
 * per store, hidden sources and day while the offer's version is unchanged (src/store/offer-version.ts): the
 * version is read in the same statement, and the next request after a write computes again.
 */
export interface FreshnessCounts {
  fresh: number;
  toCheck: number;
  stale: number;
}

export interface DashboardFigures {
  structures: number;
  services: number;
  scoreMoyen: number | null;
  servicesSansScore: number;
  /** Services per score band 0…9 ([0, 0.1) … [0.9, 1]). */
  bands: number[];
  fraicheur: FreshnessCounts;
  sources: { slug: string; nom: string; structures: number; services: number; scoreMoyen: number | null; fraicheur: FreshnessCounts }[];
  departements: { code: string; nom: string; structures: number; services: number; scoreMoyen: number | null }[];
  /** Services per thématique value (values carried by no service are absent). */
  thematiques: Record<string, number>;
  doublons: { clustersStructures: number; structuresEnDoublon: number; clustersServices: number; servicesEnDoublon: number };
  /** Per criterion of the score, its mean over the services where it applies, and how many those are. */
  criteres: { nom: Critere; moyenne: number | null; services: number }[];
}

interface Row {
  version: string;
  figures: unknown;
}

const cache = new VersionedCache<DashboardFigures>(50);

const json = <T>(value: unknown): T => (typeof value === 'string' ? JSON.parse(value) : value) as T;

export async function dashboardFigures(db: Store, options: { hidden: readonly string[]; today: string; thresholds: FreshnessThresholds }): Promise<DashboardFigures> {
  const { hidden, today, thresholds } = options;
  const key = JSON.stringify([[...hidden].sort(), today, thresholds.freshDays, thresholds.staleDays]);
  const cached = cache.get(db, key);
  const hiddenSql = Prisma.sql`${[...hidden]}::text[]`;
  const freshness = Prisma.sql`json_build_object(
      'fresh', count(*) FILTER (WHERE sv.age < ${thresholds.freshDays}::int),
      'toCheck', count(*) FILTER (WHERE sv.age >= ${thresholds.freshDays}::int AND sv.age < ${thresholds.staleDays}::int),
      'stale', count(*) FILTER (WHERE sv.age >= ${thresholds.staleDays}::int))`;
  const [row] = await db.query<Row>(Prisma.sql`
    WITH sv AS MATERIALIZED (
      SELECT s.source, s.departement_code, s.score_qualite, s.cluster_id, s.thematiques, (${today}::date - s.date_maj) AS age
      FROM services s WHERE NOT (s.source = ANY(${hiddenSql}))),
    st AS MATERIALIZED (
      SELECT t.source, t.departement_code, t.cluster_id FROM structures t WHERE NOT (t.source = ANY(${hiddenSql})))
    SELECT ${OFFER_VERSION_SQL}::text AS version,
      CASE WHEN ${OFFER_VERSION_SQL}::text = ${cached?.version ?? ''} THEN NULL ELSE json_build_object(
        'structures', (SELECT count(*) FROM st),
        'services', (SELECT count(*) FROM sv),
        'scoreMoyen', (SELECT avg(sv.score_qualite)::float8 FROM sv),
        'servicesSansScore', (SELECT count(*) FROM sv WHERE sv.score_qualite IS NULL),
        'bands', (SELECT coalesce(json_object_agg(b.band, b.n), '{}') FROM (
          SELECT least(greatest(floor(sv.score_qualite * 10)::int, 0), 9) AS band, count(*) AS n FROM sv WHERE sv.score_qualite IS NOT NULL GROUP BY 1) b),
        'fraicheur', (SELECT ${freshness} FROM sv),
        'servicesParSource', (SELECT coalesce(json_agg(x), '[]') FROM (
          SELECT sv.source AS slug, count(*) AS n, avg(sv.score_qualite)::float8 AS score, ${freshness} AS fraicheur FROM sv GROUP BY sv.source) x),
        'structuresParSource', (SELECT coalesce(json_object_agg(x.source, x.n), '{}') FROM (SELECT st.source, count(*) AS n FROM st GROUP BY st.source) x),
        'sources', (SELECT coalesce(json_agg(json_build_object('slug', o.slug, 'nom', o.nom)), '[]') FROM sources o WHERE NOT (o.slug = ANY(${hiddenSql}))),
        'departements', (SELECT coalesce(json_agg(json_build_object('code', d.code, 'nom', d.nom) ORDER BY d.code), '[]') FROM departements d),
        'servicesParDepartement', (SELECT coalesce(json_agg(x), '[]') FROM (
          SELECT sv.departement_code AS code, count(*) AS n, avg(sv.score_qualite)::float8 AS score FROM sv WHERE sv.departement_code IS NOT NULL GROUP BY 1) x),
        'structuresParDepartement', (SELECT coalesce(json_object_agg(x.code, x.n), '{}') FROM (
          SELECT st.departement_code AS code, count(*) AS n FROM st WHERE st.departement_code IS NOT NULL GROUP BY 1) x),
        'thematiques', (SELECT coalesce(json_object_agg(x.t, x.n), '{}') FROM (SELECT t, count(*) AS n FROM sv, unnest(sv.thematiques) t GROUP BY t) x),
        'doublons', json_build_object(
          'clustersStructures', (SELECT count(DISTINCT st.cluster_id) FROM st),
          'structuresEnDoublon', (SELECT count(*) FROM st WHERE st.cluster_id IS NOT NULL),
          'clustersServices', (SELECT count(DISTINCT sv.cluster_id) FROM sv),
          'servicesEnDoublon', (SELECT count(*) FROM sv WHERE sv.cluster_id IS NOT NULL))
      ) END AS figures`);
  if (row.figures === null || row.figures === undefined) return cached!.value;
  const figures = { ...shape(json<RawFigures>(row.figures)), criteres: await criteriaMeans(db, hidden) };
  cache.set(db, key, { version: row.version, value: figures });
  return figures;
}

interface RawFigures {
  structures: number;
  services: number;
  scoreMoyen: number | null;
  servicesSansScore: number;
  bands: Record<string, number>;
  fraicheur: FreshnessCounts;
  servicesParSource: { slug: string; n: number; score: number | null; fraicheur: FreshnessCounts }[];
  structuresParSource: Record<string, number>;
  sources: { slug: string; nom: string }[];
  departements: { code: string; nom: string }[];
  servicesParDepartement: { code: string; n: number; score: number | null }[];
  structuresParDepartement: Record<string, number>;
  thematiques: Record<string, number>;
  doublons: DashboardFigures['doublons'];
}

const BATCH = 5000;

/**
 * The score's criteria over the public offer: each service's criteria as `qualite.criteres` gives them (the
 * score's own function, on the day the score was computed: `updatedAt`), averaged where they apply. The score's
 * rules live in src/quality/score.ts alone, so this reads the services in batches rather than restating them in
 * SQL; it runs when the offer has changed, not at each request. Contact columns are read because two criteria
 * look at them (is there a well-formed e-mail, phone): only the criteria's numbers leave this function.
 */
async function criteriaMeans(db: Store, hidden: readonly string[]): Promise<DashboardFigures['criteres']> {
  const sums = new Map<Critere, { sum: number; n: number }>(CRITERES.map((c) => [c, { sum: 0, n: 0 }]));
  let after: string | undefined;
  for (;;) {
    const rows = await db.prisma.service.findMany({
      where: { source: { notIn: [...hidden] }, ...(after ? { id: { gt: after } } : {}) },
      orderBy: { id: 'asc' },
      take: BATCH,
      select: {
        id: true, source: true, adresse: true, modesAccueil: true, modesMobilisation: true, mobilisablePar: true, publics: true, thematiques: true,
        courriel: true, lienMobilisation: true, telephone: true, dateMaj: true, frais: true, fraisPrecisions: true, description: true, updatedAt: true,
      },
    });
    for (const r of rows) {
      const criteres = criteresService(
        {
          source: r.source, adresse: r.adresse, modes_accueil: r.modesAccueil, modes_mobilisation: r.modesMobilisation, mobilisable_par: r.mobilisablePar,
          publics: r.publics, thematiques: r.thematiques, courriel: r.courriel, lien_mobilisation: r.lienMobilisation, telephone: r.telephone,
          date_maj: r.dateMaj.toISOString().slice(0, 10), frais: r.frais, frais_precisions: r.fraisPrecisions, description: r.description,
        },
        r.updatedAt,
      );
      for (const nom of CRITERES) {
        const value = criteres[nom];
        if (value === null) continue;
        const entry = sums.get(nom)!;
        entry.sum += value;
        entry.n += 1;
      }
    }
    if (rows.length < BATCH) break;
    after = rows[rows.length - 1].id;
  }
  return CRITERES.map((nom) => {
    const { sum, n } = sums.get(nom)!;
    return { nom, moyenne: n ? Math.round((sum / n) * 1000) / 1000 : null, services: n };
  });
}

function shape(raw: RawFigures): Omit<DashboardFigures, 'criteres'> {
  const servicesBySource = new Map(raw.servicesParSource.map((s) => [s.slug, s]));
  const servicesByDepartement = new Map(raw.servicesParDepartement.map((d) => [d.code, d]));
  const noFreshness = { fresh: 0, toCheck: 0, stale: 0 };
  return {
    structures: raw.structures,
    services: raw.services,
    scoreMoyen: raw.scoreMoyen,
    servicesSansScore: raw.servicesSansScore,
    bands: Array.from({ length: 10 }, (_, band) => raw.bands[String(band)] ?? 0),
    fraicheur: raw.fraicheur,
    sources: raw.sources
      .map((s) => ({
        slug: s.slug,
        nom: s.nom,
        structures: raw.structuresParSource[s.slug] ?? 0,
        services: servicesBySource.get(s.slug)?.n ?? 0,
        scoreMoyen: servicesBySource.get(s.slug)?.score ?? null,
        fraicheur: servicesBySource.get(s.slug)?.fraicheur ?? noFreshness,
      }))
      .filter((s) => s.structures > 0 || s.services > 0)
      .sort((a, b) => b.services - a.services || b.structures - a.structures || a.slug.localeCompare(b.slug)),
    departements: raw.departements.map((d) => ({
      code: d.code,
      nom: d.nom,
      structures: raw.structuresParDepartement[d.code] ?? 0,
      services: servicesByDepartement.get(d.code)?.n ?? 0,
      scoreMoyen: servicesByDepartement.get(d.code)?.score ?? null,
    })),
    thematiques: raw.thematiques,
    doublons: raw.doublons,
  };
}
