import fs from 'node:fs';
import { repoPath } from '../../paths';
import type { ChildServerSpec } from './child-server';

/**
 * PostGraphile v5 (amber preset) on the same database, launched by our own script (peers/postgraphile-server.ts,
 * built to dist/). PostGraphile 5 declares Node ≥ 22 and calls `Promise.withResolvers`: on Node 20 every
 * database field fails without the polyfill preloaded here (it stays in src/, tsc does not copy .cjs files).
 */
export function postgraphileSpec(databaseUrl: string, port: number, cwd: string): ChildServerSpec {
  return {
    name: 'postgraphile',
    nodeArgs: ['--require', repoPath('src', 'bench', 'peers', 'promise-with-resolvers.cjs'), repoPath('dist', 'src', 'bench', 'peers', 'postgraphile-server.js')],
    env: { DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production', GRAPHILE_ENV: 'production' },
    cwd,
    port,
    // Grafserv answers only /graphql (404 elsewhere): ready once the schema answers.
    ready: { method: 'POST', path: '/graphql', body: '{"query":"{ __typename }"}' },
    startTimeoutMs: 60_000,
  };
}

/** The installed PostGraphile's version (package.json pins it), for the report. */
export function postgraphileVersion(): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(repoPath('node_modules', 'postgraphile', 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
