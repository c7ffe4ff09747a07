import { currentDate, validateService, validateStructure, type ValidationError } from '../../src/domain/validation';

const structure = {
  source: 'dora',
  id: 'dora--abc-123',
  nom: 'CCAS de Lyon',
  date_maj: '2025-03-01',
};
const service = {
  source: 'dora',
  id: 'dora--svc-1',
  structure_id: 'dora--abc-123',
  nom: 'Aide alimentaire',
  description: 'Distribution de colis alimentaires.',
  date_maj: '2025-03-01',
};

function errorsOf(result: { ok: true } | { ok: false; errors: ValidationError[] }): ValidationError[] {
  if (result.ok) throw new Error('expected the record to be invalid');
  return result.errors;
}
const structureErrors = (patch: Record<string, unknown>) => errorsOf(validateStructure({ ...structure, ...patch }));
const serviceErrors = (patch: Record<string, unknown>) => errorsOf(validateService({ ...service, ...patch }));

describe('validateStructure', () => {
  it('accepts a minimal and a complete structure, with nulls for absent fields', () => {
    expect(validateStructure(structure)).toEqual({ ok: true, value: structure, newer: [] });
    const complete = {
      ...structure,
      description: 'Centre communal d’action sociale.',
      lien_source: 'https://dora.inclusion.beta.gouv.fr/structures/ccas-lyon',
      siret: '21690123100011',
      commune: 'Lyon',
      code_postal: '69003',
      code_insee: '69123',
      adresse: '1 place de la Comédie',
      complement_adresse: null,
      longitude: 4.835,
      latitude: 45.767,
      telephone: '+33472000000',
      courriel: 'contact@ccas-lyon.fr',
      site_web: 'https://www.lyon.fr',
      horaires_accueil: 'Mo-Fr 08:30-12:30; PH off',
      accessibilite_lieu: 'https://acceslibre.beta.gouv.fr/app/69-lyon/a/x/',
      reseaux_porteurs: ['ccas-cias', 'communes'],
    };
    expect(validateStructure(complete).ok).toBe(true);
    expect(validateStructure({ ...complete, code_insee: '2A004', reseaux_porteurs: [] }).ok).toBe(true);
  });

  it('requires source, id, nom and date_maj', () => {
    const result = errorsOf(validateStructure({}));
    expect(result.map((e) => e.field).sort()).toEqual(['date_maj', 'id', 'nom', 'source']);
    expect(result.find((e) => e.field === 'nom')?.message).toBe('nom is required');
  });

  it('checks the length of nom (3–150) and description (5–10000)', () => {
    expect(structureErrors({ nom: 'ab' })).toEqual([{ field: 'nom', message: 'nom must be 3 to 150 characters long, not 2 (got "ab")' }]);
    expect(structureErrors({ nom: 'x'.repeat(151) })[0].message).toMatch(/^nom must be 3 to 150 characters long, not 151/);
    expect(validateStructure({ ...structure, nom: 'x'.repeat(150) }).ok).toBe(true);
    expect(structureErrors({ description: 'abcd' })[0]).toMatchObject({ field: 'description', message: expect.stringContaining('5 to 10000') });
    expect(validateStructure({ ...structure, description: 'abcde' }).ok).toBe(true);
  });

  it('checks id = "<source>--<producer id>" with its own source', () => {
    expect(structureErrors({ id: 'soliguide--1' })).toEqual([
      { field: 'id', message: 'id must start with its source "dora--" (got "soliguide--1")' },
    ]);
    expect(structureErrors({ id: 'dora-1' })[0]).toMatchObject({ field: 'id', message: expect.stringContaining('"<source>--<producer id>"') });
    expect(structureErrors({ id: 'dora--' })[0].field).toBe('id');
  });

  it('requires a known source slug', () => {
    expect(structureErrors({ source: 'odspep', id: 'odspep--1' })).toEqual([
      { field: 'source', message: 'source is not a known source slug (got "odspep")' },
    ]);
  });

  it('checks date_maj: a real YYYY-MM-DD date between 2000-01-01 and today', () => {
    expect(structureErrors({ date_maj: '1999-12-31' })).toEqual([
      { field: 'date_maj', message: 'date_maj must not be before 2000-01-01 (got "1999-12-31")' },
    ]);
    expect(structureErrors({ date_maj: '2025-02-30' })[0].message).toBe('date_maj must be a date in YYYY-MM-DD format (got "2025-02-30")');
    expect(structureErrors({ date_maj: '01/03/2025' })[0].field).toBe('date_maj');
    expect(errorsOf(validateStructure({ ...structure, date_maj: '2025-03-02' }, { today: '2025-03-01' }))[0].message).toBe(
      'date_maj must not be in the future (today is 2025-03-01) (got "2025-03-02")',
    );
    expect(validateStructure({ ...structure, date_maj: '2000-01-01' }).ok).toBe(true);
    expect(validateStructure({ ...structure, date_maj: currentDate() }).ok).toBe(true);
  });

  it('checks the common formats', () => {
    expect(structureErrors({ siret: '1234567890123' })).toEqual([{ field: 'siret', message: 'siret must be a 14-digit SIRET (got "1234567890123")' }]);
    expect(structureErrors({ code_postal: '6900' })[0]).toMatchObject({ field: 'code_postal', message: expect.stringContaining('5-digit postal code') });
    expect(structureErrors({ code_insee: '6912' })[0].field).toBe('code_insee');
    expect(structureErrors({ courriel: 'pas-un-courriel' })).toEqual([
      { field: 'courriel', message: 'courriel must be an e-mail address (got "pas-un-courriel")' },
    ]);
    expect(structureErrors({ site_web: 'www.lyon.fr' })[0]).toMatchObject({ field: 'site_web', message: expect.stringContaining('http(s) URL') });
    expect(structureErrors({ lien_source: 'ftp://x.fr' })[0].field).toBe('lien_source');
    expect(structureErrors({ accessibilite_lieu: `https://x.fr/${'a'.repeat(2100)}` })[0].message).toMatch(/at most 2083/);
    expect(structureErrors({ latitude: 95 })[0].field).toBe('latitude');
    expect(structureErrors({ longitude: '4.8' })[0].message).toBe('longitude must be a number, got "4.8"');
  });

  it('checks reseaux_porteurs values and duplicates', () => {
    expect(structureErrors({ reseaux_porteurs: ['ccas-cias', 'CCAS', 'ccas-cias'] })).toEqual([
      { field: 'reseaux_porteurs[1]', message: 'reseaux_porteurs[1] is not a value of the reseaux_porteurs nomenclature (got "CCAS")' },
      { field: 'reseaux_porteurs[2]', message: 'reseaux_porteurs[2] duplicates an earlier value (sets allow no duplicates) (got "ccas-cias")' },
    ]);
    expect(structureErrors({ reseaux_porteurs: 'ccas-cias' })[0].message).toBe('reseaux_porteurs must be a list, got "ccas-cias"');
  });

  it('refuses fields outside the v1 structure schema', () => {
    expect(structureErrors({ typologie: 'CCAS', adresse_certifiee: true })).toEqual([
      { field: 'typologie', message: 'typologie is not a field of the v1 Structure schema' },
      { field: 'adresse_certifiee', message: 'adresse_certifiee is not a field of the v1 Structure schema' },
    ]);
    // What a source computed may come along (not a v1 field, checked all the same).
    expect(validateStructure({ ...structure, score_qualite: 0.4, doublons: ['soliguide--12'] }).ok).toBe(true);
    expect(structureErrors({ score_qualite: 1.5, doublons: ['sans-tiret'] }).map((e) => e.field)).toEqual(['score_qualite', 'doublons[0]']);
  });

  it('refuses a non-object', () => {
    expect(errorsOf(validateStructure('x'))[0].message).toBe('a Structure record must be an object, got "x"');
  });

  it('reports every error at once', () => {
    expect(structureErrors({ nom: 'a', siret: 'x', id: 'cd35--1' }).map((e) => e.field)).toEqual(['nom', 'siret', 'id']);
  });
});

