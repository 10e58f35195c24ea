import type { FieldError } from '@homeward/events';
import {
  AppError,
  ConflictError,
  ForbiddenError,
  InputError,
  NotFoundError,
  RuleViolationError,
  UnauthorizedError,
  UnavailableError,
} from './errors.ts';

/** One error a service can answer with: its stable code, its HTTP status, and what it means. */
export interface ErrorSpec {
  /** `<SERVICE>_ERR_<WHAT>`; stable: clients branch on it (and on the problem `type` made from it). */
  code: string;
  status: 400 | 401 | 403 | 404 | 409 | 413 | 422 | 429 | 503;
  /** One sentence for the OpenAPI prose: when a caller gets this. */
  summary: string;
  /** Whether the same request may succeed later (a lease held by another writer, say). */
  retriable?: boolean;
}

export interface ErrorOptions {
  errors?: FieldError[];
  cause?: unknown;
  extensions?: Record<string, unknown>;
}

/** An entry of a service's error catalogue: its spec, and a factory for the error itself. */
export interface CatalogueError extends ErrorSpec {
  /** The error to throw, with a detail for this occurrence (never personal data). */
  error(detail: string, opts?: ErrorOptions): AppError;
  /** `409 RESCUE_ERR_ALERT_ACTIVE` — for prose that names the error. */
  readonly ref: string;
}

/**
 * Declares a service's errors once (its `src/errors.ts`): routes and application services throw
 * `Errors.x.error(detail)`, and route descriptions name them with {@link describeErrors}, so
 * the OpenAPI prose and the code can never spell a code two ways. Errors are made as the
 * kit's classes of their status (NotFoundError for 404, ConflictError for 409, ...), so
 * `instanceof` checks and the problem mapping behave as for hand-made ones.
 */
export function defineErrors<const K extends string>(
  specs: Record<K, ErrorSpec>,
): Readonly<Record<K, CatalogueError>> {
  const out = {} as Record<K, CatalogueError>;
  const seen = new Set<string>();
  for (const [key, spec] of Object.entries(specs) as Array<[K, ErrorSpec]>) {
    if (!/^[A-Z]+_ERR_[A-Z0-9_]+$/.test(spec.code)) {
      throw new Error(`error code "${spec.code}" (${key}) is not of the form <SERVICE>_ERR_<WHAT>`);
    }
    if (seen.has(spec.code)) throw new Error(`error code "${spec.code}" is declared twice`);
    seen.add(spec.code);
    out[key] = {
      ...spec,
      ref: `${spec.status} ${spec.code}`,
      error: (detail, opts = {}) => makeError(spec, detail, opts),
    };
  }
  return Object.freeze(out);
}

function makeError(spec: ErrorSpec, detail: string, opts: ErrorOptions): AppError {
  const plain = opts.cause === undefined && opts.extensions === undefined && !spec.retriable;
  if (plain) {
    switch (spec.status) {
      case 400:
        return new InputError(detail, opts.errors, spec.code);
      case 401:
        if (!opts.errors) return new UnauthorizedError(detail, spec.code);
        break;
      case 403:
        if (!opts.errors) return new ForbiddenError(detail, spec.code);
        break;
      case 404:
        if (!opts.errors) return new NotFoundError(detail, spec.code);
        break;
      case 409:
        if (!opts.errors) return new ConflictError(detail, spec.code);
        break;
      case 422:
        return new RuleViolationError(detail, spec.code, opts.errors);
    }
  }
  if (spec.status === 503 && !opts.errors && opts.extensions === undefined) {
    const e = new UnavailableError(detail);
    if (e.code === spec.code) return e;
  }
  return new AppError(spec.code, spec.status, TITLES[spec.status], detail, {
    retriable: spec.retriable ?? false,
    ...opts,
  });
}

const TITLES: Record<ErrorSpec['status'], string> = {
  400: 'Invalid input',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  413: 'Payload too large',
  422: 'Rule violation',
  429: 'Too many requests',
  503: 'Service unavailable',
};

/**
 * The OpenAPI prose for the errors a route may answer with, one per line:
 * `409 RESCUE_ERR_ALERT_ACTIVE: an alert of this case is already running.`
 */
export function describeErrors(...errors: CatalogueError[]): string {
  return errors.map((e) => `${e.ref}: ${e.summary}`).join('\n');
}
