// The data·inclusion v1 quality score (score_qualite) of a service, and the structure score (mean of its
// services). Each criterion gives a value in [0, 1], or null when it does not apply; the score is the
// mean of the applicable criteria (each rounded to 2 decimals), rounded to 2 decimals.
//
// Checked line by line against the reference: data-inclusion-schema
// src/data_inclusion/schema/v1/score_qualite.py at 846d0ec1b0202474eba659898a1ecd4d14948e7a (2025-12-16, the
// file's last change), run by data-inclusion's pipeline/dbt/macros/udfs/udf__score.sql in PostgreSQL's
// plpython3u (Debian bookworm: Python 3.11, whose sum() adds floats left to right, as here). Where the reference
// cannot answer (it raises ValueError on inputs its v1 model refuses), Passerelle gives the nearest band:
// - description empty or absent → 0, longer than 10,000 characters → 0.5 (v1 asks 5 to 10,000);
// - frais `payant` with empty précisions → 0.5, as without précisions;
// - an unknown frais value → 1, as `gratuit`.
// modes_mobilisation_bien_definis tests `is None` on sets v1 requires non-empty: the store keeps an absent list
// as `{}`, so an empty list counts as absent here.
// One deliberate difference: the reference reads "today" where its pipeline runs (`pendulum.now()`, the
// machine's zone); Passerelle reads it in Europe/Paris, as `fraicheur` does (src/quality/freshness.ts).
import type { ServiceRecord } from '../domain/validation';
import type { ServiceModel } from '../domain/models';
import { ageJours, parisDate } from './freshness';

export const CRITERES = [
  'adresse_bien_definie',
  'modes_mobilisation_bien_definis',
  'au_moins_un_public',
  'au_moins_une_thematique',
  'au_moins_un_moyen_de_contact',
  'courriel_bien_defini',
  'date_maj_recente',
  'frais_bien_definis',
  'description_bien_definie',
  'telephone_bien_defini',
] as const;

export type Critere = (typeof CRITERES)[number];
export type CriteresQualite = Record<Critere, number | null>;

/** The fields the score reads (a v1 service record, or any object with those fields). */
export type ScoredService = Omit<ScoredFields, 'date_maj'> & { date_maj: string | null | undefined };
type ScoredFields = Pick<
  ServiceRecord,
  | 'source'
  | 'adresse'
  | 'modes_accueil'
  | 'modes_mobilisation'
  | 'mobilisable_par'
  | 'publics'
  | 'thematiques'
  | 'courriel'
  | 'lien_mobilisation'
  | 'telephone'
  | 'date_maj'
  | 'frais'
  | 'frais_precisions'
  | 'description'
>;

/** A service as the graph holds it (the store's model or a live one) as the score reads it. */
export function scoredServiceOf(model: ServiceModel): ScoredService {
  return {
    source: model.source,
    adresse: model.adresse,
    modes_accueil: model.modesAccueil,
    modes_mobilisation: model.modesMobilisation,
    mobilisable_par: model.mobilisablePar,
    publics: model.publics,
    thematiques: model.thematiques,
    courriel: model.courriel,
    lien_mobilisation: model.lienMobilisation,
    telephone: model.telephone,
    date_maj: model.dateMaj ? model.dateMaj.toISOString().slice(0, 10) : null,
    frais: model.frais,
    frais_precisions: model.fraisPrecisions,
    description: model.description,
  };
}

/** Sources whose date_maj is not meaningful (national offers): date_maj_recente does not apply. */
export const SOURCES_SANS_DATE_MAJ = ['agefiph', 'france-travail'];

/**
 * 6 months and 2 years, in days, as the reference counts them: `pendulum.duration(months=6)` and
 * `pendulum.duration(years=2)` are 180 and 730 days (data-inclusion-schema:
 * src/data_inclusion/schema/v1/score_qualite.py), not 182.5 and 365 × 2.
 */
export const SIX_MONTHS_DAYS = 180;
export const TWO_YEARS_DAYS = 730;

const present = (value: string | null | undefined): boolean => value !== null && value !== undefined && value !== '';
const nonEmpty = (values: readonly string[] | null | undefined): boolean => !!values && values.length > 0;

/** Each v1 criterion for one service; `now` is the reference date of date_maj_recente. */
export function criteresService(service: ScoredService, now: Date = new Date()): CriteresQualite {
  const modesMobilisation = service.modes_mobilisation ?? [];
  const presentiel =
    (service.modes_accueil ?? []).includes('en-presentiel') || modesMobilisation.includes('se-presenter');
  const mobilisationDefined = [nonEmpty(service.modes_mobilisation), nonEmpty(service.mobilisable_par)].filter(Boolean).length;
  return {
    adresse_bien_definie: presentiel ? (present(service.adresse) ? 1 : 0) : null,
    modes_mobilisation_bien_definis: mobilisationDefined / 2,
    au_moins_un_public: nonEmpty(service.publics) ? 1 : 0,
    au_moins_une_thematique: nonEmpty(service.thematiques) ? 1 : 0,
    au_moins_un_moyen_de_contact:
      present(service.courriel) || present(service.lien_mobilisation) || present(service.telephone) ? 1 : 0,
    courriel_bien_defini: modesMobilisation.includes('envoyer-un-courriel') ? (present(service.courriel) ? 1 : 0) : null,
    date_maj_recente: SOURCES_SANS_DATE_MAJ.includes(service.source) ? null : dateMajRecente(service.date_maj, now),
    frais_bien_definis: fraisBienDefinis(service),
    description_bien_definie: descriptionBienDefinie(service.description),
    telephone_bien_defini: modesMobilisation.includes('telephoner') ? (present(service.telephone) ? 1 : 0) : null,
  };
}

