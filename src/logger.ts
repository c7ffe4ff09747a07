import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * JSON logs on stdout. Contact fields are redacted wherever they appear in a logged object, so a record
 * logged by mistake cannot leak them.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: ['*.courriel', '*.telephone', '*.contactNomPrenom', '*.contact_nom_prenom', 'req.headers.authorization'],
      censor: '[redacted]',
    },
  });
}
