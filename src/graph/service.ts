import { zoneTerritories } from './eligibility-zones';
import type { Resolvers } from '../generated/graphql';
import { notFound } from '../errors';
import { connectionResolvers } from './connection';
import type { ServiceModel, StructureModel } from '../domain/models';
import { item, items } from './nomenclature';
import { rootConnection } from './offer-connections';
import { provenanceOf, sourceOf, territoireOf } from './offer-fields';
import { recordShape } from './selection';

export const serviceResolvers: Resolvers = {
  Query: {
    service: (_, { id }, ctx, info) => ctx.loaders.serviceById.load(id, recordShape(ctx, info, 'service')),
    services: (_, args, ctx, info) => rootConnection(ctx, 'service', args, info),
  },
  Service: {
    __resolveReference: (ref, ctx) => ctx.loaders.serviceById.load(ref.id),
    source: (s, _, ctx) => sourceOf(s.source, ctx),
    provenance: (s) => provenanceOf(s),
    zoneEligibilite: (s, _, ctx) => zoneTerritories(ctx, s.zoneEligibilite),
    zoneEligibiliteCodes: (s) => s.zoneEligibilite ?? [],
    structure: (s, _, ctx, info) => {
      // Read with the service when its selection planned it (returned as is: no promise for graphql-js to
      // wait on per row), unless a live partner answers for it.
      const inlined = s[`@${info.path.key}`] as StructureModel | null | undefined;
      if (inlined && ctx.loaders.storeAnswers(inlined.id) && ctx.access.canSee(inlined.id)) return inlined;
      return ctx.loaders.structureById.load(s.structureId, recordShape(ctx, info, 'structure')).then((structure) => {
        // The store's foreign key makes this unreachable for stored services; say so plainly if it happens.
        if (!structure) throw notFound(`structure ${s.structureId} of service ${s.id} not found`);
        return structure;
      });
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
  ServiceConnection: { ...connectionResolvers<ServiceModel>(), totalCountExact: (c) => c.countExact ?? true },
};
