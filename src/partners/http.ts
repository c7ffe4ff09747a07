import type { Logger } from '../logger';
import { PARTNER_DESCRIPTORS } from './index';
import { PartnerError, type PartnerConfig, type PartnerTransport, type PartnerType } from './types';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface TransportOptions {
  logger?: Logger;
  /** Further attempts after a failed one (network error, timeout, 5xx, 429). Default 2. */
  retries?: number;
  /** First backoff delay, doubled at each retry, with jitter. Default 100 ms. */
  backoffMs?: number;
  /** Longest `Retry-After` honoured; a 429 asking longer fails at once. Default 5000 ms. */
  maxRetryAfterMs?: number;
  /** Open the circuit after `failures` consecutive failed requests, for `openMs`. Default 5 / 30 s. */
  breaker?: { failures: number; openMs: number };
  /** Called before each HTTP attempt with its URL (never carries the token). */
  onCall?: (url: string) => void;
  /** Clock (ms) for the breaker and Retry-After dates; default Date.now. */
  now?: () => number;
  /** Waits between attempts; default an unref'd timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1); default Math.random. */
  random?: () => number;
}

export type Transport = PartnerTransport & {
  /** HTTP attempts made so far (retries included; refused circuit-open calls excluded). */
  readonly calls: number;
  breakerState(): BreakerState;
};

type RequestInit = Parameters<PartnerTransport['request']>[1];

/** The Authorization header value a partner of this type expects (its descriptor's scheme). */
export function authorizationHeader(type: PartnerType, token: string): string {
  return `${PARTNER_DESCRIPTORS[type].authScheme} ${token}`;
}

const defaultSleep = (ms: number) =>
  new Promise<void>((resolve) => {
    if (ms <= 0) return resolve();
    setTimeout(resolve, ms).unref();
  });

/** Seconds or an HTTP date → milliseconds from now; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * A partner answered 429 (after the retries, or at once when it asked to wait longer than `maxRetryAfterMs`):
 * `retryAfterMs` is the delay it asked for (Retry-After), so a caller that can afford it (a harvest) may
 * wait that long and ask again.
 */
export class PartnerRateLimitError extends PartnerError {
  constructor(
    partnerId: string,
    message: string,
    readonly retryAfterMs: number | undefined,
  ) {
    super(partnerId, message, 'http', 429);
  }
}

/** One attempt's outcome when it did not succeed. */
class AttemptFailure {
  constructor(
    readonly error: PartnerError,
    /** Worth another attempt. */
    readonly retryable: boolean,
    /** Counts against the circuit breaker (the partner is unwell, not merely saying "no"). */
    readonly partnerFault: boolean,
    /** Delay asked by the partner (Retry-After), ms. */
    readonly retryAfterMs?: number,
  ) {}
}

/**
 * The HTTP transport of one partner: global fetch, the partner's auth header, a timeout per attempt,
 * retries with exponential backoff and jitter (honouring Retry-After on 429), and a circuit breaker.
 */
