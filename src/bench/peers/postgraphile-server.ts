/**
 * PostGraphile v5 as a peer, run as its own process by the harness: the amber preset over the same
 * database's `public` schema, served by grafserv's node:http adaptor at /graphql, as its CLI would serve it
 * (no explain, no GraphiQL, no watch). Node 20 needs `--require promise-with-resolvers.cjs` (see peers/postgraphile.ts).
 *
 * Environment: DATABASE_URL, PORT, HOST.
 */
import http from 'node:http';
import { postgraphile } from 'postgraphile';
import { makePgService } from 'postgraphile/adaptors/pg';
import { grafserv } from 'postgraphile/grafserv/node';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';

/** As many connections as Passerelle's and the floor's pools. */
const POOL_SIZE = 10;

async function main(): Promise<void> {
  const connectionString = process.env.DATABASE_URL;
  if (!connectionString) throw new Error('DATABASE_URL is required');
  const pgl = postgraphile({
    extends: [PostGraphileAmberPreset],
    pgServices: [makePgService({ connectionString, schemas: ['public'], poolConfig: { max: POOL_SIZE } })],
    grafserv: { graphqlPath: '/graphql', graphiql: false, watch: false },
    grafast: { explain: false },
  });
  const serv = pgl.createServ(grafserv);
  await pgl.getSchema(); // introspected and built before the port opens: listening means ready
  const server = http.createServer();
  server.keepAliveTimeout = 60_000;
  await serv.addTo(server);
  const stop = () => {
    server.close();
    void Promise.resolve(pgl.release()).finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  await new Promise<void>((resolve) => server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', resolve));
}

main().catch((error: unknown) => {
  process.stderr.write(`postgraphile: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
