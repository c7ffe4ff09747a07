import type { Resolvers } from '../generated/graphql';
import { connectionResolvers } from './connection';
import type { StructureModel } from '../domain/models';
import { items } from './nomenclature';
import { rootConnection, structureServices } from './offer-connections';
import { provenanceOf, sourceOf, territoireOf } from './offer-fields';
import { recordShape } from './selection';

export const structureResolvers: Resolvers = {
  Query: {
    structure: (_, { id }, ctx, info) => ctx.loaders.structureById.load(id, recordShape(ctx, info, 'structure')),
    structures: (_, args, ctx, info) => rootConnection(ctx, 'structure', args, info),
  },
  Structure: {
    __resolveReference: (ref, ctx) => ctx.loaders.structureById.load(ref.id),
    source: (s, _, ctx) => sourceOf(s.source, ctx),
    provenance: (s) => provenanceOf(s),
    reseauxPorteurs: (s) => items('reseaux_porteurs', s.reseauxPorteurs),
    territoire: (s, _, ctx) => territoireOf(s.codeInsee, ctx),
    // doublons, clusterId, consolide: src/graph/dedup.ts.
    services: (s, args, ctx, info) => structureServices(ctx, s, args, info),
  },
  StructureConnection: connectionResolvers<StructureModel>(),
};
