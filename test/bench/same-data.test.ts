import { checkSameData, DataMismatchError } from '../../src/bench/same-data';
import { buildShapes, evenlySpaced, fromPostgraphile } from '../../src/bench/shapes';

const ok = (data: unknown) => ({ status: 200, text: JSON.stringify({ data }) });

describe('same-data check', () => {
  const shape = buildShapes({ byidIds: ['a--1', 'a--2'] }).filtered;
  const passerelle = {
    services: {
      totalCount: 1,
      nodes: [{ id: 'a--1', nom: 'Permis', thematiques: [{ label: 'Préparer un permis' }], structure: { nom: 'Auto-école' } }],
    },
  };
  const postgraphile = {
    servicesInDepartement: {
      totalCount: 1,
      nodes: [{ rowId: 'a--1', nom: 'Permis', thematiques: ['mobilite--preparer-un-permis'], structureByStructureId: { nom: 'Auto-école' } }],
    },
  };

  it('maps PostGraphile’s names and raw thématiques to Passerelle’s, then finds the answers equal', () => {
    expect(fromPostgraphile(postgraphile)).toEqual(passerelle);
    expect(() => checkSameData(shape, { passerelle: ok(passerelle), postgraphile: ok(postgraphile), floor: ok(passerelle) })).not.toThrow();
  });

  it('fails loudly, naming the server and the first differing path', () => {
    const floor = structuredClone(passerelle);
    floor.services.nodes[0].structure.nom = 'Autre';
    expect(() => checkSameData(shape, { passerelle: ok(passerelle), floor: ok(floor) })).toThrow(
      new DataMismatchError(
        'filtered: floor does not answer the same data as passerelle; first difference at data.services.nodes[0].structure.nom: passerelle Auto-école, floor Autre',
      ),
    );
  });

  it('refuses an answer with errors or another status', () => {
    const failed = { status: 200, text: JSON.stringify({ data: null, errors: [{ message: 'boom' }] }) };
    expect(() => checkSameData(shape, { passerelle: ok(passerelle), postgraphile: failed })).toThrow(/postgraphile answered HTTP 200/);
    expect(() => checkSameData(shape, { passerelle: { status: 400, text: '{"errors":[]}' } })).toThrow(DataMismatchError);
  });

  it('picks byid ids evenly and deterministically', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `s--${String(i).padStart(4, '0')}`);
    expect(evenlySpaced(ids, 4)).toEqual(['s--0000', 's--0250', 's--0500', 's--0750']);
    expect(evenlySpaced(ids.slice(0, 3), 50)).toEqual(ids.slice(0, 3));
  });
});
