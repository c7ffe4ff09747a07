import { Prisma } from '../generated/prisma/client';
import { COLUMNS, TABLE, type OfferEntity } from './offer-columns';
import type { PageRequest } from './offer-filter';
import { whereClause } from './offer-filter';

/**
 * What to read of each record of a statement: the fields its selection needs, and the relations read in
 * the same statement (a service's structure, a structure's first services) — so that a nested query is
 * one statement whose rows come back in the shape they are served in (JSON built by PostgreSQL), as
 * PostGraphile compiles them. A shape is made by the graph from a selection; the store only reads it.
 */
export interface RowShape {
  /** Model fields read (`all`: every column). The fields every reader relies on are always added. */
  readonly fields: readonly string[] | 'all';
  readonly inline: readonly InlineRelation[];
  /** The date fields read (text in JSON, Dates in the model). */
  readonly dates: readonly string[];
  /** Names this shape: equal keys read equal rows (batching and cache key). */
  readonly key: string;
}

/** A relation read inside its parent's row, under `key` (`@<response key>`). */
export type InlineRelation =
  | { readonly kind: 'structure'; readonly key: string; readonly shape: RowShape }
  | {
      readonly kind: 'services';
      readonly key: string;
      readonly shape: RowShape;
      readonly request: PageRequest;
      /** Also read the number of matching services, under `<key>#count`. */
      readonly count: boolean;
    };

/** Fields every reader needs: the id (cursors), the source (licences), a service's structure (licences). */
const ALWAYS: Record<OfferEntity, readonly string[]> = { service: ['id', 'source', 'structureId'], structure: ['id', 'source'] };

/** Every column, no relation: what by-id reads for internal callers (federation, filters on partner records). */
export function fullRow(entity: OfferEntity): RowShape {
  return FULL[entity];
}

const KEY = /^@[_A-Za-z][_0-9A-Za-z]*$/;

export function rowShape(entity: OfferEntity, fields: Iterable<string> | 'all', inline: InlineRelation[] = []): RowShape {
  for (const relation of inline) {
    if (!KEY.test(relation.key)) throw new Error(`not a relation key: ${relation.key}`);
  }
  const read = fields === 'all' ? 'all' : [...new Set([...ALWAYS[entity], ...fields])].filter((f) => COLUMNS[entity].has(f)).sort();
  const inlineKey = inline
    .map((r) => `${r.key}(${r.shape.key}${r.kind === 'services' ? `;${r.request.first};${r.request.afterId ?? ''};${filterKey(r.request.filter)};${r.count}` : ''})`)
    .join(',');
  const columns = COLUMNS[entity];
  const dates = (read === 'all' ? [...columns.keys()] : read).filter((f) => columns.get(f)!.date);
  return { fields: read, inline, dates, key: `${read === 'all' ? '*' : read.join(',')}${inlineKey ? `[${inlineKey}]` : ''}` };
}

const FULL: Record<OfferEntity, RowShape> = { service: rowShape('service', 'all'), structure: rowShape('structure', 'all') };

/** A filter's identity: equal filters, equal keys (keys sorted; arrays kept in order). */
export function filterKey(filter: object): string {
  const entries = Object.entries(filter).filter(([, v]) => v !== undefined);
  if (!entries.length) return '{}';
  return JSON.stringify(Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

/** `<alias>.<column> AS "<field>", …` plus the inline relations' sub-statements. */
export function projection(entity: OfferEntity, alias: string, shape: RowShape, depth = 0): Prisma.Sql {
  const columns = COLUMNS[entity];
  const names = shape.fields === 'all' ? [...columns.keys()] : shape.fields;
  const parts = names.map((field) => Prisma.raw(`${alias}.${columns.get(field)!.column} AS "${field}"`));
  for (const relation of shape.inline) {
    const d = depth + 1;
    if (relation.kind === 'structure') {
      if (entity !== 'service') throw new Error('only a service has an inline structure');
      const inner = Prisma.raw(`s${d}`);
      parts.push(Prisma.sql`(SELECT row_to_json(r${Prisma.raw(String(d))}) FROM (SELECT ${projection('structure', `s${d}`, relation.shape, d)}
        FROM structures ${inner} WHERE ${inner}.id = ${Prisma.raw(alias)}.structure_id) r${Prisma.raw(String(d))}) AS ${Prisma.raw(`"${relation.key}"`)}`);
    } else {
      if (entity !== 'structure') throw new Error('only a structure has inline services');
      const { request } = relation;
      const v = `v${d}`;
      const r = Prisma.raw(`r${d}`);
      parts.push(Prisma.sql`(SELECT coalesce(json_agg(${r} ORDER BY ${r}."id"), '[]'::json) FROM (
          SELECT ${projection('service', v, relation.shape, d)} FROM services ${Prisma.raw(v)}
          WHERE ${Prisma.raw(v)}.structure_id = ${Prisma.raw(alias)}.id AND ${whereClause('service', request.filter, request.afterId, v)}
          ORDER BY ${Prisma.raw(v)}.id LIMIT ${request.first + 1}) ${r}) AS ${Prisma.raw(`"${relation.key}"`)}`);
      if (relation.count) {
        const c = `c${d}`;
        parts.push(Prisma.sql`(SELECT count(*)::int FROM services ${Prisma.raw(c)}
          WHERE ${Prisma.raw(c)}.structure_id = ${Prisma.raw(alias)}.id AND ${whereClause('service', request.filter, undefined, c)}) AS ${Prisma.raw(`"${relation.key}#count"`)}`);
      }
    }
  }
  return Prisma.join(parts, ', ');
}

/** `FROM <table> <alias>` for an entity. */
export function from(entity: OfferEntity, alias: string): Prisma.Sql {
  return Prisma.raw(`${TABLE[entity]} ${alias}`);
}

/**
 * A row read as JSON, made the model it stands for: dates (text in JSON) become Dates, in the row and
 * in its inline relations. Rows are changed in place (they are fresh from the driver).
 */
export function hydrate<T>(row: Record<string, unknown>, entity: OfferEntity, shape: RowShape): T {
  for (const field of shape.dates) {
    if (typeof row[field] === 'string') row[field] = new Date(row[field] as string);
  }
  for (const relation of shape.inline) {
    const value = row[relation.key];
    if (relation.kind === 'structure') {
      if (value) hydrate(value as Record<string, unknown>, 'structure', relation.shape);
    } else {
      for (const service of (value as Record<string, unknown>[] | null) ?? []) hydrate(service, 'service', relation.shape);
    }
  }
  return row as T;
}
