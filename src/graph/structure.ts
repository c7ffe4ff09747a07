import type { Resolvers } from '../generated/graphql';
import { connectionResolvers } from './connection';
import type { StructureModel } from './models';
import { items } from './nomenclature';
import { nestedConnection, rootConnection } from './offer-connections';
import { provenanceOf, sourceOf, territoireOf } from './offer-fields';

export const structureResolvers: Resolvers = {
  Query: {
    structure: (_, { id }, ctx) => ctx.loaders.structureById.load(id),
    structures: (_, args, ctx, info) => rootConnection(ctx, 'structure', args, info),
  },
  Structure: {
    __resolveReference: (ref, ctx) => ctx.loaders.structureById.load(ref.id),
    source: (s, _, ctx) => sourceOf(s.source, ctx),
    provenance: (s) => provenanceOf(s),
    reseauxPorteurs: (s) => items('reseaux_porteurs', s.reseauxPorteurs),
    territoire: (s, _, ctx) => territoireOf(s.codeInsee, ctx),
    services: (s, args, ctx, info) => nestedConnection(ctx, 'service', 'structure', s.id, args, info),
  },
  StructureConnection: connectionResolvers<StructureModel>(),
};
