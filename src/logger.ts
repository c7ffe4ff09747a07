import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * JSON logs on stdout (or `destination`). Contact fields are redacted wherever they appear in a logged
 * object, so a record logged by mistake cannot leak them; so is an Authorization header.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    redact: {
      paths: ['*.courriel', '*.telephone', '*.contactNomPrenom', '*.contact_nom_prenom', '*.authorization', 'req.headers.authorization'],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
