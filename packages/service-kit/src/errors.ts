import type { FieldError } from '@homeward/events';

/**
 * The shared vocabulary of errors. Each carries a stable `code` (the service's prefix, e.g.
 * `INTAKE_ERR_DUPLICATE_CHILD`), the HTTP status it maps to, and whether retrying could help.
 * One handler turns them into RFC 9457 problem details; the consumer runner uses `retriable`.
 */
export class AppError extends Error {
  readonly errors: FieldError[] | undefined;
  /** Extra members for the problem document (e.g. `retryAfterSeconds`). */
  readonly extensions: Record<string, unknown>;

  constructor(
    readonly code: string,
    readonly status: number,
    readonly title: string,
    detail: string,
    opts: {
      errors?: FieldError[];
      retriable?: boolean;
      cause?: unknown;
      extensions?: Record<string, unknown>;
    } = {},
  ) {
    super(detail, { cause: opts.cause });
    this.name = new.target.name;
    this.errors = opts.errors;
    this.retriable = opts.retriable ?? false;
    this.extensions = opts.extensions ?? {};
  }

  readonly retriable: boolean;

  /** The problem `type` URI: stable per code, so clients can branch on it. */
  get type(): string {
    return problemType(this.code);
  }
}

/** `INTAKE_ERR_DUPLICATE_CHILD` → `urn:homeward:problem:intake-err-duplicate-child`. */
export function problemType(code: string): string {
  return `urn:homeward:problem:${code.toLowerCase().replaceAll('_', '-')}`;
}

export class InputError extends AppError {
  constructor(detail: string, errors?: FieldError[], code = 'HOMEWARD_ERR_INVALID_INPUT') {
    super(code, 400, 'Invalid input', detail, errors ? { errors } : {});
  }
}

export class UnauthorizedError extends AppError {
  constructor(detail = 'a valid bearer API key is required', code = 'HOMEWARD_ERR_UNAUTHORIZED') {
    super(code, 401, 'Unauthorized', detail);
  }
}

export class ForbiddenError extends AppError {
  constructor(detail: string, code = 'HOMEWARD_ERR_FORBIDDEN') {
    super(code, 403, 'Forbidden', detail);
  }
}

export class NotFoundError extends AppError {
  constructor(detail: string, code = 'HOMEWARD_ERR_NOT_FOUND') {
    super(code, 404, 'Not found', detail);
  }
}

export class ConflictError extends AppError {
  constructor(detail: string, code = 'HOMEWARD_ERR_CONFLICT') {
    super(code, 409, 'Conflict', detail);
  }
}

export class RuleViolationError extends AppError {
  constructor(detail: string, code: string, errors?: FieldError[]) {
    super(code, 422, 'Rule violation', detail, errors ? { errors } : {});
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(detail: string) {
    super('HOMEWARD_ERR_UNSUPPORTED_MEDIA_TYPE', 415, 'Unsupported media type', detail);
  }
}

export class RateLimitedError extends AppError {
  constructor(
    detail: string,
    readonly retryAfterSeconds: number,
  ) {
    super('HOMEWARD_ERR_RATE_LIMITED', 429, 'Too many requests', detail, {
      retriable: true,
      extensions: { retryAfterSeconds },
    });
  }
}

/** Seconds a client is asked to wait when a store or the broker is away (RFC 9110 Retry-After). */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 2;

export class UnavailableError extends AppError {
  constructor(
    detail: string,
    readonly retryAfterSeconds = UNAVAILABLE_RETRY_AFTER_SECONDS,
    options: { cause?: unknown } = {},
  ) {
    super('HOMEWARD_ERR_UNAVAILABLE', 503, 'Service unavailable', detail, {
      retriable: true,
      extensions: { retryAfterSeconds },
      cause: options.cause,
    });
  }
}
