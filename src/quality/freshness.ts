// How old a record is and whether it can still be trusted (issue 10, `fraicheur`): its age in whole days since
// `date_maj`, counted on the calendar of Europe/Paris (the producers' dates are French calendar dates), and a
// verdict from two thresholds (PASSERELLE_FRESH_DAYS, PASSERELLE_STALE_DAYS). The quality score's
// date_maj_recente reads the same age (src/quality/score.ts), and the `fraicheur` filter the same verdicts
// (src/store/offer-filter.ts), so a record's age has one definition.

export const TIME_ZONE = 'Europe/Paris';

export type FraicheurVerdict = 'FRESH' | 'TO_CHECK' | 'STALE';
export const FRAICHEUR_VERDICTS: readonly FraicheurVerdict[] = ['FRESH', 'TO_CHECK', 'STALE'];

/** Under `freshDays` old: FRESH; under `staleDays`: TO_CHECK; older: STALE. */
export interface FreshnessThresholds {
  freshDays: number;
  staleDays: number;
}

/** 6 months and 2 years, as the quality score counts them (180 and 730 days). */
export const DEFAULT_FRESHNESS: FreshnessThresholds = { freshDays: 180, staleDays: 730 };

const DAY_MS = 86_400_000;
const parisDay = new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

/** The calendar date (YYYY-MM-DD) in Paris at this instant. */
export function parisDate(now: Date): string {
  return parisDay.format(now);
}

/** A date_maj as YYYY-MM-DD (a model's is a Date at UTC midnight, as PostgreSQL's `date` reads). */
export function isoDate(date: Date | string): string {
  return typeof date === 'string' ? date.slice(0, 10) : date.toISOString().slice(0, 10);
}

/** Whole days from `dateMaj` to `today` (both YYYY-MM-DD); negative when dateMaj is after today. */
export function ageJours(dateMaj: Date | string, today: string): number {
  return Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${isoDate(dateMaj)}T00:00:00Z`)) / DAY_MS);
}

export function verdictOf(ageJours: number, thresholds: FreshnessThresholds): FraicheurVerdict {
  if (ageJours < thresholds.freshDays) return 'FRESH';
  if (ageJours < thresholds.staleDays) return 'TO_CHECK';
  return 'STALE';
}

export interface Fraicheur {
  ageJours: number;
  verdict: FraicheurVerdict;
}

export function fraicheurOf(dateMaj: Date | string, thresholds: FreshnessThresholds, now: Date = new Date()): Fraicheur {
  const age = ageJours(dateMaj, parisDate(now));
  return { ageJours: age, verdict: verdictOf(age, thresholds) };
}

/**
 * The `fraicheur` criterion of a list filter: the verdicts kept, with the thresholds and the day they are
 * read on, so that SQL and the in-memory filter of live records decide alike (and a cached statement says
 * which day it was made for).
 */
export interface FreshnessCriterion extends FreshnessThresholds {
  verdicts: FraicheurVerdict[];
  /** YYYY-MM-DD, Paris. */
  today: string;
}
