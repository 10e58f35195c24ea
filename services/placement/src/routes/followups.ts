import { FollowupOwners, Id, type Role } from '@homeward/events';
import {
  type AuditLog,
  describeErrors,
  type HttpServer,
  pageWindow,
  principalOf,
  problemResponses,
  scopeFilter,
} from '@homeward/service-kit';
import { Type } from '@sinclair/typebox';
import { regionPrefix } from '../domain/regions.ts';
import { PlacementErrors } from '../errors.ts';
import type { PlacementService } from '../placement-service.ts';
import type { CaseStore } from '../store/case-store.ts';
import { CompletionRequestSchema, FollowupList, FollowupListQuery, FollowupView } from './schemas.ts';
import { followupView } from './views.ts';

export interface FollowupRoutesDeps {
  placements: PlacementService;
  store: CaseStore;
  audit: AuditLog;
}

/** Every role that owns a kind of follow-up (the contract's FollowupOwners), once each. */
export const OWNER_ROLES: readonly Role[] = [...new Set(Object.values(FollowupOwners))];

/**
 * The follow-ups: listed for civil affairs and operators (every one) and for the owner roles
 * (those they answer for); completed by the owner of each, and by no one else.
 */
export async function followupRoutes(app: HttpServer, deps: FollowupRoutesDeps): Promise<void> {
  app.get(
    '/v1/followups',
    {
      schema: {
        tags: ['followups'],
        summary: 'Follow-ups, earliest due first',
        description:
          'Filters: status, type, region (a division code; a prefecture or province code matches the divisions under it), ' +
          'overdue (true: scheduled and past its due date; an overdue follow-up stays listed until it is completed or cancelled), caseId, owner. ' +
          'Civil affairs and operators see every follow-up; an owner role (education, health, human-resources-social-security, womens-federation, disabled-persons-federation) sees only those it answers for. ' +
          'Reads every placed case: a listing for people, not a hot path.',
        querystring: FollowupListQuery,
        response: { 200: FollowupList, ...problemResponses(400, 401, 403, 429) },
      },
      config: {
        access: {
          // OWNER_ROLES holds civil affairs (relief, the escort home).
          roles: ['operator', ...OWNER_ROLES],
          scope:
            "the follow-ups of cases whose region lies in the caller's (filtered in the store query); an owner role sees only the follow-ups it answers for",
        },
      },
    },
    async (request) => {
      const q = request.query;
      const { limit, offset } = pageWindow(q);
      const role = principalOf(request).role;
      // Civil affairs coordinate every follow-up; another owner sees only its own.
      const onlyOwner = role === 'civil-affairs' || role === 'operator' ? undefined : role;
      const prefix = q.region ? regionPrefix(q.region) : undefined;
      const items = [];
      const regions = new Map<string, string | undefined>();
      for (const doc of await deps.store.placed(scopeFilter(principalOf(request), 'facts.region'))) {
        regions.set(doc._id, doc.facts.region);
        if (q.caseId && doc._id !== q.caseId) continue;
        for (const f of doc.followups) {
          if (q.status && f.status !== q.status) continue;
          if (q.type && f.type !== q.type) continue;
          const owner = FollowupOwners[f.type];
          if (q.owner && owner !== q.owner) continue;
          if (onlyOwner && owner !== onlyOwner) continue;
          if (prefix && !f.region.startsWith(prefix)) continue;
          const view = followupView(doc._id, f, deps.placements);
          if (q.overdue !== undefined && view.overdue !== q.overdue) continue;
          items.push(view);
        }
      }
      items.sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.followupId.localeCompare(b.followupId));
      const page = items.slice(offset, offset + limit);
      await deps.audit.read(request, {
        action: 'followup.list',
        recordType: 'followup',
        recordIds: page.map((f) => f.followupId),
        regions: [...new Set(page.flatMap((f) => regions.get(f.caseId) ?? []))],
        filters: {
          status: q.status,
          type: q.type,
          region: q.region,
          overdue: q.overdue,
          caseId: q.caseId,
          limit,
          offset,
        },
      });
      return { items: page, total: items.length };
    },
  );

  app.post(
    '/v1/followups/:id/complete',
    {
      schema: {
        tags: ['followups'],
        summary: 'Record what was done (the owner role only); publishes homeward.followup.completed',
        description: describeErrors(
          PlacementErrors.notFollowupOwner,
          PlacementErrors.outcomeIncomplete,
          PlacementErrors.followupNotFound,
          PlacementErrors.followupCompleted,
          PlacementErrors.followupCancelled,
          PlacementErrors.concurrentUpdate,
        ),
        params: Type.Object({ id: Id }),
        body: CompletionRequestSchema,
        response: { 200: FollowupView, ...problemResponses(400, 401, 403, 404, 409, 429) },
      },
      config: {
        access: {
          roles: [...OWNER_ROLES],
          scope:
            "the follow-up's case's region lies in the caller's; outside it, 404 (then only the follow-up's owner role completes it, else 403)",
        },
      },
    },
    async (request) => {
      const { caseId, followup } = await deps.placements.complete(
        request.params.id,
        request.body,
        principalOf(request),
      );
      return followupView(caseId, followup, deps.placements);
    },
  );
}
