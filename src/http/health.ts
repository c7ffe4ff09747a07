import type { ServerResponse } from 'node:http';
import type { Store } from '../store/database';
import { appliedMigrationNames, localMigrationNames } from '../store/migrate';
import { sendJson } from './graphql-handler';

/** How long /readyz waits for the store before saying it is not ready. */
export const DEFAULT_READY_TIMEOUT_MS = 2000;

/**
 * `GET /healthz`: alive. It answers 200 as long as the process serves HTTP (starting, ready or draining): an
 * orchestrator restarts a process only when this fails. Deliberately no store call: a slow database must
 * not get healthy processes killed.
 */
export function serveLiveness(res: ServerResponse): void {
  sendJson(res, 200, { status: 'ok' });
}

/** The build's migrations: its folder does not change while the process runs. */
let local: string[] | undefined;

export type Phase = 'starting' | 'serving' | 'draining';

/**
 * `GET /readyz`: whether to send this process traffic. 200 when the store answers `SELECT 1` within the
 * timeout and has applied every migration of the folder this build carries; otherwise 503 with a `reason`
 * (starting, draining, store unreachable or too slow, migrations pending).
 */
export async function serveReadiness(res: ServerResponse, phase: Phase, store: Store | undefined, timeoutMs: number): Promise<void> {
  if (phase === 'draining') return sendJson(res, 503, { status: 'draining', reason: 'the server is shutting down' });
  if (phase === 'starting' || !store) {
    return sendJson(res, 503, { status: 'starting', reason: 'the store is being prepared (migrations, territories)' });
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the store did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const applied = await Promise.race([
      (async () => {
        await store.query({ text: 'SELECT 1', values: [] });
        return appliedMigrationNames(store);
      })(),
      timeout,
    ]);
    const done = new Set(applied);
    local ??= localMigrationNames();
    const pending = local.filter((name) => !done.has(name));
    if (pending.length) {
      return sendJson(res, 503, { status: 'not ready', reason: `migrations not applied: ${pending.join(', ')}`, pending });
    }
    sendJson(res, 200, { status: 'ready', engine: store.engine, migrations: done.size });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    sendJson(res, 503, { status: 'not ready', reason: `store unreachable: ${message}` });
  } finally {
    clearTimeout(timer);
  }
}
