import { unauthenticated } from '../errors';
import { AuthError, bearerToken, type TokenVerifier } from './tokens';
import type { UsageRecorder } from './usage';
import { ANONYMOUS, type Viewer } from './viewer';

/**
 * The request's viewer from its Authorization header: anonymous without one; a reuser's client with a
 * valid token. A token that is present but fails any check is rejected (HTTP 401, UNAUTHENTICATED, the
 * failed check in the message) — never silently downgraded to anonymous, which would hide from a
 * reuser that its token is broken and serve it less than it expects.
 */
export function createAuthenticator(verifier: TokenVerifier, usage?: UsageRecorder) {
  return async (authorization: string | undefined): Promise<Viewer> => {
    try {
      const token = bearerToken(authorization);
      if (!token) return ANONYMOUS;
      const viewer = await verifier.verify(token);
      if (viewer.kind === 'client') usage?.record(viewer.clientId);
      return viewer;
    } catch (error) {
      if (error instanceof AuthError) throw unauthenticated(error.message);
      throw error;
    }
  };
}
