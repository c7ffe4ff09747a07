import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';

/**
 * The options of `renderGraphiQL` used here (graphql-yoga's `GraphiQLOptions`). The module is loaded with
 * `require` and this local type on purpose: importing its typings pulls in graphql-yoga's, whose global
 * augmentation of graphql's `GraphQLErrorExtensions` (`http.headers` as a Record) breaks Apollo-style
 * errors elsewhere (`http.headers` as a Map, src/errors.ts).
 */
interface GraphiQLOptions {
  endpoint: string;
  title: string;
  defaultQuery: string;
  defaultTabs: { query: string; headers?: string; variables?: string }[];
  headers: string;
  defaultHeaders: string;
  defaultEditorToolsVisibility: boolean | 'variables' | 'headers';
  shouldPersistHeaders: boolean;
  credentials: 'omit' | 'same-origin' | 'include';
  method: 'GET' | 'POST';
  useGETForQueries: boolean;
}

/**
 * Renders the page with `@graphql-yoga/render-graphiql`, then forgets the module. Why: it is a 9 MB script
 * (GraphiQL and Monaco as strings); loaded, compiled and kept in `require.cache` it costs ~62 MB of RSS for
 * the life of the process (measured: a server at rest, 252 MB with it loaded at start). The page it renders is
 * kept instead (9 MB, and 2.4 MB gzipped), and only once a browser has asked for it.
 */
function renderPage(options: GraphiQLOptions): string {
  const name = require.resolve('@graphql-yoga/render-graphiql');
  const before = new Set(Object.keys(require.cache));
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { renderGraphiQL } = require(name) as { renderGraphiQL: (options: GraphiQLOptions) => string };
    return renderGraphiQL(options);
  } finally {
    for (const key of Object.keys(require.cache)) if (!before.has(key)) delete require.cache[key];
  }
}

/**
 * The GraphQL playground: GraphiQL as rendered by `@graphql-yoga/render-graphiql`, one self-contained HTML
 * page (scripts, styles, Monaco workers and favicon inlined) served by Passerelle itself on `GET /graphql`
 * from a browser. It loads nothing from any other host; its Content-Security-Policy forbids it to. It
 * sends its queries as `POST /graphql` with JSON, so Apollo's CSRF prevention stays on.
 */

/** The first tab: services near a commune (find the commune by name, then ask for its services). */
const SERVICES_NEAR_A_COMMUNE = `# Services near a commune:
# 1. find the commune by name or postal code
#    (accents and case ignored, largest first);
# 2. ask for its services (Paris, Lyon and Marseille
#    include their arrondissements).
# Run: the ▶ button or Ctrl+Enter. Docs: the book icon.
query ServicesNearACommune {
  communes(search: "paris", first: 3) {
    nodes { code nom departement { nom } }
  }
  commune(code: "75056") {
    nom
    population
    services(first: 10) {
      totalCount
      nodes {
        id
        nom
        thematiques { label }
        frais { label }
        structure { nom adresse codePostal commune }
      }
    }
  }
}
`;

const A_STRUCTURE_WITH_ITS_SERVICES = `# A structure with its services, and where it stands.
query StructureWithItsServices {
  structure(id: "emplois-de-linclusion--10066") {
    nom
    source { nom }
    reseauxPorteurs { value label }
    territoire { nom departement { nom region { nom } } epci { nom } }
    services(first: 5) {
      totalCount
      nodes { nom type { label } frais { label } thematiques { label } }
    }
  }
}
`;

const NOMENCLATURES = `# Every nomenclature with its labels, and the data sources.
query Nomenclatures {
  nomenclatures {
    thematiques { value label categorie { label } }
    publics { value label }
    frais { value label }
    modesAccueil { value label }
  }
  sources { slug nom }
}
`;

/**
 * The headers editor's content in every tab: no header is sent until the user uncomments the line
 * (GraphiQL reads the editor as JSON with comments). A placeholder token sent as is would be refused
 * with HTTP 401, so the hint must stay a comment.
 */
export const PLAYGROUND_HEADERS = `{
  // A token? Uncomment the next line and paste it in.
  // "Authorization": "Bearer <paste your token>"
}
`;

