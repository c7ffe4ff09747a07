import './production';
// Before every instrumented module (http, pg, graphql): tracing patches them as they load.
import { stopTracing } from './telemetry';
import { App } from './app';
import { loadPartnersConfig } from './partners/config';
import { PartnerRegistry } from './partners/registry';
import { createAuthenticator } from './auth/authenticate';
import { TokenVerifier } from './auth/tokens';
import { UsageRecorder } from './auth/usage';
import { loadConfig } from './config';
import { createLogger } from './logger';
import { openStore } from './store/database';
import path from 'node:path';
import { startAdminSocket, type AdminSocket } from './operations/admin-socket';
import { acquireLock, updateLock } from './store/lock';
import { prepareStore } from './operations/prepare';
import { pruneChanges } from './store/changes';
import { countSqlStatement } from './request-scope';
import { createSharedState } from './cache';
import { WebhookDispatcher } from './webhooks/dispatcher';
import { ChangeStream } from './live/change-stream';

/** `npm start`: read the configuration, listen at once (/readyz says 503 until ready), prepare the store. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const embedded = !config.databaseUrl;
  const releaseLock = embedded ? acquireLock(config.dataDir) : () => {};

  const store = await openStore(
    embedded
      ? { dataDir: config.dataDir, onQuery: countSqlStatement }
      : { databaseUrl: config.databaseUrl, onQuery: countSqlStatement, statementTimeoutMs: config.statementTimeout * 1000, onPoolError: (error) => logger.warn({ err: error }, 'an idle PostgreSQL connection failed; the pool replaces it') },
  );
  const usage = new UsageRecorder(store, { onError: (error) => logger.warn({ err: error }, 'usage flush failed') });
  const shared = createSharedState({ redisUrl: config.redisUrl, redisPrefix: config.redisPrefix, logger });
  const app = new App({
    logger,
    development: config.development,
    authenticate: createAuthenticator(new TokenVerifier(store, config), usage),
    restrictedSources: config.restrictedSources,
    partners: new PartnerRegistry(loadPartnersConfig(), logger),
    limits: config.limits,
    compiledReads: config.compiledReads,
    freshness: config.freshness,
    shared,
    rateLimits: config.rateLimits,
    trustProxy: config.trustProxy,
    responseCacheSeconds: config.responseCacheSeconds,
    persistedQueryTtl: config.persistedQueryTtl,
    pushLimits: config.push,
    subscriptionLimits: config.subscriptionLimits,
    webhookAllowPrivate: config.webhooks.allowPrivate,
    validatorMaxBytes: config.validatorMaxBytes,
  });
  await app.start();
  const port = await app.listen(config.port, config.host);
  if (embedded) updateLock(config.dataDir, { port });
  logger.info({ port, engine: embedded ? 'pglite' : 'postgres', dataDir: embedded ? config.dataDir : undefined }, `Passerelle listening on http://localhost:${port}/graphql`);

  let adminSocket: AdminSocket | undefined;
  let dispatcher: WebhookDispatcher | undefined;
  let changeStream: ChangeStream | undefined;
  let stopping = false;
  /**
   * Graceful, and bounded: stop accepting connections, let the requests in flight finish, close the store,
   * exit 0. Whatever hangs (a request waiting on a partner, a store that never closes), the process exits
   * (1) once PASSERELLE_SHUTDOWN_TIMEOUT has passed, so an orchestrator never waits on a process that
   * answers nothing; a second signal exits (1) at once.
   */
  const stop = async (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      releaseLock();
      process.exit(1);
    }
    stopping = true;
    const timeoutMs = config.shutdownTimeoutMs;
    logger.info({ signal, timeoutMs }, 'stopping: draining the requests in flight');
    setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown did not finish in time: exiting anyway');
      app.abortConnections();
      releaseLock();
      process.exit(1);
    }, timeoutMs);
    await app.stop().catch((error: unknown) => logger.error({ err: error }, 'stopping the HTTP server failed'));
    await changeStream?.stop().catch((error: unknown) => logger.error({ err: error }, 'stopping the change stream failed'));
    await dispatcher?.stop().catch((error: unknown) => logger.error({ err: error }, 'stopping the webhook dispatcher failed'));
    await adminSocket?.close();
    await usage.close().catch((error: unknown) => logger.error({ err: error }, 'writing usage counts failed'));
    await shared.close();
    await store.close().catch((error: unknown) => logger.error({ err: error }, 'closing the store failed'));
    await stopTracing().catch((error: unknown) => logger.warn({ err: error }, 'sending the last spans failed'));
    releaseLock();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  await prepareStore(store, { logger, seedWhenEmpty: embedded && config.seedOnEmpty });
  if (embedded) {
    // CLI commands cannot open the folder this process holds: they send their operation here instead.
    try {
      adminSocket = await startAdminSocket(path.join(config.dataDir, 'passerelle.sock'), { store, config, usage }, logger);
      updateLock(config.dataDir, { port, socket: adminSocket.path });
    } catch (error) {
      logger.warn({ err: error }, 'no admin socket: CLI commands will refuse to run while this server holds the store');
    }
  }
  // Ready only now: once /readyz says 200, CLI commands can already reach this store through the socket.
  app.attachStore(store);
  logger.info('store ready');

  // Webhooks: every instance runs a dispatcher; each endpoint is delivered by the one holding its lease.
  dispatcher = new WebhookDispatcher(store, { settings: config.webhooks, restrictedSources: config.restrictedSources, freshness: config.freshness, logger });
  dispatcher.start();
  // Subscriptions follow the change feed; a NOTIFY from any instance (or a write of this one) wakes both.
  changeStream = new ChangeStream(store, { restrictedSources: config.restrictedSources, freshness: config.freshness, pollMs: config.webhooks.pollMs, logger });
  await changeStream.start();
  changeStream.onWake(() => dispatcher?.kick());
  app.attachChangeStream(changeStream);

  // The change feed keeps superseded changes and old tombstones out, now and every hour.
  const prune = () =>
    pruneChanges(store, config.changesRetentionSeconds / 86_400)
      .then((removed) => logger.info(removed, 'change feed pruned'))
      .catch((error: unknown) => logger.warn({ err: error }, 'pruning the change feed failed'));
  void prune();
  setInterval(() => void prune(), 3_600_000).unref();
}

main().catch((error: unknown) => {
  // One line per problem (a configuration error lists every bad setting), each prefixed for grep.
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(message.split('\n').map((line) => `passerelle: ${line}\n`).join(''));
  process.exit(1);
});
