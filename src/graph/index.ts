import fs from 'node:fs';
import path from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { mergeResolvers } from '@graphql-tools/merge';
import { parse, type GraphQLSchema } from 'graphql';
import type { Resolvers } from '../generated/graphql';
import { repoPath } from '../paths';
import { dashboardResolvers } from './dashboard';
import { dedupResolvers } from './dedup';
import { nomenclatureResolvers } from './nomenclature';
import { qualityResolvers } from './quality';
import { DateScalar, DateTimeScalar, JSONObjectScalar, V1RecordScalar } from './scalars';
import { searchResolvers } from './search';
import { changeResolvers } from './changes';
import { pushResolvers } from './push';
import { webhookResolvers } from './webhooks';
import { subscriptionResolvers } from './subscriptions';
import { serviceResolvers } from './service';
import { structureResolvers } from './structure';
import { territoryResolvers } from './territory';

type SubgraphResolvers = Extract<Parameters<typeof buildSubgraphSchema>[0], { resolvers?: unknown }>['resolvers'];

/** The SDL files of graphql/, the contract, in a stable order. */
export function loadTypeDefs(): string[] {
  const dir = repoPath('graphql');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'));
}

const sourceResolvers: Resolvers = {
  Query: { sources: (_, __, ctx) => ctx.loaders.sources() },
};

/**
 * The executable schema: an Apollo Federation v2 subgraph (graphql/federation.graphql links the spec;
 * entities carry @key), so `_service { sdl }` and `_entities` exist. Reference resolvers go through the
 * request's loaders like every other resolver; the auth directive is applied on top (src/app.ts).
 */
export function buildSchema(): GraphQLSchema {
  const resolvers: Resolvers[] = [
    { Date: DateScalar, DateTime: DateTimeScalar, JSONObject: JSONObjectScalar, V1Record: V1RecordScalar },
    nomenclatureResolvers,
    sourceResolvers,
    structureResolvers,
    serviceResolvers,
    territoryResolvers,
    dedupResolvers,
    qualityResolvers,
    searchResolvers,
    changeResolvers,
    pushResolvers,
    webhookResolvers,
    subscriptionResolvers,
    dashboardResolvers,
  ];
  return buildSubgraphSchema({
    typeDefs: parse(loadTypeDefs().join('\n')),
    resolvers: mergeResolvers(resolvers) as SubgraphResolvers,
  });
}