export function createTransport(partner: PartnerConfig, options: TransportOptions = {}): Transport {
  const retries = Math.max(0, options.retries ?? 2);
  const backoffMs = Math.max(0, options.backoffMs ?? 100);
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 5000;
  const breaker = options.breaker ?? { failures: 5, openMs: 30_000 };
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const logger = options.logger?.child({ partner: partner.id });
  const base = partner.baseUrl.replace(/\/+$/, '');

  let calls = 0;
  let consecutiveFailures = 0;
  let openedAt: number | undefined;
  let trialInFlight = false;

  const state = (): BreakerState => {
    if (openedAt === undefined) return 'closed';
    return now() - openedAt >= breaker.openMs ? 'half-open' : 'open';
  };

  const fail = (message: string, reason: PartnerError['reason'], status?: number) =>
    new PartnerError(partner.id, message, reason, status);

  function buildUrl(path: string, query: NonNullable<RequestInit>['query']): string {
    const url = `${base}/${path.replace(/^\/+/, '')}`;
    if (!query) return url;
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (Array.isArray(value)) for (const item of value as readonly string[]) params.append(key, item);
      else if (value !== undefined) params.append(key, String(value));
    }
    const qs = params.toString();
    return qs ? `${url}${url.includes('?') ? '&' : '?'}${qs}` : url;
  }

  async function attempt(url: string, method: 'GET' | 'POST', body: unknown): Promise<unknown> {
    calls += 1;
    options.onCall?.(url);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (partner.token) headers.authorization = authorizationHeader(partner.type, partner.token);
    let payload: string | undefined;
    if (method === 'POST' && body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, partner.timeoutMs);
    timer.unref();
    try {
      let response: Response;
      let text: string;
      try {
        response = await fetch(url, { method, headers, body: payload, signal: controller.signal });
      } catch (error) {
        throw timedOut
          ? new AttemptFailure(fail(`no answer within ${partner.timeoutMs} ms`, 'timeout'), true, true)
          : new AttemptFailure(fail(`network error: ${describe(error)}`, 'network'), true, true);
      }
      if (!response.ok) {
        // Drain the body so the connection can be reused, but never wait on it past the timeout.
        await response.arrayBuffer().catch(() => undefined);
        const status = response.status;
        if (status === 429) {
          const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now());
          if (retryAfterMs !== undefined && retryAfterMs > maxRetryAfterMs) {
            throw new AttemptFailure(
              new PartnerRateLimitError(partner.id, `rate limited (HTTP 429), asked to wait ${retryAfterMs} ms (more than ${maxRetryAfterMs} ms)`, retryAfterMs),
              false,
              true,
            );
          }
          throw new AttemptFailure(new PartnerRateLimitError(partner.id, 'rate limited (HTTP 429)', retryAfterMs), true, true, retryAfterMs);
        }
        if (status >= 500) throw new AttemptFailure(fail(`HTTP ${status}`, 'http', status), true, true);
        throw new AttemptFailure(fail(`HTTP ${status}`, 'http', status), false, false);
      }
      try {
        text = await response.text();
      } catch (error) {
        throw timedOut
          ? new AttemptFailure(fail(`no complete answer within ${partner.timeoutMs} ms`, 'timeout'), true, true)
          : new AttemptFailure(fail(`answer cut off: ${describe(error)}`, 'network'), true, true);
      }
      if (text.trim() === '') return null;
      try {
        return JSON.parse(text);
      } catch {
        throw new AttemptFailure(fail(`malformed JSON answer (${text.length} bytes)`, 'malformed'), false, true);
      }
    } finally {
      clearTimeout(timer);
    }
  }

  async function request(path: string, init: RequestInit = {}): Promise<unknown> {
    const current = state();
    let trial = false;
    if (current === 'open' || (current === 'half-open' && trialInFlight)) {
      throw fail('circuit open, not calling the partner', 'circuit-open');
    }
    if (current === 'half-open') {
      trial = true;
      trialInFlight = true;
    }
    const method = init.method ?? 'GET';
    const url = buildUrl(path, init.query);
    // A half-open trial is one request, without retries.
    const attempts = trial ? 1 : retries + 1;
    try {
      for (let n = 0; ; n++) {
        try {
          const result = await attempt(url, method, init.body);
          consecutiveFailures = 0;
          if (openedAt !== undefined) logger?.info({ url }, 'partner circuit closed');
          openedAt = undefined;
          return result;
        } catch (error) {
          if (!(error instanceof AttemptFailure)) throw error;
          const last = n + 1 >= attempts;
          if (!error.retryable || last) {
            if (error.partnerFault) recordFailure(url, error.error, trial);
            else consecutiveFailures = 0;
            logger?.warn({ url, reason: error.error.reason, status: error.error.status, attempts: n + 1 }, 'partner call failed');
            throw error.error;
          }
          const backoff = backoffMs * 2 ** n;
          const delay = error.retryAfterMs ?? Math.round(backoff / 2 + (random() * backoff) / 2);
          logger?.debug({ url, reason: error.error.reason, status: error.error.status, attempt: n + 1, delay }, 'partner call failed, retrying');
          await sleep(delay);
        }
      }
    } finally {
      if (trial) trialInFlight = false;
    }
  }

  function recordFailure(url: string, error: PartnerError, trial: boolean): void {
    consecutiveFailures += 1;
    if (trial || consecutiveFailures >= breaker.failures) {
      openedAt = now();
      logger?.warn(
        { url, reason: error.reason, consecutiveFailures, openMs: breaker.openMs },
        trial ? 'partner circuit reopened (trial request failed)' : 'partner circuit opened',
      );
    }
  }

  return {
    request,
    get calls() {
      return calls;
    },
    breakerState: state,
  };
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    const detail = cause instanceof Error ? cause.message : cause !== undefined ? String(cause) : undefined;
    return detail ? `${error.message} (${detail})` : error.message;
  }
  return String(error);
}
