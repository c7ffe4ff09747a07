import fs from 'node:fs';
import path from 'node:path';
import {
  NOMENCLATURES,
  NOMENCLATURE_NAMES,
  SOURCES,
  categorieOf,
  expandThematiques,
  isValue,
  lookup,
  valuesOf,
} from '../../src/domain/nomenclatures';

const REFERENCE = path.resolve(__dirname, '../../../shared/reference/nomenclatures.json');
const reference: Record<string, unknown> | undefined = fs.existsSync(REFERENCE)
  ? JSON.parse(fs.readFileSync(REFERENCE, 'utf8'))
  : undefined;

describe('the project copy of the v1 nomenclatures', () => {
  // The reference file is beside the repository in CI and on developers' machines; the project itself
  // never needs it. Where it is absent, the comparison cannot run: say so, and check what can be.
  it.each(NOMENCLATURE_NAMES)('%s equals the reference (values, labels, descriptions, order)', (name) => {
    if (!reference) {
      console.warn(`nomenclatures.test: ${REFERENCE} is absent; ${name} is not compared with the reference`);
      expect(NOMENCLATURES[name].length).toBeGreaterThan(0);
      return;
    }
    expect(NOMENCLATURES[name]).toEqual(reference[name]);
  });

  it('holds exactly the v1 keys and the sources, no v0 nomenclature', () => {
    expect(Object.keys(NOMENCLATURES).sort()).toEqual([...NOMENCLATURE_NAMES].sort());
    expect(Object.keys(NOMENCLATURES)).not.toContain('thematiques_v0');
    expect(Object.keys(NOMENCLATURES)).not.toContain('sources_retirees');
  });
});

describe('nomenclature access', () => {
  it('has the documented counts', () => {
    expect(NOMENCLATURES.thematiques).toHaveLength(69);
    expect(NOMENCLATURES.thematiques_categories).toHaveLength(16);
    expect(NOMENCLATURES.publics).toHaveLength(14);
    expect(NOMENCLATURES.reseaux_porteurs).toHaveLength(108);
    expect(NOMENCLATURES.types_services).toHaveLength(6);
    expect(NOMENCLATURES.modes_mobilisation).toHaveLength(4);
    expect(valuesOf('frais')).toEqual(['gratuit', 'payant']);
    expect(valuesOf('personnes_mobilisatrices')).toEqual(['professionnels', 'usagers']);
    expect(SOURCES).toHaveLength(16);
    expect(SOURCES.map((s) => s.value)).toEqual(expect.arrayContaining(['dora', 'france-travail', 'soliguide', 'agefiph']));
  });

  it('looks values up', () => {
    expect(lookup('frais', 'gratuit')).toMatchObject({ value: 'gratuit', label: 'Gratuit' });
    expect(lookup('publics', 'jeunes')?.label).toBe('Jeunes');
    expect(lookup('frais', 'adhesion')).toBeUndefined();
    expect(isValue('reseaux_porteurs', 'mdph')).toBe(true);
    expect(isValue('thematiques', 'mobilite')).toBe(false);
    expect(isValue('sources', 'odspep')).toBe(false);
    expect(isValue('publics', 42)).toBe(false);
  });

  it('gives the category of a thématique', () => {
    expect(categorieOf('mobilite--preparer-un-permis')).toMatchObject({ value: 'mobilite', label: 'Mobilité' });
    expect(categorieOf('mobilite')).toBeUndefined();
    expect(categorieOf('inconnu--x')).toBeUndefined();
    for (const item of NOMENCLATURES.thematiques) expect(categorieOf(item.value)).toBeDefined();
  });

  it('expands categories into their thématiques', () => {
    expect(expandThematiques(['mobilite'])).toEqual(valuesOf('thematiques').filter((v) => v.startsWith('mobilite--')));
    expect(expandThematiques(['mobilite'])).toHaveLength(6);
    expect(expandThematiques(['numerique--acquerir-un-equipement', 'numerique', 'nope'])).toEqual([
      'numerique--acquerir-un-equipement',
      'numerique--acceder-a-des-services-en-ligne',
      'numerique--acceder-a-une-connexion-internet',
      'numerique--maitriser-les-fondamentaux-du-numerique',
    ]);
    expect(expandThematiques(valuesOf('thematiques_categories'))).toHaveLength(69);
    expect(expandThematiques([])).toEqual([]);
  });
});
