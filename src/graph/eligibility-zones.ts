import type { Context } from '../context';
import type { CommuneModel, DepartementModel, EpciModel, RegionModel } from '../domain/models';

/** France as an eligibility zone (records hold `france` or its COG code `99100`). */
export const FRANCE = { code: '99100', nom: 'France' } as const;

/** A territory node of a zone, tagged with its GraphQL type (what `Territoire.__resolveType` reads). */
export type TerritoireModel =
  | (CommuneModel & { __typename: 'Commune' })
  | (EpciModel & { __typename: 'Epci' })
  | (DepartementModel & { __typename: 'Departement' })
  | (RegionModel & { __typename: 'Region' })
  | { __typename: 'Pays'; code: string; nom: string };

/** What kind of territory a zone code names, by its form (the reference's `zone_eligibilite` codes). */
export function zoneKind(code: string): 'pays' | 'epci' | 'commune' | 'departement' | undefined {
  if (code === 'france' || code === FRANCE.code) return 'pays';
  if (/^\d{9}$/.test(code)) return 'epci';
  if (/^(?:\d{5}|2[AB]\d{3})$/.test(code)) return 'commune';
  if (/^(?:\d{2}|2[AB]|97\d)$/.test(code)) return 'departement';
  return undefined;
}

/**
 * `Service.zoneEligibilite`: the territories its codes name, in the record's order, through the request's
 * territory loaders (one statement per kind for a whole page of services). A code naming no territory of the
 * reference is left out — ingestion reports it (`passerelle import`'s warning) — and France appears once.
 */
export async function zoneTerritories(ctx: Context, codes: readonly string[] | null | undefined): Promise<TerritoireModel[]> {
  const found = await Promise.all(
    (codes ?? []).map(async (code): Promise<TerritoireModel | null> => {
      switch (zoneKind(code)) {
        case 'pays':
          return { __typename: 'Pays', ...FRANCE };
        case 'epci': {
          const epci = await ctx.loaders.epciByCode.load(code);
          return epci && { ...epci, __typename: 'Epci' };
        }
        case 'commune': {
          const commune = await ctx.loaders.communeByCode.load(code);
          return commune && { ...commune, __typename: 'Commune' };
        }
        case 'departement': {
          const departement = await ctx.loaders.departementByCode.load(code);
          return departement && { ...departement, __typename: 'Departement' };
        }
        default:
          return null;
      }
    }),
  );
  const seen = new Set<string>();
  return found.filter((t): t is TerritoireModel => {
    if (!t) return false;
    const key = `${t.__typename}:${t.code}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
