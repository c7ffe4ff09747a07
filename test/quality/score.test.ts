import { criteresService, round2, scoreService, scoreStructure, type ScoredService } from '../../src/quality/score';

const NOW = new Date('2026-06-15T12:00:00Z');
const daysBefore = (days: number) => new Date(Date.UTC(2026, 5, 15) - days * 86_400_000).toISOString().slice(0, 10);

/** A service meeting every criterion. */
const perfect: ScoredService = {
  source: 'dora',
  adresse: '1 rue de la Paix',
  modes_accueil: ['en-presentiel'],
  modes_mobilisation: ['se-presenter', 'telephoner', 'envoyer-un-courriel'],
  mobilisable_par: ['usagers'],
  publics: ['jeunes'],
  thematiques: ['mobilite--preparer-un-permis'],
  courriel: 'a@b.fr',
  lien_mobilisation: null,
  telephone: '+33100000000',
  date_maj: daysBefore(10),
  frais: 'gratuit',
  frais_precisions: null,
  description: 'x'.repeat(300),
};
const with_ = (patch: Partial<ScoredService>): ScoredService => ({ ...perfect, ...patch });
const critere = (patch: Partial<ScoredService>, name: keyof ReturnType<typeof criteresService>) =>
  criteresService(with_(patch), NOW)[name];

describe('v1 quality criteria', () => {
  it('a complete service scores 1 on every criterion', () => {
    expect(Object.values(criteresService(perfect, NOW))).toEqual(Array(10).fill(1));
    expect(scoreService(perfect, NOW)).toBe(1);
  });

  it('adresse_bien_definie applies to en-presentiel or se-presenter', () => {
    expect(critere({ adresse: null }, 'adresse_bien_definie')).toBe(0);
    expect(critere({ adresse: null, modes_accueil: ['a-distance'], modes_mobilisation: ['telephoner'] }, 'adresse_bien_definie')).toBeNull();
    expect(critere({ adresse: null, modes_accueil: ['a-distance'], modes_mobilisation: ['se-presenter'] }, 'adresse_bien_definie')).toBe(0);
    expect(critere({ modes_accueil: null, modes_mobilisation: ['se-presenter'] }, 'adresse_bien_definie')).toBe(1);
  });

  it('modes_mobilisation_bien_definis: 0, 0.5 or 1', () => {
    expect(critere({ modes_mobilisation: null, mobilisable_par: null }, 'modes_mobilisation_bien_definis')).toBe(0);
    expect(critere({ mobilisable_par: null }, 'modes_mobilisation_bien_definis')).toBe(0.5);
    expect(critere({ modes_mobilisation: null }, 'modes_mobilisation_bien_definis')).toBe(0.5);
    expect(critere({}, 'modes_mobilisation_bien_definis')).toBe(1);
  });

  it('au_moins_un_public and au_moins_une_thematique', () => {
    expect(critere({ publics: null }, 'au_moins_un_public')).toBe(0);
    expect(critere({ publics: ['tous-publics'] }, 'au_moins_un_public')).toBe(1);
    expect(critere({ thematiques: [] }, 'au_moins_une_thematique')).toBe(0);
    expect(critere({ thematiques: null }, 'au_moins_une_thematique')).toBe(0);
  });

  it('au_moins_un_moyen_de_contact: courriel, lien_mobilisation or telephone', () => {
    const none = { courriel: null, telephone: null, lien_mobilisation: null };
    expect(critere(none, 'au_moins_un_moyen_de_contact')).toBe(0);
    expect(critere({ ...none, lien_mobilisation: 'https://x.fr' }, 'au_moins_un_moyen_de_contact')).toBe(1);
    expect(critere({ ...none, courriel: 'a@b.fr' }, 'au_moins_un_moyen_de_contact')).toBe(1);
    expect(critere({ ...none, telephone: '+33100000000' }, 'au_moins_un_moyen_de_contact')).toBe(1);
  });

  it('courriel_bien_defini and telephone_bien_defini apply to their mode', () => {
    expect(critere({ courriel: null }, 'courriel_bien_defini')).toBe(0);
    expect(critere({ courriel: null, modes_mobilisation: ['se-presenter'] }, 'courriel_bien_defini')).toBeNull();
    expect(critere({ telephone: null }, 'telephone_bien_defini')).toBe(0);
    expect(critere({ telephone: null, modes_mobilisation: ['se-presenter'] }, 'telephone_bien_defini')).toBeNull();
    expect(critere({ modes_mobilisation: null }, 'telephone_bien_defini')).toBeNull();
  });

  // data-inclusion-schema:src/data_inclusion/schema/v1/score_qualite.py: SIX_MOIS = pendulum.duration(months=6)
  // (180 days), DEUX_ANS = pendulum.duration(years=2) (730 days); `age < SIX_MOIS` → 1, `SIX_MOIS < age < DEUX_ANS`
  // → (DEUX_ANS − age) / (DEUX_ANS − SIX_MOIS), else 0 — so exactly 180 days scores 0, as upstream.
  it.each([
    [0, 1],
    [179, 1],
    [180, 0],
    [181, (730 - 181) / 550],
    [455, (730 - 455) / 550],
    [729, 1 / 550],
    [730, 0],
    [731, 0],
    [2000, 0],
  ])('date_maj_recente of a date_maj %i days old is %f (180 / 730 days, the day-180 cliff kept)', (days, expected) => {
    expect(critere({ date_maj: daysBefore(days) }, 'date_maj_recente')).toBeCloseTo(expected, 12);
  });

  it('date_maj_recente: the criterion rounds like the reference (181 days → 1, 729 days → 0), n/a for agefiph and france-travail', () => {
    const rounded = (days: number) => round2(critere({ date_maj: daysBefore(days) }, 'date_maj_recente')!);
    expect([179, 180, 181, 729, 730, 731].map(rounded)).toEqual([1, 0, 1, 0, 0, 0]);
    expect(critere({ source: 'agefiph', date_maj: daysBefore(2000) }, 'date_maj_recente')).toBeNull();
    expect(critere({ source: 'france-travail' }, 'date_maj_recente')).toBeNull();
  });

  it('frais_bien_definis', () => {
    expect(critere({ frais: null }, 'frais_bien_definis')).toBe(0);
    expect(critere({ frais: 'payant' }, 'frais_bien_definis')).toBe(0.5);
    expect(critere({ frais: 'payant', frais_precisions: '5 €' }, 'frais_bien_definis')).toBe(1);
    expect(critere({ frais: 'gratuit' }, 'frais_bien_definis')).toBe(1);
  });

  it('description_bien_definie by length', () => {
    const len = (n: number) => critere({ description: 'é'.repeat(n) }, 'description_bien_definie');
    expect([len(5), len(49), len(50), len(199), len(200), len(1999), len(2000), len(10000)]).toEqual([0, 0, 0.5, 0.5, 1, 1, 0.5, 0.5]);
  });
});

