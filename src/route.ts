import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * What an HTTP route is (the table itself is src/http/routes.ts). A file of its own, below both src/http and
 * src/rest, because both describe routes with it.
 */

/** Who may call a route. Why it is declared here: the OpenAPI document and the README are derived from it. */
export type RouteAuth =
  /** Anyone; no token is read. */
  | 'public'
  /** Anyone; a token, when sent, must be valid (401 otherwise) and widens what is seen (contacts, restricted sources). */
  | 'optional-token'
  /** A token is required (401 without one): the producer write API, a client's webhooks. */
  | 'token';

/** One query parameter of a documented route: parsed by src/rest/parameters.ts, documented by src/rest/openapi.ts. */
export interface QueryParameter {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean';
  /** A list: the key repeated (`?thematiques=a&thematiques=b`). */
  list?: boolean;
  description: string;
  enum?: readonly string[];
  minimum?: number;
  maximum?: number;
  default?: string | number | boolean;
}

/** What `/api/openapi.json` says of a route. Routes without `doc` are served but not in the document. */
export interface RouteDoc {
  summary: string;
  tags: string[];
  parameters?: readonly QueryParameter[];
  /** The JSON Schema of the 200 body (may `$ref` '#/components/schemas/…'). */
  response: Record<string, unknown>;
  /** Other statuses the route answers, with their meaning. */
  errors?: Record<number, string>;
  /** The request body, by media type (`{ 'application/json': { schema } }`), for a route that takes one. */
  requestBody?: Record<string, unknown>;
}

export interface Route {
  /** Methods served; absent: any method reaches the handler (which may answer 405 itself). */
  methods?: readonly string[];
  /** The path, `{name}` for a segment (`/api/v1/structures/{id}`), `{name*}` for the rest of the path. */
  path: string;
  /** A matcher of its own (prefixes, families of paths); default: `path` read as a pattern. */
  matches?: (path: string) => boolean;
  auth: RouteAuth;
  description: string;
  doc?: RouteDoc;
  handler: (req: IncomingMessage, res: ServerResponse, params: Record<string, string>) => Promise<void> | void;
}

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

/** `{name}` matches one non-empty segment, `{name*}` the rest of the path; segments are percent-decoded. */
export function patternParams(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = path.split('/');
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const part = want[i];
    const named = /^\{([A-Za-z_]+)(\*?)\}$/.exec(part);
    if (named?.[2]) {
      params[named[1]] = got.slice(i).join('/');
      return got.length > i ? params : undefined;
    }
    if (i >= got.length) return undefined;
    if (named) {
      if (got[i] === '') return undefined;
      try {
        params[named[1]] = decodeURIComponent(got[i]);
      } catch {
        return undefined;
      }
    } else if (part !== got[i]) return undefined;
  }
  return got.length === want.length ? params : undefined;
}

/** The first route of the table that answers this method and path. */
export function matchRoute(routes: readonly Route[], method: string | undefined, path: string): RouteMatch | undefined {
  for (const route of routes) {
    if (route.methods && !route.methods.includes(method ?? 'GET')) continue;
    if (route.matches) {
      if (route.matches(path)) return { route, params: {} };
      continue;
    }
    const params = patternParams(route.path, path);
    if (params) return { route, params };
  }
  return undefined;
}

