import {
  authenticate,
  type Credentials,
  type FastifyRequest,
  ForbiddenError,
  type Principal,
  UnauthorizedError,
} from '@homeward/service-kit';
import { DashboardErrors } from '../errors.ts';
import type { LiveStore } from '../store/live-store.ts';

/**
 * Resolves the caller of an operator route (the kit's access hook calls it, before
 * validation). Operators only. A bearer API key in the Authorization header, or (for what a browser opens
 * without headers: `EventSource`, the printable report) a session token from `POST /v1/session`
 * in the `token` query parameter. API keys are never accepted in URLs, where they would end up
 * in browser history and proxy logs.
 */
export function operatorOf(credentials: Credentials, live: LiveStore) {
  return async (request: FastifyRequest): Promise<Principal> => {
    let principal: Principal | undefined;
    const token = (request.query as { token?: unknown } | undefined)?.token;
    if (request.headers.authorization !== undefined) {
      principal = authenticate(credentials, request);
    } else if (typeof token === 'string' && token !== '') {
      principal = await live.resolveSession(token);
      if (!principal)
        throw DashboardErrors.sessionExpired.error(
          'the session token is unknown or expired; sign in again (POST /v1/session)',
        );
      request.principal = principal;
    } else {
      throw new UnauthorizedError(
        'send "Authorization: Bearer <api key>", or a session token from POST /v1/session as ?token=',
      );
    }
    if (principal.role !== 'operator')
      throw new ForbiddenError(`the role "${principal.role}" may not do this; allowed: operator`);
    return principal;
  };
}
