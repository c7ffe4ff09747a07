import type { Resolvers } from '../generated/graphql';
import { badUserInput } from '../errors';
import { communeKey, type CommuneKey } from '../store/territory-query';
import { connectionResolvers } from './connection';
import type { CommuneModel } from '../domain/models';
import type { TerritoireModel } from './eligibility-zones';
import { nestedConnection } from './offer-connections';
import { decodeCursor, encodeCursor, pageArgs } from './pagination';

export const territoryResolvers: Resolvers = {
  Query: {
    commune: (_, { code }, ctx) => ctx.loaders.communeByCode.load(code),
    departement: (_, { code }, ctx) => ctx.loaders.departementByCode.load(code),
    region: (_, { code }, ctx) => ctx.loaders.regionByCode.load(code),
    epci: (_, { code }, ctx) => ctx.loaders.epciByCode.load(code),
    communes: async (_, args, ctx) => {
      const { first } = pageArgs({ first: args.first });
      const after = args.after == null ? undefined : parseCommuneKey(decodeCursor(args.after));
      const search = args.search ?? undefined;
      const page = await ctx.loaders.communes(search, first, after);
      return {
        ...page,
        cursorOf: (c: CommuneModel) => encodeCursor(JSON.stringify(communeKey(c))),
        count: () => ctx.loaders.communeCount(search),
      };
    },
  },
  Commune: {
    __resolveReference: (ref, ctx) => ctx.loaders.communeByCode.load(ref.code),
    codesPostaux: (c) => c.codesPostaux ?? [],
    centre: (c) =>
      c.latitude == null || c.longitude == null
        ? null
        : { latitude: c.latitude, longitude: c.longitude, approximatif: c.centreApproximatif, source: c.centreSource ?? 'unknown' },
    parent: (c, _, ctx) => (c.parentCode ? ctx.loaders.communeByCode.load(c.parentCode) : null),
    departement: (c, _, ctx) => required(ctx.loaders.departementByCode.load(c.departementCode), `département ${c.departementCode}`),
    region: (c, _, ctx) => required(ctx.loaders.regionByCode.load(c.regionCode), `région ${c.regionCode}`),
    epci: (c, _, ctx) => (c.epciCode ? ctx.loaders.epciByCode.load(c.epciCode) : null),
    structures: (c, args, ctx, info) => nestedConnection(ctx, 'structure', 'commune', c.code, args, info),
    services: (c, args, ctx, info) => nestedConnection(ctx, 'service', 'commune', c.code, args, info),
  },
  Departement: {
    __resolveReference: (ref, ctx) => ctx.loaders.departementByCode.load(ref.code),
    chefLieu: (d, _, ctx) => (d.chefLieu ? ctx.loaders.communeByCode.load(d.chefLieu) : null),
    region: (d, _, ctx) => required(ctx.loaders.regionByCode.load(d.regionCode), `région ${d.regionCode}`),
    structures: (d, args, ctx, info) => nestedConnection(ctx, 'structure', 'departement', d.code, args, info),
    services: (d, args, ctx, info) => nestedConnection(ctx, 'service', 'departement', d.code, args, info),
  },
  Region: {
    __resolveReference: (ref, ctx) => ctx.loaders.regionByCode.load(ref.code),
    chefLieu: (r, _, ctx) => (r.chefLieu ? ctx.loaders.communeByCode.load(r.chefLieu) : null),
    departements: (r, _, ctx) => ctx.loaders.departementsByRegion.load(r.code),
    structures: (r, args, ctx, info) => nestedConnection(ctx, 'structure', 'region', r.code, args, info),
    services: (r, args, ctx, info) => nestedConnection(ctx, 'service', 'region', r.code, args, info),
  },
  Epci: {
    __resolveReference: (ref, ctx) => ctx.loaders.epciByCode.load(ref.code),
    structures: (e, args, ctx, info) => nestedConnection(ctx, 'structure', 'epci', e.code, args, info),
    services: (e, args, ctx, info) => nestedConnection(ctx, 'service', 'epci', e.code, args, info),
  },
  CommuneConnection: connectionResolvers<CommuneModel>(),
  Territoire: {
    __resolveType: (t) => (t as TerritoireModel).__typename,
  },
};

function parseCommuneKey(raw: string): CommuneKey {
  try {
    const key = JSON.parse(raw) as CommuneKey;
    // Numbers the store's integer column holds, and a code's characters: `1.5e300` must not reach SQL.
    if (Number.isInteger(key.population) && key.population >= 0 && key.population <= 2_147_483_647 && typeof key.code === 'string' && /^[0-9A-Z]{5}$/.test(key.code)) return key;
  } catch {
    // fall through
  }
  throw badUserInput('after', 'is not a cursor of this connection (use a pageInfo.endCursor of communes)');
}

async function required<T>(value: Promise<T | null>, what: string): Promise<T> {
  const found = await value;
  if (!found) throw new Error(`${what} missing from the territories reference`);
  return found;
}