/** The v1 quality score of a service, in [0, 1] with 2 decimals. */
export function scoreService(service: ScoredService, now: Date = new Date()): number {
  return meanOfCriteria(criteresService(service, now));
}

export function meanOfCriteria(criteres: CriteresQualite): number {
  const values = Object.values(criteres).filter((value): value is number => value !== null).map((value) => round2(value));
  if (values.length === 0) return 0;
  return round2(values.reduce((sum, value) => sum + value, 0) / values.length);
}

/** A structure's score: the mean of its services' scores, rounded to 2 decimals; 0 without services. */
export function scoreStructure(serviceScores: readonly number[]): number {
  if (serviceScores.length === 0) return 0;
  // Service scores have 2 decimals: summing them as whole hundredths makes the mean independent of their order.
  const hundredths = serviceScores.reduce((sum, score) => sum + Math.round(score * 100), 0);
  return round2(hundredths / serviceScores.length / 100);
}

/**
 * 1 under 6 months (age in whole days), linear `(730 − age) / 550` strictly between 6 months and 2 years,
 * 0 otherwise; 0 without a date. `dateMaj` is YYYY-MM-DD. The age is absolute, as pendulum's
 * `Date.diff` (`abs=True`): a date after today counts as old as the same distance before it.
 *
 * The reference's own cliff is kept on purpose (data-inclusion-schema:
 * src/data_inclusion/schema/v1/score_qualite.py tests `age < SIX_MOIS`, then `SIX_MOIS < age < DEUX_ANS`,
 * else 0): a service exactly 180 days old scores 0, the day before 1 and the day after ≈ 1. Matching it keeps
 * Passerelle's score equal to data·inclusion's for the same record.
 */
export function dateMajRecente(dateMaj: string | null | undefined, now: Date): number {
  if (!dateMaj) return 0;
  const ageDays = Math.abs(ageJours(dateMaj, parisDate(now)));
  if (ageDays < SIX_MONTHS_DAYS) return 1;
  if (SIX_MONTHS_DAYS < ageDays && ageDays < TWO_YEARS_DAYS) return (TWO_YEARS_DAYS - ageDays) / (TWO_YEARS_DAYS - SIX_MONTHS_DAYS);
  return 0;
}

function fraisBienDefinis(service: Pick<ServiceRecord, 'frais' | 'frais_precisions'>): number {
  if (!present(service.frais)) return 0;
  if (service.frais === 'payant') return present(service.frais_precisions) ? 1 : 0.5;
  return 1;
}

/** By description length (in characters): 1–49 → 0, 50–199 → 0.5, 200–1999 → 1, 2000+ → 0.5. */
export function descriptionBienDefinie(description: string | null | undefined): number {
  const length = description ? [...description].length : 0;
  if (length < 50) return 0;
  if (length < 200) return 0.5;
  if (length < 2000) return 1;
  return 0.5;
}

/**
 * Rounds to 2 decimals like Python's round(x, 2), which the reference uses: the nearest 2-decimal value of
 * the exact binary value, ties (only x = odd/8 are exact ties) to the even last digit.
 */
export function round2(value: number): number {
  const eighths = value * 8;
  if (Number.isInteger(eighths) && eighths % 2 !== 0) {
    const down = Math.floor(value * 100);
    return (down % 2 === 0 ? down : down + 1) / 100;
  }
  return Number(value.toFixed(2));
}

/**
 * A structure's reading of each criterion: over its services where the criterion applies, the mean of their
 * values (each rounded to 2 decimals, as the score uses them), rounded to 2 decimals; null where it applies to
 * none of them. A summary of why its services score as they do: the structure's score stays the mean of its
 * services' scores (scoreStructure), which these means need not give back.
 */
export function criteresStructure(services: readonly CriteresQualite[]): CriteresQualite {
  const out = {} as CriteresQualite;
  for (const critere of CRITERES) {
    const hundredths = services.flatMap((criteres) => (criteres[critere] === null ? [] : [Math.round(round2(criteres[critere]) * 100)]));
    out[critere] = hundredths.length === 0 ? null : round2(hundredths.reduce((sum, v) => sum + v, 0) / hundredths.length / 100);
  }
  return out;
}
