import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/**
 * What one HTTP request carries through everything it runs (resolvers, loaders, the store, partner calls),
 * without threading it through every signature: its id, stamped on every log line written on its behalf
 * (src/logger.ts), and what it cost, counted where the cost is paid (SQL statements, partner HTTP calls).
 */
export interface RequestScope {
  readonly requestId: string;
  sqlStatements: number;
  partnerCalls: number;
}

const storage = new AsyncLocalStorage<RequestScope>();

export function currentRequest(): RequestScope | undefined {
  return storage.getStore();
}

export function runInRequestScope<T>(requestId: string, run: () => T): T {
  return storage.run({ requestId, sqlStatements: 0, partnerCalls: 0 }, run);
}

/** The store's `onQuery` hook: one more SQL statement for the request that sent it. */
export function countSqlStatement(): void {
  const scope = storage.getStore();
  if (scope) scope.sqlStatements += 1;
}

/** One more partner HTTP attempt for the request that made it. */
export function countPartnerCall(): void {
  const scope = storage.getStore();
  if (scope) scope.partnerCalls += 1;
}

/**
 * An incoming `X-Request-Id` is kept when it is an id a proxy or client would plausibly send (letters,
 * digits and `._:+=/-`, at most 128 characters); anything else — empty, too long, spaces, control
 * characters that could forge log lines or headers — is replaced by a fresh UUID.
 */
const SANE_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:+=/-]{0,127}$/;

export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && SANE_REQUEST_ID.test(value) ? value : randomUUID();
}
