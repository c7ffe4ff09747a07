import type { IncomingMessage } from 'node:http';
import type { Viewer } from './viewer';

/**
 * Origins: the sites whose pages may use a client's tokens from a browser (`clients add --origins`). A widget
 * token sits in a partner's page, where anyone can read it; restricting it to the partner's origins means a
 * copy pasted into another site is refused — by the server, from the request's `Origin` (or `Referer`), and
 * by the browser, from the widget's `frame-ancestors`. A client registered without origins is not restricted
 * (the tokens of back-end reusers carry no Origin), so existing clients are unaffected.
 */

/** `https://Example.org:443/` → `https://example.org`; anything but an http(s) origin (a path, a query…) → undefined. */
export function normalizeOrigin(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) return undefined;
  return url.origin;
}

/** The origin a browser request comes from: its `Origin` header, else its `Referer`'s origin; undefined when neither says. */
export function requestOrigin(req: Pick<IncomingMessage, 'headers'>): string | undefined {
  const origin = req.headers.origin;
  if (origin && origin !== 'null') return normalizeOrigin(origin);
  const referer = req.headers.referer;
  if (!referer) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return undefined;
  }
}

/** The origins this viewer's client registered (empty: not restricted). */
export function originsOf(viewer: Viewer): readonly string[] {
  return viewer.kind === 'client' ? (viewer.origins ?? []) : [];
}

/**
 * Whether a request from `origin` may use this viewer's token: yes for anonymous callers and clients without
 * origins; for a client with origins, yes when the request names no origin (a server-side call: nothing
 * to check, and a browser always sends `Origin` on a cross-origin POST) or names one of them. `self` is the
 * server's own origin: the widget page, served by Passerelle, calls /graphql from there.
 */
export function originAllowed(viewer: Viewer, origin: string | undefined, self?: string): boolean {
  const origins = originsOf(viewer);
  if (!origins.length || origin === undefined) return true;
  return origin === self || origins.includes(origin);
}

/** A request's origin (Origin, else Referer) and the server's own origin as the request names it (its Host). */
export interface BrowserOrigin {
  origin: string | undefined;
  self: string | undefined;
}

export function browserOrigin(req: Pick<IncomingMessage, 'headers'>): BrowserOrigin {
  const host = req.headers.host;
  const origin = requestOrigin(req);
  // The server's own pages (the widget) call the API from the server's origin, whatever the scheme a proxy ends.
  const self = host && origin && new URL(origin).host === host ? origin : undefined;
  return { origin, self };
}
