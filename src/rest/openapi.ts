import type { QueryParameter, Route } from '../route';
import { LIST_FIELDS, NUMBER_FIELDS, REQUIRED_SETS } from '../exports/public-records';
import { CONTACT_FIELDS } from '../exports/public-records';
import { v1Fields } from './records';

/**
 * `GET /api/openapi.json`, generated from the route table (src/http/routes.ts): every route with a `doc` is a
 * path, its declared query parameters (the very list the handler parses) its parameters, its `auth` its
 * security. The record schemas come from the field lists the REST layer reads (src/rest/records.ts), so the
 * document cannot describe a field or a parameter the server does not have.
 */

const DESCRIPTION = `A drop-in API compatible with data·inclusion's API v1: same routes, parameters, pages and bodies.

**Token**: \`Authorization: Bearer <token>\`, the same tokens as Passerelle's GraphQL API (\`npx passerelle tokens issue\`).
Without a token the public offer is served, as on /graphql.

**The one deliberate difference**: contact fields (\`courriel\`, \`telephone\`, \`contact_nom_prenom\`) carry values only for
a token with the scope \`contact:read\`; for any other caller they are \`null\` and the response has an
\`X-Passerelle-Withheld\` header. data·inclusion serves them to every token.

Restricted sources (source licences) are served only to the clients allowed them. Offset pages are read in id order:
a record added or removed before a page while a client walks the pages shifts the following ones by one; stay in
sync with \`/exports/changes.ndjson\` instead.`;

function parameterSchema(p: QueryParameter): Record<string, unknown> {
  const scalar: Record<string, unknown> = { type: p.type };
  if (p.enum) scalar.enum = p.enum;
  if (p.minimum !== undefined) scalar.minimum = p.minimum;
  if (p.maximum !== undefined) scalar.maximum = p.maximum;
  if (p.default !== undefined) scalar.default = p.default;
  return p.list ? { type: 'array', items: scalar } : scalar;
}

function recordSchema(entity: 'structure' | 'service'): Record<string, unknown> {
  const lists = LIST_FIELDS[entity === 'structure' ? 'structures' : 'services'];
  const properties: Record<string, unknown> = {};
  for (const field of v1Fields(entity)) {
    let schema: Record<string, unknown> = NUMBER_FIELDS.includes(field) ? { type: ['number', 'null'] } : { type: ['string', 'null'] };
    if (lists.includes(field)) schema = REQUIRED_SETS.includes(field) ? { type: ['array', 'null'], items: { type: 'string' }, minItems: 1 } : { type: ['array', 'null'], items: { type: 'string' } };
    if (['id', 'source', 'nom', 'date_maj', 'structure_id'].includes(field)) schema = { type: 'string', ...(field === 'date_maj' ? { format: 'date' } : {}) };
    if (CONTACT_FIELDS.includes(field)) schema = { ...schema, description: 'null unless the token carries contact:read' };
    properties[field] = schema;
  }
  return { type: 'object', properties, required: ['source', 'id', 'nom', 'date_maj', ...(entity === 'service' ? ['structure_id'] : [])] };
}

export function openApiDocument(routes: readonly Route[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    if (!route.doc) continue;
    const { doc } = route;
    const pathParams = [...route.path.matchAll(/\{([A-Za-z_]+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const responses: Record<string, unknown> = { 200: { description: 'OK', content: { 'application/json': { schema: doc.response } } } };
    for (const [status, description] of Object.entries(doc.errors ?? {})) responses[status] = { description };
    // A route serves GET (and HEAD) unless it names another method (the producer write API's PUT).
    const method = (route.methods ?? ['GET']).find((m) => m !== 'HEAD')!.toLowerCase();
    paths[route.path] = {
      [method]: {
        summary: doc.summary,
        description: route.description,
        tags: doc.tags,
        parameters: [...pathParams, ...(doc.parameters ?? []).map((p) => ({ name: p.name, in: 'query', required: false, description: p.description, schema: parameterSchema(p), ...(p.list ? { style: 'form', explode: true } : {}) }))],
        ...(doc.requestBody ? { requestBody: { required: true, content: doc.requestBody } } : {}),
        responses,
        security: route.auth === 'public' ? [] : route.auth === 'token' ? [{ bearer: [] }] : [{}, { bearer: [] }],
      },
    };
  }
  const structure = recordSchema('structure');
  const service = recordSchema('service');
  const withProps = (base: Record<string, unknown>, extra: Record<string, unknown>) => ({ ...base, properties: { ...(base.properties as object), ...extra } });
  const doublon = { type: 'object', properties: { source: { type: 'string' }, id: { type: 'string' } }, required: ['source', 'id'] };
  return {
    openapi: '3.1.0',
    info: { title: 'Passerelle — API compatible data·inclusion v1', version: '1', description: DESCRIPTION },
    servers: [{ url: '/' }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: {
        Structure: structure,
        ListedStructure: withProps(structure, { doublons: { type: 'array', items: doublon } }),
        DetailedStructure: withProps(structure, { doublons: { type: 'array', items: { $ref: '#/components/schemas/Structure' } }, services: { type: 'array', items: { $ref: '#/components/schemas/Service' } } }),
        Service: service,
        DetailedService: withProps(service, { structure: { $ref: '#/components/schemas/Structure' } }),
        Source: { type: 'object', properties: { slug: { type: 'string' }, nom: { type: 'string' }, description: { type: ['string', 'null'] } }, required: ['slug', 'nom'] },
        NomenclatureItem: { type: 'object', properties: { value: { type: 'string' }, label: { type: 'string' }, description: { type: ['string', 'null'] } }, required: ['value', 'label'] },
      },
    },
  };
}

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The routes and their parameters as plain HTML, from the same document: what `/api/docs` shows without
 * JavaScript (src/rest/docs-viewer.ts).
 */
export function docsPage(document: Record<string, unknown>): string {
  type Operation = { summary: string; description: string; parameters: { name: string; in: string; description?: string }[]; security: unknown[] };
  const paths = document.paths as Record<string, Record<string, Operation>>;
  const sections = Object.entries(paths)
    .flatMap(([path, operations]) => Object.entries(operations).map(([method, operation]) => ({ path, method, operation })))
    .map(({ path, method, operation }) => {
      const params = operation.parameters.map((p) => `<li><code>${escape(p.name)}</code> (${p.in})${p.description ? ` — ${escape(p.description)}` : ''}</li>`).join('');
      return `<section><h2><code>${method.toUpperCase()} ${escape(path)}</code></h2><p>${escape(operation.summary)}. ${escape(operation.description)}${operation.security.length ? '' : ' No token needed.'}</p>${params ? `<ul>${params}</ul>` : ''}</section>`;
    })
    .join('\n');
  const info = document.info as { title: string; description: string };
  return `<h1>${escape(info.title)}</h1><pre>${escape(info.description)}</pre><p>Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a>.</p>
${sections}`;
}

