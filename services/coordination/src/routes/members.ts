import {
  type Credentials,
  describeErrors,
  type HttpServer,
  PageQuery,
  pageOf,
  pageWindow,
  principalOf,
  problemResponses,
  type RouteAccess,
} from '@homeward/service-kit';
import { Type } from '@sinclair/typebox';
import { OFFICE_ROLE } from '../domain/scope.ts';
import { CoordinationErrors as E } from '../errors.ts';
import type { MemberDoc } from '../store/coordination-store.ts';
import type { SubmissionService } from '../submission-service.ts';
import { MemberBody, MemberParams, MemberView } from './schemas.ts';

export interface MemberRoutesDeps {
  submissions: SubmissionService;
  credentials: Credentials;
}

const view = (m: MemberDoc) => ({
  agencyId: m.agencyId,
  role: m.role,
  region: m.region,
  enrolledAt: m.enrolledAt,
  enrolledBy: m.enrolledBy,
  active: m.active,
});

const office: RouteAccess = { roles: [OFFICE_ROLE], scope: "the member's region, within the office's" };

/**
 * The member departments of each coordination body: who is expected to report (and reminded).
 * Offices only, for regions within their own.
 */
export async function memberRoutes(app: HttpServer, deps: MemberRoutesDeps): Promise<void> {
  app.put(
    '/v1/members/:region/:agencyId',
    {
      schema: {
        tags: ['members'],
        summary: 'Enrol a member department of the body of a region (within the office’s)',
        description: `Enrolling again changes nothing; a retired member is active again.\n${describeErrors(
          E.memberNotFound,
          E.notAMemberRole,
          E.concurrentUpdate,
        )}`,
        params: MemberParams,
        body: MemberBody,
        response: { 200: MemberView, ...problemResponses(400, 401, 403, 404, 409, 422, 429) },
      },
      config: { access: office },
    },
    async (request) =>
      view(
        await deps.submissions.enrol(principalOf(request), { ...request.params, role: request.body.role }),
      ),
  );

  app.delete(
    '/v1/members/:region/:agencyId',
    {
      schema: {
        tags: ['members'],
        summary: 'Retire a member department (no more reminders; not expected to report)',
        description: describeErrors(E.memberNotFound, E.concurrentUpdate),
        params: MemberParams,
        response: { 200: MemberView, ...problemResponses(400, 401, 403, 404, 409, 429) },
      },
      config: { access: office },
    },
    async (request) =>
      view(
        await deps.submissions.retire(principalOf(request), request.params.region, request.params.agencyId),
      ),
  );

  app.get(
    '/v1/members',
    {
      schema: {
        tags: ['members'],
        summary: 'The active member departments within the office’s region, paged',
        querystring: Type.Composite([PageQuery], { additionalProperties: false }),
        response: {
          200: Type.Object({
            items: Type.Array(MemberView),
            limit: Type.Integer(),
            offset: Type.Integer(),
            nextOffset: Type.Union([Type.Integer(), Type.Null()]),
          }),
          ...problemResponses(400, 401, 403, 429),
        },
      },
      config: { access: office },
    },
    async (request) => {
      const { limit, offset } = pageWindow(request.query);
      const all = await deps.submissions.members(principalOf(request));
      const page = pageOf(all.slice(offset, offset + limit + 1).map(view), request.query);
      return { items: page.items, limit, offset, nextOffset: page.nextOffset };
    },
  );
}
