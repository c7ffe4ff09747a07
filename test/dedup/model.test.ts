import { clusterStructures } from '../../src/dedup/cluster';
import { consolidate } from '../../src/dedup/consolidate';
import { evaluate } from '../../src/dedup/eval';
import { evaluationSet } from '../../src/dedup/eval-set';
import { features, nationalPhone } from '../../src/dedup/features';
import { compareNames, scorePair, accepted } from '../../src/dedup/match';

/** The model on its own: features, the hard cases one by one, the evaluation targets, consolidation. */
describe('dedup model', () => {
  const records = evaluationSet();
  const { clusterOf } = clusterStructures(records);
  const sameCluster = (a: string, b: string) => clusterOf.get(a) !== undefined && clusterOf.get(a) === clusterOf.get(b);

  test('phones in national format, whatever the producer wrote', () => {
    for (const written of ['+33 1 53 32 70 00', '01.53.32.70.00', '0153327000', '0033153327000', '+33153327000']) expect(nationalPhone(written)).toBe('0153327000');
    expect(nationalPhone('3949')).toBeNull();
  });

  test('names: typos and abbreviations are the same name, an antenne is not', () => {
    const tokens = (nom: string) => features({ ...records[0], nom }).tokens;
    expect(compareNames(tokens('Centre communal d’action sociale de Lyon'), tokens('CCAS de Lyon'))).toBe('same');
    expect(compareNames(tokens('Mission locale de Rennes'), tokens('Mssion Locale Rennes'))).toBe('same');
    expect(compareNames(tokens('Secours populaire – antenne Nord'), tokens('Secours populaire – antenne Sud'))).not.toBe('same');
    expect(compareNames(tokens('Le Relais'), tokens('Le Relais – antenne La Source'))).not.toBe('contained');
  });

  test.each(['mairie and CCAS', 'two antennes', 'network phone'])('hard case "%s": no false merge', (hardCase) => {
    const members = records.filter((r) => r.hardCase === hardCase);
    for (const a of members) for (const b of members) if (a.entity !== b.entity) expect(sameCluster(a.id, b.id)).toBe(false);
  });

  test.each(['renamed', 'moved', 'missing coordinates', 'mairie and CCAS', 'two antennes'])('hard case "%s": the same place is found', (hardCase) => {
    const members = records.filter((r) => r.hardCase === hardCase);
    for (const a of members) for (const b of members) if (a.id !== b.id && a.entity === b.entity) expect(sameCluster(a.id, b.id)).toBe(true);
  });

  test('a mairie and its CCAS sharing address, phone and e-mail are forbidden to merge', () => {
    const [mairie, ccas] = ['Mairie de Limoges', 'CCAS de Limoges'].map((nom) => records.find((r) => r.nom === nom)!);
    const score = scorePair(features(mairie), features(ccas), { phone: new Map(), email: new Map() });
    expect(score.forbidden).toMatch(/kinds/);
    expect(accepted(score)).toBe(false);
  });

  test('targets on the evaluation set: precision ≥ 0.95, recall ≥ 0.90', () => {
    const e = evaluate(records);
    expect(e.records).toBeGreaterThanOrEqual(300);
    expect(e.precision).toBeGreaterThanOrEqual(0.95);
    expect(e.recall).toBeGreaterThanOrEqual(0.9);
    expect(e.fill.filled).toBeGreaterThan(0);
  });

  test('consolidation: the freshest member that has a field gives it; the address comes whole from one member', () => {
    const base = { source: 'dora', scoreQualite: 0.5 };
    const { values, provenance } = consolidate([
      { ...base, id: 'dora--old', dateMaj: new Date('2026-01-01'), nom: 'Ancien', adresse: '1 rue A', codePostal: '69001', telephone: '0400000000' },
      { ...base, id: 'mes-aides--new', source: 'mes-aides', dateMaj: new Date('2026-06-01'), nom: 'Nouveau', adresse: null, codePostal: '69002', telephone: null },
    ]);
    expect(values).toMatchObject({ nom: 'Nouveau', adresse: '1 rue A', codePostal: '69001', telephone: '0400000000' });
    expect(provenance.find((p) => p.champ === 'nom')).toMatchObject({ id: 'mes-aides--new', source: 'mes-aides' });
    expect(provenance.find((p) => p.champ === 'codePostal')).toMatchObject({ id: 'dora--old' });
  });
});
