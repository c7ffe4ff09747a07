/**
 * Who is asking. Anonymous callers read the public offer; a reuser's token names its client, the
 * scopes it carries, and the restricted sources that client may see.
 */
export type Viewer =
  | { kind: 'anonymous' }
  | {
      kind: 'client';
      clientId: string;
      /** The token's id (`jti`). */
      tokenId: string;
      /** Scopes the token carries (already limited to what its client is allowed). */
      scopes: ReadonlySet<string>;
      /** Restricted sources this client may see (see config `restrictedSources`). */
      allowedSources: ReadonlySet<string>;
      /**
       * Origins whose pages may use this client's tokens from a browser (`clients add --origins`); empty: any.
       * Checked against a request's `Origin` (src/auth/origins.ts) and the widget's `frame-ancestors`.
       */
      origins?: readonly string[];
    };

export const ANONYMOUS: Viewer = { kind: 'anonymous' };

/**
 * The scopes the API knows. `contact:read` unlocks courriel, telephone and contactNomPrenom; `import` lets a
 * producer's client write the records of its own sources (the client's `sources`: the sources it may see when
 * restricted are also the ones it may write) through the push API (src/ingest/push.ts).
 */
export const SCOPES = ['contact:read', 'import'] as const;
export type Scope = (typeof SCOPES)[number];

export function hasScope(viewer: Viewer, scope: string): boolean {
  return viewer.kind === 'client' && viewer.scopes.has(scope);
}
