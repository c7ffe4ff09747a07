import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { LRUCache } from 'lru-cache';
import type { Config, JwtAlgorithm } from '../config';
import { InputError } from '../errors';
import type { Store } from '../store/database';
import { formatDuration, parseDuration } from '../duration';
import { resolveKeyMaterial, type KeyMaterial } from './signing-key';
import type { Viewer } from './viewer';

/**
 * Reusers' tokens: JWTs signed by Passerelle (claims `sub` = client id, `scope`, `jti`, `iss`, `aud`, `iat`,
 * `exp`), each recorded in `api_tokens` so that it can be listed and revoked.
 */

/** Which check a token failed. */
export type AuthCheck =
  | 'malformed'
  | 'algorithm'
  | 'signature'
  | 'expired'
  | 'not-yet-valid'
  | 'audience'
  | 'issuer'
  | 'missing-exp'
  | 'unknown-client'
  | 'revoked-client'
  | 'unknown-token'
  | 'revoked-token';

/** A token that does not authenticate. The message names the failed check; it never contains the token. */
export class AuthError extends Error {
  constructor(
    readonly check: AuthCheck,
    detail: string,
  ) {
    super(`invalid token (${check}): ${detail}`);
    this.name = 'AuthError';
  }
}

export interface IssueOptions {
  clientId: string;
  /** Scopes the token carries; each must be allowed to the client. Default: none. */
  scopes?: string[];
  /** Lifetime: seconds, or a duration such as `90d`, `12h`. Default: PASSERELLE_TOKEN_DEFAULT_TTL. */
  ttl?: string | number;
}

export interface IssuedToken {
  token: string;
  jti: string;
  expiresAt: Date;
}

/** Signs a token for a client and records it in `api_tokens`. Operator mistakes are InputErrors. */
export async function issueToken(
  store: Store,
  config: Config,
  options: IssueOptions,
  keys?: KeyMaterial,
): Promise<IssuedToken> {
  const auth = config.auth;
  const ttl = ttlSeconds(options.ttl, auth.tokenDefaultTtl, auth.tokenMaxTtl);
  const client = await store.prisma.apiClient.findUnique({ where: { id: options.clientId } });
  if (!client) throw new InputError(`no client ${options.clientId} (see \`passerelle clients list\`)`);
  if (client.revokedAt) {
    throw new InputError(`client ${client.id} was revoked on ${client.revokedAt.toISOString()}: no token can be issued to it`);
  }
  const scopes = [...new Set(options.scopes ?? [])];
  for (const scope of scopes) {
    if (!client.scopes.includes(scope)) {
      throw new InputError(
        `client ${client.id} is not allowed the scope ${scope} (allowed: ${client.scopes.length ? client.scopes.join(', ') : 'none'})`,
      );
    }
  }
  const material = keys ?? (await resolveKeyMaterial(store, auth));
  const key = material.signingKey();
  const iat = Math.floor(Date.now() / 1000);
  const exp = iat + ttl;
  const jti = randomUUID();
  const payload: jwt.JwtPayload = { sub: client.id, jti, iss: auth.issuer, aud: auth.audience, iat, exp };
  if (scopes.length) payload.scope = scopes.join(' ');
  const token = jwt.sign(payload, key, { algorithm: material.signingAlgorithm });
  const expiresAt = new Date(exp * 1000);
  await store.prisma.apiToken.create({
    data: { jti, clientId: client.id, scopes, issuedAt: new Date(iat * 1000), expiresAt },
  });
  return { token, jti, expiresAt };
}

function ttlSeconds(ttl: string | number | undefined, fallback: number, max: number): number {
  if (ttl === undefined) return fallback;
  const seconds = typeof ttl === 'number' ? (Number.isInteger(ttl) && ttl > 0 ? ttl : undefined) : parseDuration(ttl);
  if (seconds === undefined) throw new InputError(`ttl "${ttl}" is not a duration such as 90d, 12h, 30m or 45s`);
  if (seconds > max) {
    throw new InputError(`ttl ${formatDuration(seconds)} is longer than the maximum ${formatDuration(max)} (PASSERELLE_TOKEN_MAX_TTL)`);
  }
  return seconds;
}

/** `Authorization: Bearer <token>` → the token; no header → undefined; any other form → AuthError('malformed'). */
export function bearerToken(authorizationHeader: string | undefined): string | undefined {
  if (authorizationHeader === undefined) return undefined;
  const match = /^\s*Bearer[ \t]+([^\s]+)\s*$/i.exec(authorizationHeader);
  if (!match) throw new AuthError('malformed', 'the Authorization header must be "Bearer <token>"');
  return match[1];
}

/** A client's and a token's state, as one statement reads them. */
interface Standing {
  clientId: string | null;
  clientScopes: string[] | null;
  clientSources: string[] | null;
  clientOrigins: string[] | null;
  clientRevokedAt: Date | null;
  tokenClientId: string | null;
  tokenScopes: string[] | null;
  tokenRevokedAt: Date | null;
}

const STANDING_SQL = `
SELECT c.id AS "clientId", c.scopes AS "clientScopes", c.sources AS "clientSources", c.origins AS "clientOrigins", c.revoked_at AS "clientRevokedAt",
       t.client_id AS "tokenClientId", t.scopes AS "tokenScopes", t.revoked_at AS "tokenRevokedAt"
FROM (SELECT $1::text AS client_id, $2::text AS jti) k
LEFT JOIN api_clients c ON c.id = k.client_id
LEFT JOIN api_tokens t ON t.jti = k.jti`;

const MAX_TOKEN_LENGTH = 8192;

