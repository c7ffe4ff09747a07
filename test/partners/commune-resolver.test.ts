import fs from 'node:fs';
import { nameKey, resolveCodeInsee, type CommuneQuery } from '../../src/partners/commune-resolver';

describe('commune resolver: INSEE code from postal code + commune name (+ coordinates)', () => {
  const cases: [string, CommuneQuery, string | undefined][] = [
    // 1. the commune of the postal code bearing the name
    ['upper case, ST for Saint', { codePostal: '42000', commune: 'ST ETIENNE' }, '42218'],
    ['accents and hyphens', { codePostal: '42100', commune: 'Saint-Étienne' }, '42218'],
    ['STE for Sainte (a quarter of Saint-Denis, single commune of its postal code)', { codePostal: '97490', commune: 'STE CLOTILDE' }, '97411'],
    ['a postal code of nine communes, the name picks one', { codePostal: '59320', commune: 'SEQUEDIN' }, '59566'],
    ['spaces where the name has none', { codePostal: '24120', commune: 'TERRASSON LA VILLEDIEU' }, '24547'],
    ['an arrondissement → its commune (data·inclusion: 75056)', { codePostal: '75011', commune: 'Paris 11e Arrondissement' }, '75056'],
    ['Paris written without arrondissement', { codePostal: '75011', commune: 'PARIS' }, '75056'],
    ['Marseille 1er', { codePostal: '13001', commune: 'MARSEILLE 1ER ARRONDISSEMENT' }, '13055'],
    ['Lyon 3ème', { codePostal: '69003', commune: 'Lyon 3ème' }, '69123'],
    ['a commune déléguée → its commune', { codePostal: '74940', commune: 'Annecy-le-Vieux' }, '74010'],
    ['a commune associée named "<itself>-<its commune>"', { codePostal: '59260', commune: 'HELLEMMES' }, '59350'],
    ['Corsica', { codePostal: '20000', commune: 'AJACCIO' }, '2A004'],
    // 1b. a commune nouvelle or renamed commune written by its former name
    ['Montreuil, now Montreuil-sur-Mer, among twenty communes', { codePostal: '62170', commune: 'MONTREUIL' }, '62588'],
    ['Ancenis, now Ancenis-Saint-Géréon', { codePostal: '44150', commune: 'ANCENIS' }, '44003'],
    ['Lomme, a commune associée of Lille', { codePostal: '59160', commune: 'LOMME' }, '59350'],
    ['the one commune of the postal code whose name begins so', { codePostal: '59700', commune: 'MARCQ' }, '59378'],
    // 2. a postal code of a single commune, the name none of the département's (typo, lieu-dit)
    ['a typo under a single-commune postal code', { codePostal: '93600', commune: 'AULANY-SOUS-BOIS' }, '93005'],
    ['no name, single-commune postal code', { codePostal: '59100' }, '59512'],
    // 3. CEDEX: the postal code is no commune's, the name within its département
    ['CEDEX postal code and city', { codePostal: '59044', commune: 'LILLE CEDEX' }, '59350'],
    ['CEDEX with a number', { codePostal: '42007', commune: 'ST ETIENNE CEDEX 1' }, '42218'],
    ['CEDEX in the postal code field', { codePostal: '57036 CEDEX 1', commune: 'Metz' }, '57463'],
    ['3b. CEDEX and a former name', { codePostal: '26105', commune: 'ROMANS' }, '26281'],
    // 4. coordinates, only where the postal code is several communes' and no name says which
    ['no name, two communes, point in Saint-Étienne', { codePostal: '42230', commune: '', latitude: 45.434, longitude: 4.387 }, '42218'],
    ['no name, point between the two centres', { codePostal: '42230', latitude: 45.43, longitude: 4.358 }, undefined],
    ['no name, no coordinates', { codePostal: '42230' }, undefined],
    // never a guess
    ['a name no commune bears (the agglomeration’s)', { codePostal: '95000', commune: 'CERGY PONTOISE' }, undefined],
    ['… even with coordinates in Cergy', { codePostal: '95000', commune: 'CERGY PONTOISE', latitude: 49.0416, longitude: 2.0784 }, undefined],
    ['a CEDEX name that begins two communes’ names in the département', { codePostal: '59705', commune: 'MARCQ CEDEX' }, undefined],
    ['not a commune of the COG’s départements', { codePostal: '97500', commune: 'ST PIERRE ET MIQUELON' }, undefined],
    ['postal code and name contradict', { codePostal: '59100', commune: 'Lille' }, undefined],
    ['no postal code', { commune: 'Lille' }, undefined],
    ['a malformed postal code', { codePostal: '5910', commune: 'Roubaix' }, undefined],
    ['a CEDEX code whose name is not in its département', { codePostal: '59044', commune: 'LYON CEDEX' }, undefined],
  ];
  it.each(cases)('%s', (_, query, expected) => {
    expect(resolveCodeInsee(query)).toBe(expected);
  });

  it('compares names in one form', () => {
    expect(nameKey('Saint-Étienne')).toBe(nameKey('ST ETIENNE'));
    expect(nameKey('Sainte-Foy-lès-Lyon')).toBe(nameKey('STE FOY LES LYON'));
    expect(nameKey('ST ETIENNE CEDEX 02')).toBe('saintetienne');
    expect(nameKey('L’Haÿ-les-Roses')).toBe(nameKey('L HAY LES ROSES'));
    expect(nameKey('Cedex')).toBe('cedex');
  });

  it('reads the communes file lazily, once', () => {
    jest.isolateModules(() => {
      const spy = jest.spyOn(fs, 'readFileSync');
      try {
        const fresh = require('../../src/partners/commune-resolver') as typeof import('../../src/partners/commune-resolver');
        const communesReads = () => spy.mock.calls.filter(([file]) => String(file).endsWith('communes.json')).length;
        expect(communesReads()).toBe(0);
        expect(fresh.resolveCodeInsee({ codePostal: '59100', commune: 'Roubaix' })).toBe('59512');
        expect(fresh.resolveCodeInsee({ codePostal: '59800', commune: 'Lille' })).toBe('59350');
        expect(communesReads()).toBe(1);
      } finally {
        spy.mockRestore();
      }
    });
  });
});
