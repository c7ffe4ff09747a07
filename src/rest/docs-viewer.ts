import fs from 'node:fs';
import path from 'node:path';
import type { ServerResponse } from 'node:http';

/**
 * `GET /api/docs`: Swagger UI (swagger-ui-dist, the maintained standalone build of the OpenAPI viewer) over
 * `/api/openapi.json`, every asset served from this host (`/api/docs/<file>`) under a strict CSP: no request
 * leaves for another host (its online validator is turned off). Without JavaScript, the page lists the routes
 * (`fallback`, the plain page built from the same document).
 */
const ASSETS: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

/** The page's own script: no inline script, so the CSP can forbid them. */
const INIT = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/api/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: 'StandaloneLayout',
  });
});
`;

const CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self' data:; frame-ancestors 'none'; base-uri 'none'";

let folder: string | undefined;
function assetFolder(): string {
  folder ??= path.dirname(require.resolve('swagger-ui-dist/package.json'));
  return folder;
}

/** The viewer's page; `fallback` (HTML without scripts) is shown when JavaScript is off. */
export function viewerPage(title: string, fallback: string): string {
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title><link rel="stylesheet" href="/api/docs/swagger-ui.css"><link rel="icon" href="/api/docs/favicon-32x32.png"></head>
<body><div id="swagger-ui"></div><noscript>${fallback}</noscript>
<script src="/api/docs/swagger-ui-bundle.js"></script><script src="/api/docs/swagger-ui-standalone-preset.js"></script><script src="/api/docs/init.js"></script>
</body></html>`;
}

export function sendViewer(res: ServerResponse, html: string): void {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache', 'content-security-policy': CSP, 'x-content-type-options': 'nosniff' });
  res.end(res.req.method === 'HEAD' ? undefined : html);
}

/** `/api/docs/<file>`: one of the viewer's files, or 404. */
export function serveViewerAsset(res: ServerResponse, name: string): void {
  if (name === 'init.js') {
    res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
    return void res.end(res.req.method === 'HEAD' ? undefined : INIT);
  }
  const type = ASSETS[name];
  if (!type) {
    res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' });
    return void res.end(JSON.stringify({ detail: 'Not Found' }));
  }
  const body = fs.readFileSync(path.join(assetFolder(), name));
  res.writeHead(200, { 'content-type': type, 'content-length': body.length, 'cache-control': 'public, max-age=86400', 'x-content-type-options': 'nosniff' });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
