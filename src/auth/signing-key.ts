import { createPrivateKey, createPublicKey, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import type { AuthConfig, JwtAlgorithm } from '../config';
import { InputError } from '../errors';
import type { Store } from '../store/database';

/** The `settings` key of the generated HS* signing secret. */
export const SECRET_SETTING = 'jwt.secret';

/**
 * The keys tokens are signed and verified with. Configured material wins (PASSERELLE_JWT_SECRET, the PEM
 * files); otherwise, for HS* algorithms, a secret generated on first need and kept in the store, so that
 * the CLI and every server instance on the same database share it.
 */
export interface KeyMaterial {
  /** The algorithm new tokens are signed with: the first configured one. */
  signingAlgorithm: JwtAlgorithm;
  /** The key to sign with; InputError when this process cannot sign (RS256/ES256 without a private key file). */
  signingKey(): KeyObject;
  /** The key a token of this (configured) algorithm is verified with. */
  verificationKey(algorithm: JwtAlgorithm): KeyObject;
}

export async function resolveKeyMaterial(store: Store, config: AuthConfig): Promise<KeyMaterial> {
  const hmac = config.algorithms.some((a) => a.startsWith('HS'));
  const secret = hmac ? createSecretKey(Buffer.from(config.jwtSecret ?? (await storedSecret(store)), 'utf8')) : undefined;
  const publicKey = config.publicKeyFile ? createPublicKey(fs.readFileSync(config.publicKeyFile, 'utf8')) : undefined;
  let privateKey: KeyObject | undefined;
  const keyFor = (algorithm: JwtAlgorithm, asymmetric: KeyObject | undefined, what: string): KeyObject => {
    const key = algorithm.startsWith('HS') ? secret : asymmetric;
    if (!key) throw new InputError(`cannot use ${algorithm}: ${what} is not configured`);
    return key;
  };
  const signingAlgorithm = config.algorithms[0];
  return {
    signingAlgorithm,
    signingKey() {
      if (!signingAlgorithm.startsWith('HS') && !privateKey && config.privateKeyFile) {
        privateKey = createPrivateKey(fs.readFileSync(config.privateKeyFile, 'utf8'));
      }
      return keyFor(signingAlgorithm, privateKey, 'PASSERELLE_JWT_PRIVATE_KEY_FILE (needed to issue tokens)');
    },
    verificationKey: (algorithm) => keyFor(algorithm, publicKey, 'PASSERELLE_JWT_PUBLIC_KEY_FILE'),
  };
}

/**
 * The generated signing secret, created on first need. Race-safe: every process inserts its candidate
 * and ignores a conflict, then all read the one row that won.
 */
export async function storedSecret(store: Store): Promise<string> {
  const existing = await readSetting(store, SECRET_SETTING);
  if (existing !== undefined) return existing;
  const candidate = randomBytes(48).toString('base64url');
  await store.prisma.$executeRawUnsafe(
    `INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`,
    SECRET_SETTING,
    candidate,
  );
  const value = await readSetting(store, SECRET_SETTING);
  if (value === undefined) throw new Error(`the ${SECRET_SETTING} setting could not be read back after it was written`);
  return value;
}

async function readSetting(store: Store, key: string): Promise<string | undefined> {
  const rows = await store.prisma.$queryRawUnsafe<{ value: string }[]>(`SELECT value FROM settings WHERE key = $1`, key);
  return rows[0]?.value;
}
