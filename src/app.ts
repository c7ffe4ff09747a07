import http, { type Server } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { createContext, type Context } from './context';
import { browserOrigin, originAllowed, type BrowserOrigin } from './auth/origins';
import { ErrorCode, originRefused, StatementTimeoutError, boundedMessage, isPublicCode, withLimitCode } from './errors';
import { buildSchema } from './graph';
import { MAX_BODY_BYTES, handleGraphQL, sendJson, type CompiledResponse } from './http/graphql-handler';
import { serverRoutes } from './http/routes';
import { matchRoute, type Route } from './route';
import { DEFAULT_READY_TIMEOUT_MS, type Phase } from './http/health';
import { requestIdFrom, runInRequestScope } from './request-scope';
import { queryLimits, type QueryLimits } from './limits';
import type { Logger } from './logger';
import type { PartnerRegistry } from './partners/registry';
import type { Store } from './store/database';
import { authDirectiveTransformer } from './auth/directive';
import { ANONYMOUS, type Viewer } from './auth/viewer';
import { partnerOutagesPlugin } from './plugins/partner-outages';
import { logGraphQLRequest, requestLogPlugin } from './plugins/request-log';
import { CompiledReads } from './graph/compiled-reads';
import { withheldPlugin } from './plugins/withheld';
import type { FreshnessThresholds } from './quality/freshness';
import { createSharedState, type SharedState } from './cache';
import { resolvePersistedQuery } from './cache/persisted-queries';
import { ResponseCache } from './cache/response-cache';
import { RateLimitGuard } from './http/rate-limit';
import type { PushLimits, RateLimits, SubscriptionLimits } from './config';
import type { ChangeStream } from './live/change-stream';
import { attachSubscriptions } from './http/subscriptions';

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
  /** How long `/readyz` waits for the store's answer; default 2 s. */
  readyTimeoutMs?: number;
  /** Rate limits, persisted queries and cached responses: Redis (shared by instances) or this process's memory (default). */
  shared?: SharedState;
  /** Token buckets per kind of caller (src/http/rate-limit.ts). Absent: no rate limit. */
  rateLimits?: RateLimits;
  /** Believe `X-Forwarded-For` for an anonymous caller's IP (PASSERELLE_TRUST_PROXY). */
  trustProxy?: boolean;
  /** Seconds a GET response is reused (src/cache/response-cache.ts); absent or 0: no response cache. */
  responseCacheSeconds?: number;
  /** Seconds a persisted query's text is kept; absent: until evicted. */
  persistedQueryTtl?: number;
  /** graphql-ws connections per caller and subscriptions per connection (PASSERELLE_WS_MAX_*). */
  subscriptionLimits?: SubscriptionLimits;
  /** Limits of the producer write API (records and bytes per request); default DEFAULT_PUSH_LIMITS. */
  pushLimits?: PushLimits;
  /** Webhook URLs on private addresses are accepted (PASSERELLE_WEBHOOK_ALLOW_PRIVATE). */
  webhookAllowPrivate?: boolean;
  /** The largest file the valideur reads, bytes (PASSERELLE_VALIDATOR_MAX_BYTES); default 20 MB. */
  validatorMaxBytes?: number;
}

/**
 * The HTTP application: `/graphql` (Apollo Server; the GraphiQL playground for browsers), `/healthz` (alive),
 * `/readyz` (store reachable and migrated) and `/metrics`. The store is attached once it is ready (migrated,
 * territories loaded); until then `/graphql` and `/readyz` answer 503.
 */
export class App {
  readonly apollo: ApolloServer<Context>;
  readonly server: Server;
  private store?: Store;
  private phase: Phase = 'starting';
  /** Responses not yet sent: on drain, each is told to close its connection once sent. */
  private readonly inFlight = new Set<http.ServerResponse>();
  /** Read operations answered by one statement building the response (none while a live partner is declared). */
  private readonly compiled?: CompiledReads;
  private readonly shared: SharedState;
  private readonly rateLimit?: RateLimitGuard;
  private readonly responseCache?: ResponseCache;
  /** Every HTTP route (src/http/routes.ts). */
  readonly routes: readonly Route[];
  /** The live changes that `offerChanged` subscriptions follow (attached once the store is ready). */
  private changeStream?: ChangeStream;
  private readonly closeSubscriptions: () => Promise<void>;

