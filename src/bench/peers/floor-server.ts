/**
 * The hand-written floor, run as its own process by the harness: node:http + pg, one SQL statement per
 * request that returns the response body Passerelle would return. Not a GraphQL server: it routes on the
 * body's `operationName` (a shape name) and takes its parameters from `variables`. It shows what the
 * database and one HTTP hop cost, with no GraphQL execution at all.
 *
 * Environment: DATABASE_URL, PORT, HOST.
 */
import http from 'node:http';
import { Pool } from 'pg';
import { SHAPE_NAMES, type FloorRequest, type ShapeName } from '../shapes';
import { FLOOR_SQL } from './floor-sql';

/** As many connections as Passerelle's and PostGraphile's pools. */
const POOL_SIZE = 10;

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error('DATABASE_URL is required');
  const pool = new Pool({ connectionString: databaseUrl, max: POOL_SIZE });
  pool.on('error', (error) => process.stderr.write(`floor: idle connection failed: ${error.message}\n`));
  await pool.query('SELECT 1');

  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/healthz') return send(res, 200, '{"status":"ok"}');
    if (req.method !== 'POST') return send(res, 405, '{"errors":[{"message":"POST a shape"}]}');
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let request: FloorRequest;
      try {
        request = JSON.parse(Buffer.concat(chunks).toString('utf8')) as FloorRequest;
      } catch {
        return send(res, 400, '{"errors":[{"message":"the body is not JSON"}]}');
      }
      if (!SHAPE_NAMES.includes(request.operationName as ShapeName)) {
        return send(res, 400, JSON.stringify({ errors: [{ message: `unknown shape ${String(request.operationName)}` }] }));
      }
      const statement = FLOOR_SQL[request.operationName];
      pool
        .query<{ body: string }>({ name: statement.name, text: statement.text, values: statement.values(request.variables ?? {}) })
        .then((result) => send(res, 200, result.rows[0].body))
        .catch((error: unknown) => send(res, 500, JSON.stringify({ errors: [{ message: error instanceof Error ? error.message : String(error) }] })));
    });
  });
  server.keepAliveTimeout = 60_000;
  const stop = () => {
    server.close();
    void pool.end().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  await new Promise<void>((resolve) => server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', resolve));
}

function send(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

main().catch((error: unknown) => {
  process.stderr.write(`floor: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
