import { type Logger, pino } from 'pino';

/**
 * Paths that may hold personal data (children's names, contacts) or DNA data. They are
 * censored wherever they appear in a log line, as a second line of defence: code should not
 * log them in the first place.
 */
export const REDACTED_PATHS = [
  '*.name',
  '*.*.name',
  'phone',
  '*.phone',
  '*.*.phone',
  'child',
  '*.child',
  'reporter',
  '*.reporter',
  'currentGuardian',
  '*.currentGuardian',
  'buyerHousehold',
  '*.buyerHousehold',
  'genotypes',
  '*.genotypes',
  'loci',
  '*.loci',
  'req.headers.authorization',
  'headers.authorization',
  'secret',
  '*.secret',
];

export function createLogger(opts: { name: string; level: string }): Logger {
  return pino({
    level: opts.level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { service: opts.name },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
