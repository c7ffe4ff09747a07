import fs from 'node:fs';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { BUNDLE_DIR } from './bundle-dir';

/**
 * The pages' scripts, stylesheet and fonts, from dist/pages/ (built by `npm run build`, src/pages/bundle.ts).
 * Only file names the build writes are served (no path outside the folder). Fonts carry a content hash in
 * their name, so they are cached for a year; scripts and the stylesheet keep their names and are revalidated
 * after an hour.
 */
const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
};

/** Scripts and the stylesheet gzipped once per process (the stylesheet: 440 KB, 51 KB gzipped); fonts are compressed already. */
const gzipped = new Map<string, { mtimeMs: number; body: Buffer }>();

function acceptsGzip(req: IncomingMessage | undefined): boolean {
  return /\bgzip\b/.test(String(req?.headers['accept-encoding'] ?? ''));
}

export function servePageAsset(res: ServerResponse, file: string | undefined, req?: IncomingMessage): void {
  const name = file ?? '';
  const type = TYPES[path.extname(name)];
  if (!type || !/^(fonts\/)?[A-Za-z0-9_.-]+$/.test(name) || name.includes('..')) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
    return;
  }
  let body: Buffer;
  let mtimeMs: number;
  const full = path.join(BUNDLE_DIR(), name);
  try {
    mtimeMs = fs.statSync(full).mtimeMs;
    body = fs.readFileSync(full);
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`not found: ${name} (run npm run build)`);
    return;
  }
  const compress = !name.startsWith('fonts/') && acceptsGzip(req);
  if (compress) {
    let entry = gzipped.get(name);
    if (!entry || entry.mtimeMs !== mtimeMs) gzipped.set(name, (entry = { mtimeMs, body: gzipSync(body) }));
    body = entry.body;
    res.setHeader('content-encoding', 'gzip');
  }
  res.writeHead(200, {
    vary: 'Accept-Encoding',
    'content-type': type,
    'content-length': body.length,
    'cache-control': name.startsWith('fonts/') ? 'public, max-age=31536000, immutable' : 'public, max-age=3600',
    'x-content-type-options': 'nosniff',
  });
  res.end(req?.method === 'HEAD' ? undefined : body);
}
