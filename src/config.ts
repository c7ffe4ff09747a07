import path from 'node:path';
import { z } from 'zod';

/**
 * Every setting Passerelle reads, parsed and validated once. The README's configuration table lists
 * the same variables; keep them in step.
 */
const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL')
    .optional(),
  PASSERELLE_DATA_DIR: z.string().default('.passerelle'),
  PASSERELLE_SEED_ON_EMPTY: z.enum(['true', 'false']).default('true'),
  NODE_ENV: z.string().default('production'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface Config {
  port: number;
  host: string;
  /** PostgreSQL when set; otherwise the embedded PGlite store in dataDir. */
  databaseUrl?: string;
  dataDir: string;
  seedOnEmpty: boolean;
  development: boolean;
  logLevel: string;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(emptyAsUnset(env));
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${issues}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.PASSERELLE_DATA_DIR),
    seedOnEmpty: e.PASSERELLE_SEED_ON_EMPTY === 'true',
    development: e.NODE_ENV === 'development',
    logLevel: e.LOG_LEVEL,
  };
}

function emptyAsUnset(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')) as Record<
    string,
    string
  >;
}
