import { Prisma } from '../generated/prisma/client';
import { NOMENCLATURES, type NomenclatureName } from '../domain/nomenclatures';
import { COLUMNS, type OfferEntity } from './offer-columns';
import { isSelective, whereClause, type PageRequest } from './offer-filter';
import { from } from './row-shape';

/**
 * A response built by PostgreSQL: a tree saying, for every key of a GraphQL response, which column,
 * nomenclature label, relation or page fills it, compiled here into one statement whose result is the
 * response's JSON text. The graph decides the tree (src/graph/compiled-reads.ts) and checks that the
 * answer is the one graphql-js execution gives; this module only writes the SQL.
 */

/** A key of a record's object. */
export type RecordField =
  | { kind: 'column'; key: string; field: string }
  | { kind: 'literal'; key: string; value: string }
  | { kind: 'items'; key: string; field: string; list: boolean; nomenclature: NomenclatureName; fields: ItemField[] }
  | { kind: 'structure'; key: string; fields: RecordField[] }
  | { kind: 'services'; key: string; request: PageRequest; fields: ConnectionField[] };

export type ItemField =
  | { kind: 'value' | 'label' | 'description'; key: string }
  | { kind: 'literal'; key: string; value: string }
  | { kind: 'categorie'; key: string; fields: ItemField[] };

export type ConnectionField =
  | { kind: 'totalCount'; key: string }
  | { kind: 'nodes'; key: string; fields: RecordField[] }
  | { kind: 'edges'; key: string; fields: EdgeField[] }
  | { kind: 'pageInfo'; key: string; fields: PageInfoField[] }
  | { kind: 'literal'; key: string; value: string };

export type EdgeField = { kind: 'cursor'; key: string } | { kind: 'node'; key: string; fields: RecordField[] } | { kind: 'literal'; key: string; value: string };

export type PageInfoField = { kind: 'hasNextPage' | 'startCursor' | 'endCursor'; key: string } | { kind: 'literal'; key: string; value: string };

/** A field of the query root. */
export type RootField =
  | { kind: 'page'; key: string; entity: OfferEntity; request: PageRequest; fields: ConnectionField[] }
  | { kind: 'record'; key: string; entity: OfferEntity; id: string; hiddenSources: readonly string[]; fields: RecordField[] }
  | { kind: 'literal'; key: string; value: string };

const IDENTIFIER = /^[_A-Za-z][_0-9A-Za-z]*$/;

/**
 * The statement whose single row's `body` is the JSON text of `data`. Records asked by id with the same
 * selection (`s0: service(id: …) { … } … s49: …`) are read together, by one index scan of their ids, then
 * each key takes its own.
 */
export function responseStatement(fields: readonly RootField[]): Prisma.Sql {
  const names = new Aliases();
  const groups = new Map<string, { alias: string; entity: OfferEntity; ids: string[]; fields: RecordField[]; hiddenSources: readonly string[] }>();
  for (const field of fields) {
    if (field.kind !== 'record') continue;
    const signature = `${field.entity}:${JSON.stringify(field.fields)}`;
    const group = groups.get(signature);
    if (group) group.ids.push(field.id);
    else groups.set(signature, { alias: names.next('g'), entity: field.entity, ids: [field.id], fields: field.fields, hiddenSources: field.hiddenSources });
  }
  const ctes = [...groups.values()].map((group) => {
    const x = names.next('x');
    const X = Prisma.raw(x);
    const hidden = [...group.hiddenSources];
    const visible = hidden.length
      ? group.entity === 'service'
        ? Prisma.sql`AND ${X}.source <> ALL(${hidden}::text[]) AND split_part(${X}.structure_id, '--', 1) <> ALL(${hidden}::text[])`
        : Prisma.sql`AND ${X}.source <> ALL(${hidden}::text[])`
      : Prisma.empty;
    return Prisma.sql`${Prisma.raw(group.alias)} AS (SELECT ${X}.id AS _id, ${recordObject(group.entity, x, group.fields, names)} AS _o
      FROM ${from(group.entity, x)} WHERE ${X}.id = ANY(${[...new Set(group.ids)]}::text[]) ${visible})`;
  });
  const parts = fields.map((field) => {
    switch (field.kind) {
      case 'literal':
        return Prisma.sql`${field.value}::text AS ${key(field.key)}`;
      case 'record': {
        const group = groups.get(`${field.entity}:${JSON.stringify(field.fields)}`)!;
        return Prisma.sql`(SELECT _o FROM ${Prisma.raw(group.alias)} WHERE _id = ${field.id}) AS ${key(field.key)}`;
      }
      case 'page':
        return Prisma.sql`${connection(field.entity, field.request, field.fields, names, undefined)} AS ${key(field.key)}`;
    }
  });
  const body = Prisma.sql`SELECT row_to_json(d$)::text AS body FROM (SELECT ${Prisma.join(parts, ', ')}) d$`;
  return ctes.length ? Prisma.sql`WITH ${Prisma.join(ctes, ', ')} ${body}` : body;
}

