import { Id } from '@homeward/events';
import {
  type Credentials,
  describeErrors,
  ensureInScope,
  type HttpServer,
  principalOf,
  problemResponses,
  requireRole,
} from '@homeward/service-kit';
import { Type } from '@sinclair/typebox';
import { victimsOfFacts } from '../domain/case-facts.ts';
import { placementsOf } from '../domain/placement-state.ts';
import { PlacementErrors } from '../errors.ts';
import type { PlacementService } from '../placement-service.ts';
import type { CaseDoc, CaseStore } from '../store/case-store.ts';
import {
  PlacementQuery,
  PlacementRequestSchema,
  PlacementView,
  RevisionRequestSchema,
  VictimList,
} from './schemas.ts';
import { placementOf, placementView, victimViews } from './views.ts';

export interface PlacementRoutesDeps {
  placements: PlacementService;
  store: CaseStore;
  credentials: Credentials;
}

const E = PlacementErrors;
const DECISION_ERRORS = describeErrors(
  E.invalidParty,
  E.caseNotFound,
  E.placementNotFound,
  E.revisionReasonRequired,
  E.concurrentUpdate,
  E.caseNotRescued,
  E.identificationRequired,
  E.guardianIsBuyer,
  E.guardianNotFamily,
  E.ageUnknown,
  E.minorIndependentLiving,
  E.victimNotFound,
  E.victimRequired,
  E.planNotAllowed,
  E.disabilityConsiderationRequired,
);

/** Placement decisions and their history. Decisions: civil affairs; reads: civil affairs and operators. */
export async function placementRoutes(app: HttpServer, deps: PlacementRoutesDeps): Promise<void> {
  app.post(
    '/v1/placements',
    {
      schema: {
        tags: ['placements'],
        summary:
          'Decide where a rescued victim goes and what it will live from (or revise it, with a reason)',
        description: `One placement per victim: victimId names the victim (required when the case has more than one). The first decision for a victim answers 201; a further one is a revision (200), which needs a reason.\n${DECISION_ERRORS}`,
        body: PlacementRequestSchema,
        response: {
          200: PlacementView,
          201: PlacementView,
          ...problemResponses(400, 401, 403, 404, 409, 422),
        },
      },
      preHandler: requireRole(deps.credentials, 'civil-affairs'),
    },
    async (request, reply) => {
      const { doc, created, placementId } = await deps.placements.decide(request.body, request.principal!);
      const view = placementView(doc, deps.placements, placementOf(doc, { placementId }));
      reply.header(
        'location',
        `/v1/cases/${doc._id}/placement${view.victimId ? `?victimId=${encodeURIComponent(view.victimId)}` : ''}`,
      );
      return reply.code(created ? 201 : 200).send(view);
    },
  );

  app.put(
    '/v1/placements/:placementId',
    {
      schema: {
        tags: ['placements'],
        summary: 'Revise a placement (the reason is required); the history is kept',
        description: DECISION_ERRORS,
        params: Type.Object({ placementId: Id }),
        body: RevisionRequestSchema,
        response: { 200: PlacementView, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
      preHandler: requireRole(deps.credentials, 'civil-affairs'),
    },
    async (request) => {
      const { placementId } = request.params;
      const caseId = await deps.placements.caseOfPlacement(placementId);
      const { doc } = await deps.placements.decide(
        { ...request.body, caseId, placementId },
        request.principal!,
      );
      return placementView(doc, deps.placements, placementOf(doc, { placementId }));
    },
  );

  app.get(
    '/v1/cases/:caseId/placement',
    {
      schema: {
        tags: ['placements'],
        summary: "A victim's placement: the current decision, every revision, the follow-ups",
        params: Type.Object({ caseId: Id }),
        querystring: PlacementQuery,
        description: describeErrors(E.placementNotFound),
        response: { 200: PlacementView, ...problemResponses(401, 403, 404) },
      },
      preHandler: requireRole(deps.credentials, 'civil-affairs', 'operator'),
    },
    async (request) => {
      const { caseId } = request.params;
      const doc = await deps.store.get(caseId);
      const p = doc ? placementOf(doc, request.query) : undefined;
      if (!doc || !p)
        throw E.placementNotFound.error(
          `case "${caseId}" has no placement${request.query.victimId ? ` for victim "${request.query.victimId}"` : ''}`,
        );
      // Reads of a case are audit-logged: who read which case (never what it holds).
      request.log.info(
        { audit: 'placement-read', caseId, agencyId: request.principal?.agencyId },
        'case read',
      );
      return placementView(doc, deps.placements, p);
    },
  );

  app.get(
    '/v1/cases/:caseId/victims',
    {
      schema: {
        tags: ['placements'],
        summary: "A case's victims, each with its path: rescued, identified, placed, followed up",
        params: Type.Object({ caseId: Id }),
        description: describeErrors(E.caseNotFound),
        response: { 200: VictimList, ...problemResponses(401, 403, 404) },
      },
      config: {
        access: {
          roles: ['civil-affairs', 'operator'],
          scope: "the case's region, or where one of its victims was rescued or is placed",
        },
      },
    },
    async (request) => {
      const { caseId } = request.params;
      const doc = ensureInScope(principalOf(request), await deps.store.get(caseId), caseRegions, () =>
        E.caseNotFound.error(`no case "${caseId}" is known to placement`),
      );
      request.log.info({ audit: 'victims-read', caseId, agencyId: request.principal?.agencyId }, 'case read');
      return { caseId, victims: victimViews(doc, deps.placements) };
    },
  );
}

/** The regions a case lies in for placement: its own, its victims' rescues, its placements. */
function caseRegions(doc: CaseDoc): string[] {
  return [
    ...(doc.facts.region ? [doc.facts.region] : []),
    ...victimsOfFacts(doc._id, doc.facts).flatMap((v) => (v.rescue ? [v.rescue.region] : [])),
    ...placementsOf(doc).map((p) => p.region),
  ];
}
