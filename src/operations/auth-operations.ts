import { z } from 'zod';
import { issueToken } from '../auth/tokens';
import { SCOPES } from '../auth/viewer';
import { normalizeOrigin } from '../auth/origins';
import { isValue } from '../domain/nomenclatures';
import { InputError } from '../errors';
import type { Operation } from './types';

/**
 * Reusers (API clients) and their tokens: `passerelle clients …` and `passerelle tokens …`. Arguments are
 * JSON, so that each runs locally or on the server that holds the embedded store.
 */

const CLIENT_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

function parse<T>(schema: z.ZodType<T>, args: unknown, operation: string): T {
  const result = schema.safeParse(args);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`).join('; ');
    throw new InputError(`${operation}: ${issues}`);
  }
  return result.data;
}

const list = z.array(z.string()).optional();

const AddArgs = z.object({
  id: z.string().max(64, 'at most 64 characters').regex(CLIENT_ID, 'a slug of lower-case letters, digits and dashes, e.g. dora-front'),
  name: z.string().trim().min(1, 'the client needs a name'),
  email: z.email('not an email address').optional(),
  scopes: list,
  sources: list,
  origins: list,
});

export const clientsAdd: Operation<z.infer<typeof AddArgs>> = {
  migrate: true,
  async run({ store, config }, args) {
    const { id, name, email, scopes = [], sources = [], origins = [] } = parse(AddArgs, args, 'clients add');
    const uniqueOrigins = [...new Set(origins.map((origin) => {
      const normalized = normalizeOrigin(origin);
      if (!normalized) throw new InputError(`"${origin}" is not an origin: give the scheme and host (and port), e.g. https://www.example.org`);
      return normalized;
    }))];
    const uniqueScopes = [...new Set(scopes)];
    const uniqueSources = [...new Set(sources)];
    for (const scope of uniqueScopes) {
      if (!(SCOPES as readonly string[]).includes(scope)) {
        throw new InputError(`unknown scope "${scope}" (known scopes: ${SCOPES.join(', ')})`);
      }
    }
    for (const source of uniqueSources) {
      if (!isValue('sources', source)) throw new InputError(`unknown source "${source}": not a source slug of the sources nomenclature`);
    }
    const existing = await store.prisma.apiClient.findUnique({ where: { id } });
    if (existing) throw new InputError(`client ${id} already exists${existing.revokedAt ? ' (revoked)' : ''}`);
    await store.prisma.apiClient.create({ data: { id, name, email, scopes: uniqueScopes, sources: uniqueSources, origins: uniqueOrigins } });
    const lines = [`added client ${id} (scopes: ${joined(uniqueScopes)}; sources: ${joined(uniqueSources)}${uniqueOrigins.length ? `; origins: ${uniqueOrigins.join(', ')}` : ''})`];
    const open = uniqueSources.filter((s) => !config.restrictedSources.includes(s));
    if (open.length) {
      lines.push(`note: ${open.join(', ')} ${open.length > 1 ? 'are' : 'is'} not restricted (PASSERELLE_RESTRICTED_SOURCES): every caller sees ${open.length > 1 ? 'them' : 'it'}`);
    }
    return { lines };
  },
};

export const clientsList: Operation<Record<string, never>> = {
  migrate: true,
  async run({ store }) {
    const clients = await store.prisma.apiClient.findMany({ orderBy: { id: 'asc' } });
    if (!clients.length) return { lines: ['no client'] };
    return {
      lines: table(
        ['ID', 'NAME', 'SCOPES', 'SOURCES', 'ORIGINS', 'CREATED', 'REVOKED'],
        clients.map((c) => [c.id, c.name, joined(c.scopes, '-'), joined(c.sources, '-'), joined(c.origins, '-'), instant(c.createdAt), instant(c.revokedAt)]),
      ),
    };
  },
};

const IdArgs = z.object({ id: z.string().min(1, 'a client id is needed') });