/** `(SELECT row_to_json(r) FROM (SELECT … AS "key", …) r)` for the record of alias `x`. */
function recordObject(entity: OfferEntity, x: string, fields: readonly RecordField[], names: Aliases): Prisma.Sql {
  const r = names.next('r');
  return Prisma.sql`(SELECT row_to_json(${Prisma.raw(r)}) FROM (SELECT ${Prisma.join(fields.map((f) => recordField(entity, x, f, names)), ', ')}) ${Prisma.raw(r)})`;
}

function recordField(entity: OfferEntity, x: string, field: RecordField, names: Aliases): Prisma.Sql {
  const as = key(field.key);
  switch (field.kind) {
    case 'literal':
      return Prisma.sql`${field.value}::text AS ${as}`;
    case 'column':
      return Prisma.sql`${column(entity, x, field.field)} AS ${as}`;
    case 'items':
      return Prisma.sql`${items(entity, x, field, names)} AS ${as}`;
    case 'structure': {
      const s = names.next('s');
      return Prisma.sql`(SELECT ${recordObject('structure', s, field.fields, names)} FROM structures ${Prisma.raw(s)}
        WHERE ${Prisma.raw(s)}.id = ${Prisma.raw(x)}.structure_id) AS ${as}`;
    }
    case 'services':
      return Prisma.sql`${connection('service', field.request, field.fields, names, Prisma.sql`structure_id = ${Prisma.raw(x)}.id`)} AS ${as}`;
  }
}

