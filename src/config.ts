import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { formatDuration, parseDuration } from './duration';
import { isValue } from './domain/nomenclatures';
import { DEFAULT_LIMITS } from './limits/defaults';
import { DEFAULT_FRESHNESS, type FreshnessThresholds } from './quality/freshness';

/** The JWT algorithms Passerelle accepts. `none` is never one of them. */
export const JWT_ALGORITHMS = ['HS256', 'HS384', 'HS512', 'RS256', 'ES256'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine((v) => parseDuration(v) !== undefined, 'must be a duration such as 90d, 12h, 30m or 45s')
    .transform((v) => parseDuration(v)!);

const commaList = (v: string) =>
  v
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

/**
 * Every setting Passerelle reads, parsed and validated once. The README's configuration table lists
 * the same variables; keep them in step.
 */
const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().default('127.0.0.1'),
  PASSERELLE_SHUTDOWN_TIMEOUT: duration('10s'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL')
    .optional(),
  PASSERELLE_DATA_DIR: z.string().default('.passerelle'),
  PASSERELLE_SEED_ON_EMPTY: z.enum(['true', 'false']).default('true'),
  PASSERELLE_COMPILED_READS: z.enum(['true', 'false']).default('true'),
  NODE_ENV: z.string().default('production'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PASSERELLE_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  PASSERELLE_JWT_ALGORITHMS: z
    .string()
    .default('HS256')
    .transform(commaList)
    .pipe(
      z
        .array(
          z.string().refine((v): v is JwtAlgorithm => (JWT_ALGORITHMS as readonly string[]).includes(v), {
            error: (issue) =>
              String(issue.input).toLowerCase() === 'none'
                ? `"none" (unsigned tokens) is never accepted (accepted: ${JWT_ALGORITHMS.join(', ')})`
                : `"${String(issue.input)}" is not an accepted algorithm (accepted: ${JWT_ALGORITHMS.join(', ')})`,
          }),
        )
        .min(1, `must name at least one algorithm (${JWT_ALGORITHMS.join(', ')})`),
    ),
  PASSERELLE_JWT_PUBLIC_KEY_FILE: z.string().optional(),
  PASSERELLE_JWT_PRIVATE_KEY_FILE: z.string().optional(),
  PASSERELLE_JWT_ISSUER: z.string().default('passerelle'),
  PASSERELLE_JWT_AUDIENCE: z.string().default('passerelle-api'),
  PASSERELLE_TOKEN_MAX_TTL: duration('365d'),
  PASSERELLE_TOKEN_DEFAULT_TTL: duration('90d'),
  PASSERELLE_JWT_CLOCK_TOLERANCE: z.coerce.number().int().min(0).max(3600).default(30),
  PASSERELLE_REVOCATION_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(5),
  PASSERELLE_MAX_DEPTH: z.coerce.number().int().positive().default(DEFAULT_LIMITS.maxDepth),
  PASSERELLE_MAX_ALIASES: z.coerce.number().int().positive().default(DEFAULT_LIMITS.maxAliases),
  PASSERELLE_MAX_COST: z.coerce.number().int().positive().default(DEFAULT_LIMITS.maxCost),
  PASSERELLE_STATEMENT_TIMEOUT: duration('10s'),
  PASSERELLE_FRESH_DAYS: z.coerce.number().int().positive().max(36500).default(DEFAULT_FRESHNESS.freshDays),
  PASSERELLE_STALE_DAYS: z.coerce.number().int().positive().max(36500).default(DEFAULT_FRESHNESS.staleDays),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  PASSERELLE_REDIS_PREFIX: z.string().default('passerelle:'),
  PASSERELLE_TRUST_PROXY: z.enum(['true', 'false']).default('false'),
  PASSERELLE_RATE_ANONYMOUS: z.coerce.number().min(0).max(100_000).default(20),
  PASSERELLE_BURST_ANONYMOUS: z.coerce.number().int().min(1).max(1_000_000).default(120),
  PASSERELLE_RATE_CLIENT: z.coerce.number().min(0).max(100_000).default(100),
  PASSERELLE_BURST_CLIENT: z.coerce.number().int().min(1).max(1_000_000).default(600),
  PASSERELLE_RESPONSE_CACHE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(30),
  PASSERELLE_APQ_TTL: duration('1d'),
  PASSERELLE_CHANGES_RETENTION: duration('90d'),
  PASSERELLE_WS_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(100_000).default(20),
  PASSERELLE_WS_MAX_SUBSCRIPTIONS: z.coerce.number().int().min(1).max(10_000).default(20),
  PASSERELLE_PUSH_MAX_RECORDS: z.coerce.number().int().min(1).max(1_000_000).default(1000),
  PASSERELLE_PUSH_MAX_BYTES: z.coerce.number().int().min(1024).max(1_073_741_824).default(10 * 1024 * 1024),
  PASSERELLE_WEBHOOK_ALLOW_PRIVATE: z.enum(['true', 'false']).default('false'),
  PASSERELLE_WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(1).max(3_600_000).default(10_000),
  PASSERELLE_WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
  PASSERELLE_WEBHOOK_POLL_MS: z.coerce.number().int().min(10).max(3_600_000).default(2000),
  PASSERELLE_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** The largest file the valideur (/valideur) reads, in bytes; a larger upload is refused with 413. */
  PASSERELLE_VALIDATOR_MAX_BYTES: z.coerce.number().int().min(1024).default(20 * 1024 * 1024),
});

/** A rate limit's token bucket (src/http/rate-limit.ts); `rate` 0 means no limit for that kind of caller. */
export interface Bucket {
  /** Requests per second, refilled continuously. */
  rate: number;
  /** Most requests in a burst (the bucket's size). */
  burst: number;
}

/** The buckets per kind of caller: an anonymous caller's IP, a reuser's client. */
export interface RateLimits {
  anonymous: Bucket;
  client: Bucket;
}

/** Reusers' tokens: how they are signed and checked (see README, "Access: tokens and reusers"). */
export interface AuthConfig {
  /** HS* secret (≥ 32 characters). Absent: a secret generated once and kept in the store (`settings`). */
  jwtSecret?: string;
  /** Accepted algorithms; tokens are issued with the first. */
  algorithms: JwtAlgorithm[];
  /** PEM file of the RS256/ES256 verification key (absolute path). */
  publicKeyFile?: string;
  /** PEM file of the RS256/ES256 signing key (absolute path): lets this process issue tokens. */
  privateKeyFile?: string;
  issuer: string;
  audience: string;
  /** Longest token lifetime, seconds (also the `maxAge` checked on `iat`). */
  tokenMaxTtl: number;
  /** Lifetime of a token issued without `--ttl`, seconds. */
  tokenDefaultTtl: number;
  /** Clock skew allowed on exp/nbf/iat, seconds. */
  clockTolerance: number;
  /** How long a client's or token's state is cached: revocation takes effect within this delay, seconds. */
  revocationCacheSeconds: number;
}

export interface Config {
  port: number;
  host: string;
  /** PostgreSQL when set; otherwise the embedded PGlite store in dataDir. */
  databaseUrl?: string;
  dataDir: string;
  seedOnEmpty: boolean;
  /** Read queries answered by one statement building the response (README: how a read is answered). */
  compiledReads: boolean;
  development: boolean;
  logLevel: string;
  auth: AuthConfig;
  /** Sources whose records only clients allowed them see (source slugs). */
  restrictedSources: string[];
  /** Query limits (README, "Query limits"). */
  limits: { maxDepth: number; maxAliases: number; maxCost: number };
  /** PostgreSQL: the graph's reads are cancelled past this many seconds (QUERY_TIMEOUT). */
  statementTimeout: number;
  /** Thresholds of a record's `fraicheur` verdict, in days (README, "Data quality"). */
  freshness: FreshnessThresholds;
  /** On SIGTERM/SIGINT: longest wait for requests in flight and the store's close before exiting anyway, ms. */
  shutdownTimeoutMs: number;
  /** Redis shared by every instance (rate limits, persisted queries, response cache); absent: each process's memory. */
  redisUrl?: string;
  /** Prefix of every key written to Redis. */
  redisPrefix: string;
  /** Believe `X-Forwarded-For` for the caller's IP (only behind a proxy of ours that sets it). */
  trustProxy: boolean;
  /** Token buckets per kind of caller (requests per second, burst); rate 0: no limit. */
  rateLimits: RateLimits;
  /** How long a GET response is reused, seconds; 0: no response cache. */
  responseCacheSeconds: number;
  /** How long a persisted query's text is kept, seconds. */
  persistedQueryTtl: number;
  /** How long the change feed keeps tombstones, seconds (src/store/changes.ts). */
  changesRetentionSeconds: number;
  /** graphql-ws: open connections per caller (a client, or an anonymous IP) and subscriptions per connection. */
  subscriptionLimits: SubscriptionLimits;
  /** The producer write API's limits per request (src/ingest/push.ts). */
  push: PushLimits;
  /** Webhook delivery (src/webhooks/). */
  webhooks: WebhookSettings;
  /** The largest file the valideur reads, bytes (413 above). */
  validatorMaxBytes: number;
}

export interface SubscriptionLimits {
  /** PASSERELLE_WS_MAX_CONNECTIONS: past it, a new connection of the same caller is closed (4429). */
  maxConnections: number;
  /** PASSERELLE_WS_MAX_SUBSCRIPTIONS: past it, a subscription on that connection is refused (RATE_LIMITED). */
  maxSubscriptions: number;
}

export interface PushLimits {
  /** Records per request (PASSERELLE_PUSH_MAX_RECORDS). */
  maxRecords: number;
  /** Bytes of a request's body (PASSERELLE_PUSH_MAX_BYTES). */
  maxBytes: number;
}

export interface WebhookSettings {
  /** Endpoints on loopback, private, link-local or unique-local addresses are accepted (tests, a private network). */
  allowPrivate: boolean;
  /** The first retry waits this long; each next one twice as long (capped at an hour). */
  retryBaseMs: number;
  /** Failed attempts in a row before an endpoint is dead (dead letter: `webhooks retry ID` resumes it). */
  maxAttempts: number;
  /** How often the dispatcher looks for new changes without a notification. */
  pollMs: number;
  /** How long a receiver has to answer one delivery. */
  timeoutMs: number;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(emptyAsUnset(env));
  if (!parsed.success) {
    throw new ConfigError(settingErrors(parsed.error.issues, env).map((line) => `invalid configuration: ${line}`).join('\n'));
  }
  const e = parsed.data;
  // Unset means the default; an empty value means "none".
  if (e.PASSERELLE_FRESH_DAYS >= e.PASSERELLE_STALE_DAYS) {
    throw new ConfigError(
      `invalid configuration: PASSERELLE_FRESH_DAYS (${e.PASSERELLE_FRESH_DAYS}) must be less than PASSERELLE_STALE_DAYS (${e.PASSERELLE_STALE_DAYS})`,
    );
  }
  const restricted = env.PASSERELLE_RESTRICTED_SOURCES === undefined ? 'soliguide' : env.PASSERELLE_RESTRICTED_SOURCES;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.PASSERELLE_DATA_DIR),
    seedOnEmpty: e.PASSERELLE_SEED_ON_EMPTY === 'true',
    compiledReads: e.PASSERELLE_COMPILED_READS === 'true',
    development: e.NODE_ENV === 'development',
    logLevel: e.LOG_LEVEL,
    auth: authConfig(e),
    restrictedSources: restrictedSources(restricted),
    limits: { maxDepth: e.PASSERELLE_MAX_DEPTH, maxAliases: e.PASSERELLE_MAX_ALIASES, maxCost: e.PASSERELLE_MAX_COST },
    statementTimeout: e.PASSERELLE_STATEMENT_TIMEOUT,
    freshness: { freshDays: e.PASSERELLE_FRESH_DAYS, staleDays: e.PASSERELLE_STALE_DAYS },
    shutdownTimeoutMs: e.PASSERELLE_SHUTDOWN_TIMEOUT * 1000,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.PASSERELLE_REDIS_PREFIX,
    trustProxy: e.PASSERELLE_TRUST_PROXY === 'true',
    rateLimits: {
      anonymous: { rate: e.PASSERELLE_RATE_ANONYMOUS, burst: e.PASSERELLE_BURST_ANONYMOUS },
      client: { rate: e.PASSERELLE_RATE_CLIENT, burst: e.PASSERELLE_BURST_CLIENT },
    },
    responseCacheSeconds: e.PASSERELLE_RESPONSE_CACHE_SECONDS,
    persistedQueryTtl: e.PASSERELLE_APQ_TTL,
    changesRetentionSeconds: e.PASSERELLE_CHANGES_RETENTION,
    subscriptionLimits: { maxConnections: e.PASSERELLE_WS_MAX_CONNECTIONS, maxSubscriptions: e.PASSERELLE_WS_MAX_SUBSCRIPTIONS },
    push: { maxRecords: e.PASSERELLE_PUSH_MAX_RECORDS, maxBytes: e.PASSERELLE_PUSH_MAX_BYTES },
    webhooks: {
      allowPrivate: e.PASSERELLE_WEBHOOK_ALLOW_PRIVATE === 'true',
      retryBaseMs: e.PASSERELLE_WEBHOOK_RETRY_BASE_MS,
      maxAttempts: e.PASSERELLE_WEBHOOK_MAX_ATTEMPTS,
      pollMs: e.PASSERELLE_WEBHOOK_POLL_MS,
      timeoutMs: e.PASSERELLE_WEBHOOK_TIMEOUT_MS,
    },
    validatorMaxBytes: e.PASSERELLE_VALIDATOR_MAX_BYTES,
  };
}

