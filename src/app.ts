import http, { type Server } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { createContext, type Context } from './context';
import { ErrorCode, isPublicCode, withLimitCode } from './errors';
import { buildSchema } from './graph';
import { handleGraphQL, sendJson } from './http/graphql-handler';
import { servePlayground, wantsPlayground } from './http/playground';
import { queryLimits, type QueryLimits } from './limits';
import type { Logger } from './logger';
import { metrics } from './metrics';
import type { PartnerRegistry } from './partners/registry';
import type { Store } from './store/database';
import { authDirectiveTransformer } from './auth/directive';
import { ANONYMOUS, type Viewer } from './auth/viewer';
import { partnerOutagesPlugin } from './plugins/partner-outages';
import { logGraphQLRequest, requestLogPlugin } from './plugins/request-log';
import { CompiledReads } from './graph/compiled-reads';
import { withheldPlugin } from './plugins/withheld';
import type { FreshnessThresholds } from './quality/freshness';

export interface AppOptions {
  logger: Logger;
  /** NODE_ENV=development: errors keep their message and stack. */
  development: boolean;
  /**
   * Who is asking, from the request's Authorization header: anonymous when absent; throws an
   * UNAUTHENTICATED GraphQLError (HTTP 401) when a token is present but not valid.
   */
  authenticate?: (authorization: string | undefined) => Promise<Viewer>;
  /** Sources shown only to the clients allowed them (source licences). */
  restrictedSources?: readonly string[];
  /** Live partners answering for their sources. */
  partners?: PartnerRegistry;
  /** Query limits (src/limits/); each one unset takes its default (DEFAULT_LIMITS). */
  limits?: Partial<QueryLimits>;
  /** `false`: every operation goes through Apollo Server's execution (tests compare both). Default: on. */
  compiledReads?: boolean;
  /** Thresholds of the `fraicheur` verdict (PASSERELLE_FRESH_DAYS, PASSERELLE_STALE_DAYS); default 180 and 730 days. */
  freshness?: FreshnessThresholds;
}

/**
 * The HTTP application: `/graphql` (Apollo Server; the GraphiQL playground for browsers) and `/healthz`. The store is attached once it is
 * ready (migrated, territories loaded); until then both answer 503.
 */
export class App {
  readonly apollo: ApolloServer<Context>;
  readonly server: Server;
  private store?: Store;
  /** Read operations answered by one statement building the response (none while a live partner is declared). */
  private readonly compiled?: CompiledReads;

  constructor(private readonly options: AppOptions) {
    const limits = queryLimits(options.limits);
    const schema = authDirectiveTransformer(buildSchema());
    const livePartners = options.partners?.liveFor(undefined, true).length ?? 0;
    if (livePartners === 0 && options.compiledReads !== false) {
      this.compiled = new CompiledReads({ schema, validationRules: limits.validationRules, requestRefusal: limits.requestRefusal });
    }
    this.apollo = new ApolloServer<Context>({
      schema,
      introspection: true,
      includeStacktraceInErrorResponses: options.development,
      formatError: (formatted, error) => this.formatError(withLimitCode(formatted, error), error),
      validationRules: limits.validationRules,
      plugins: [
        ApolloServerPluginLandingPageDisabled(),
        // Apollo's cache-control plugin hooks every resolved field to compute cache hints that nothing here
        // uses (no response cache, no CDN hints): on a page of 100 nested records it was a third of the
        // request's time. Responses are not cacheable by shared caches anyway (tokens, withheld fields).
        ApolloServerPluginCacheControlDisabled(),
        ...limits.plugins,
        withheldPlugin(),
        partnerOutagesPlugin(),
        requestLogPlugin(options.logger),
      ],
      logger: options.logger,
      // The server's entry point handles SIGINT/SIGTERM (HTTP, store, lock, in that order); Apollo's own
      // handler would race it and re-raise the signal before the lock is released.
      stopOnTerminationSignals: false,
    });
    this.server = http.createServer((req, res) => {
      this.route(req, res).catch((error: unknown) => {
        options.logger.error({ err: error }, 'request failed');
        if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Internal server error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } }] });
        else res.end();
      });
    });
    // Idle keep-alive connections are closed by the client first (fetch/undici after 4 s, browsers and proxies
    // later): with Node's default of 5 s, a busy client could send a request on a socket the server was closing
    // at that moment ("other side closed"). 65 s is longer than common clients' and proxies' idle timeouts.
    this.server.keepAliveTimeout = 65_000;
    this.server.headersTimeout = 66_000;
  }

  async start(): Promise<void> {
    await this.apollo.start();
  }

  attachStore(store: Store): void {
    this.store = store;
  }

  get ready(): boolean {
    return this.store !== undefined;
  }

  listen(port: number, host?: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        const address = this.server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    await this.apollo.stop();
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      return this.store
        ? sendJson(res, 200, { status: 'ok', engine: this.store.engine })
        : sendJson(res, 503, { status: 'starting' });
    }
    if (path === '/metrics' && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
      return void res.end(req.method === 'HEAD' ? undefined : await metrics.metrics());
    }
    if (path === '/graphql' || path === '/') {
      // A browser opening the endpoint gets the playground (static: it needs no store).
      if (wantsPlayground(req)) return servePlayground(req, res);
      const store = this.store;
      if (!store) {
        return sendJson(res, 503, {
          errors: [{ message: 'the store is not ready yet; retry in a few seconds', extensions: { code: ErrorCode.SERVICE_UNAVAILABLE } }],
        });
      }
      const compiled = this.compiled;
      return handleGraphQL(this.apollo, req, res, () => this.contextFor(store, req.headers.authorization), compiled && ((body, context) => this.compiledAnswer(compiled, store, body, context)));
    }
    sendJson(res, 404, { error: `no route ${path}; GraphQL is served at /graphql` });
  }

  /**
   * A compiled read's response, or undefined: Apollo answers. A token that fails its checks is Apollo's to
   * refuse (401); a compiled statement that fails is logged and the request is executed instead.
   */
  private async compiledAnswer(compiled: CompiledReads, store: Store, body: unknown, context: () => Promise<Context>): Promise<string | undefined> {
    const started = performance.now();
    const ctx = await context().catch(() => undefined);
    if (!ctx) return undefined;
    try {
      const answer = await compiled.answer(body, ctx.viewer, ctx.access, store);
      if (answer) logGraphQLRequest(this.options.logger, { operation: answer.operationName, viewer: ctx.viewer, started, status: 200 });
      return answer?.body;
    } catch (error) {
      this.options.logger.warn({ err: error }, 'a compiled read failed; the request is executed instead');
      return undefined;
    }
  }

  /** The per-request context: the viewer from the token, and loaders bound to what it may see. */
  async contextFor(store: Store, authorization: string | undefined): Promise<Context> {
    const viewer = this.options.authenticate ? await this.options.authenticate(authorization) : ANONYMOUS;
    return createContext(store, { viewer, restrictedSources: this.options.restrictedSources, partners: this.options.partners, freshness: this.options.freshness });
  }

  /**
   * Masking: outside development, only errors with a code of ours (errors.ts) keep their message; any
   * other error (a database error, a bug) becomes "Internal server error", so no SQL, stack or record
   * data reaches the client. The original goes to the log.
   */
  private formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
    if (this.options.development) return formatted;
    const code = formatted.extensions?.code;
    if (isPublicCode(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
      const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    this.options.logger.error({ err: unwrapResolverError(error), path: formatted.path }, 'internal error in a GraphQL request');
    return {
      message: 'Internal server error',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  }
}
