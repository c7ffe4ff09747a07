import fs from 'node:fs';
import path from 'node:path';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import type { Resolvers } from '../generated/graphql';
import { repoPath } from '../paths';
import { nomenclatureResolvers } from './nomenclature';
import { DateScalar, DateTimeScalar } from './scalars';
import { serviceResolvers } from './service';
import { structureResolvers } from './structure';
import { territoryResolvers } from './territory';
import { listSources } from '../store/territory-query';

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
  Query: { sources: (_, __, ctx) => listSources(ctx.store.prisma) },
};

export function buildSchema(): GraphQLSchema {
  const resolvers: Resolvers[] = [
    { Date: DateScalar, DateTime: DateTimeScalar },
    nomenclatureResolvers,
    sourceResolvers,
    structureResolvers,
    serviceResolvers,
    territoryResolvers,
  ];
  return makeExecutableSchema({ typeDefs: loadTypeDefs(), resolvers, resolverValidationOptions: { requireResolversToMatchSchema: 'error' } });
}
