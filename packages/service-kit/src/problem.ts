import { type FieldError, toFieldErrors } from '@homeward/events';
import { isUnavailableError } from '@homeward/messaging';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, problemType, UnavailableError } from './errors.ts';

/** RFC 9457 problem details, as every Homeward service answers an error. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({
      description: 'a stable URI per kind of error',
      examples: ['urn:homeward:problem:homeward-err-invalid-input'],
    }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    instance: Type.Optional(Type.String()),
    code: Type.String({ description: 'the stable error code, e.g. INTAKE_ERR_CASE_NOT_FOUND' }),
    errors: Type.Optional(
      Type.Array(Type.Object({ field: Type.String(), message: Type.String() }), {
        description: 'which field is wrong and why',
      }),
    ),
    retryAfterSeconds: Type.Optional(Type.Integer()),
    traceId: Type.Optional(Type.String()),
  },
  { title: 'Problem', description: 'RFC 9457 problem details' },
);
export type Problem = Static<typeof ProblemSchema>;

/** Response schemas for the error statuses a route can answer, for the OpenAPI document. */
export function problemResponses(...statuses: number[]): Record<number, typeof ProblemSchema> {
  return Object.fromEntries(
    statuses.map((s) => [s, { ...ProblemSchema, description: STATUS_TEXT[s] ?? 'error' }]),
  );
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Malformed or invalid input',
  401: 'Missing or unknown API key',
  403: 'The role may not do this',
  404: 'Not found',
  409: 'Conflicts with the current state',
  413: 'Body too large',
  415: 'Unsupported content type',
  422: 'Violates a domain rule',
  429: 'Rate limited (see Retry-After)',
  503: 'Unavailable for now (see Retry-After)',
};

function fastifyErrorToProblem(err: FastifyError): Omit<Problem, 'instance'> {
  switch (err.code) {
    case 'FST_ERR_VALIDATION': {
      const context = (err as FastifyError & { validationContext?: string }).validationContext ?? 'body';
      const errors: FieldError[] = toFieldErrors(
        err.validation as never,
        context === 'body' ? '' : `/${context}`,
      );
      return {
        type: problemType('HOMEWARD_ERR_INVALID_INPUT'),
        title: 'Invalid input',
        status: 400,
        code: 'HOMEWARD_ERR_INVALID_INPUT',
        detail: `the ${context} is invalid`,
        errors,
      };
    }
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        type: problemType('HOMEWARD_ERR_BODY_TOO_LARGE'),
        title: 'Payload too large',
        status: 413,
        code: 'HOMEWARD_ERR_BODY_TOO_LARGE',
        detail: 'the request body is larger than this endpoint accepts',
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        type: problemType('HOMEWARD_ERR_UNSUPPORTED_MEDIA_TYPE'),
        title: 'Unsupported media type',
        status: 415,
        code: 'HOMEWARD_ERR_UNSUPPORTED_MEDIA_TYPE',
        detail: 'this content type is not accepted here',
      };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return {
        type: problemType('HOMEWARD_ERR_MALFORMED_JSON'),
        title: 'Malformed JSON',
        status: 400,
        code: 'HOMEWARD_ERR_MALFORMED_JSON',
        detail: 'the body is not valid JSON',
        errors: [{ field: '/', message: 'is not valid JSON' }],
      };
    default: {
      const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
      const code = status === 500 ? 'HOMEWARD_ERR_INTERNAL' : (err.code ?? 'HOMEWARD_ERR_BAD_REQUEST');
      return {
        type: problemType(code),
        title: status === 500 ? 'Internal error' : 'Bad request',
        status,
        code,
        // A 5xx never leaks its message (it may name internals); 4xx from Fastify are safe.
        detail: status === 500 ? 'an unexpected error occurred; it has been logged' : err.message,
      };
    }
  }
}

/** Turns any error into problem details, logging the unexpected ones. */
export function toProblem(thrown: unknown, request: FastifyRequest): Problem {
  let problem: Omit<Problem, 'instance'>;
  let err = thrown;
  if (!(err instanceof AppError) && isUnavailableError(err)) {
    // The store, Redis or the broker is away: the client should come back, not report a bug.
    request.log.warn({ err }, 'dependency unavailable');
    err = new UnavailableError('a service this request needs is unavailable; retry shortly', undefined, {
      cause: thrown,
    });
  }
  if (err instanceof AppError) {
    problem = {
      type: err.type,
      title: err.title,
      status: err.status,
      code: err.code,
      detail: err.message,
      ...(err.errors ? { errors: err.errors } : {}),
      ...err.extensions,
    };
  } else {
    problem = fastifyErrorToProblem(err as FastifyError);
  }
  if (problem.status >= 500 && problem.status !== 503) request.log.error({ err }, 'request failed');
  return { ...problem, instance: request.url.split('?')[0] ?? request.url };
}

export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  if ((problem.status === 429 || problem.status === 503) && problem.retryAfterSeconds !== undefined)
    reply.header('retry-after', String(problem.retryAfterSeconds));
  return reply.code(problem.status).type('application/problem+json').send(JSON.stringify(problem));
}
