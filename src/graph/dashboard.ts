import { NOMENCLATURES } from '../domain/nomenclatures';
import type { Resolvers } from '../generated/graphql';
import { parisDate } from '../quality/freshness';

/**
 * `Query.tableauQualite`: the dashboard's figures (src/store/quality-dashboard.ts, through the loaders), shaped
 * for the page: score bands, the thématiques and départements with the least offer.
 */
const GAPS = 10;

export const dashboardResolvers: Resolvers = {
  Query: {
    tableauQualite: async (_, __, ctx) => {
      const today = parisDate(ctx.now);
      const f = await ctx.loaders.dashboard({ restrictedSources: ctx.restrictedSources, today, thresholds: ctx.freshness });
      const thematiques = NOMENCLATURES.thematiques.map((t) => ({ value: t.value, label: t.label, services: f.thematiques[t.value] ?? 0 }));
      return {
        jour: new Date(`${today}T00:00:00Z`),
        structures: f.structures,
        services: f.services,
        parSource: f.sources,
        parDepartement: f.departements,
        scores: f.bands.map((services, band) => ({ min: band / 10, max: (band + 1) / 10, services })),
        servicesSansScore: f.servicesSansScore,
        criteres: f.criteres,
        scoreMoyen: f.scoreMoyen,
        fraicheur: f.fraicheur,
        doublons: f.doublons,
        thematiquesPeuCouvertes: thematiques.sort((a, b) => a.services - b.services || a.value.localeCompare(b.value)).slice(0, GAPS),
        departementsPeuCouverts: [...f.departements].sort((a, b) => a.services - b.services || a.code.localeCompare(b.code)).slice(0, GAPS),
      };
    },
  },
};
