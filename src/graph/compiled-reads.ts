import {
  GraphQLError,
  Kind,
  getArgumentValues,
  getOperationAST,
  getVariableValues,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationRule,
} from 'graphql';

import { LRUCache } from 'lru-cache';
import { requiredScopes } from '../auth/directive';
import type { Access } from '../auth/source-licences';
import { hasScope, type Viewer } from '../auth/viewer';
import type { NomenclatureName } from '../domain/nomenclatures';
import type { ServiceFilter } from '../generated/graphql';
import type { Statement, Store } from '../store/database';
import { COLUMNS, type OfferEntity } from '../store/offer-columns';
import type { PageRequest } from '../store/offer-filter';
import {
  responseStatement,
  type ConnectionField,
  type EdgeField,
  type ItemField,
  type PageInfoField,
  type RecordField,
  type RootField,
} from '../store/response-json';
import { visibleFilter } from './filters';
import { pageArgs } from './pagination';

/**
 * Read operations answered by one statement whose result is the response itself: PostgreSQL builds the
 * JSON (src/store/response-json.ts) and it is sent as is — no rows to parse, no resolver per field, no
 * JSON to write — as the hand-written floor does. This is an execution strategy, not a second API: it
 * takes only operations it answers exactly as graphql-js execution does (test/graph/compiled-reads.test.ts
 * runs both and compares), and gives every other one back to Apollo Server:
 * - queries whose root fields are `services`, `structures`, `service(id)`, `structure(id)`, `__typename`,
 *   selecting columns, nomenclature items, a service's `structure`, a structure's `services`, connection
 *   fields and `__typename`; not `source`, `provenance`, `territoire` nor territories;
 * - a document that parses, validates (with the query limits' rules) and passes the request limits, with
 *   variables that coerce; no directive (`@skip`, `@include`) anywhere in it;
 * - no guarded field (`@auth`) the viewer lacks a scope for: withheld fields and their notice stay
 *   Apollo's; source licences become the same `hiddenSources` criterion the store's reads use;
 * - no live partner declared (a partner answers for its sources record by record).
 * Arguments that fail their checks go to Apollo too, which reports them.
 */

interface Parsed {
  document?: DocumentNode;
}

export interface CompiledReadsOptions {
  schema: GraphQLSchema;
  /** The query limits' document rules (validation) and request check, as Apollo applies them. */
  validationRules: ValidationRule[];
  requestRefusal(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown> | undefined): GraphQLError | undefined;
}

export interface CompiledAnswer {
  /** The response body (`{"data":…}`). */
  body: string;
  operationName: string | null;
}

interface Plan {
  /** Its text built once (a Prisma.Sql builds it on every read). */
  statement: Statement;
  operationName: string | null;
}

const NOT_COMPILED = 'not compiled' as const;

export class CompiledReads {
  // Bounded in entries and in bytes: a client may send as many different (large) documents as it likes.
  private readonly parsed = new LRUCache<string, Parsed>({ max: 1000, maxSize: 32 * 1024 * 1024, sizeCalculation: (_, query) => 64 + query.length * 4 });
  /** Statements by operation, variables and viewer's rights (or: Apollo answers it). */
  private readonly plans = new LRUCache<string, Plan | typeof NOT_COMPILED>({
    max: 2000,
    maxSize: 64 * 1024 * 1024,
    sizeCalculation: (plan, key) => 64 + key.length + (plan === NOT_COMPILED ? 0 : plan.statement.text.length + JSON.stringify(plan.statement.values).length),
  });
  /** The scopes each guarded field needs (the schema does not change). */
  private readonly guards = new Map<string, string[]>();
  private readonly rules: ValidationRule[];

  constructor(private readonly options: CompiledReadsOptions) {
    this.rules = [...specifiedRules, ...options.validationRules];
  }

  /** The response to a POSTed GraphQL request, or undefined when Apollo Server must answer it. */
  async answer(request: unknown, viewer: Viewer, access: Access, store: Store): Promise<CompiledAnswer | undefined> {
    if (!request || typeof request !== 'object' || Array.isArray(request)) return undefined;
    const { query, variables, operationName, extensions } = request as Record<string, unknown>;
    if (typeof query !== 'string' || extensions !== undefined) return undefined;
    if (variables != null && (typeof variables !== 'object' || Array.isArray(variables))) return undefined;
    if (operationName != null && typeof operationName !== 'string') return undefined;

    // What a statement depends on: the operation, its variables, the scopes and source licences of the viewer.
    const scopes = viewer.kind === 'client' ? [...viewer.scopes].sort().join(' ') : '';
    const key = `${scopes}\u0000${access.hiddenSources.join(',')}\u0000${operationName ?? ''}\u0000${variables == null ? '' : JSON.stringify(variables)}\u0000${query}`;
    let plan = this.plans.get(key);
    if (!plan) {
      plan = this.plan(query, (variables ?? undefined) as Record<string, unknown> | undefined, operationName ?? undefined, viewer, access) ?? NOT_COMPILED;
      this.plans.set(key, plan);
    }
    if (plan === NOT_COMPILED) return undefined;
    const [row] = await store.query<{ body: string }>(plan.statement);
    return { body: `{"data":${row.body}}`, operationName: plan.operationName };
  }