export const PLAYGROUND_TABS = [SERVICES_NEAR_A_COMMUNE, A_STRUCTURE_WITH_ITS_SERVICES, NOMENCLATURES];

/**
 * What the page may load: only this origin, its inline scripts and styles, the `blob:` workers the page
 * makes itself (Monaco) and `data:` images. Browsers refuse anything else, so the page cannot reach an
 * outside host even by mistake.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline' 'unsafe-eval' blob:",
  "worker-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

interface Playground {
  html: Buffer;
  gzip: Buffer;
  etag: string;
  etagGzip: string;
}

let built: Playground | undefined;

/** The page, its gzip and their ETags: built on first request, once per process (≈ 9 MB, 2.4 MB gzipped). */
export function playground(): Playground {
  if (built) return built;
  const html = Buffer.from(
    renderPage({
      endpoint: '/graphql',
      title: 'Passerelle · GraphiQL',
      defaultQuery: SERVICES_NEAR_A_COMMUNE,
      defaultTabs: PLAYGROUND_TABS.map((query) => ({ query, headers: PLAYGROUND_HEADERS })),
      headers: PLAYGROUND_HEADERS,
      defaultHeaders: PLAYGROUND_HEADERS,
      defaultEditorToolsVisibility: 'headers',
      shouldPersistHeaders: false,
      credentials: 'same-origin',
      method: 'POST',
      useGETForQueries: false,
    }),
    'utf8',
  );
  const hash = createHash('sha256').update(html).digest('base64url').slice(0, 27);
  built = { html, gzip: gzipSync(html), etag: `"${hash}"`, etagGzip: `"${hash}-gzip"` };
  return built;
}

/**
 * A browser asking for the page: `GET` (or `HEAD`) with `text/html` acceptable and no `query` parameter.
 * A GET with a `query`, or one that does not accept HTML (a GraphQL client), goes to GraphQL.
 */
export function wantsPlayground(req: IncomingMessage): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.searchParams.has('query')) return false;
  return acceptsMediaType(req.headers.accept, 'text/html');
}

/** Serves the page: gzip when the client accepts it, `ETag` + `Cache-Control`, 304 on a matching `If-None-Match`. */
export function servePlayground(req: IncomingMessage, res: ServerResponse): void {
  const page = playground();
  const gzip = acceptsEncoding(req.headers['accept-encoding'], 'gzip');
  const etag = gzip ? page.etagGzip : page.etag;
  res.setHeader('ETag', etag);
  res.setHeader('Cache-Control', 'public, max-age=3600');
  // The same URL answers JSON to GraphQL clients, and the body depends on the encoding.
  res.setHeader('Vary', 'Accept, Accept-Encoding');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  if (matchesEtag(req.headers['if-none-match'], etag)) {
    res.statusCode = 304;
    res.end();
    return;
  }
  const body = gzip ? page.gzip : page.html;
  res.statusCode = 200;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  if (gzip) res.setHeader('Content-Encoding', 'gzip');
  res.setHeader('Content-Length', body.length);
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** Whether an `Accept` header admits `type` (exactly or by `text/*`, not by a bare `*\/*`) with q > 0. */
function acceptsMediaType(accept: string | undefined, type: string): boolean {
  if (!accept) return false;
  const [major] = type.split('/');
  return accept.split(',').some((part) => {
    const [range, ...params] = part.trim().toLowerCase().split(';');
    if (range.trim() !== type && range.trim() !== `${major}/*`) return false;
    return qualityOf(params) > 0;
  });
}

function acceptsEncoding(header: string | string[] | undefined, encoding: string): boolean {
  const value = Array.isArray(header) ? header.join(',') : header;
  if (!value) return false;
  let star: number | undefined;
  for (const part of value.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (name.trim() === encoding) return qualityOf(params) > 0;
    if (name.trim() === '*') star = qualityOf(params);
  }
  return star !== undefined && star > 0;
}

function qualityOf(params: string[]): number {
  const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
  if (!q) return 1;
  const value = Number(q.slice(2));
  return Number.isFinite(value) ? value : 1;
}

/** `If-None-Match` by weak comparison (RFC 9110 §13.1.2): `*`, or one of the listed tags. */
function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => opaque(tag) === etag);
}
