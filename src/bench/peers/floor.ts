import { repoPath } from '../../paths';
import type { ChildServerSpec } from './child-server';

/** The hand-written floor (peers/floor-server.ts, built to dist/): node:http + pg, one statement per request. */
export function floorSpec(databaseUrl: string, port: number, cwd: string): ChildServerSpec {
  return {
    name: 'floor',
    nodeArgs: [repoPath('dist', 'src', 'bench', 'peers', 'floor-server.js')],
    env: { DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production' },
    cwd,
    port,
    ready: { method: 'GET', path: '/healthz' },
    startTimeoutMs: 30_000,
  };
}
