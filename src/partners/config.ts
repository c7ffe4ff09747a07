import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../config';
import { isValue } from '../domain/nomenclatures';
import { PARTNER_TYPES } from './index';
import type { PartnerConfig } from './types';

/** A partner as declared in the file: its connector's config, plus how it is harvested. */
export interface DeclaredPartner extends PartnerConfig {
  /** Harvest: delete a record once this many consecutive complete passes have not listed it (default 2). */
  deleteAfterPasses?: number;
}


/** The file read from the working directory when PASSERELLE_CONFIG is not set. */
export const DEFAULT_CONFIG_FILE = 'passerelle.config.json';

const PartnerSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be letters, digits, dots, dashes or underscores'),
    type: z.enum(PARTNER_TYPES),
    baseUrl: z
      .string()
      .refine((v) => {
        try {
          const url = new URL(v);
          return url.protocol === 'http:' || url.protocol === 'https:';
        } catch {
          return false;
        }
      }, 'must be an http:// or https:// URL'),
    token: z.string().min(1, 'must not be empty').optional(),
    tokenEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the name of an environment variable')
      .optional(),
    live: z.boolean().default(false),
    sources: z
      .array(z.string().refine((v) => isValue('sources', v), { error: (i) => `"${String(i.input)}" is not a source slug (see the sources nomenclature)` }))
      .min(1, 'must name at least one source'),
    cacheTtlSeconds: z.number().min(0).max(86_400).default(300),
    timeoutMs: z.number().int().min(1).max(120_000).default(2000),
    deleteAfterPasses: z.number().int().min(1).max(1000).optional(),
  })
  .strict()
  .refine((p) => !(p.token !== undefined && p.tokenEnv !== undefined), {
    message: 'give either token or tokenEnv, not both',
    path: ['tokenEnv'],
  });

const FileSchema = z
  .object({
    partners: z.array(PartnerSchema).default([]),
  })
  .strict();

function formatPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else out += out ? `.${String(s)}` : String(s);
  }
  return out || '(root)';
}

/**
 * The partners declared in `passerelle.config.json` (working directory) or in the file named by
 * PASSERELLE_CONFIG. No file (and no PASSERELLE_CONFIG): no partners. Tokens named by `tokenEnv` are
 * resolved here; an error names the file and the path of the faulty value (`partners[1].baseUrl: …`).
 */
export function loadPartnersConfig(env: NodeJS.ProcessEnv = process.env): DeclaredPartner[] {
  const explicit = env.PASSERELLE_CONFIG !== undefined && env.PASSERELLE_CONFIG !== '';
  const file = path.resolve(explicit ? env.PASSERELLE_CONFIG! : DEFAULT_CONFIG_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !explicit) return [];
    throw new ConfigError(
      `invalid partners configuration: ${code === 'ENOENT' ? 'no such file' : `cannot read it (${code ?? String(error)})`}: ${file}` +
        (explicit ? ' (named by PASSERELLE_CONFIG)' : ''),
    );
  }
  return parsePartnersConfig(text, file, env);
}

/** Validates the text of a partners file (`file` only names it in errors). */
export function parsePartnersConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): DeclaredPartner[] {
  const fail = (message: string): never => {
    throw new ConfigError(`invalid partners configuration in ${file}: ${message}`);
  };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return fail(`not valid JSON (${(error as Error).message})`);
  }
  const parsed = FileSchema.safeParse(json);
  if (!parsed.success) {
    return fail(parsed.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`).join('; '));
  }
  const problems: string[] = [];
  const seenIds = new Map<string, number>();
  const liveSources = new Map<string, string>();
  const partners: DeclaredPartner[] = parsed.data.partners.map((p, index) => {
    const at = `partners[${index}]`;
    const first = seenIds.get(p.id);
    if (first !== undefined) problems.push(`${at}.id: "${p.id}" is already the id of partners[${first}]`);
    else seenIds.set(p.id, index);

    let token = p.token;
    if (p.tokenEnv !== undefined) {
      const value = env[p.tokenEnv];
      if (value === undefined || value === '') problems.push(`${at}.tokenEnv: the environment variable ${p.tokenEnv} is not set`);
      else token = value;
    }

    const sources = [...new Set(p.sources)];
    if (p.live) {
      for (const source of sources) {
        const owner = liveSources.get(source);
        if (owner !== undefined && owner !== p.id) {
          problems.push(`${at}.sources: source "${source}" is already resolved live by partner "${owner}"`);
        } else liveSources.set(source, p.id);
      }
    }
    const partner: DeclaredPartner = {
      id: p.id,
      type: p.type,
      baseUrl: p.baseUrl.replace(/\/+$/, ''),
      live: p.live,
      sources,
      cacheTtlSeconds: p.cacheTtlSeconds,
      timeoutMs: p.timeoutMs,
    };
    if (token !== undefined) partner.token = token;
    if (p.deleteAfterPasses !== undefined) partner.deleteAfterPasses = p.deleteAfterPasses;
    return partner;
  });
  if (problems.length) fail(problems.join('; '));
  return partners;
}