/**
 * Checks tokens: one per process, built with the store and the configuration. Signature, algorithm
 * (pinned to the configured list: `none` and algorithm confusion fail), issuer, audience, exp (required),
 * nbf and max age first; then the client and the token must be on record and not revoked. Their state is
 * cached for PASSERELLE_REVOCATION_CACHE_SECONDS (one SQL statement per miss), so a revocation takes
 * effect within that delay.
 */
export class TokenVerifier {
  private keys?: Promise<KeyMaterial>;
  private readonly cache?: LRUCache<string, Promise<Standing>>;

  constructor(
    private readonly store: Store,
    private readonly config: Config,
  ) {
    const seconds = config.auth.revocationCacheSeconds;
    if (seconds > 0) this.cache = new LRUCache({ max: 10_000, ttl: seconds * 1000 });
  }

  async verify(token: string): Promise<Viewer> {
    const auth = this.config.auth;
    if (typeof token !== 'string' || !token || token.length > MAX_TOKEN_LENGTH) {
      throw new AuthError('malformed', 'not a JSON Web Token');
    }
    let decoded: jwt.Jwt | null;
    try {
      decoded = jwt.decode(token, { complete: true });
    } catch {
      decoded = null;
    }
    if (!decoded || typeof decoded.payload === 'string') throw new AuthError('malformed', 'not a JSON Web Token');
    const algorithm = decoded.header.alg;
    if (!(auth.algorithms as string[]).includes(algorithm)) {
      throw new AuthError('algorithm', `algorithm ${JSON.stringify(String(algorithm).slice(0, 16))} is not accepted (accepted: ${auth.algorithms.join(', ')})`);
    }
    const keys = await this.keyMaterial();
    let payload: jwt.JwtPayload;
    try {
      const verified = jwt.verify(token, keys.verificationKey(algorithm as JwtAlgorithm), {
        algorithms: auth.algorithms,
        issuer: auth.issuer,
        audience: auth.audience,
        clockTolerance: auth.clockTolerance,
        maxAge: auth.tokenMaxTtl,
      });
      if (typeof verified === 'string') throw new AuthError('malformed', 'the payload is not a JSON object');
      payload = verified;
    } catch (error) {
      throw toAuthError(error, auth.issuer, auth.audience);
    }
    if (payload.exp === undefined) throw new AuthError('missing-exp', 'the token has no expiry (exp)');
    const { sub, jti } = payload;
    if (typeof sub !== 'string' || !sub || typeof jti !== 'string' || !jti) {
      throw new AuthError('malformed', 'the token has no subject (sub) or id (jti)');
    }
    if (payload.scope !== undefined && typeof payload.scope !== 'string') {
      throw new AuthError('malformed', 'the scope claim is not a string');
    }

    const standing = await this.standing(sub, jti);
    if (!standing.clientId) throw new AuthError('unknown-client', `no client ${sub}`);
    if (standing.clientRevokedAt) throw new AuthError('revoked-client', `client ${sub} is revoked`);
    if (standing.tokenClientId !== sub) throw new AuthError('unknown-token', `token ${jti} is not on record for client ${sub}`);
    if (standing.tokenRevokedAt) throw new AuthError('revoked-token', `token ${jti} is revoked`);

    const allowed = new Set(standing.clientScopes ?? []);
    const recorded = new Set(standing.tokenScopes ?? []);
    const claimed = String(payload.scope ?? '').split(' ').filter(Boolean);
    return {
      kind: 'client',
      clientId: sub,
      tokenId: jti,
      scopes: new Set(claimed.filter((s) => allowed.has(s) && recorded.has(s))),
      allowedSources: new Set(standing.clientSources ?? []),
      origins: standing.clientOrigins ?? [],
    };
  }

  private keyMaterial(): Promise<KeyMaterial> {
    this.keys ??= resolveKeyMaterial(this.store, this.config.auth).catch((error: unknown) => {
      this.keys = undefined;
      throw error;
    });
    return this.keys;
  }

  private standing(clientId: string, jti: string): Promise<Standing> {
    const read = async () => {
      const rows = await this.store.prisma.$queryRawUnsafe<Standing[]>(STANDING_SQL, clientId, jti);
      return rows[0];
    };
    if (!this.cache) return read();
    const key = `${clientId}\u0000${jti}`;
    let entry = this.cache.get(key);
    if (!entry) {
      entry = read();
      this.cache.set(key, entry);
      entry.catch(() => this.cache?.delete(key));
    }
    return entry;
  }
}

function toAuthError(error: unknown, issuer: string, audience: string): AuthError {
  if (error instanceof AuthError) return error;
  if (error instanceof jwt.TokenExpiredError) {
    return new AuthError('expired', error.message === 'maxAge exceeded' ? 'the token is older than the longest lifetime allowed' : `the token expired on ${error.expiredAt.toISOString()}`);
  }
  if (error instanceof jwt.NotBeforeError) return new AuthError('not-yet-valid', `the token is not valid before ${error.date.toISOString()}`);
  const message = error instanceof Error ? error.message : '';
  if (message === 'invalid signature' || message === 'jwt signature is required') {
    return new AuthError('signature', 'the signature does not match');
  }
  if (message === 'invalid algorithm') return new AuthError('algorithm', 'the algorithm is not accepted');
  if (message.startsWith('jwt audience invalid')) return new AuthError('audience', `the token is not for ${audience}`);
  if (message.startsWith('jwt issuer invalid')) return new AuthError('issuer', `the token was not issued by ${issuer}`);
  return new AuthError('malformed', 'the token cannot be read');
}
