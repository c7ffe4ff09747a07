import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Viewer } from '../auth/viewer';
import type { RateLimiter } from '../cache/rate-buckets';
import type { Bucket, RateLimits } from '../config';
import { ErrorCode } from '../errors';
import { rateLimited } from '../metrics';

/**
 * Token buckets per caller: a reuser by its client (the token's `sub`), an anonymous caller by its IP.
 * A bucket holds up to `burst` requests and refills at `rate` per second; a request takes one, and a
 * request finding it empty gets HTTP 429 with `Retry-After` (src/app.ts). `/healthz`, `/readyz`,
 * `/metrics` and the playground's page are never limited (they are answered before this is asked).
 */

/** The bucket of one caller: the key and the shape that applies to it. */
export function bucketFor(viewer: Viewer | undefined, req: IncomingMessage, limits: RateLimits, trustProxy: boolean): { key: string; bucket: Bucket; kind: 'anonymous' | 'client' } {
  if (viewer?.kind === 'client') return { key: `client:${viewer.clientId}`, bucket: limits.client, kind: 'client' };
  return { key: `ip:${clientIp(req, trustProxy)}`, bucket: limits.anonymous, kind: 'anonymous' };
}

/**
 * The caller's IP. `X-Forwarded-For` is a header any client can write: believed blindly, it would let
 * anyone pick a fresh "IP" per request and never meet a limit (or spend someone else's). It is read only
 * when PASSERELLE_TRUST_PROXY says a proxy of ours sits in front and sets it; then the last address in it
 * is the one that proxy saw (earlier entries came from the client and prove nothing).
 */
export function clientIp(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const header = req.headers['x-forwarded-for'];
    const value = Array.isArray(header) ? header.join(',') : header;
    const last = value
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .pop();
    if (last) return last;
  }
  return req.socket.remoteAddress ?? 'unknown';
}
/**
 * The limits as the HTTP server applies them: one bucket taken per GraphQL request, a `429` when it is
 * empty. Whose bucket is known only once the token is verified (an unverified `sub` would let anyone
 * spend a reuser's requests); a token that fails its checks is counted against its IP, as anonymous.
 */
export class RateLimitGuard {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly limits: RateLimits,
    private readonly trustProxy: boolean,
  ) {}

  /** True when the request was refused (the 429 is sent). */
  /** Answers 429 when the caller's bucket is empty (a GraphQL error, or `{ detail }` for the REST API). */
  async refuse(req: IncomingMessage, res: ServerResponse, viewer: Viewer | undefined, shape: 'graphql' | 'rest' = 'graphql'): Promise<boolean> {
    const { key, bucket, kind } = bucketFor(viewer, req, this.limits, this.trustProxy);
    if (bucket.rate <= 0) return false;
    const verdict = await this.limiter.take(key, bucket);
    if (verdict.allowed) return false;
    rateLimited.inc({ caller: kind });
    // The body is not read: let it be discarded, so that the connection stays usable (and idle once answered).
    req.resume();
    const who = kind === 'client' ? 'a client' : 'an anonymous caller (per IP)';
    res.writeHead(429, { 'content-type': 'application/json; charset=utf-8', 'retry-after': String(verdict.retryAfter), 'cache-control': 'no-store' });
    const message = `rate limit exceeded: ${who} may send ${bucket.burst} requests at once, then ${bucket.rate} per second; retry in ${verdict.retryAfter} s`;
    res.end(
      JSON.stringify(
        shape === 'rest'
          ? { detail: message }
          : { errors: [{ message, extensions: { code: ErrorCode.RATE_LIMITED, retryAfter: verdict.retryAfter } }] },
      ),
    );
    return true;
  }
}
