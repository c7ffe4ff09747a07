import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import type { Context } from '../context';
import type { RequestCache } from '../cache/response-cache';

/** A compiled read's HTTP answer: its data (200), or an error its execution would give too (a timeout: 503). */
export interface CompiledResponse {
  status: number;
  body: string;
}

/** Largest request body accepted (a GraphQL document with variables is far smaller). */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Serves one HTTP request to Apollo Server (the integration API `executeHTTPGraphQLRequest`): GET and
 * POST, with Apollo's own CSRF prevention, content negotiation and status codes.
 */
export async function handleGraphQL(
  apollo: ApolloServer<Context>,
  req: IncomingMessage,
  res: ServerResponse,
  context: () => Promise<Context>,
  compiled?: (body: unknown, context: () => Promise<Context>) => Promise<CompiledResponse | undefined>,
  /** The response cache of this (GET) request, when it may be answered from one. */
  cache?: RequestCache,
  /** Largest body accepted; default 1 MB (the producer write API raises it for callers with a token). */
  maxBodyBytes: number = MAX_BODY_BYTES,
): Promise<void> {
  // One context per request, whoever answers: the token is checked (and its use counted) once.
  let made: Promise<Context> | undefined;
  const contextOnce = () => (made ??= context());
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  let body: unknown;
  if (req.method === 'POST') {
    const raw = await readBody(req, maxBodyBytes);
    if (raw === undefined) return sendJson(res, 413, { errors: [{ message: `request body larger than ${maxBodyBytes} bytes`, extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
    if ((headers.get('content-type') ?? '').includes('json') && raw.length > 0) {
      try {
        body = JSON.parse(raw);
      } catch {
        return sendJson(res, 400, { errors: [{ message: 'request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });
      }
    } else {
      body = raw;
    }
  }
  if (compiled && req.method === 'POST' && body !== undefined && typeof body === 'object' && isJson(headers.get('content-type')) && acceptsJson(headers.get('accept'))) {
    // A read that one statement answers (src/graph/compiled-reads.ts); anything else, and any request
    // whose token fails (Apollo answers the 401), goes on to Apollo Server below.
    const answer = await compiled(body, contextOnce);
    if (answer !== undefined) {
      res.statusCode = answer.status;
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.setHeader('cache-control', 'no-store');
      res.end(answer.body);
      return;
    }
  }
  const hit = await cache?.lookup();
  if (hit) {
    res.writeHead(hit.status, hit.headers);
    res.end(hit.body);
    return;
  }
  const url = new URL(req.url ?? '/', 'http://localhost');
  const result = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
    context: contextOnce,
  });
  for (const [key, value] of result.headers) res.setHeader(key, value);
  res.statusCode = result.status ?? 200;
  if (result.body.kind === 'complete') {
    // Only the response cache may call a response reusable (see src/cache/response-cache.ts).
    const headers = Object.fromEntries(result.headers);
    const caching = cache ? cache.offer({ status: res.statusCode, headers, body: result.body.string }) : { 'cache-control': 'no-store' };
    for (const [key, value] of Object.entries(caching)) res.setHeader(key, value);
    res.end(result.body.string);
    return;
  }
  for await (const chunk of result.body.asyncIterator) res.write(chunk);
  res.end();
}

/** The body as text, or undefined when it is larger than `max` bytes (the rest is read and dropped). */
function readBody(req: IncomingMessage, max: number = MAX_BODY_BYTES): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(payload));
}

function isJson(contentType: string | undefined): boolean {
  return /^application\/json\s*(;|$)/i.test(contentType ?? '');
}

/** The response type Apollo would choose is `application/json` (no Accept, or one without graphql-response+json). */
function acceptsJson(accept: string | undefined): boolean {
  return !accept || (!accept.includes('application/graphql-response+json') && (accept.includes('application/json') || accept.includes('*/*')));
}
