import './production';
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

/** `npm start`: read the configuration, listen at once (/healthz says 503 until ready), prepare the store. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const embedded = !config.databaseUrl;
  const releaseLock = embedded ? acquireLock(config.dataDir) : () => {};

  const store = await openStore(
    embedded
      ? { dataDir: config.dataDir }
      : { databaseUrl: config.databaseUrl, onPoolError: (error) => logger.warn({ err: error }, 'an idle PostgreSQL connection failed; the pool replaces it') },
  );
  const usage = new UsageRecorder(store, { onError: (error) => logger.warn({ err: error }, 'usage flush failed') });
  const app = new App({
    logger,
    development: config.development,
    authenticate: createAuthenticator(new TokenVerifier(store, config), usage),
    restrictedSources: config.restrictedSources,
    partners: new PartnerRegistry(loadPartnersConfig(), logger),
    limits: config.limits,
    compiledReads: config.compiledReads,
    freshness: config.freshness,
  });
  await app.start();
  const port = await app.listen(config.port, config.host);
  if (embedded) updateLock(config.dataDir, { port });
  logger.info({ port, engine: embedded ? 'pglite' : 'postgres', dataDir: embedded ? config.dataDir : undefined }, `Passerelle listening on http://localhost:${port}/graphql`);

  let adminSocket: AdminSocket | undefined;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    await app.stop().catch((error: unknown) => logger.error({ err: error }, 'stopping the HTTP server failed'));
    await adminSocket?.close();
    await usage.close().catch((error: unknown) => logger.error({ err: error }, 'writing usage counts failed'));
    await store.close().catch((error: unknown) => logger.error({ err: error }, 'closing the store failed'));
    releaseLock();
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
  // Ready only now: once /healthz says 200, CLI commands can already reach this store through the socket.
  app.attachStore(store);
  logger.info('store ready');
}

main().catch((error: unknown) => {
  process.stderr.write(`passerelle: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
