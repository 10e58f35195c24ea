import { Id } from '@homeward/events';
import {
  type Credentials,
  describeErrors,
  type HttpServer,
  problemResponses,
  requireRole,
} from '@homeward/service-kit';
import { Type } from '@sinclair/typebox';
import { PlacementErrors } from '../errors.ts';
import type { PlacementService } from '../placement-service.ts';
import type { CaseStore } from '../store/case-store.ts';
import { PlacementRequestSchema, PlacementView, RevisionRequestSchema } from './schemas.ts';
import { placementView } from './views.ts';

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
);

/** Placement decisions and their history. Decisions: civil affairs; reads: civil affairs and operators. */
export async function placementRoutes(app: HttpServer, deps: PlacementRoutesDeps): Promise<void> {
  app.post(
    '/v1/placements',
    {
      schema: {
        tags: ['placements'],
        summary: 'Decide where a rescued child goes (or revise it, with a reason)',
        description: `The first decision for a case answers 201; a further one for the same case is a revision (200), which needs a reason.\n${DECISION_ERRORS}`,
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
      const { doc, created } = await deps.placements.decide(request.body, request.principal!);
      reply.header('location', `/v1/cases/${doc._id}/placement`);
      return reply.code(created ? 201 : 200).send(placementView(doc, deps.placements));
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
      return placementView(doc, deps.placements);
    },
  );

  app.get(
    '/v1/cases/:caseId/placement',
    {
      schema: {
        tags: ['placements'],
        summary: "A case's placement: the current decision, every revision, the follow-ups",
        params: Type.Object({ caseId: Id }),
        description: describeErrors(E.placementNotFound),
        response: { 200: PlacementView, ...problemResponses(401, 403, 404) },
      },
      preHandler: requireRole(deps.credentials, 'civil-affairs', 'operator'),
    },
    async (request) => {
      const { caseId } = request.params;
      const doc = await deps.store.get(caseId);
      if (!doc?.placement) throw E.placementNotFound.error(`case "${caseId}" has no placement`);
      // Reads of a case are audit-logged: who read which case (never what it holds).
      request.log.info(
        { audit: 'placement-read', caseId, agencyId: request.principal?.agencyId },
        'case read',
      );
      return placementView(doc, deps.placements);
    },
  );
}
