import {
  Kind,
  getArgumentValues,
  type FieldNode,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  type SelectionSetNode,
} from 'graphql';
import type { Context } from '../context';
import type { ServiceFilter } from '../generated/graphql';
import { COLUMNS, type OfferEntity } from '../store/offer-columns';
import { filterKey, rowShape, type InlineRelation, type RowShape } from '../store/row-shape';
import type { NestedRead } from '../loaders/pages';
import { visibleFilter } from './filters';
import { pageArgs } from './pagination';
import { SCORE_FIELDS } from './quality';

/**
 * From a field's selection to the RowShape its records are read in: the columns its fields need, and the
 * relations read in the same statement (a service's `structure`, a structure's `services` page) — so that
 * `services { nodes { structure { services { nodes { nom } } } } }` is one statement, whose rows hold
 * what is served and nothing else. What cannot be read inline (a live partner's records, an argument
 * that fails its check, nesting deeper than MAX_INLINE_DEPTH) is left to the resolvers and loaders,
 * which do what they did before; reading more than asked is always safe, reading less never happens.
 */

/** Relations read inline below a list, at most (deeper ones go through the loaders, still batched). */
const MAX_INLINE_DEPTH = 3;

/** Columns a GraphQL field reads other than its own name's (`null`: none). */
const NEEDS: Record<OfferEntity, Record<string, readonly string[] | null>> = {
  service: {
    __typename: null,
    provenance: ['source', 'updatedAt'],
    structure: ['structureId'],
    territoire: ['codeInsee'],
    qualite: SCORE_FIELDS,
    fraicheur: ['dateMaj'],
  },
  structure: {
    __typename: null,
    provenance: ['source', 'updatedAt'],
    territoire: ['codeInsee'],
    services: null,
    doublons: ['doublons', 'clusterId'],
    consolide: ['clusterId'],
    qualite: ['scoreQualite', 'scoreOrigine'],
    fraicheur: ['dateMaj'],
  },
};

type Fields = Map<string, FieldNode[]>;

export interface ConnectionPlan {
  shape: RowShape;
  /** `totalCount` is asked. */
  withCount: boolean;
}

/** How a connection field reads its page, the same for every parent of one request: planned once per field. */
export function connectionRead(
  ctx: Context,
  info: GraphQLResolveInfo,
  entity: OfferEntity,
  args: { filter?: ServiceFilter | null; first?: number | null; after?: string | null },
): NestedRead & { withCount: boolean } {
  return planned(ctx, info.fieldNodes, () => {
    const filter = visibleFilter(ctx.access, args.filter, { thresholds: ctx.freshness, now: ctx.now });
    const { first, afterKey } = pageArgs(args);
    const { shape, withCount } = new Planner(ctx, info).connection(entity, info.fieldNodes, 0);
    const countKey = filterKey(filter);
    return { request: { filter, first, afterId: afterKey }, shape, withCount, countKey, key: `${shape.key};${first};${afterKey ?? ''};${countKey}` };
  });
}

/** The shape of a record field (`service(id:)`, `structure(id:)`): computed once per request. */
export function recordShape(ctx: Context, info: GraphQLResolveInfo, entity: OfferEntity): RowShape {
  return planned(ctx, info.fieldNodes, () => {
    const planner = new Planner(ctx, info);
    return planner.shape(entity, planner.subfields(info.fieldNodes), 0);
  });
}

function planned<T>(ctx: Context, nodes: readonly FieldNode[], make: () => T): T {
  let plan = ctx.plans.get(nodes[0]) as T | undefined;
  if (plan === undefined) {
    plan = make();
    ctx.plans.set(nodes[0], plan);
  }
  return plan;
}

class Planner {
  constructor(
    private readonly ctx: Context,
    private readonly info: GraphQLResolveInfo,
  ) {}

  connection(entity: OfferEntity, nodes: readonly FieldNode[], depth: number): ConnectionPlan {
    const connection = this.subfields(nodes);
    const nodeFields: FieldNode[] = this.byName(connection, 'nodes');
    for (const edges of this.byName(connection, 'edges')) {
      for (const node of this.byName(this.subfields([edges]), 'node')) nodeFields.push(node);
    }
    return {
      shape: this.shape(entity, this.subfields(nodeFields), depth),
      withCount: this.byName(connection, 'totalCount').length > 0,
    };
  }

  shape(entity: OfferEntity, fields: Fields, depth: number): RowShape {
    const read = new Set<string>();
    const inline: InlineRelation[] = [];
    for (const [key, nodes] of fields) {
      const name = nodes[0].name.value;
      const needs = NEEDS[entity][name];
      if (needs !== undefined) for (const field of needs ?? []) read.add(field);
      else if (COLUMNS[entity].has(name)) read.add(name);
      else return rowShape(entity, 'all'); // a field this table does not know: read every column
      if (depth >= MAX_INLINE_DEPTH) continue;
      const relation =
        entity === 'service' && name === 'structure'
          ? this.inlineStructure(key, nodes, depth)
          : entity === 'structure' && name === 'services'
            ? this.inlineServices(key, nodes, depth)
            : undefined;
      if (relation) inline.push(relation);
    }
    return rowShape(entity, read, inline);
  }

  private inlineStructure(key: string, nodes: FieldNode[], depth: number): InlineRelation {
    return { kind: 'structure', key: `@${key}`, shape: this.shape('structure', this.subfields(nodes), depth + 1) };
  }

  /** A structure's services page, read inline unless live partners are asked or an argument fails its check. */
  private inlineServices(key: string, nodes: FieldNode[], depth: number): InlineRelation | undefined {
    const field = (this.info.schema.getType('Structure') as GraphQLObjectType).getFields().services;
    try {
      const args = getArgumentValues(field, nodes[0], this.info.variableValues) as {
        filter?: ServiceFilter | null;
        first?: number | null;
        after?: string | null;
        live?: boolean | null;
      };
      const filter = visibleFilter(this.ctx.access, args.filter, { thresholds: this.ctx.freshness, now: this.ctx.now });
      if (this.ctx.partners?.liveFor(filter.sources, args.live ?? false).length) return undefined;
      const { first, afterKey } = pageArgs(args);
      const { shape, withCount } = this.connection('service', nodes, depth + 1);
      return { kind: 'services', key: `@${key}`, shape, request: { filter, first, afterId: afterKey }, count: withCount };
    } catch {
      return undefined; // the field's own resolver reports the error, on its own path
    }
  }

  /** The fields selected under these field nodes, by response key, through fragments. */
  subfields(nodes: readonly FieldNode[]): Fields {
    const fields: Fields = new Map();
    for (const node of nodes) if (node.selectionSet) this.collect(node.selectionSet, fields);
    return fields;
  }

  private collect(selectionSet: SelectionSetNode, fields: Fields): void {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        const list = fields.get(key);
        if (list) list.push(selection);
        else fields.set(key, [selection]);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        this.collect(selection.selectionSet, fields);
      } else {
        const fragment = this.info.fragments[selection.name.value];
        if (fragment) this.collect(fragment.selectionSet, fields);
      }
    }
  }

  private byName(fields: Fields, name: string): FieldNode[] {
    const found: FieldNode[] = [];
    for (const nodes of fields.values()) for (const node of nodes) if (node.name.value === name) found.push(node);
    return found;
  }
}
