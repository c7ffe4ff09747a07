/**
 * Rule: every argument value is well-formed before the operation runs, whatever field takes it.
 *
 * - A string, at any depth of an argument (input objects, lists, `_Any` values; variables included), holds no
 *   NUL character (PostgreSQL's text cannot hold one: the statement would fail) and at most MAX_STRING_LENGTH
 *   characters (1,000; `filter.q` allows 200, ids and codes are far shorter).
 * - A list holds at most MAX_LIST_LENGTH items (1,000: the largest page, and `_entities`' batch).
 * - Each of `_entities`' representations is an object whose `__typename` names an entity of this subgraph
 *   (`Service`, `Structure`, `Commune`, …) and which gives that entity's key (`id`, or `code` for
 *   territories) as a non-empty string. Checked here, before the federation resolver: a malformed
 *   representation must not reach the source licences (an array `id` passed them) nor the store.
 *
 * A bad value is refused with BAD_USER_INPUT (HTTP 400) naming the argument (`filter.codeCommune`,
 * `representations[3].id`), the value quoted at most MAX_SHOWN_LENGTH characters. What a value must mean for
 * its argument (a commune code, a thématique, a cursor) stays the check of the code that reads it
 * (src/graph/filters.ts, pagination.ts…); this rule keeps malformed input out of SQL for every argument,
 * present and future, since it reads the schema rather than a list of fields.
 *
 * Variables that do not coerce are left to execution, which refuses them with BAD_USER_INPUT.
 */
import { GraphQLError, Kind, isUnionType, type GraphQLSchema, type GraphQLUnionType } from 'graphql';
import { ErrorCode, shown } from '../errors';
import { measureOperation, type Measure, type OperationScope } from './walk';

export const MAX_STRING_LENGTH = 1000;
export const MAX_LIST_LENGTH = 1000;
/** How deep an argument's value may nest (input objects and lists); `_Any` values are otherwise unbounded. */
const MAX_VALUE_DEPTH = 8;

type Refusal = GraphQLError | undefined;

function refuse(argument: string, message: string): GraphQLError {
  return new GraphQLError(`${argument}: ${message}`, {
    extensions: { code: ErrorCode.BAD_USER_INPUT, argument, http: { status: 400 } },
  });
}

/** The refusal of a value (anything JSON may carry), or undefined. Lists are named without their index. */
function checkValue(value: unknown, argument: string, depth = 0): Refusal {
  if (typeof value === 'string') {
    if (value.length > MAX_STRING_LENGTH) {
      return refuse(argument, `${shown(value)} is ${value.length.toLocaleString('en-US')} characters long, more than ${MAX_STRING_LENGTH.toLocaleString('en-US')}`);
    }
    if (value.includes('\u0000')) return refuse(argument, `${shown(value)} holds a NUL character (\\u0000), which no value may hold`);
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  if (depth >= MAX_VALUE_DEPTH) return refuse(argument, `nests more than ${MAX_VALUE_DEPTH} levels deep`);
  if (Array.isArray(value)) {
    if (value.length > MAX_LIST_LENGTH) return refuse(argument, `holds ${value.length.toLocaleString('en-US')} items, more than ${MAX_LIST_LENGTH.toLocaleString('en-US')}`);
    for (const item of value) {
      const refusal = checkValue(item, argument, depth + 1);
      if (refusal) return refusal;
    }
    return undefined;
  }
  for (const [key, item] of Object.entries(value)) {
    const refusal = checkValue(key, argument, depth + 1) ?? checkValue(item, `${argument}.${key}`, depth + 1);
    if (refusal) return refusal;
  }
  return undefined;
}

/** Each entity type of the subgraph and its key fields (`@key(fields: "id")`). */
export function entityKeys(schema: GraphQLSchema): ReadonlyMap<string, readonly string[]> {
  const keys = new Map<string, string[]>();
  const entity = schema.getType('_Entity');
  if (!isUnionType(entity)) return keys;
  for (const type of (entity as GraphQLUnionType).getTypes()) {
    const fields = new Set<string>();
    for (const node of [type.astNode, ...(type.extensionASTNodes ?? [])]) {
      for (const directive of node?.directives ?? []) {
        if (directive.name.value !== 'key') continue;
        const argument = directive.arguments?.find((arg) => arg.name.value === 'fields');
        if (argument?.value.kind === Kind.STRING) for (const name of argument.value.value.split(/\s+/).filter(Boolean)) fields.add(name);
      }
    }
    keys.set(type.name, [...fields]);
  }
  return keys;
}

const keysBySchema = new WeakMap<GraphQLSchema, ReadonlyMap<string, readonly string[]>>();

/** The refusal of `_entities`' representations, or undefined. */
export function checkRepresentations(schema: GraphQLSchema, representations: unknown, argument = 'representations'): Refusal {
  if (!Array.isArray(representations)) return undefined; // [_Any!]! — coercion makes it a list
  let keys = keysBySchema.get(schema);
  if (!keys) keysBySchema.set(schema, (keys = entityKeys(schema)));
  const entities = [...keys.keys()].join(', ');
  for (const [i, representation] of representations.entries()) {
    const at = `${argument}[${i}]`;
    if (representation === null || typeof representation !== 'object' || Array.isArray(representation)) {
      return refuse(at, `${shown(representation)} is not a representation: an object with __typename and the entity's key`);
    }
    const { __typename: typename, ...fields } = representation as Record<string, unknown>;
    if (typeof typename !== 'string') return refuse(`${at}.__typename`, `must be the name of an entity type (${entities}); got ${typename === undefined ? 'nothing' : shown(typename)}`);
    const key = keys.get(typename);
    if (!key) return refuse(`${at}.__typename`, `${shown(typename)} is not an entity type of this subgraph (${entities})`);
    for (const name of key) {
      const value = fields[name];
      if (typeof value !== 'string' || value.length === 0) {
        return refuse(`${at}.${name}`, `the key of ${typename} must be a non-empty string; got ${value === undefined ? 'nothing' : shown(value)}`);
      }
    }
    const refusal = checkValue(fields, at, 1);
    if (refusal) return refusal;
  }
  return undefined;
}

const firstRefusal = (parts: readonly { value: Refusal }[]): Refusal => parts.find((part) => part.value)?.value;

function argumentsMeasure(schema: GraphQLSchema): Measure<Refusal> {
  return {
    field({ definition, args }, selections) {
      const values = definition && definition.args.length ? args() : undefined;
      for (const [name, value] of Object.entries(values ?? {})) {
        const refusal = definition!.name === '_entities' && name === 'representations' ? checkRepresentations(schema, value, name) : checkValue(value, name);
        if (refusal) return refusal;
      }
      return selections();
    },
    join: firstRefusal,
  };
}

/** The first malformed argument value of the operation (with the request's variables), or undefined. */
export function argumentRefusal(scope: OperationScope): Refusal {
  return measureOperation(scope, argumentsMeasure(scope.schema));
}