  constructor(private readonly options: AppOptions) {
    this.shared = options.shared ?? createSharedState({ logger: options.logger });
    if (options.rateLimits && (options.rateLimits.anonymous.rate > 0 || options.rateLimits.client.rate > 0)) this.rateLimit = new RateLimitGuard(this.shared.rateLimiter, options.rateLimits, options.trustProxy ?? false);
    if (options.responseCacheSeconds) this.responseCache = new ResponseCache(this.shared.responses, options.responseCacheSeconds);
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
      formatError: (formatted, error) => this.formatError(boundedMessage(withLimitCode(formatted, error)), error),
      validationRules: limits.validationRules,
      persistedQueries: { cache: this.shared.persistedQueries, ttl: options.persistedQueryTtl ?? null },
      plugins: [
        ApolloServerPluginLandingPageDisabled(),
        // Apollo's cache-control plugin hooks every resolved field to compute cache hints that nothing here
        // uses: on a page of 100 nested records it was a third of the request's time. The response cache
        // (src/cache/response-cache.ts) keys on the caller's rights and the offer's version instead.
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
    this.routes = serverRoutes({
      phase: () => this.phase,
      store: () => this.store,
      readyTimeoutMs: options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
      restrictedSources: options.restrictedSources ?? [],
      freshness: options.freshness,
      logger: options.logger,
      validatorMaxBytes: options.validatorMaxBytes,
      graphql: (req, res, store) => this.serveGraphQL(req, res, store),
      contextFor: (store, authorization, origin) => this.contextFor(store, authorization, origin),
      rateLimited: async (req, res, ctx) => !!this.rateLimit && (await this.rateLimit.refuse(req, res, ctx.viewer, 'rest')),
      pushLimits: options.pushLimits,
    });
    this.server = http.createServer((req, res) => {
      // Every response says which request it was (the client's own X-Request-Id when sane), and every log
      // line written while serving it carries the same id.
      const requestId = requestIdFrom(req.headers['x-request-id']);
      res.setHeader('x-request-id', requestId);
      // Draining: the client must open its next request elsewhere, not on this connection.
      if (this.phase === 'draining') res.setHeader('connection', 'close');
      this.inFlight.add(res);
      res.once('close', () => this.inFlight.delete(res));
      runInRequestScope(requestId, () => this.route(req, res)).catch((error: unknown) => {
        options.logger.error({ err: error }, 'request failed');
        if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Internal server error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } }] });
        else res.end();
      });
    });
    // Subscriptions: graphql-ws on the same server and path (an HTTP upgrade to WebSocket).
    this.closeSubscriptions = attachSubscriptions(this.server, {
      schema,
      validationRules: limits.validationRules,
      logger: options.logger,
      viewerFor: async (authorization) => (options.authenticate ? options.authenticate(authorization) : ANONYMOUS),
      contextFor: (viewer) => this.store && this.createContextFor(this.store, viewer),
      formatError: (error) => this.formatError(boundedMessage(withLimitCode(error.toJSON(), error)), error),
      limits: options.subscriptionLimits,
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

  /** The process's change stream: `offerChanged` subscriptions follow it. */
  attachChangeStream(stream: ChangeStream): void {
    this.changeStream = stream;
  }

  attachStore(store: Store): void {
    this.store = store;
    this.phase = 'serving';
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

  /**
   * Stops accepting connections and resolves once the requests in flight are answered (idle keep-alive
   * connections are closed at once; `/readyz` says 503 meanwhile). Bounding the wait is the caller's part
   * (src/server.ts: PASSERELLE_SHUTDOWN_TIMEOUT).
   */
  async stop(): Promise<void> {
    this.phase = 'draining';
    for (const res of this.inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
    await this.closeSubscriptions().catch((error: unknown) => this.options.logger.warn({ err: error }, 'closing the subscriptions failed'));
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
    });
    await this.apollo.stop();
  }

  /** Ends every connection at once, requests in flight included (the drain took too long). */
  abortConnections(): void {
    this.server.closeAllConnections();
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    const match = matchRoute(this.routes, req.method, path);
    if (match) return match.route.handler(req, res, match.params);
    sendJson(res, 404, { error: `no route ${path}; GraphQL is served at /graphql` });
  }

  /** `/graphql` once the store is ready: rate limits, the response cache, compiled reads, then Apollo. */
  private async serveGraphQL(req: http.IncomingMessage, res: http.ServerResponse, store: Store): Promise<void> {
    const compiled = this.compiled;
    let made: Promise<Context> | undefined;
    const context = () => (made ??= this.contextFor(store, req.headers.authorization, browserOrigin(req)));
    // Rate limits and the response cache need the verified viewer first (a failing token: Apollo's 401 below).
    const started = performance.now();
    const ctx = this.rateLimit || this.responseCache ? await context().catch(() => undefined) : undefined;
    if (this.rateLimit && (await this.rateLimit.refuse(req, res, ctx?.viewer))) {
      return logGraphQLRequest(this.options.logger, { operation: null, viewer: ctx?.viewer, started, status: 429, errors: [ErrorCode.RATE_LIMITED] });
    }
    const cache = ctx && this.responseCache?.forRequest(req, ctx, store, (operation) => logGraphQLRequest(this.options.logger, { operation, viewer: ctx.viewer, started, status: 200 }));
    // Producers push up to PASSERELLE_PUSH_MAX_BYTES through mutations; a caller without a token gets 1 MB.
    const maxBody = req.headers.authorization ? Math.max(MAX_BODY_BYTES, this.options.pushLimits?.maxBytes ?? 0) : MAX_BODY_BYTES;
    return handleGraphQL(this.apollo, req, res, context, compiled && ((body, context) => this.compiledAnswer(compiled, store, body, context)), cache, maxBody);
  }

  /**
   * A compiled read's response, or undefined: Apollo answers. A token that fails its checks is Apollo's to
   * refuse (401); a compiled statement that fails is logged and the request is executed instead.
   */
  private async compiledAnswer(compiled: CompiledReads, store: Store, body: unknown, context: () => Promise<Context>): Promise<CompiledResponse | undefined> {
    const started = performance.now();
    const ctx = await context().catch(() => undefined);
    if (!ctx) return undefined;
    try {
      // A persisted query sent by its hash is answered here too when its text is known (else Apollo says so).
      const request = (await resolvePersistedQuery(this.shared.persistedQueries, body)) ?? body;
      const answer = await compiled.answer(request, ctx.viewer, ctx.access, store);
      if (answer) logGraphQLRequest(this.options.logger, { operation: answer.operationName, viewer: ctx.viewer, started, status: 200 });
      return answer && { status: 200, body: answer.body };
    } catch (error) {
      // A statement past its time would time out again if executed: the client gets the timeout now.
      if (error instanceof StatementTimeoutError) {
        const { code, http: { status } } = error.extensions;
        return { status, body: JSON.stringify({ errors: [{ message: error.message, extensions: { code } }], data: null }) };
      }
      this.options.logger.warn({ err: error }, 'a compiled read failed; the request is executed instead');
      return undefined;
    }
  }

  /** The per-request context: the viewer from the token, and loaders bound to what it may see. */
  async contextFor(store: Store, authorization: string | undefined, origin?: BrowserOrigin): Promise<Context> {
    const viewer = this.options.authenticate ? await this.options.authenticate(authorization) : ANONYMOUS;
    // A token restricted to its client's origins is refused from any other page (src/auth/origins.ts).
    if (origin && viewer.kind === 'client' && !originAllowed(viewer, origin.origin, origin.self)) throw originRefused(origin.origin ?? '', viewer.clientId);
    return this.createContextFor(store, viewer);
  }

  private createContextFor(store: Store, viewer: Viewer): Context {
    return createContext(store, {
      viewer,
      restrictedSources: this.options.restrictedSources,
      partners: this.options.partners,
      freshness: this.options.freshness,
      pushLimits: this.options.pushLimits,
      webhookAllowPrivate: this.options.webhookAllowPrivate,
      changeStream: this.changeStream,
    });
  }

  /**
   * Masking: outside development, only errors with a code of ours (errors.ts) keep their message; any
   * other error (a database error, a bug) becomes "Internal server error", so no SQL, stack or record
   * data reaches the client. The original goes to the log.
   */
  private formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
    if (this.options.development) return formatted;
    const code = formatted.extensions?.code;
    // Apollo's own request errors without a code (a persisted query's hash that does not match its text) are
    // the client's: HTTP 400, shown as BAD_REQUEST, never masked as an internal error.
    // (Apollo gives such an error INTERNAL_SERVER_ERROR by default; the original has no code and its HTTP status.)
    if (!formatted.path && error instanceof GraphQLError && error.extensions.code === undefined && (error.extensions.http as { status?: number } | undefined)?.status === 400) {
      return { message: formatted.message, extensions: { code: ErrorCode.BAD_REQUEST } };
    }
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
