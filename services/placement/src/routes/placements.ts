import { Id } from '@homeward/events';
import {
  type Credentials,
  type HttpServer,
  NotFoundError,
  problemResponses,
  requireRole,
} from '@homeward/service-kit';
import { Type } from '@sinclair/typebox';
import type { PlacementService } from '../placement-service.ts';
import type { CaseStore } from '../store/case-store.ts';
import { PlacementRequestSchema, PlacementView, RevisionRequestSchema } from './schemas.ts';
import { placementView } from './views.ts';

export interface PlacementRoutesDeps {
  placements: PlacementService;
  store: CaseStore;
  credentials: Credentials;
}

const RULES =
  '422 when: the case is not rescued (placement-err-case-not-rescued); return-to-family without a confirmed DNA match or a recorded police identification (placement-err-identification-required); ' +
  'the guardian is a buying household recorded at rescue, by identity number or by normalised name and address (placement-err-guardian-is-buyer); ' +
  'the age on the decision date is unknown (placement-err-age-unknown); independent-living for a child under 18 (placement-err-minor-independent-living).';

/** Placement decisions and their history. Decisions: civil affairs; reads: civil affairs and operators. */
export async function placementRoutes(app: HttpServer, deps: PlacementRoutesDeps): Promise<void> {
  app.post(
    '/v1/placements',
    {
      schema: {
        tags: ['placements'],
        summary: 'Decide where a rescued child goes (or revise it, with a reason)',
        description: `The first decision for a case answers 201; a further one for the same case is a revision (200), which needs a reason. ${RULES}`,
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
        description: RULES,
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
        response: { 200: PlacementView, ...problemResponses(401, 403, 404) },
      },
      preHandler: requireRole(deps.credentials, 'civil-affairs', 'operator'),
    },
    async (request) => {
      const { caseId } = request.params;
      const doc = await deps.store.get(caseId);
      if (!doc?.placement)
        throw new NotFoundError(`case "${caseId}" has no placement`, 'PLACEMENT_ERR_PLACEMENT_NOT_FOUND');
      // Reads of a case are audit-logged: who read which case (never what it holds).
      request.log.info(
        { audit: 'placement-read', caseId, agencyId: request.principal?.agencyId },
        'case read',
      );
      return placementView(doc, deps.placements);
    },
  );
}