  private plan(query: string, variables: Record<string, unknown> | undefined, operationName: string | undefined, viewer: Viewer, access: Access): Plan | undefined {
    const document = this.document(query);
    if (!document) return undefined;
    const operation = getOperationAST(document, operationName);
    if (!operation || operation.operation !== 'query') return undefined;
    const schema = this.options.schema;
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {});
    if (coerced.errors) return undefined;
    if (this.options.requestRefusal(schema, document, operation, variables)) return undefined;

    const fragments: Record<string, FragmentDefinitionNode> = {};
    for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
    const fields = new Compiler(schema, fragments, coerced.coerced, viewer, access, this.guards).root(operation.selectionSet);
    if (!fields) return undefined;
    const sql = responseStatement(fields);
    return { statement: { text: sql.text, values: sql.values }, operationName: operation.name?.value ?? null };
  }

  /** The parsed and validated document of a query text (cached); undefined when it does not parse or validate. */
  private document(query: string): DocumentNode | undefined {
    let entry = this.parsed.get(query);
    if (!entry) {
      entry = {};
      try {
        const document = parse(query, { noLocation: true });
        if (validate(this.options.schema, document, this.rules).length === 0) entry.document = document;
      } catch {
        // a parse error: Apollo reports it
      }
      this.parsed.set(query, entry);
    }
    return entry.document;
  }
}

/** Signals a selection this strategy does not answer: the request goes to Apollo Server. */
class NotCompiled extends Error {}

type Fields = Map<string, FieldNode[]>;

/** Nomenclature fields: which nomenclature, and whether a list. */
const ITEMS: Record<OfferEntity, Record<string, [NomenclatureName, boolean]>> = {
  service: {
    type: ['types_services', false],
    thematiques: ['thematiques', true],
    frais: ['frais', false],
    publics: ['publics', true],
    modesAccueil: ['modes_accueil', true],
    modesMobilisation: ['modes_mobilisation', true],
    mobilisablePar: ['personnes_mobilisatrices', true],
  },
  structure: { reseauxPorteurs: ['reseaux_porteurs', true] },
};

const TYPE: Record<OfferEntity, string> = { service: 'Service', structure: 'Structure' };

class Compiler {
  constructor(
    private readonly schema: GraphQLSchema,
    private readonly fragments: Record<string, FragmentDefinitionNode>,
    private readonly variables: Record<string, unknown>,
    private readonly viewer: Viewer,
    private readonly access: Access,
    private readonly guards: Map<string, string[]>,
  ) {}

  root(selectionSet: SelectionSetNode): RootField[] | undefined {
    try {
      const query = this.schema.getQueryType()!;
      return [...this.collect(selectionSet, query.name)].map(([key, nodes]): RootField => {
        const name = nodes[0].name.value;
        if (name === '__typename') return { kind: 'literal', key, value: query.name };
        const args = this.args(query, nodes[0]);
        if (name === 'services' || name === 'structures') {
          const entity: OfferEntity = name === 'services' ? 'service' : 'structure';
          return { kind: 'page', key, entity, request: this.request(args), fields: this.connection(entity, nodes) };
        }
        if (name === 'service' || name === 'structure') {
          const entity: OfferEntity = name;
          return { kind: 'record', key, entity, id: String(args.id), hiddenSources: this.access.hiddenSources, fields: this.record(entity, nodes) };
        }
        throw new NotCompiled();
      });
    } catch (error) {
      if (error instanceof NotCompiled || error instanceof GraphQLError) return undefined;
      throw error;
    }
  }

  private request(args: Record<string, unknown>): PageRequest {
    // `fraicheur` is read on the request's day (and the configured thresholds): a cached plan would outlive it.
    if ((args.filter as ServiceFilter | null | undefined)?.fraicheur) throw new NotCompiled();
    const filter = visibleFilter(this.access, args.filter as ServiceFilter | null | undefined);
    const { first, afterKey } = pageArgs(args as { first?: number | null; after?: string | null });
    return { filter, first, afterId: afterKey };
  }

  private connection(entity: OfferEntity, nodes: FieldNode[]): ConnectionField[] {
    const typeName = `${TYPE[entity]}Connection`;
    return [...this.collect(this.merged(nodes), typeName)].map(([key, sub]): ConnectionField => {
      switch (sub[0].name.value) {
        case '__typename':
          return { kind: 'literal', key, value: typeName };
        case 'totalCount':
          return { kind: 'totalCount', key };
        case 'nodes':
          return { kind: 'nodes', key, fields: this.record(entity, sub) };
        case 'edges':
          return { kind: 'edges', key, fields: this.edges(entity, sub) };
        case 'pageInfo':
          return { kind: 'pageInfo', key, fields: this.pageInfo(sub) };
        default:
          throw new NotCompiled();
      }
    });
  }

