import type { Resolvers } from '../generated/graphql';
import { notFound } from '../errors';
import { connectionResolvers } from './connection';
import type { ServiceModel } from './models';
import { item, items } from './nomenclature';
import { rootConnection } from './offer-connections';
import { provenanceOf, sourceOf, territoireOf } from './offer-fields';

export const serviceResolvers: Resolvers = {
  Query: {
    service: (_, { id }, ctx) => ctx.loaders.serviceById.load(id),
    services: (_, args, ctx, info) => rootConnection(ctx, 'service', args, info),
  },
  Service: {
    __resolveReference: (ref, ctx) => ctx.loaders.serviceById.load(ref.id),
    source: (s, _, ctx) => sourceOf(s.source, ctx),
    provenance: (s) => provenanceOf(s),
    structure: async (s, _, ctx) => {
      const structure = await ctx.loaders.structureById.load(s.structureId);
      // The store's foreign key makes this unreachable for stored services; say so plainly if it happens.
      if (!structure) throw notFound(`structure ${s.structureId} of service ${s.id} not found`);
      return structure;
    },
    type: (s) => (s.type ? item('types_services', s.type) : null),
    thematiques: (s) => items('thematiques', s.thematiques),
    frais: (s) => (s.frais ? item('frais', s.frais) : null),
    publics: (s) => items('publics', s.publics),
    modesAccueil: (s) => items('modes_accueil', s.modesAccueil),
    modesMobilisation: (s) => items('modes_mobilisation', s.modesMobilisation),
    mobilisablePar: (s) => items('personnes_mobilisatrices', s.mobilisablePar),
    territoire: (s, _, ctx) => territoireOf(s.codeInsee, ctx),
  },
  ServiceConnection: connectionResolvers<ServiceModel>(),
};
