/**
 * A cluster's consolidated record: each field from the best member that has it — the freshest (`date_maj`),
 * then the best `score_qualite`, then the smallest id — with the member it came from. Fields that only make
 * sense together come from one member: the address with its complement, postal code, commune and INSEE
 * code; the latitude with the longitude.
 */

/** What consolidation reads of a member. */
export interface ConsolidationMember {
  id: string;
  source: string;
  dateMaj: Date;
  scoreQualite: number | null;
  [field: string]: unknown;
}

/** One consolidated field and where it comes from. */
export interface FieldProvenance {
  champ: string;
  source: string;
  id: string;
  dateMaj: Date;
}

/** Field groups, in the order provenance lists them; the first field of a group decides which member gives it. */
export const CONSOLIDATED_GROUPS: readonly (readonly string[])[] = [
  ['nom'],
  ['description'],
  ['siret'],
  ['adresse', 'complementAdresse', 'codePostal', 'codeInsee', 'commune'],
  ['codePostal', 'codeInsee', 'commune'],
  ['latitude', 'longitude'],
  ['telephone'],
  ['courriel'],
  ['siteWeb'],
  ['horairesAccueil'],
  ['accessibiliteLieu'],
];

const present = (v: unknown) => v !== null && v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0);

/** Members best first: freshest, then best score, then id. */
export function byPreference<M extends ConsolidationMember>(members: readonly M[]): M[] {
  return [...members].sort(
    (a, b) =>
      b.dateMaj.getTime() - a.dateMaj.getTime() ||
      (b.scoreQualite ?? -1) - (a.scoreQualite ?? -1) ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

export interface Consolidated {
  values: Record<string, unknown>;
  provenance: FieldProvenance[];
}

export function consolidate(members: readonly ConsolidationMember[]): Consolidated {
  const ordered = byPreference(members);
  const values: Record<string, unknown> = {};
  const provenance: FieldProvenance[] = [];
  for (const group of CONSOLIDATED_GROUPS) {
    const [lead] = group;
    if (lead in values) continue; // given by an earlier group (the address gives its commune)
    // A location needs both coordinates; any other group, its first field.
    const needed = lead === 'latitude' ? group : [lead];
    const best = ordered.find((m) => needed.every((f) => present(m[f])));
    if (!best) continue;
    for (const field of group) {
      if (field in values) continue;
      values[field] = best[field] ?? null;
      if (present(best[field])) provenance.push({ champ: field, source: best.source, id: best.id, dateMaj: best.dateMaj });
    }
  }
  for (const group of CONSOLIDATED_GROUPS) for (const field of group) if (!(field in values)) values[field] = null;
  return { values, provenance };
}
