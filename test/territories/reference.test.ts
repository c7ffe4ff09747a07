import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { normaliserNom } from '../../src/domain/names';
import { buildTerritoriesReference, type TerritoriesReference } from '../../src/territories/reference';

/** Official centres (COG 2024, INSEE / La Poste open data); kept outside the repository, CI has it. */
const REFERENCE_CSV = path.join(__dirname, '../../../shared/reference/communes-centres.csv');

function haversineKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const a =
    Math.sin(((lat2 - lat1) * rad) / 2) ** 2 +
    Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(a));
}

describe('normaliserNom', () => {
  it.each([
    ["L'Haÿ-les-Roses", 'l hay les roses'],
    ['Saint-Étienne', 'saint etienne'],
    ['  Œuilly  ', 'oeuilly'],
    ['Marseille 1er Arrondissement', 'marseille 1er arrondissement'],
    ["Saint-Geniez-d'Olt-et-d'Aubrac", 'saint geniez d olt et d aubrac'],
    ['ÎLE--DE   FRANCE.', 'ile de france'],
  ])('%s → %s', (input, expected) => {
    expect(normaliserNom(input)).toBe(expected);
  });
});

describe('territories reference', () => {
  let ref: TerritoriesReference;
  beforeAll(() => {
    ref = buildTerritoriesReference();
  });

  it('holds the régions, départements, EPCI and communes of France (metropolitan and DROM)', () => {
    expect(ref.regions).toHaveLength(18);
    expect(ref.departements).toHaveLength(101);
    expect(ref.epcis.length).toBeGreaterThanOrEqual(1250);
    expect(ref.epcis.length).toBeLessThanOrEqual(1260);
    const arrondissements = ref.communes.filter((c) => c.kind === 'arrondissement-municipal');
    const communes = ref.communes.filter((c) => c.kind === 'commune-actuelle');
    expect(arrondissements).toHaveLength(45);
    expect(communes.length).toBeGreaterThan(34_800);
    expect(communes.length).toBeLessThan(35_000);
    expect(new Set(ref.communes.map((c) => c.code)).size).toBe(ref.communes.length);
  });

  it('holds the communes déléguées and associées whose code is not a current commune, attached to their commune', () => {
    const count = (kind: string) => ref.communes.filter((c) => c.kind === kind).length;
    console.log(`former communes: ${count('commune-deleguee')} déléguées, ${count('commune-associee')} associées`);
    // decoupage-administratif 6.0.0: 2,105 déléguées and 471 associées, 584 déléguées sharing their commune's code.
    expect(count('commune-deleguee')).toBe(1521);
    expect(count('commune-associee')).toBe(471);
    expect(ref.communes.find((c) => c.code === '01039')).toMatchObject({
      nom: 'Béon',
      kind: 'commune-deleguee',
      parentCode: '01138',
      departementCode: '01',
      regionCode: '84',
      population: null,
      codesPostaux: [],
    });
    // Escaufourt's code says Aisne; it lies in the Nord, as its commune Saint-Souplet does.
    expect(ref.communes.find((c) => c.code === '02285')).toMatchObject({ kind: 'commune-associee', parentCode: '59545', departementCode: '59', regionCode: '32' });
    // A commune nouvelle that kept a former commune's code is that commune: no second row.
    expect(ref.communes.filter((c) => c.code === '01015').map((c) => c.kind)).toEqual(['commune-actuelle']);
  });

  it('links every row to existing parents', () => {
    const regions = new Set(ref.regions.map((r) => r.code));
    const departements = new Map(ref.departements.map((d) => [d.code, d]));
    const epcis = new Set(ref.epcis.map((e) => e.code));
    const communes = new Map(ref.communes.map((c) => [c.code, c]));
    // Collected, not asserted one by one: 35,000 expect() calls take seconds.
    const broken: string[] = [];
    for (const d of ref.departements) if (!regions.has(d.regionCode)) broken.push(`département ${d.code}: région`);
    for (const c of ref.communes) {
      if (departements.get(c.departementCode)?.regionCode !== c.regionCode) broken.push(`${c.code}: département/région`);
      if (c.epciCode !== null && !epcis.has(c.epciCode)) broken.push(`${c.code}: epci`);
      const parent = communes.get(c.parentCode ?? '');
      const parentOk = c.kind === 'commune-actuelle' ? c.parentCode === null : parent?.kind === 'commune-actuelle';
      if (!parentOk) broken.push(`${c.code}: parent`);
      // An arrondissement or a former commune lies where its commune does.
      if (parent && [c.departementCode, c.regionCode, c.epciCode].join() !== [parent.departementCode, parent.regionCode, parent.epciCode].join()) {
        broken.push(`${c.code}: not in its commune's territories`);
      }
    }
    expect(broken).toEqual([]);
    const paris = ref.communes.filter((c) => c.code.startsWith('751') && c.kind === 'arrondissement-municipal');
    expect(paris).toHaveLength(20);
    for (const a of paris) expect(a.parentCode).toBe('75056');
    expect(communes.get('13201')?.parentCode).toBe('13055');
    expect(communes.get('69381')?.parentCode).toBe('69123');
    // Almost every commune belongs to an EPCI (a few islands do not).
    expect(ref.communes.filter((c) => c.epciCode === null).length).toBeLessThan(10);
  });

  it('sums the population of départements and régions over communes, not arrondissements', () => {
    const paris = ref.communes.find((c) => c.code === '75056')!;
    expect(ref.departements.find((d) => d.code === '75')!.population).toBe(paris.population);
    const total = ref.communes.filter((c) => c.kind === 'commune-actuelle').reduce((s, c) => s + (c.population ?? 0), 0);
    expect(ref.regions.reduce((s, r) => s + r.population, 0)).toBe(total);
    expect(total).toBeGreaterThan(66_000_000);
  });

  it('gives every commune a centre, approximate ones flagged', () => {
    const broken = ref.communes.filter(
      (c) => c.latitude === null || c.longitude === null || c.centreApproximatif !== (c.centreSource !== 'geonames'),
    );
    expect(broken.map((c) => c.code)).toEqual([]);
    expect(ref.communes.find((c) => c.code === '75056')!.centreSource).toBe('geonames');
    // A former commune without a GeoNames entry of its own takes its commune's centre.
    const formers = ref.communes.filter((c) => c.kind === 'commune-deleguee' || c.kind === 'commune-associee');
    const byCode = new Map(ref.communes.map((c) => [c.code, c]));
    const sources = new Map<string, number>();
    for (const c of formers) sources.set(c.centreSource!, (sources.get(c.centreSource!) ?? 0) + 1);
    console.log(`former communes' centres: ${[...sources].map(([source, n]) => `${source} ${n}`).join(', ')}`);
    expect([...sources.keys()].sort()).toEqual(['commune-parent', 'geonames']);
    for (const c of formers.filter((f) => f.centreSource === 'commune-parent')) {
      const parent = byCode.get(c.parentCode!)!;
      if (c.latitude !== parent.latitude || c.longitude !== parent.longitude) throw new Error(`${c.code}: not its commune's centre`);
    }
  });

  it('places centres close to the official ones', () => {
    if (!fs.existsSync(REFERENCE_CSV)) {
      throw new Error(
        `reference centres file missing: ${REFERENCE_CSV} (the shared reference folder must sit beside the repository; CI has it)`,
      );
    }
    const rows = parse(fs.readFileSync(REFERENCE_CSV), { columns: true }) as Record<string, string>[];
    const official = new Map(rows.map((r) => [r.code_insee, { latitude: Number(r.latitude), longitude: Number(r.longitude) }]));

    const distances = { exact: [] as number[], approximate: [] as number[] };
    for (const c of ref.communes) {
      const o = official.get(c.code);
      if (!o) continue;
      const d = haversineKm(c.latitude!, c.longitude!, o.latitude, o.longitude);
      (c.centreApproximatif ? distances.approximate : distances.exact).push(d);
    }
    const share = (list: number[], km: number) => (100 * list.filter((d) => d <= km).length) / list.length;
    const exactWithin5 = share(distances.exact, 5);
    const approximateWithin20 = share(distances.approximate, 20);
    const matched = distances.exact.length + distances.approximate.length;
    console.log(
      `territory centres vs official (${matched} of ${ref.communes.length} communes matched): ` +
        `geonames ${distances.exact.length} within 5 km ${exactWithin5.toFixed(2)}%; ` +
        `approximate ${distances.approximate.length} within 20 km ${approximateWithin20.toFixed(2)}%`,
    );
    expect(matched).toBeGreaterThan(34_800);
    expect(exactWithin5).toBeGreaterThanOrEqual(98);
    expect(approximateWithin20).toBeGreaterThanOrEqual(85);
  });
});
