import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Route } from '../route';
import { ErrorCode } from '../errors';
import { metrics } from '../metrics';
import type { Store } from '../store/database';
import { DEFAULT_FRESHNESS, type FreshnessThresholds } from '../quality/freshness';
import { isPublicExportPath, serveExport } from '../exports/http';
import { HSDS_PATH, HSDS_ZIP_PATH, serveHsds, serveHsdsZip } from '../exports/hsds';
import { restRoutes, type RestHost } from '../rest/v1';
import { docsPage, openApiDocument } from '../rest/openapi';
import { sendViewer, serveViewerAsset, viewerPage } from '../rest/docs-viewer';
import { CHANGES_PATH, serveChangesFeed } from './changes-feed';
import { sendJson } from './graphql-handler';
import { serveLiveness, serveReadiness, type Phase } from './health';
import { servePlayground, wantsPlayground } from './playground';
import { pageRoutes } from '../pages/routes';

/**
 * The route table: every HTTP route the server answers, in the order `App.route` tries them. Adding a route
 * is adding one entry here (or to a table this one spreads, as src/rest/v1.ts's): its method, path pattern,
 * who may call it, what it does, and its handler. `/api/openapi.json` is generated from the same entries
 * (their `doc`), so the documentation cannot list a route the server does not have, or miss one.
 */

/** What the routes need of the application (src/app.ts implements it). */
export interface RouteHost extends RestHost {
  phase(): Phase;
  readyTimeoutMs: number;
  restrictedSources: readonly string[];
  freshness?: FreshnessThresholds;
  /** The largest file the valideur reads, bytes. */
  validatorMaxBytes?: number;
  /** `/graphql` once the store is ready (rate limits, response cache, compiled reads, Apollo). */
  graphql(req: IncomingMessage, res: ServerResponse, store: Store): Promise<void>;
}

const NOT_READY = { errors: [{ message: 'the store is not ready yet; retry in a few seconds', extensions: { code: ErrorCode.SERVICE_UNAVAILABLE } }] };

/** Every route of the server, in the order they are tried; a path none matches is a 404 (App.route). */
export function serverRoutes(host: RouteHost): Route[] {
  const withStore = (serve: (req: IncomingMessage, res: ServerResponse, store: Store) => Promise<void>) => (req: IncomingMessage, res: ServerResponse) => {
    const store = host.store();
    if (!store) return sendJson(res, 503, NOT_READY);
    return serve(req, res, store);
  };
  const rest = restRoutes(host);
  const routes: Route[] = [
    { path: '/healthz', auth: 'public', description: 'Alive: 200 while the process serves HTTP.', handler: (_req, res) => serveLiveness(res) },
    {
      path: '/readyz',
      auth: 'public',
      description: 'Ready: 200 when the store answers and is migrated; 503 while starting or draining.',
      handler: (_req, res) => serveReadiness(res, host.phase(), host.store(), host.readyTimeoutMs),
    },
    {
      path: '/metrics',
      methods: ['GET', 'HEAD'],
      auth: 'public',
      description: 'Prometheus metrics.',
      handler: async (req, res) => {
        res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : await metrics.metrics());
      },
    },
    {
      path: `${HSDS_PATH}/{table*}`,
      matches: (path) => path === HSDS_PATH || path.startsWith(`${HSDS_PATH}/`),
      auth: 'public',
      description: 'The public offer as an Open Referral HSDS 3.0 package (datapackage.json, tables, services.json).',
      handler: withStore((req, res, store) => serveHsds(req, res, store, { restrictedSources: host.restrictedSources, freshness: host.freshness })),
    },
    {
      path: HSDS_ZIP_PATH,
      auth: 'public',
      description: 'The public offer as an Open Referral HSDS 3.0 package in one zip file.',
      handler: withStore((req, res, store) => serveHsdsZip(req, res, store, { restrictedSources: host.restrictedSources, freshness: host.freshness })),
    },
    {
      path: '/exports/{entity}.{format}',
      matches: isPublicExportPath,
      auth: 'public',
      description: 'The public offer as files: structures or services, csv, json, ndjson, geojson, parquet, xlsx.',
      handler: (req, res) => serveExport(req, res, { store: host.store(), restrictedSources: host.restrictedSources, freshness: host.freshness, logger: host.logger }),
    },
    {
      path: CHANGES_PATH,
      auth: 'public',
      description: 'The change feed: one page of changes to the public offer since a cursor (NDJSON).',
      handler: withStore((req, res, store) => serveChangesFeed(req, res, store, { restrictedSources: host.restrictedSources, freshness: host.freshness ?? DEFAULT_FRESHNESS })),
    },
    {
      path: '/graphql',
      matches: (path) => path === '/graphql' || path === '/',
      auth: 'optional-token',
      description: 'The GraphQL API (GET and POST); a browser gets the playground.',
      handler: (req, res) => {
        // A browser opening the endpoint gets the playground (static: it needs no store).
        if (wantsPlayground(req)) return servePlayground(req, res);
        return withStore(host.graphql)(req, res);
      },
    },
    ...rest,
    ...pageRoutes(host),
  ];
  const document = () => openApiDocument(routes);
  routes.push(
    {
      path: '/api/openapi.json',
      methods: ['GET', 'HEAD'],
      auth: 'public',
      description: 'The OpenAPI 3.1 document of /api/v1, generated from this table.',
      handler: (_req, res) => sendJson(res, 200, document()),
    },
    {
      path: '/api/docs',
      methods: ['GET', 'HEAD'],
      auth: 'public',
      description: 'The /api/v1 documentation: Swagger UI over /api/openapi.json, self-hosted.',
      handler: (_req, res) => sendViewer(res, viewerPage('Passerelle — API v1', docsPage(document()))),
    },
    {
      path: '/api/docs/{file}',
      methods: ['GET', 'HEAD'],
      auth: 'public',
      description: "The documentation viewer's files (swagger-ui-dist), served from this host.",
      handler: (_req, res, params) => serveViewerAsset(res, params.file),
    },
  );
  return routes;
}