describe('validateService', () => {
  it('accepts a minimal and a complete service', () => {
    expect(validateService(service)).toEqual({ ok: true, value: service, newer: [] });
    const complete = {
      ...service,
      lien_source: 'https://dora.inclusion.beta.gouv.fr/services/x',
      type: 'aide-materielle',
      thematiques: ['equipement-et-alimentation--alimentation'],
      frais: 'payant',
      frais_precisions: '1 € le colis',
      publics: ['familles', 'jeunes'],
      publics_precisions: 'Sur orientation',
      conditions_acces: 'Justificatif de ressources',
      commune: 'Lyon',
      code_postal: '69003',
      code_insee: '69383',
      adresse: '1 rue X',
      complement_adresse: 'Bâtiment B',
      longitude: 4.85,
      latitude: 45.76,
      telephone: '+33472000000',
      courriel: 'contact@x.fr',
      modes_accueil: ['en-presentiel', 'a-distance'],
      zone_eligibilite: ['69383', '2A', '974', '200046977', '99100', 'france'],
      contact_nom_prenom: 'Camille Martin',
      lien_mobilisation: 'https://rdv.x.fr/a',
      modes_mobilisation: ['telephoner', 'utiliser-lien-mobilisation'],
      mobilisable_par: ['professionnels', 'usagers'],
      mobilisation_precisions: 'Le matin',
      volume_horaire_hebdomadaire: 0,
      nombre_semaines: 1,
      horaires_accueil: 'Mo-Fr 09:00-12:00',
    };
    expect(validateService(complete)).toEqual({ ok: true, value: complete, newer: [] });
  });

  it('requires source, structure_id, id, nom, description and date_maj', () => {
    expect(errorsOf(validateService({})).map((e) => e.field).sort()).toEqual(['date_maj', 'description', 'id', 'nom', 'source', 'structure_id']);
  });

  it('checks structure_id has the id form', () => {
    expect(serviceErrors({ structure_id: 'abc' })[0]).toMatchObject({ field: 'structure_id', message: expect.stringContaining('structure id') });
  });

  it('checks single nomenclature values: type and frais', () => {
    expect(serviceErrors({ type: 'accueil' })).toEqual([
      { field: 'type', message: 'type is not a value of the types_services nomenclature (got "accueil")' },
    ]);
    expect(serviceErrors({ frais: ['gratuit'] })[0].message).toBe('frais must be a string, got ["gratuit"]');
    expect(serviceErrors({ frais: 'gratuit-sous-conditions' })[0].field).toBe('frais');
  });

  it('checks set values against their nomenclature', () => {
    expect(serviceErrors({ thematiques: ['mobilite'] })[0]).toEqual({
      field: 'thematiques[0]',
      message: 'thematiques[0] is not a value of the thematiques nomenclature (got "mobilite")',
    });
    expect(serviceErrors({ publics: ['jeunes-16-26'] })[0].field).toBe('publics[0]');
    expect(serviceErrors({ modes_accueil: ['sur-place'] })[0].field).toBe('modes_accueil[0]');
    expect(serviceErrors({ modes_mobilisation: ['envoyer-un-mail'] })[0].field).toBe('modes_mobilisation[0]');
    expect(serviceErrors({ mobilisable_par: ['beneficiaires'] })[0].field).toBe('mobilisable_par[0]');
  });

  it('refuses duplicates in sets', () => {
    expect(serviceErrors({ modes_accueil: ['a-distance', 'a-distance'] })).toEqual([
      { field: 'modes_accueil[1]', message: 'modes_accueil[1] duplicates an earlier value (sets allow no duplicates) (got "a-distance")' },
    ]);
    expect(serviceErrors({ zone_eligibilite: ['69', '69'] })[0].field).toBe('zone_eligibilite[1]');
  });

  it('requires at least one value in publics, zone_eligibilite, modes_mobilisation, mobilisable_par when given', () => {
    for (const field of ['publics', 'zone_eligibilite', 'modes_mobilisation', 'mobilisable_par']) {
      expect(serviceErrors({ [field]: [] })).toEqual([{ field, message: `${field} must have at least 1 value (got [])` }]);
    }
    expect(validateService({ ...service, thematiques: [], modes_accueil: [] }).ok).toBe(true);
  });

  it('requires tous-publics alone', () => {
    expect(serviceErrors({ publics: ['jeunes', 'tous-publics'] })).toEqual([
      { field: 'publics', message: 'publics must not combine "tous-publics" with other publics (got ["jeunes","tous-publics"])' },
    ]);
    expect(validateService({ ...service, publics: ['tous-publics'] }).ok).toBe(true);
  });

  it('checks zone_eligibilite codes', () => {
    expect(serviceErrors({ zone_eligibilite: ['Lyon'] })[0]).toEqual({
      field: 'zone_eligibilite[0]',
      message: 'zone_eligibilite[0] must be a commune, département, EPCI or country code, or "france" (got "Lyon")',
    });
    expect(serviceErrors({ zone_eligibilite: ['1234567'] })[0].field).toBe('zone_eligibilite[0]');
  });

  it('checks the description length and the numbers', () => {
    expect(serviceErrors({ description: 'abc' })[0]).toEqual({
      field: 'description',
      message: 'description must be 5 to 10000 characters long, not 3 (got "abc")',
    });
    expect(serviceErrors({ description: 'x'.repeat(10001) })[0].field).toBe('description');
    expect(serviceErrors({ volume_horaire_hebdomadaire: -1 })[0].message).toBe('volume_horaire_hebdomadaire must be a number ≥ 0 (got -1)');
    expect(serviceErrors({ nombre_semaines: 0 })[0].message).toBe('nombre_semaines must be an integer ≥ 1 (got 0)');
    expect(serviceErrors({ nombre_semaines: 2.5 })[0].message).toBe('nombre_semaines must be an integer, got 2.5');
  });

  it('checks id and source like structures', () => {
    expect(serviceErrors({ id: 'soliguide--1' })[0]).toEqual({ field: 'id', message: 'id must start with its source "dora--" (got "soliguide--1")' });
    expect(serviceErrors({ source: 'pole-emploi', id: 'pole-emploi--1' })[0].field).toBe('source');
  });

  it('refuses v0 fields', () => {
    expect(serviceErrors({ profils: ['jeunes'], types: ['accompagnement'] }).map((e) => e.field)).toEqual(['profils', 'types']);
  });
});

