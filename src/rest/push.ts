// `PUT /api/v1/sources/{slug}/structures|services`: the producer write API over REST (issue 16), beyond the
// reference (which is read-only). The body is a JSON array of v1 records, or NDJSON (one record a line,
// `Content-Type: application/x-ndjson`); what happens to it is what `upsertStructures` / `upsertServices` do
// (src/ingest/push.ts: the `import` scope, the client's sources, the import's checks and report). The caller's
// requests are taken from the same rate-limit buckets as /graphql and the rest of /api/v1.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GraphQLError } from 'graphql';
import type { PushLimits } from '../config';
import { ErrorCode } from '../errors';
import type { Route } from '../route';
import type { RestHost } from './v1';

export interface PushHost extends RestHost {
  pushLimits?: PushLimits;
}

/** The body as text, or undefined past `max` bytes (the rest is read and dropped, so the connection stays usable). */
function readBody(req: IncomingMessage, max: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= max) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > max ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const DEFAULT_LIMITS: PushLimits = { maxRecords: 1000, maxBytes: 10 * 1024 * 1024 };

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...headers });
  res.end(text);
}

/** A JSON array, or NDJSON; `undefined` with the reason when it is neither. */
export function parseRecords(text: string, contentType: string | undefined): { records: unknown[] } | { error: string } {
  const ndjson = /ndjson|jsonlines|x-jsonl/i.test(contentType ?? '');
  if (!ndjson) {
    try {
      const value: unknown = JSON.parse(text);
      if (Array.isArray(value)) return { records: value };
      return { error: 'the body must be a JSON array of records (or NDJSON with Content-Type: application/x-ndjson)' };
    } catch {
      if (contentType && /json/i.test(contentType) && !/^\s*\{/.test(text)) return { error: 'the body is not valid JSON' };
    }
  }
  const records: unknown[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    try {
      records.push(JSON.parse(line));
    } catch {
      return { error: `line ${i + 1} of the NDJSON body is not JSON` };
    }
  }
  return { records };
}

const STATUS: Record<string, number> = {
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.FORBIDDEN_SOURCE]: 403,
  [ErrorCode.PAYLOAD_TOO_LARGE]: 413,
  [ErrorCode.BAD_USER_INPUT]: 422,
};

function pushRoute(host: PushHost, entity: 'structures' | 'services'): Route {
  return {
    path: `/api/v1/sources/{slug}/${entity}`,
    methods: ['PUT'],
    auth: 'token',
    description: `A producer writes its own source's ${entity} (JSON array or NDJSON of v1 records; token with the scope import).`,
    doc: {
      summary: `Écrire les ${entity} de sa source`,
      tags: ['écriture'],
      requestBody: {
        'application/json': { schema: { type: 'array', items: { $ref: `#/components/schemas/${entity === 'structures' ? 'Structure' : 'Service'}` } } },
        'application/x-ndjson': { schema: { type: 'string', description: 'One v1 record (JSON object) per line.' } },
      },
      response: {
        type: 'object',
        description: 'The import report: counts and each rejected record\'s problems (`index` from 0, `field`, `message`, `code`).',
        required: ['source', 'created', 'updated', 'unchanged', 'deleted', 'rejected', 'errors', 'warnings'],
        properties: {
          source: { type: 'string' },
          created: { type: 'integer' },
          updated: { type: 'integer' },
          unchanged: { type: 'integer' },
          deleted: { type: 'integer' },
          rejected: { type: 'integer' },
          errors: { type: 'array', items: { type: 'object' } },
          warnings: { type: 'array', items: { type: 'object' } },
        },
      },
      errors: {
        400: 'The body is not a JSON array nor NDJSON.',
        401: 'No token, or a token that is not valid.',
        403: 'FORBIDDEN (no scope import) or FORBIDDEN_SOURCE (a source the client does not write, named by the path, a record\'s source or an id); nothing was written.',
        413: 'PAYLOAD_TOO_LARGE: more records (PASSERELLE_PUSH_MAX_RECORDS) or bytes (PASSERELLE_PUSH_MAX_BYTES) than allowed.',
        429: 'Rate limited (the bucket shared with /graphql).',
      },
    },
    handler: async (req: IncomingMessage, res: ServerResponse, params: Record<string, string>) => {
      const store = host.store();
      if (!store) return send(res, 503, { detail: 'the store is not ready yet; retry in a few seconds' });
      const limits = host.pushLimits ?? DEFAULT_LIMITS;
      try {
        if (!req.headers.authorization) {
          req.resume();
          return send(res, 401, { detail: 'writing records needs a token (Authorization: Bearer …) carrying the scope import', code: ErrorCode.UNAUTHENTICATED }, { 'www-authenticate': 'Bearer realm="passerelle"' });
        }
        const ctx = await host.contextFor(store, req.headers.authorization);
        if (await host.rateLimited?.(req, res, ctx)) return;
        const declared = Number(req.headers['content-length']);
        if (Number.isFinite(declared) && declared > limits.maxBytes) {
          req.resume();
          return send(res, 413, { detail: `the body is larger than ${limits.maxBytes} bytes (PASSERELLE_PUSH_MAX_BYTES)`, code: ErrorCode.PAYLOAD_TOO_LARGE });
        }
        const text = await readBody(req, limits.maxBytes);
        if (text === undefined) return send(res, 413, { detail: `the body is larger than ${limits.maxBytes} bytes (PASSERELLE_PUSH_MAX_BYTES)`, code: ErrorCode.PAYLOAD_TOO_LARGE });
        const parsed = parseRecords(text, req.headers['content-type']);
        if ('error' in parsed) return send(res, 400, { detail: parsed.error, code: ErrorCode.BAD_REQUEST });
        const report = await ctx.writes.push(entity === 'structures' ? 'structure' : 'service', parsed.records, params.slug);
        send(res, 200, report);
      } catch (error) {
        if (error instanceof GraphQLError) {
          const code = String(error.extensions.code ?? '');
          const status = STATUS[code];
          if (status) {
            const { http: _http, code: _code, ...extra } = error.extensions as Record<string, unknown>;
            return send(res, status, { detail: error.message, code, ...extra });
          }
        }
        throw error;
      }
    },
  };
}

/** The PUT routes of the producer write API (before /api/v1's catch-all). */
export function pushRoutes(host: PushHost): Route[] {
  return [pushRoute(host, 'structures'), pushRoute(host, 'services')];
}
