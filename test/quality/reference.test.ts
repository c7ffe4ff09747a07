/**
 * The quality score against the reference, case by case: data-inclusion-schema
 * src/data_inclusion/schema/v1/score_qualite.py and tests/unit/v1/test_score_qualite.py at commit
 * 846d0ec1b0202474eba659898a1ecd4d14948e7a (2025-12-16). Each expected value is what that file computes:
 * - date_maj_recente: `age < 180 days` → 1; `180 < age < 730` → (730 − age) / 550; else 0 (180 days is 0);
 *   age = `pendulum.instance(date_maj).diff(now)`, whole days, absolute;
 * - description_bien_definie: len 1–49 → 0, 50–199 → 0.5, 200–1999 → 1, 2000–10000 → 0.5 (Python `len`:
 *   code points);
 * - frais_bien_definis: None → 0, payant without précisions → 0.5, payant with → 1, gratuit → 1;
 * - score: mean of the applicable criteria each `round(v, 2)`, then `round(score, 2)`.
 */
import { CRITERES, criteresService, criteresStructure, scoreService, type ScoredService } from '../../src/quality/score';

const NOW = new Date('2026-06-15T12:00:00Z');
const daysBefore = (days: number, from = Date.UTC(2026, 5, 15)) => new Date(from - days * 86_400_000).toISOString().slice(0, 10);

/** The reference's `service_parfait` (test_score_qualite.py, test_score). */
const parfait: ScoredService = {
  source: 'dora',
  adresse: null,
  modes_accueil: null,
  modes_mobilisation: ['telephoner'],
  mobilisable_par: ['professionnels'],
  publics: ['femmes'],
  thematiques: ['sante--addictions'],
  courriel: null,
  lien_mobilisation: null,
  telephone: '3615',
  date_maj: daysBefore(0),
  frais: 'gratuit',
  frais_precisions: null,
  description: '.'.repeat(500),
};
const of = (patch: Partial<ScoredService>) => criteresService({ ...parfait, ...patch }, NOW);
const score = (patch: Partial<ScoredService>) => scoreService({ ...parfait, ...patch }, NOW);

describe('date_maj_recente at the thresholds (180 / 730 days)', () => {
  it.each([
    // days, the criterion (unrounded, as the reference's details), the score of the otherwise perfect service
    [179, 1, 1],
    // The reference's cliff: neither `age < SIX_MOIS` nor `SIX_MOIS < age`. 8 criteria apply (telephoner; no
    // adresse, no courriel): 7 / 8 = 0.875 exactly, which Python's round() takes to the even 0.88.
    [180, 0, 0.88],
    [181, 549 / 550, 1], // 0.998… → 1.0 once rounded
    [729, 1 / 550, 0.88], // 0.0018… → 0.0
    [730, 0, 0.88],
    [731, 0, 0.88],
  ])('%i days old: criterion %s, score %s', (days, criterion, expected) => {
    expect(of({ date_maj: daysBefore(days) }).date_maj_recente).toBeCloseTo(criterion, 12);
    expect(score({ date_maj: daysBefore(days) })).toBe(expected);
  });

  it('counts whole days on the Paris calendar: 23:30 UTC is already the next day in Paris', () => {
    const lateEvening = new Date('2026-06-15T22:30:00Z'); // 00:30 on June 16 in Paris (CEST)
    expect(criteresService({ ...parfait, date_maj: daysBefore(179) }, lateEvening).date_maj_recente).toBe(0); // 180 days in Paris
    expect(criteresService({ ...parfait, date_maj: daysBefore(179) }, new Date('2026-06-15T21:30:00Z')).date_maj_recente).toBe(1);
  });

  it('is absolute, as pendulum’s diff: a date after today is as old as the same distance before', () => {
    const inFuture = (days: number) => new Date(Date.UTC(2026, 5, 15) + days * 86_400_000).toISOString().slice(0, 10);
    expect(of({ date_maj: inFuture(3) }).date_maj_recente).toBe(1);
    expect(of({ date_maj: inFuture(200) }).date_maj_recente).toBeCloseTo(530 / 550, 12);
  });

  it('does not apply to agefiph and france-travail; scores 0 without a date', () => {
    expect(of({ source: 'agefiph', date_maj: daysBefore(3000) }).date_maj_recente).toBeNull();
    expect(of({ source: 'france-travail', date_maj: daysBefore(3000) }).date_maj_recente).toBeNull();
    expect(of({ date_maj: null }).date_maj_recente).toBe(0);
  });
});

describe('description_bien_definie at each band boundary', () => {
  it.each([
    [1, 0],
    [49, 0],
    [50, 0.5],
    [199, 0.5],
    [200, 1],
    [1999, 1],
    [2000, 0.5],
    [10000, 0.5],
  ])('%i characters → %f', (length, expected) => {
    expect(of({ description: '.'.repeat(length) }).description_bien_definie).toBe(expected);
  });

  it('counts code points, as Python len(): 49 emoji are 49 characters, not 98 UTF-16 units', () => {
    expect(of({ description: '😀'.repeat(49) }).description_bien_definie).toBe(0);
    expect(of({ description: '😀'.repeat(50) }).description_bien_definie).toBe(0.5);
  });

  it('where the reference raises (a description v1 refuses), the nearest band', () => {
    expect(of({ description: '' }).description_bien_definie).toBe(0);
    expect(of({ description: '.'.repeat(10001) }).description_bien_definie).toBe(0.5);
  });
});