describe('tolerant validation (records a partner already validated against a newer reference)', () => {
  it('keeps unknown nomenclature values and source slugs, and lists them in `newer`', () => {
    const newer = { ...service, source: 'nouvelle-source', id: 'nouvelle-source--1', structure_id: 'nouvelle-source--st', thematiques: ['sante--demain'], publics: ['mdph'], frais: 'sur-devis' };
    expect(validateService(newer).ok).toBe(false);
    const result = validateService(newer, { tolerant: true });
    expect(result).toMatchObject({ ok: true, value: { thematiques: ['sante--demain'], publics: ['mdph'], frais: 'sur-devis' } });
    expect(result.ok && result.newer).toEqual([
      { field: 'source', nomenclature: 'sources', value: 'nouvelle-source' },
      { field: 'thematiques[0]', nomenclature: 'thematiques', value: 'sante--demain' },
      { field: 'frais', nomenclature: 'frais', value: 'sur-devis' },
      { field: 'publics[0]', nomenclature: 'publics', value: 'mdph' },
    ]);
  });

  it('still applies every other rule', () => {
    const result = validateService({ ...service, publics: ['tous-publics', 'jeunes'], description: 'abc' }, { tolerant: true });
    expect(result.ok ? [] : result.errors.map((e) => e.field)).toEqual(['description', 'publics']);
    expect(validateStructure({ ...structure, reseaux_porteurs: [''] }, { tolerant: true }).ok).toBe(false);
  });
});