export const clientsRevoke: Operation<z.infer<typeof IdArgs>> = {
  migrate: true,
  async run({ store }, args) {
    const { id } = parse(IdArgs, args, 'clients revoke');
    const client = await store.prisma.apiClient.findUnique({ where: { id } });
    if (!client) throw new InputError(`no client ${id} (see \`passerelle clients list\`)`);
    if (client.revokedAt) return { lines: [`client ${id} was already revoked on ${instant(client.revokedAt)}`] };
    const { revokedAt } = await store.prisma.apiClient.update({ where: { id }, data: { revokedAt: new Date() } });
    return { lines: [`revoked client ${id} on ${instant(revokedAt)}: its tokens no longer authenticate`] };
  },
};

export const clientsUsage: Operation<Record<string, never>> = {
  migrate: true,
  async run({ store, usage }) {
    await usage?.flush(); // the server's counts not yet written
    const clients = await store.prisma.apiClient.findMany({ orderBy: { id: 'asc' } });
    if (!clients.length) return { lines: ['no client'] };
    return {
      lines: table(
        ['ID', 'REQUESTS', 'LAST SEEN'],
        clients.map((c) => [c.id, String(c.requestCount), instant(c.lastSeenAt)]),
      ),
    };
  },
};

const IssueArgs = z.object({
  client: z.string().min(1, 'a client id is needed'),
  scopes: list,
  ttl: z.string().optional(),
});

export const tokensIssue: Operation<z.infer<typeof IssueArgs>> = {
  migrate: true,
  async run({ store, config }, args) {
    const { client, scopes, ttl } = parse(IssueArgs, args, 'tokens issue');
    const { token } = await issueToken(store, config, { clientId: client, scopes, ttl });
    return { lines: [token] };
  },
};

const TokensListArgs = z.object({ client: z.string().min(1).optional() });

export const tokensList: Operation<z.infer<typeof TokensListArgs>> = {
  migrate: true,
  async run({ store }, args) {
    const { client } = parse(TokensListArgs, args, 'tokens list');
    if (client && !(await store.prisma.apiClient.findUnique({ where: { id: client } }))) {
      throw new InputError(`no client ${client} (see \`passerelle clients list\`)`);
    }
    const tokens = await store.prisma.apiToken.findMany({
      where: client ? { clientId: client } : {},
      orderBy: [{ issuedAt: 'asc' }, { jti: 'asc' }],
    });
    if (!tokens.length) return { lines: [client ? `no token for client ${client}` : 'no token'] };
    return {
      lines: table(
        ['JTI', 'CLIENT', 'SCOPES', 'ISSUED', 'EXPIRES', 'REVOKED'],
        tokens.map((t) => [t.jti, t.clientId, joined(t.scopes, '-'), instant(t.issuedAt), instant(t.expiresAt), instant(t.revokedAt)]),
      ),
    };
  },
};

const JtiArgs = z.object({ jti: z.string().min(1, 'a token id (jti) is needed') });

export const tokensRevoke: Operation<z.infer<typeof JtiArgs>> = {
  migrate: true,
  async run({ store }, args) {
    const { jti } = parse(JtiArgs, args, 'tokens revoke');
    const token = await store.prisma.apiToken.findUnique({ where: { jti } });
    if (!token) throw new InputError(`no token ${jti} (see \`passerelle tokens list\`)`);
    if (token.revokedAt) return { lines: [`token ${jti} was already revoked on ${instant(token.revokedAt)}`] };
    const { revokedAt } = await store.prisma.apiToken.update({ where: { jti }, data: { revokedAt: new Date() } });
    return { lines: [`revoked token ${jti} of client ${token.clientId} on ${instant(revokedAt)}`] };
  },
};

function joined(values: readonly string[], empty = 'none'): string {
  return values.length ? values.join(',') : empty;
}

/** An instant to the second, UTC: `2026-03-01T09:30:00Z`; `-` when absent. */
function instant(date: Date | null | undefined): string {
  return date ? date.toISOString().replace(/\.\d{3}Z$/, 'Z') : '-';
}

/** Columns padded to their widest cell, with a header line. */
function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [header, ...rows].map((r) => r.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd());
}