describe('scores', () => {
  it('is the mean of the applicable criteria, each rounded, rounded to 2 decimals', () => {
    // Remote, no mode → 7 applicable criteria (adresse, courriel, telephone n/a).
    const service = with_({
      modes_accueil: ['a-distance'],
      modes_mobilisation: null, // modes: 0.5 (mobilisable_par only)
      frais: 'payant', // 0.5
      description: 'x'.repeat(100), // 0.5
      date_maj: daysBefore(456), // (730 − 456) / 550 ≈ 0.498 → 0.5
    });
    const criteres = criteresService(service, NOW);
    expect(Object.values(criteres).filter((v) => v === null)).toHaveLength(3);
    expect(scoreService(service, NOW)).toBe(round2((0.5 + 1 + 1 + 1 + 0.5 + 0.5 + 0.5) / 7));
    expect(scoreService(service, NOW)).toBe(0.71);
  });

  it('rounds like Python round(): ties to even, else nearest of the exact binary value', () => {
    expect(round2(0.125)).toBe(0.12);
    expect(round2(0.375)).toBe(0.38);
    expect(round2(0.625)).toBe(0.62);
    expect(round2(0.875)).toBe(0.88);
    expect(round2(2.675)).toBe(2.67);
    expect(round2(1 / 3)).toBe(0.33);
    expect(round2(2 / 3)).toBe(0.67);
    expect(round2(0.5)).toBe(0.5);
  });

  it('a structure scores the mean of its services, 0 without any', () => {
    expect(scoreStructure([])).toBe(0);
    expect(scoreStructure([1, 0.5])).toBe(0.75);
    expect(scoreStructure([0.9, 0.8, 0.8])).toBe(0.83);
  });
});
