import type { Resolvers, StructureConsolidee } from '../generated/graphql';
import type { Context } from '../context';
import type { StructureModel } from '../domain/models';
import { byPreference, consolidate, type ConsolidationMember } from '../dedup/consolidate';

/**
 * Dedup in the graph: a structure's `doublons` (its cluster's other members and data·inclusion's published
 * ones), its `consolide` record. Members load through `structureById`, as any structure: a member of a source
 * the caller may not see is left out, and contact fields stay under `@auth` on every path (the directive
 * wraps `Structure.telephone` and `StructureConsolidee.telephone` alike).
 */

/** The other structures of its cluster and its published doublons, those the caller may see, by id. */
async function doublonsOf(s: StructureModel, ctx: Context): Promise<StructureModel[]> {
  const ids = new Set<string>(s.doublons ?? []);
  if (s.clusterId) for (const m of await ctx.loaders.clusterMembers.load(s.clusterId)) ids.add(m.id);
  ids.delete(s.id);
  const found = await Promise.all([...ids].sort().map((id) => ctx.loaders.structureById.load(id)));
  return found.filter((structure): structure is StructureModel => structure !== null && structure !== undefined);
}

export const dedupResolvers: Resolvers = {
  Structure: {
    doublons: (s, _, ctx) => doublonsOf(s, ctx),
    clusterId: (s) => s.clusterId ?? null,
    consolide: async (s, _, ctx) => {
      // Full rows: the structure itself may have been read with the columns its selection asked only.
      const self = await ctx.loaders.structureById.load(s.id);
      const members = [...(self ? [self] : []), ...(s.clusterId ? await doublonsOf(s, ctx) : [])];
      const { values, provenance } = consolidate(members as unknown as ConsolidationMember[]);
      const membres = byPreference(members as unknown as ConsolidationMember[]).map((m) => m.id);
      return { ...values, provenance, membres } as unknown as StructureConsolidee;
    },
  },
  Service: {
    clusterId: (s) => s.clusterId ?? null,
  },
};
