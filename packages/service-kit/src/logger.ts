import { type Logger, pino } from 'pino';
import pretty from 'pino-pretty';

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

/**
 * The service's logger: JSON lines by default; with `format: 'pretty'`, readable lines (time,
 * level, message, then the fields) through pino-pretty in this thread, so a line is written
 * before the process exits. Redaction applies to both.
 */
export function createLogger(opts: { name: string; level: string; format?: 'json' | 'pretty' }): Logger {
  const options = {
    level: opts.level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { service: opts.name },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (opts.format !== 'pretty') return pino(options);
  return pino(
    options,
    pretty({
      sync: true,
      // The launcher reads a pipe, not a terminal, but prints to one: colours are wanted.
      colorize: true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,service',
      singleLine: true,
    }),
  );
}