  private edges(entity: OfferEntity, nodes: FieldNode[]): EdgeField[] {
    const typeName = `${TYPE[entity]}Edge`;
    return [...this.collect(this.merged(nodes), typeName)].map(([key, sub]): EdgeField => {
      switch (sub[0].name.value) {
        case '__typename':
          return { kind: 'literal', key, value: typeName };
        case 'cursor':
          return { kind: 'cursor', key };
        case 'node':
          return { kind: 'node', key, fields: this.record(entity, sub) };
        default:
          throw new NotCompiled();
      }
    });
  }

  private pageInfo(nodes: FieldNode[]): PageInfoField[] {
    return [...this.collect(this.merged(nodes), 'PageInfo')].map(([key, sub]): PageInfoField => {
      const name = sub[0].name.value;
      if (name === '__typename') return { kind: 'literal', key, value: 'PageInfo' };
      if (name === 'hasNextPage' || name === 'startCursor' || name === 'endCursor') return { kind: name, key };
      throw new NotCompiled();
    });
  }

  private record(entity: OfferEntity, nodes: FieldNode[]): RecordField[] {
    const type = this.schema.getType(TYPE[entity]) as GraphQLObjectType;
    return [...this.collect(this.merged(nodes), type.name)].map(([key, sub]): RecordField => {
      const name = sub[0].name.value;
      if (name === '__typename') return { kind: 'literal', key, value: type.name };
      const field = type.getFields()[name];
      if (!field) throw new NotCompiled();
      // A guarded field the viewer may not read: Apollo withholds it and says so.
      const guard = `${type.name}.${name}`;
      let scopes = this.guards.get(guard);
      if (!scopes) this.guards.set(guard, (scopes = requiredScopes(this.schema, type.name, field)));
      if (scopes.some((scope) => !hasScope(this.viewer, scope))) throw new NotCompiled();
      const item = ITEMS[entity][name];
      if (item) {
        const [nomenclature, list] = item;
        return { kind: 'items', key, field: name, list, nomenclature, fields: this.item(name === 'thematiques' ? 'Thematique' : 'NomenclatureValue', sub) };
      }
      if (entity === 'service' && name === 'structure') return { kind: 'structure', key, fields: this.record('structure', sub) };
      if (entity === 'structure' && name === 'services') {
        const args = this.args(type, sub[0]);
        return { kind: 'services', key, request: this.request(args), fields: this.connection('service', sub) };
      }
      // The record's codes; `zoneEligibilite` (territory nodes) stays Apollo's.
      if (entity === 'service' && name === 'zoneEligibiliteCodes') return { kind: 'column', key, field: 'zoneEligibilite' };
      if (COLUMNS[entity].has(name) && !sub[0].selectionSet) return { kind: 'column', key, field: name };
      throw new NotCompiled();
    });
  }

  private item(typeName: 'Thematique' | 'NomenclatureValue', nodes: FieldNode[]): ItemField[] {
    return [...this.collect(this.merged(nodes), typeName)].map(([key, sub]): ItemField => {
      const name = sub[0].name.value;
      if (name === '__typename') return { kind: 'literal', key, value: typeName };
      if (name === 'value' || name === 'label' || name === 'description') return { kind: name, key };
      if (name === 'categorie' && typeName === 'Thematique') return { kind: 'categorie', key, fields: this.item('NomenclatureValue', sub) };
      throw new NotCompiled();
    });
  }

  private args(type: GraphQLObjectType, node: FieldNode): Record<string, unknown> {
    return getArgumentValues(type.getFields()[node.name.value], node, this.variables);
  }

  /** The selections of several nodes of one response key, as one selection set. */
  private merged(nodes: FieldNode[]): SelectionSetNode {
    return { kind: Kind.SELECTION_SET, selections: nodes.flatMap((node) => node.selectionSet?.selections ?? []) };
  }

  /** Response keys in order, with their field nodes, through fragments on this very type. */
  private collect(selectionSet: SelectionSetNode, typeName: string, fields: Fields = new Map()): Fields {
    for (const selection of selectionSet.selections) {
      if (selection.directives?.length) throw new NotCompiled();
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        const list = fields.get(key);
        if (list) list.push(selection);
        else fields.set(key, [selection]);
        continue;
      }
      const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : this.fragments[selection.name.value];
      if (!fragment || fragment.directives?.length) throw new NotCompiled();
      if (fragment.typeCondition && fragment.typeCondition.name.value !== typeName) throw new NotCompiled();
      this.collect(fragment.selectionSet, typeName, fields);
    }
    return fields;
  }
}