describe('frais_bien_definis', () => {
  it.each([
    ['no frais', { frais: null }, 0],
    ['payant without précisions', { frais: 'payant', frais_precisions: null }, 0.5],
    ['payant with empty précisions (the reference raises): as without', { frais: 'payant', frais_precisions: '' }, 0.5],
    ['payant with précisions', { frais: 'payant', frais_precisions: 'lorem ipsum' }, 1],
    ['gratuit', { frais: 'gratuit' }, 1],
  ] as [string, Partial<ScoredService>, number][])('%s → %s', (_, patch, expected) => {
    expect(of(patch).frais_bien_definis).toBe(expected);
  });

  it('payant without précisions costs the perfect service half of one criterion of 8', () => {
    expect(score({ frais: 'payant' })).toBe(0.94); // 7.5 / 8 = 0.9375 exactly → 0.94 (half to even)
  });
});

describe('applicability, rule by rule', () => {
  it('adresse_bien_definie: only with en-presentiel (modes_accueil) or se-presenter (modes_mobilisation)', () => {
    expect(of({ adresse: null }).adresse_bien_definie).toBeNull();
    expect(of({ adresse: null, modes_accueil: ['en-presentiel'] }).adresse_bien_definie).toBe(0);
    expect(of({ adresse: null, modes_mobilisation: ['se-presenter'] }).adresse_bien_definie).toBe(0);
    expect(of({ adresse: '1 rue de la paix', modes_accueil: ['en-presentiel'] }).adresse_bien_definie).toBe(1);
    expect(of({ adresse: '1 rue de la paix', modes_mobilisation: ['se-presenter'] }).adresse_bien_definie).toBe(1);
    expect(of({ adresse: null, modes_accueil: ['a-distance'] }).adresse_bien_definie).toBeNull();
  });

  it('telephone_bien_defini: only with telephoner', () => {
    expect(of({ telephone: null, modes_mobilisation: null }).telephone_bien_defini).toBeNull();
    expect(of({ telephone: null }).telephone_bien_defini).toBe(0);
    expect(of({}).telephone_bien_defini).toBe(1);
  });

  it('courriel_bien_defini: only with envoyer-un-courriel', () => {
    expect(of({ courriel: null }).courriel_bien_defini).toBeNull();
    expect(of({ courriel: null, modes_mobilisation: ['envoyer-un-courriel'] }).courriel_bien_defini).toBe(0);
    expect(of({ courriel: 'lorem@ipsum.dolor', modes_mobilisation: ['envoyer-un-courriel'] }).courriel_bien_defini).toBe(1);
  });

  it('the other six always apply', () => {
    const bare = of({ modes_mobilisation: null, mobilisable_par: null, publics: null, thematiques: null, telephone: null, frais: null, description: '.'.repeat(10), date_maj: daysBefore(3 * 365) });
    const applicable = CRITERES.filter((nom) => bare[nom] !== null);
    expect(applicable).toEqual(['modes_mobilisation_bien_definis', 'au_moins_un_public', 'au_moins_une_thematique', 'au_moins_un_moyen_de_contact', 'date_maj_recente', 'frais_bien_definis', 'description_bien_definie']);
  });
});

describe('the reference’s own test_score cases', () => {
  it('service_parfait → 1.0', () => expect(score({})).toBe(1));

  it('service_presque_parfait_sans_date_maj → round(9 / 10, 2)', () => {
    expect(
      score({
        adresse: '1 rue de la paix',
        courriel: 'lorem@ipsum.dolor',
        frais: 'payant',
        frais_precisions: 'lorem ipsum',
        modes_accueil: ['en-presentiel'],
        modes_mobilisation: ['telephoner', 'envoyer-un-courriel'],
        date_maj: daysBefore(3 * 365),
      }),
    ).toBe(0.9);
  });

  it('service_faisandé → 0.0', () => {
    const faisande: ScoredService = { ...parfait, modes_mobilisation: null, mobilisable_par: null, publics: null, thematiques: null, telephone: null, frais: null, date_maj: daysBefore(3 * 365), description: '.'.repeat(10) };
    expect(scoreService(faisande, NOW)).toBe(0);
  });

  it('names the same ten criteria, in the same order', () => {
    expect(Object.keys(of({}))).toEqual([
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
    ]);
  });
});

describe('a structure’s criteria', () => {
  it('per criterion, the mean of its services’ rounded values where it applies; null where it applies to none', () => {
    const criteres = criteresStructure([of({}), of({ frais: 'payant', date_maj: daysBefore(183), adresse: null, modes_accueil: ['en-presentiel'] })]);
    expect(criteres.frais_bien_definis).toBe(0.75);
    expect(criteres.date_maj_recente).toBe(0.99); // (1 + round(547 / 550, 2)) / 2 = 0.995, a double just below → 0.99
    expect(criteres.adresse_bien_definie).toBe(0); // applies to the second service only
    expect(criteres.courriel_bien_defini).toBeNull();
    expect(criteresStructure([])).toEqual(Object.fromEntries(CRITERES.map((nom) => [nom, null])));
  });
});