/** Settings whose value is never printed, even when it is wrong. */
const SECRET_SETTINGS = new Set(['PASSERELLE_JWT_SECRET']);

/**
 * One line per bad setting: its name, what was expected, and the value given — a secret's length only, a
 * URL without its password — so that the operator fixes every one in one go.
 */
function settingErrors(issues: readonly z.core.$ZodIssue[], env: NodeJS.ProcessEnv): string[] {
  const byName = new Map<string, string[]>();
  for (const issue of issues) {
    const name = String(issue.path[0] ?? '');
    byName.set(name, [...(byName.get(name) ?? []), expectation(issue)]);
  }
  return [...byName].map(([name, messages]) => `${name}: ${[...new Set(messages)].join('; ')} (got ${shownValue(name, env[name])})`);
}

function expectation(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.expected === 'number' || issue.expected === 'int' ? 'must be a whole number' : issue.message;
    case 'too_small':
      return issue.origin === 'number' ? `must be ${issue.inclusive ? 'at least' : 'more than'} ${issue.minimum}` : issue.message;
    case 'too_big':
      return issue.origin === 'number' ? `must be ${issue.inclusive ? 'at most' : 'less than'} ${issue.maximum}` : issue.message;
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}`;
    default:
      return issue.message;
  }
}

function shownValue(name: string, value: string | undefined): string {
  if (value === undefined) return 'nothing';
  if (SECRET_SETTINGS.has(name)) return `a value of ${value.length} characters`;
  return JSON.stringify(value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@]*@/i, '$1***@'));
}

function restrictedSources(value: string): string[] {
  const slugs = [...new Set(commaList(value))];
  const unknown = slugs.filter((slug) => !isValue('sources', slug));
  if (unknown.length) {
    throw new ConfigError(
      `invalid configuration: PASSERELLE_RESTRICTED_SOURCES: ${unknown.map((s) => `"${s}"`).join(', ')} ` +
        `${unknown.length > 1 ? 'are not source slugs' : 'is not a source slug'} (see the sources nomenclature)`,
    );
  }
  return slugs;
}

const isHmac = (algorithm: JwtAlgorithm) => algorithm.startsWith('HS');

function authConfig(e: z.infer<typeof EnvSchema>): AuthConfig {
  const fail = (message: string): never => {
    throw new ConfigError(`invalid configuration: ${message}`);
  };
  const algorithms = [...new Set(e.PASSERELLE_JWT_ALGORITHMS as JwtAlgorithm[])];
  const asymmetric = algorithms.filter((a) => !isHmac(a));
  if (e.PASSERELLE_JWT_SECRET && !algorithms.some(isHmac)) {
    fail(`PASSERELLE_JWT_SECRET is set but PASSERELLE_JWT_ALGORITHMS (${algorithms.join(',')}) has no HS256/HS384/HS512`);
  }
  if (asymmetric.length && !e.PASSERELLE_JWT_PUBLIC_KEY_FILE) {
    fail(`PASSERELLE_JWT_ALGORITHMS includes ${asymmetric.join(', ')}: set PASSERELLE_JWT_PUBLIC_KEY_FILE to the PEM file of the verification key`);
  }
  if (!asymmetric.length) {
    for (const name of ['PASSERELLE_JWT_PUBLIC_KEY_FILE', 'PASSERELLE_JWT_PRIVATE_KEY_FILE'] as const) {
      if (e[name]) fail(`${name} is set but PASSERELLE_JWT_ALGORITHMS (${algorithms.join(',')}) has no RS256 or ES256`);
    }
  }
  let publicKeyFile: string | undefined;
  let privateKeyFile: string | undefined;
  if (e.PASSERELLE_JWT_PUBLIC_KEY_FILE) {
    publicKeyFile = path.resolve(e.PASSERELLE_JWT_PUBLIC_KEY_FILE);
    const key = readKey('PASSERELLE_JWT_PUBLIC_KEY_FILE', publicKeyFile, (pem) => createPublicKey(pem), fail);
    for (const algorithm of asymmetric) checkKeyFits('PASSERELLE_JWT_PUBLIC_KEY_FILE', key, algorithm, fail);
    if (e.PASSERELLE_JWT_PRIVATE_KEY_FILE) {
      privateKeyFile = path.resolve(e.PASSERELLE_JWT_PRIVATE_KEY_FILE);
      const privateKey = readKey('PASSERELLE_JWT_PRIVATE_KEY_FILE', privateKeyFile, (pem) => createPrivateKey(pem), fail);
      const derived = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
      if (!derived.equals(key.export({ type: 'spki', format: 'der' }))) {
        fail('PASSERELLE_JWT_PRIVATE_KEY_FILE is not the private key of PASSERELLE_JWT_PUBLIC_KEY_FILE');
      }
    }
  }
  if (e.PASSERELLE_TOKEN_DEFAULT_TTL > e.PASSERELLE_TOKEN_MAX_TTL) {
    fail(
      `PASSERELLE_TOKEN_DEFAULT_TTL (${formatDuration(e.PASSERELLE_TOKEN_DEFAULT_TTL)}) is longer than ` +
        `PASSERELLE_TOKEN_MAX_TTL (${formatDuration(e.PASSERELLE_TOKEN_MAX_TTL)})`,
    );
  }
  return {
    jwtSecret: e.PASSERELLE_JWT_SECRET,
    algorithms,
    publicKeyFile,
    privateKeyFile,
    issuer: e.PASSERELLE_JWT_ISSUER,
    audience: e.PASSERELLE_JWT_AUDIENCE,
    tokenMaxTtl: e.PASSERELLE_TOKEN_MAX_TTL,
    tokenDefaultTtl: e.PASSERELLE_TOKEN_DEFAULT_TTL,
    clockTolerance: e.PASSERELLE_JWT_CLOCK_TOLERANCE,
    revocationCacheSeconds: e.PASSERELLE_REVOCATION_CACHE_SECONDS,
  };
}

function readKey(name: string, file: string, parse: (pem: string) => KeyObject, fail: (m: string) => never): KeyObject {
  let pem: string;
  try {
    pem = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return fail(`${name}: ${code === 'ENOENT' ? 'no such file' : `cannot read it (${code ?? String(error)})`}: ${file}`);
  }
  try {
    return parse(pem);
  } catch {
    return fail(`${name}: ${file} does not hold a PEM key of that kind`);
  }
}

/** RS256 needs an RSA key (≥ 2048 bits); ES256 an EC key on P-256. */
function checkKeyFits(name: string, key: KeyObject, algorithm: JwtAlgorithm, fail: (m: string) => never): void {
  const details = key.asymmetricKeyDetails;
  if (algorithm === 'RS256' && !(key.asymmetricKeyType === 'rsa' && (details?.modulusLength ?? 0) >= 2048)) {
    fail(`${name}: RS256 needs an RSA key of at least 2048 bits, the file holds ${describeKey(key)}`);
  }
  if (algorithm === 'ES256' && !(key.asymmetricKeyType === 'ec' && details?.namedCurve === 'prime256v1')) {
    fail(`${name}: ES256 needs an EC key on P-256, the file holds ${describeKey(key)}`);
  }
}

function describeKey(key: KeyObject): string {
  const d = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'rsa') return `an RSA key of ${d?.modulusLength} bits`;
  if (key.asymmetricKeyType === 'ec') return `an EC key on ${d?.namedCurve}`;
  return `a ${key.asymmetricKeyType} key`;
}

function emptyAsUnset(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')) as Record<
    string,
    string
  >;
}
