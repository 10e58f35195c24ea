import { Id } from '@homeward/events';
import {
  type AuditLog,
  describeErrors,
  type HttpServer,
  principalOf,
  problemResponses,
} from '@homeward/service-kit';
import { Type } from '@sinclair/typebox';
import { PlacementErrors } from '../errors.ts';
import type { PlacementService } from '../placement-service.ts';
import { PlacementRequestSchema, PlacementView, RevisionRequestSchema } from './schemas.ts';
import { placementView } from './views.ts';

export interface PlacementRoutesDeps {
  placements: PlacementService;
  audit: AuditLog;
}

const CASE_SCOPE = "the case's region (from its case.opened) lies in the caller's; outside it, 404";

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
          ...problemResponses(400, 401, 403, 404, 409, 422, 429),
        },
      },
      config: { access: { roles: ['civil-affairs'], scope: CASE_SCOPE } },
    },
    async (request, reply) => {
      const { doc, created } = await deps.placements.decide(request.body, principalOf(request));
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
        response: { 200: PlacementView, ...problemResponses(400, 401, 403, 404, 409, 422, 429) },
      },
      config: { access: { roles: ['civil-affairs'], scope: CASE_SCOPE } },
    },
    async (request) => {
      const { placementId } = request.params;
      const caseId = await deps.placements.caseOfPlacement(placementId);
      const { doc } = await deps.placements.decide(
        { ...request.body, caseId, placementId },
        principalOf(request),
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
        response: { 200: PlacementView, ...problemResponses(401, 403, 404, 429) },
      },
      config: { access: { roles: ['civil-affairs', 'operator'], scope: CASE_SCOPE } },
    },
    async (request) => {
      const doc = await deps.placements.placementFor(request.params.caseId, principalOf(request));
      await deps.audit.read(request, {
        action: 'placement.read',
        recordType: 'placement',
        recordIds: [doc._id],
        regions: doc.facts.region ? [doc.facts.region] : [],
      });
      return placementView(doc, deps.placements);
    },
  );
}
