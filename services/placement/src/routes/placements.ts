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
          ...problemResponses(400, 401, 403, 404, 409, 422, 429),
        },
      },
      config: { access: { roles: ['civil-affairs'], scope: CASE_SCOPE } },
    },
    async (request, reply) => {
      const { doc, created, placementId } = await deps.placements.decide(request.body, principalOf(request));
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
        response: { 200: PlacementView, ...problemResponses(401, 403, 404, 429) },
      },
      config: { access: { roles: ['civil-affairs', 'operator'], scope: CASE_SCOPE } },
    },
    async (request) => {
      const { caseId } = request.params;
      const doc = await deps.placements.placementFor(caseId, principalOf(request));
      const p = placementOf(doc, request.query);
      if (!p)
        throw E.placementNotFound.error(
          `case "${caseId}" has no placement${request.query.victimId ? ` for victim "${request.query.victimId}"` : ''}`,
        );
      await deps.audit.read(request, {
        action: 'placement.read',
        recordType: 'placement',
        recordIds: [doc._id],
        regions: doc.facts.region ? [doc.facts.region] : [],
      });
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
      const doc = await deps.placements.victimsCase(caseId, principalOf(request));
      await deps.audit.read(request, {
        action: 'victims.read',
        recordType: 'case',
        recordIds: [doc._id],
        regions: doc.facts.region ? [doc.facts.region] : [],
      });
      return { caseId, victims: victimViews(doc, deps.placements) };
    },
  );
}
