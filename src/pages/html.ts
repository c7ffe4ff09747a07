import type { ServerResponse } from 'node:http';

/**
 * The pages' HTML: a server-rendered shell per page (French, the DSFR's classes) that loads one stylesheet
 * and one script of this server (src/pages/bundle.ts). Their Content-Security-Policy allows nothing else: no
 * inline script or style, no other host — the browser refuses anything a bug or an injection would add.
 */

/** `&<>"'` escaped: every value written into the HTML goes through this. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** `frame-ancestors`: who may embed the page (`'none'` by default; the widget lists its client's origins). */
export function contentSecurityPolicy(frameAncestors: readonly string[] = ["'none'"]): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    `frame-ancestors ${frameAncestors.join(' ')}`,
    "base-uri 'none'",
    "form-action 'self'",
    "object-src 'none'",
  ].join('; ');
}

export interface Shell {
  title: string;
  /** The page's script and stylesheet: dist/pages/<name>.js, and the shared pages.css. */
  script?: string;
  /** The `<main>`'s content (already escaped HTML). */
  body: string;
  /** `data-*` attributes of `<main>`: what the script reads (presets, the token), escaped here. */
  data?: Record<string, string>;
  /** Who may embed the page. */
  frameAncestors?: readonly string[];
  /** A header with the page's title and links to the other pages (not in the widget, which lives in a partner's page). */
  header?: boolean;
}

export function renderShell(shell: Shell): string {
  const data = Object.entries(shell.data ?? {})
    .map(([key, value]) => ` data-${key}="${escapeHtml(value)}"`)
    .join('');
  const header = shell.header
    ? `<header class="fr-container fr-py-2w"><p class="fr-h4 fr-mb-1w">Passerelle</p><nav class="pa-nav" aria-label="Pages de Passerelle"><ul><li><a class="fr-link" href="/valideur">Valideur</a></li><li><a class="fr-link" href="/qualite">Qualité des données</a></li><li><a class="fr-link" href="/graphql">API GraphQL</a></li></ul></nav></header>`
    : '';
  return `<!doctype html>
<html lang="fr" data-fr-scheme="light">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(shell.title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/pages/pages.css">
${shell.script ? `<script src="/assets/pages/${shell.script}.js" defer></script>` : ''}
</head>
<body>
${header}<main id="contenu" class="${shell.header ? 'fr-container fr-pb-6w' : 'pa-widget'}"${data}>
${shell.body}
</main>
</body>
</html>
`;
}

export function sendPage(res: ServerResponse, status: number, shell: Shell): void {
  const body = Buffer.from(renderShell(shell), 'utf8');
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Content-Length', body.length);
  res.setHeader('Content-Security-Policy', contentSecurityPolicy(shell.frameAncestors));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  // The widget's URL carries its token: the pages it links to (the services' sources) must not receive it.
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', 'no-store');
  res.end(body);
}

/** A refusal in French, on a page of its own (the widget's refused origin, a bad token). */
export function sendRefusal(res: ServerResponse, status: number, title: string, message: string, frameAncestors?: readonly string[]): void {
  sendPage(res, status, {
    title: `${title} · Passerelle`,
    body: `<div class="fr-alert fr-alert--error" role="alert"><h1 class="fr-alert__title">${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></div>`,
    frameAncestors,
  });
}
