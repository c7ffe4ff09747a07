import { MapperKind, getDirective, mapSchema } from '@graphql-tools/utils';
import {
  defaultFieldResolver,
  getNamedType,
  isNonNullType,
  isObjectType,
  type GraphQLFieldConfig,
  type GraphQLSchema,
} from 'graphql';
import { hasScope, type Viewer } from './viewer';
import type { Withheld } from './withheld';

/**
 * What the directive needs of a request's context (src/context.ts's Context has it): declared here so that
 * auth/ depends on nothing above it.
 */
export interface GuardContext {
  viewer: Viewer;
  withheld: Withheld;
}

/** The SDL's `AuthScope` enum values, as the scopes tokens carry. */
const SCOPE_OF: Record<string, string> = { CONTACT_READ: 'contact:read' };

/**
 * The scopes a field needs: its own directive's, its type's, and its returned type's. The one reading of
 * the directive: the transform below wraps resolvers with it, and whoever answers a field another way
 * (src/graph/compiled-reads.ts) asks it too.
 */
export function requiredScopes(
  schema: GraphQLSchema,
  typeName: string,
  field: Parameters<typeof getDirective>[1] & { type: GraphQLFieldConfig<unknown, unknown>['type'] },
  directiveName = 'auth',
): string[] {
  const requiredBy = (node: Parameters<typeof getDirective>[1]): string[] =>
    (getDirective(schema, node, directiveName)?.[0]?.requires as string[] | undefined)?.map((s) => SCOPE_OF[s] ?? s) ?? [];
  const parent = schema.getType(typeName);
  const returned = getNamedType(field.type);
  return [...new Set([...requiredBy(field), ...(isObjectType(parent) ? requiredBy(parent) : []), ...(isObjectType(returned) ? requiredBy(returned) : [])])];
}

/**
 * The `@auth(requires: [...])` directive, implemented once as a schema transform: every field that
 * carries it — or belongs to a type that carries it, or returns such a type — gets its resolver wrapped.
 *
 * Why at the field resolver: aliases, fragments, inline fragments, nested relations and federation's
 * `_entities` all end in the same field resolver, so no query shape can reach a guarded value around it.
 * A caller without the scope gets `null` (the field must be nullable) and the field is noted once in the
 * request's `withheld` set, which the server reports in `extensions.withheld` — one entry per response,
 * not one error per row.
 */
export function authDirectiveTransformer(schema: GraphQLSchema, directiveName = 'auth'): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (fieldConfig: GraphQLFieldConfig<unknown, GuardContext>, fieldName, typeName) => {
      const requires = new Set(requiredScopes(schema, typeName, fieldConfig, directiveName));
      if (requires.size === 0) return fieldConfig;
      if (isNonNullType(fieldConfig.type)) {
        throw new Error(`@${directiveName} on ${typeName}.${fieldName}: a guarded field must be nullable (withheld = null)`);
      }
      const scopes = [...requires];
      const { resolve = defaultFieldResolver } = fieldConfig;
      return {
        ...fieldConfig,
        resolve(source, args, context, info) {
          const missing = scopes.filter((scope) => !hasScope(context.viewer, scope));
          if (missing.length > 0) {
            context.withheld.note(`${info.parentType.name}.${info.fieldName}`, missing);
            return null;
          }
          return resolve(source, args, context, info);
        },
      };
    },
  });
}
