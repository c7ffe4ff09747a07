import pino, { type DestinationStream, type Logger } from 'pino';
import { currentRequest } from './request-scope';

export type { Logger };

/**
 * JSON logs on stdout (or `destination`). Contact fields are redacted wherever they appear in a logged
 * object, so a record logged by mistake cannot leak them; so is an Authorization header. A line written
 * while serving a request carries that request's `requestId` (the `X-Request-Id` echoed to the client), so
 * an operator can gather everything one request did.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    redact: {
      paths: ['*.courriel', '*.telephone', '*.contactNomPrenom', '*.contact_nom_prenom', '*.authorization', 'req.headers.authorization'],
      censor: '[redacted]',
    },
    mixin: () => {
      const request = currentRequest();
      return request ? { requestId: request.requestId } : {};
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
