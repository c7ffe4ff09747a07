// GraphQL subscriptions over WebSocket (the `graphql-ws` protocol) on the HTTP server's own port and path:
// `ws://host:port/graphql`. Why graphql-ws (with ws): it is the protocol Apollo Client, urql and graphiql speak,
// the maintained successor of subscriptions-transport-ws, and has no dependency of its own besides ws.
//
// Authentication is the HTTP requests': the client sends `connectionParams: { authorization: "Bearer <token>" }`,
// checked once at connection (a token that fails its checks closes the connection with 4403, as HTTP answers
// 401); the viewer it gives builds every subscription's context (src/context.ts), so the auth directive guards
// contact fields as on HTTP, and the response's `extensions.withheld` says which were withheld. The query limits
// (depth, aliases) are the same validation rules.
import type { Server } from 'node:http';
import { GraphQLError, type GraphQLFormattedError, parse, specifiedRules, validate, type GraphQLSchema, type ValidationRule } from 'graphql';
import { WebSocketServer } from 'ws';
import type { useServer as UseServer } from 'graphql-ws/dist/use/ws.cjs';
import type { Context } from '../context';
import { ErrorCode } from '../errors';
import type { SubscriptionLimits } from '../config';
import type { Viewer } from '../auth/viewer';
import type { Logger } from '../logger';

// graphql-ws publishes `graphql-ws/use/ws` through package exports only, which this project's `node` module
// resolution does not read for types: the runtime path is required, its types taken from the file behind it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { useServer } = require('graphql-ws/use/ws') as { useServer: typeof UseServer };

export interface SubscriptionHost {
  schema: GraphQLSchema;
  validationRules: readonly ValidationRule[];
  logger: Logger;
  /** The viewer of a token (throws when it fails its checks), as for HTTP requests. */
  viewerFor(authorization: string | undefined): Promise<Viewer>;
  /** A context for that viewer; undefined while the store is not ready. */
  contextFor(viewer: Viewer): Context | undefined;
  /** The HTTP responses' error masking (no SQL or stack reaches a client). */
  formatError(error: GraphQLError): GraphQLFormattedError;
  /** Connections per caller and subscriptions per connection; default DEFAULT_SUBSCRIPTION_LIMITS. */
  limits?: SubscriptionLimits;
}

export const DEFAULT_SUBSCRIPTION_LIMITS: SubscriptionLimits = { maxConnections: 20, maxSubscriptions: 20 };

/** Who a connection counts against: its client, or for an anonymous one its address. */
function callerKey(viewer: Viewer, extra: unknown): string {
  if (viewer.kind === 'client') return `client:${viewer.clientId}`;
  const address = (extra as { request?: { socket?: { remoteAddress?: string } } }).request?.socket?.remoteAddress;
  return `ip:${address ?? 'unknown'}`;
}

/** Attaches the graphql-ws server to `server` at `path`; returns a function that closes it. */
export function attachSubscriptions(server: Server, host: SubscriptionHost, path = '/graphql'): () => Promise<void> {
  const wss = new WebSocketServer({ server, path });
  const viewers = new WeakMap<object, Viewer>();
  const tokens = new WeakMap<object, string | undefined>();
  // Why caps: a subscription holds a socket and a fan-out entry for as long as the caller likes, so without them
  // one token (or one anonymous address) could hold any number of them, which no HTTP rate limit would see.
  const limits = host.limits ?? DEFAULT_SUBSCRIPTION_LIMITS;
  const connections = new Map<string, number>();
  const disposable = useServer<Record<string, unknown>>(
    {
      schema: host.schema,
      onConnect: async (ctx) => {
        const authorization = ctx.connectionParams?.authorization;
        try {
          const header = typeof authorization === 'string' ? authorization : undefined;
          const viewer = await host.viewerFor(header);
          const key = callerKey(viewer, ctx.extra);
          const socket = (ctx.extra as { socket: { close(code: number, reason: string): void; once(event: 'close', listener: () => void): void } }).socket;
          const open = connections.get(key) ?? 0;
          if (open >= limits.maxConnections) {
            socket.close(4429, `Too many connections: at most ${limits.maxConnections} per caller (PASSERELLE_WS_MAX_CONNECTIONS)`);
            return false;
          }
          connections.set(key, open + 1);
          socket.once('close', () => {
            const left = (connections.get(key) ?? 1) - 1;
            if (left > 0) connections.set(key, left);
            else connections.delete(key);
          });
          viewers.set(ctx, viewer);
          tokens.set(ctx, header);
          return true;
        } catch {
          return false;
        }
      },
      onSubscribe: (ctx, _id, payload) => {
        // graphql-ws keeps the connection's operations in ctx.subscriptions (this one already among them) and
        // removes each when it completes, whichever side ends it.
        if (Object.keys(ctx.subscriptions).length - 1 >= limits.maxSubscriptions) {
          return [
            new GraphQLError(`too many subscriptions on this connection: at most ${limits.maxSubscriptions} (PASSERELLE_WS_MAX_SUBSCRIPTIONS); complete one first`, {
              extensions: { code: ErrorCode.RATE_LIMITED, limit: 'subscriptions', maximum: limits.maxSubscriptions },
            }),
          ];
        }
        const context = host.contextFor(viewers.get(ctx)!);
        if (!context) return [new GraphQLError('the store is not ready yet; retry in a few seconds')];
        let document;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [error as GraphQLError];
        }
        const errors = validate(host.schema, document, [...specifiedRules, ...host.validationRules]);
        if (errors.length) return errors;
        return { schema: host.schema, document, variableValues: payload.variables, operationName: payload.operationName, contextValue: context };
      },
      onNext: async (ctx, _id, _payload, args, result) => {
        // A token revoked (or expired) since the connection opened ends it at the next event, as HTTP would refuse
        // its next request (within PASSERELLE_REVOCATION_CACHE_SECONDS).
        const header = tokens.get(ctx);
        if (header !== undefined) {
          try {
            await host.viewerFor(header);
          } catch {
            (ctx.extra as { socket?: { close(code: number, reason: string): void } }).socket?.close(4403, 'Forbidden');
            return { errors: [{ message: 'the token is no longer valid', extensions: { code: 'UNAUTHENTICATED' } }] } as never;
          }
        }
        const context = args.contextValue as Context;
        const formatted: Record<string, unknown> = { ...result };
        if (result.errors?.length) formatted.errors = result.errors.map((error) => host.formatError(error));
        if (!context.withheld.empty) formatted.extensions = { ...result.extensions, withheld: context.withheld.toExtension() };
        return formatted as never;
      },
      onError: (_ctx, _id, _payload, errors) => {
        host.logger.debug({ errors: errors.map((e) => e.message) }, 'subscription error');
      },
    },
    wss,
  );
  return async () => {
    await disposable.dispose();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  };
}