/** A column as graphql-js serialises it: DateTime as `toISOString()` gives it, the rest as JSON has it. */
function column(entity: OfferEntity, x: string, field: string): Prisma.Sql {
  const info = COLUMNS[entity].get(field);
  if (!info) throw new Error(`${entity} has no column for ${field}`);
  const ref = `${x}.${info.column}`;
  if (info.date && field !== 'dateMaj') return Prisma.raw(`to_char(${ref} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);
  return Prisma.raw(ref);
}

/**
 * A connection (a page of records ordered by id): its rows numbered once in a CTE, then each key of the
 * connection read from it. `parent` scopes it to a structure (its services).
 */
function connection(entity: OfferEntity, request: PageRequest, fields: readonly ConnectionField[], names: Aliases, parent: Prisma.Sql | undefined): Prisma.Sql {
  const x = names.next('x');
  const p = names.next('p');
  const X = Prisma.raw(x);
  const P = Prisma.raw(p);
  const scoped = (alias: string, afterId: string | undefined) => {
    const where = whereClause(entity, request.filter, afterId, alias);
    return parent ? Prisma.sql`${Prisma.raw(alias)}.${parent} AND ${where}` : where;
  };
  const nodeFields = fields.flatMap((f) =>
    f.kind === 'nodes' ? [f.fields] : f.kind === 'edges' ? f.fields.flatMap((e) => (e.kind === 'node' ? [e.fields] : [])) : [],
  );
  // Every node selection of the connection, each as its own column of the page; the cursor and the row
  // past the page only when asked (encoding ids as cursors, and reading one more row, cost on every page).
  const projections = nodeFields.map((nodes, i) => Prisma.sql`${recordObject(entity, x, nodes, names)} AS ${Prisma.raw(`_o${i}`)}`);
  const pageInfo = fields.flatMap((f) => (f.kind === 'pageInfo' ? f.fields : []));
  const needsNext = pageInfo.some((f) => f.kind === 'hasNextPage');
  const needsCursor = pageInfo.some((f) => f.kind === 'startCursor' || f.kind === 'endCursor') || fields.some((f) => f.kind === 'edges' && f.fields.some((e) => e.kind === 'cursor'));
  const columns = [Prisma.sql`${X}.id AS _id`];
  if (needsCursor) columns.push(Prisma.sql`${cursor(Prisma.sql`${X}.id`)} AS _cursor`);
  columns.push(...projections);
  const limit = needsNext ? request.first + 1 : request.first;
  // A filtered list with its count reads the matching ids once, counts them and pages them; a list without
  // criteria counts on the index and walks it in id order for its page (reading every id would cost more).
  const counted = fields.some((f) => f.kind === 'totalCount');
  const matching = counted && isSelective(request.filter) ? names.next('m') : undefined;
  const page = matching
    ? Prisma.sql`SELECT ${Prisma.join(columns, ', ')}
      FROM (SELECT id FROM ${Prisma.raw(matching)} ${request.afterId === undefined ? Prisma.empty : Prisma.sql`WHERE id > ${request.afterId}`} ORDER BY id LIMIT ${limit}) k$
      JOIN ${from(entity, x)} ON ${X}.id = k$.id`
    : Prisma.sql`SELECT ${Prisma.join(columns, ', ')}
      FROM ${from(entity, x)} WHERE ${scoped(x, request.afterId)} ORDER BY ${X}.id LIMIT ${limit}`;
  const kept = needsNext ? Prisma.sql`(SELECT * FROM ${P} ORDER BY _id LIMIT ${request.first})` : P;
  const a = names.next('x');
  const ctes = matching
    ? Prisma.sql`${Prisma.raw(matching)} AS MATERIALIZED (SELECT ${Prisma.raw(a)}.id FROM ${from(entity, a)} WHERE ${scoped(a, undefined)}), ${P} AS (${page})`
    : Prisma.sql`${P} AS (${page})`;
  let next = 0;
  const parts = fields.map((field) => {
    const as = key(field.key);
    switch (field.kind) {
      case 'literal':
        return Prisma.sql`${field.value}::text AS ${as}`;
      case 'totalCount': {
        if (matching) return Prisma.sql`(SELECT count(*)::int FROM ${Prisma.raw(matching)}) AS ${as}`;
        const c = names.next('c');
        return Prisma.sql`(SELECT count(*)::int FROM ${from(entity, c)} WHERE ${scoped(c, undefined)}) AS ${as}`;
      }
      case 'nodes':
        return Prisma.sql`coalesce((SELECT json_agg(k$.${Prisma.raw(`_o${next++}`)} ORDER BY k$._id) FROM ${kept} k$), '[]'::json) AS ${as}`;
      case 'edges': {
        const edge = field.fields.map((e) => {
          if (e.kind === 'cursor') return Prisma.sql`k$._cursor AS ${key(e.key)}`;
          if (e.kind === 'literal') return Prisma.sql`${e.value}::text AS ${key(e.key)}`;
          return Prisma.sql`k$.${Prisma.raw(`_o${next++}`)} AS ${key(e.key)}`;
        });
        const e = names.next('e');
        return Prisma.sql`coalesce((SELECT json_agg((SELECT row_to_json(${Prisma.raw(e)}) FROM (SELECT ${Prisma.join(edge, ', ')}) ${Prisma.raw(e)}) ORDER BY k$._id) FROM ${kept} k$), '[]'::json) AS ${as}`;
      }
      case 'pageInfo': {
        const info = field.fields.map((f) => {
          const to = key(f.key);
          switch (f.kind) {
            case 'literal':
              return Prisma.sql`${f.value}::text AS ${to}`;
            case 'hasNextPage':
              return Prisma.sql`(SELECT count(*) FROM ${P}) > ${request.first} AS ${to}`;
            case 'startCursor':
              return Prisma.sql`(SELECT k$._cursor FROM ${kept} k$ ORDER BY k$._id LIMIT 1) AS ${to}`;
            case 'endCursor':
              return Prisma.sql`(SELECT k$._cursor FROM ${kept} k$ ORDER BY k$._id DESC LIMIT 1) AS ${to}`;
          }
        });
        const i = names.next('i');
        return Prisma.sql`(SELECT row_to_json(${Prisma.raw(i)}) FROM (SELECT ${Prisma.join(info, ', ')}) ${Prisma.raw(i)}) AS ${as}`;
      }
    }
  });
  const r = names.next('r');
  return Prisma.sql`(WITH ${ctes}
    SELECT row_to_json(${Prisma.raw(r)}) FROM (SELECT ${Prisma.join(parts, ', ')}) ${Prisma.raw(r)})`;
}

/** The API's cursor of an id (src/graph/pagination.ts): base64url of `k1:<id>`, without padding. */
function cursor(id: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`translate(encode(convert_to('k1:' || ${id}, 'UTF8'), 'base64'), E'+/=\\n', '-_')`;
}

/** Nomenclature items of a column (a value or a list), with their labels, in the column's order. */
function items(entity: OfferEntity, x: string, field: Extract<RecordField, { kind: 'items' }>, names: Aliases): Prisma.Sql {
  const ref = Prisma.raw(`${x}.${COLUMNS[entity].get(field.field)!.column}`);
  const u = names.next('u');
  const U = Prisma.raw(u);
  const value = Prisma.sql`${U}.v`;
  const object = itemObject(field.nomenclature, value, value, field.fields, names);
  if (!field.list) {
    return Prisma.sql`(SELECT ${object} FROM (SELECT ${ref}::text AS v) ${U} WHERE ${U}.v IS NOT NULL)`;
  }
  return Prisma.sql`coalesce((SELECT json_agg(${object} ORDER BY ${U}.o) FROM unnest(${ref}) WITH ORDINALITY AS ${U}(v, o)), '[]'::json)`;
}

/**
 * One item as graphql-js serves it (src/graph/nomenclature.ts): the nomenclature's label and description
 * for `lookup`; unknown, its value is its label and it has no description.
 */
function itemObject(nomenclature: NomenclatureName, value: Prisma.Sql, lookup: Prisma.Sql, fields: readonly ItemField[], names: Aliases): Prisma.Sql {
  const n = names.next('n');
  const N = Prisma.raw(n);
  const parts = fields.map((field) => {
    const as = key(field.key);
    switch (field.kind) {
      case 'literal':
        return Prisma.sql`${field.value}::text AS ${as}`;
      case 'value':
        return Prisma.sql`${value} AS ${as}`;
      case 'label':
        return Prisma.sql`coalesce(${N}.label, ${value}) AS ${as}`;
      case 'description':
        return Prisma.sql`${N}.description AS ${as}`;
      case 'categorie': {
        // Thematique.categorie: the catégorie named before the first `--`; without one, or unknown, the
        // part before `--` is value and label.
        const prefix = Prisma.sql`split_part(${value}, '--', 1)`;
        const known = Prisma.sql`CASE WHEN position('--' in ${value}) > 1 THEN ${prefix} END`;
        return Prisma.sql`${itemObject('thematiques_categories', prefix, known, field.fields, names)} AS ${as}`;
      }
    }
  });
  const r = names.next('r');
  return Prisma.sql`(SELECT row_to_json(${Prisma.raw(r)}) FROM (SELECT ${Prisma.join(parts, ', ')}
    FROM (SELECT 1) AS one$ LEFT JOIN ${nomenclatureTable(nomenclature)} ${N}(value, label, description) ON ${N}.value = ${lookup}) ${Prisma.raw(r)})`;
}

const TABLES = new Map<NomenclatureName, Prisma.Sql>();

/** A nomenclature as an inline `(VALUES …) AS (value, label, description)` (its text is the same every time). */
function nomenclatureTable(name: NomenclatureName): Prisma.Sql {
  let table = TABLES.get(name);
  if (!table) {
    const literal = (s: string | null | undefined) => (s == null ? 'NULL::text' : `'${s.replace(/'/g, "''")}'`);
    const rows = NOMENCLATURES[name].map((item) => `(${literal(item.value)}, ${literal(item.label)}, ${literal(item.description)})`);
    table = Prisma.raw(`(VALUES ${rows.join(', ')}) AS`);
    TABLES.set(name, table);
  }
  return Prisma.sql`${table}`;
}

function key(name: string): Prisma.Sql {
  if (!IDENTIFIER.test(name)) throw new Error(`not a response key: ${name}`);
  return Prisma.raw(`"${name}"`);
}

/** Table aliases unique within one statement. */
class Aliases {
  private n = 0;
  // `$` cannot be in a GraphQL name: an alias never meets a response key (`row_to_json(r)` would read a
  // column named r rather than the row).
  next(prefix: string): string {
    this.n += 1;
    return `${prefix}$${this.n}`;
  }
}
