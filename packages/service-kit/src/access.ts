import type { Role } from '@homeward/events';
import type { FastifyRequest, RouteOptions } from 'fastify';
import { authenticate, type Credentials, type Principal } from './auth.ts';
import { ForbiddenError, UnauthorizedError } from './errors.ts';
import type { RedisRateLimiter } from './rate-limit.ts';

/**
 * Who may call a route and which record's region guards it, declared as data on the route
 * (`config: { access: { roles, scope } }`). One kit hook enforces it in `onRequest`, before the
 * body is read or validated, so a caller without a key gets 401 and a caller of another role
 * 403 whatever it sent (an unauthorised caller learns nothing of the schema); then the
 * per-agency rate limit (429). The region check itself needs the record, so the route makes it
 * (`ensureInScope`, `scopeFilter`): outside scope is 404.
 *
 * The declaration is also written into the OpenAPI operation as `x-homeward-access` and into
 * its description, which is what the role × endpoint × scope matrix test is generated from.
 */
export interface RouteAccess {
  /** The roles that may call the route; every other role gets 403. */
  roles: readonly Role[];
  /**
   * Which record's region guards the route, in words for the docs and the matrix (e.g. "the
   * case's region", "the caller's own units", "none: reference data"). Say `none` with the
   * reason when the route is not region-scoped.
   */
  scope: string;
  /**
   * Resolves the caller when a bearer key is not the only way in (the dashboard's session
   * token for `EventSource`); must throw 401 itself when it finds no caller.
   */
  authenticate?: (request: FastifyRequest) => Promise<Principal> | Principal;
  /**
   * Counted by the per-agency limiter (default true). `'deferred'`: counted in `onRequest` as
   * always, but not awaited there: the count's answer is `request.admission`, which the route
   * awaits before it refuses, writes or answers anything (see {@link admissionOf}), so that its
   * 429 still comes first, and meanwhile it may start its own round trips (one wait, not two).
   */
  rateLimited?: boolean | 'deferred';
}

/** A route anyone may call, said explicitly (the page itself, a session sign-in). */
export interface PublicAccess {
  public: true;
  /** Why it needs no credential. */
  reason: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess | PublicAccess;
  }
  interface FastifyRequest {
    /** The per-agency limiter's count of a route whose limit is `'deferred'`, on its way. */
    admission?: Promise<unknown>;
  }
}

/** The OpenAPI extension that carries a route's declaration. */
export const ACCESS_EXTENSION = 'x-homeward-access';

/** What `x-homeward-access` holds in the OpenAPI document. */
export type AccessDocument = { roles: Role[]; scope: string } | { public: true; reason: string };

export interface AccessControlOptions {
  credentials: Credentials;
  /** Per-agency limiter of authenticated requests; none in some unit tests. */
  limiter?: RedisRateLimiter | undefined;
  /**
   * Refuse to register a `/v1` route without a declaration (a route cannot ship without saying
   * who may call it).
   */
  requireDeclaration?: boolean;
}

/** The principal the access hook set; throws 401 on a route that declared none (a wiring bug). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new UnauthorizedError();
  return request.principal;
}

/**
 * The per-agency limiter's answer for a route whose `rateLimited` is `'deferred'` (rejects with
 * the 429); resolved at once for any other route, whose limit was awaited before its handler.
 */
export function admissionOf(request: FastifyRequest): Promise<unknown> {
  return request.admission ?? Promise.resolve();
}

/** Checks one caller against one declaration: 403 when its role is not listed. */
export function checkRole(principal: Principal, access: RouteAccess): void {
  if (!access.roles.includes(principal.role)) {
    throw new ForbiddenError(
      `the role "${principal.role}" may not do this; allowed: ${access.roles.join(', ')}`,
    );
  }
}

function describe(access: RouteAccess | PublicAccess): string {
  if ('public' in access) return `**Access:** public (${access.reason}).`;
  return `**Who:** ${access.roles.join(', ')}. **Scope:** ${access.scope}; a record outside the caller's region answers 404.`;
}

/**
 * The `onRoute` hook (added by `buildHttpServer` before any route): enforces each route's
 * declaration in `onRequest` and documents it.
 */
export function accessControl(opts: AccessControlOptions) {
  return (route: RouteOptions): void => {
    const access = route.config?.access;
    if (!access) {
      if (opts.requireDeclaration && route.url.startsWith('/v1/')) {
        throw new Error(
          `route ${String(route.method)} ${route.url} declares no access: add config.access { roles, scope } (see service-kit README)`,
        );
      }
      return;
    }
    const schema = (route.schema ?? {}) as Record<string, unknown>;
    const declared: AccessDocument =
      'public' in access
        ? { public: true, reason: access.reason }
        : { roles: [...access.roles], scope: access.scope };
    schema[ACCESS_EXTENSION] = declared;
    schema.description = [schema.description, describe(access)].filter(Boolean).join('\n\n');
    route.schema = schema;
    if ('public' in access) return;

    const hook = async (request: FastifyRequest): Promise<void> => {
      const principal = access.authenticate
        ? await access.authenticate(request)
        : authenticate(opts.credentials, request);
      request.principal = principal;
      checkRole(principal, access);
      if (opts.limiter && access.rateLimited !== false) {
        const hit = opts.limiter.hit(principal.agencyId);
        if (access.rateLimited !== 'deferred') await hit;
        else {
          // The route awaits it; until then a refusal is not an unhandled rejection.
          hit.catch(() => {});
          request.admission = hit;
        }
      }
    };
    const existing = route.onRequest;
    route.onRequest = existing ? [hook, ...(Array.isArray(existing) ? existing : [existing])] : [hook];
  };
}
