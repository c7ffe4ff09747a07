import { ConfigError, loadConfig } from '../../src/config';
import { DEFAULT_FRESHNESS, ageJours, fraicheurOf, parisDate, verdictOf } from '../../src/quality/freshness';

describe('fraicheur', () => {
  it('counts whole days on the Paris calendar', () => {
    expect(parisDate(new Date('2026-06-15T21:59:00Z'))).toBe('2026-06-15'); // 23:59 in Paris (CEST)
    expect(parisDate(new Date('2026-06-15T22:00:00Z'))).toBe('2026-06-16');
    expect(parisDate(new Date('2026-01-15T23:00:00Z'))).toBe('2026-01-16'); // CET
    expect(ageJours('2026-01-01', '2026-06-30')).toBe(180);
    expect(ageJours(new Date('2026-06-29T00:00:00Z'), '2026-06-30')).toBe(1);
    expect(ageJours('2026-07-02', '2026-06-30')).toBe(-2);
    // Across the change to summer time: still whole days.
    expect(ageJours('2026-03-28', '2026-03-30')).toBe(2);
  });

  it.each([
    [-3, 'FRESH'],
    [0, 'FRESH'],
    [179, 'FRESH'],
    [180, 'TO_CHECK'],
    [729, 'TO_CHECK'],
    [730, 'STALE'],
    [5000, 'STALE'],
  ])('%i days old is %s with the defaults (180 / 730 days, as the score)', (age, verdict) => {
    expect(verdictOf(age, DEFAULT_FRESHNESS)).toBe(verdict);
  });

  it('reads a record against the thresholds it is given', () => {
    expect(fraicheurOf(new Date('2026-05-01T00:00:00Z'), { freshDays: 30, staleDays: 60 }, new Date('2026-06-15T12:00:00Z'))).toEqual({ ageJours: 45, verdict: 'TO_CHECK' });
  });
});

describe('fraicheur thresholds in the configuration', () => {
  it('default to 180 and 730 days', () => {
    expect(loadConfig({}).freshness).toEqual({ freshDays: 180, staleDays: 730 });
    expect(loadConfig({ PASSERELLE_FRESH_DAYS: '90', PASSERELLE_STALE_DAYS: '365' }).freshness).toEqual({ freshDays: 90, staleDays: 365 });
  });

  it.each([
    [{ PASSERELLE_FRESH_DAYS: 'six mois' }, /PASSERELLE_FRESH_DAYS/],
    [{ PASSERELLE_FRESH_DAYS: '0' }, /PASSERELLE_FRESH_DAYS/],
    [{ PASSERELLE_STALE_DAYS: '-1' }, /PASSERELLE_STALE_DAYS/],
    [{ PASSERELLE_STALE_DAYS: '1.5' }, /PASSERELLE_STALE_DAYS/],
    [{ PASSERELLE_FRESH_DAYS: '800' }, /PASSERELLE_FRESH_DAYS \(800\) must be less than PASSERELLE_STALE_DAYS \(730\)/],
    [{ PASSERELLE_FRESH_DAYS: '365', PASSERELLE_STALE_DAYS: '365' }, /must be less than/],
  ])('refuses %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
