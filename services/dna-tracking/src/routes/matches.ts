import {
  type Credentials,
  describeErrors,
  type HttpServer,
  problemResponses,
  requireRole,
} from '@homeward/service-kit';
import { Type } from '@sinclair/typebox';
import { DnaErrors } from '../errors.ts';
import type { MatchingService } from '../matching-service.ts';
import type { DnaStore, MatchDoc, MatchStatus, ReviewDoc } from '../store/dna-store.ts';
import { traceOf } from './samples.ts';
import { MatchIdParams, MatchQuery, MatchView, ReviewBody } from './schemas.ts';

export interface MatchRoutesDeps {
  matching: MatchingService;
  store: DnaStore;
  credentials: Credentials;
}

function matchView(m: MatchDoc, review: Omit<ReviewDoc, 'outbox'> | null | undefined) {
  return {
    matchId: m._id,
    kind: m.kind,
    childSampleId: m.childSampleId,
    parentSampleIds: m.parentSampleIds,
    ...(m.caseId ? { caseId: m.caseId } : {}),
    ...(m.childCaseId ? { childCaseId: m.childCaseId } : {}),
    ...(m.relationship ? { relationship: m.relationship } : {}),
    ...(m.references ? { references: m.references } : {}),
    combinedIndex: m.combinedIndex,
    probability: m.probability,
    inconsistentLoci: m.inconsistentLoci,
    lociCompared: m.lociCompared,
    status: (review?.decision ?? m.status) as MatchStatus,
    frequencyTable: m.frequencyTable,
    foundAt: new Date(m.foundAt).toISOString(),
    ...(review
      ? {
          review: {
            decision: review.decision,
            reviewer: review.reviewer,
            note: review.note,
            at: new Date(review.at).toISOString(),
            agencyId: review.by.agencyId,
          },
        }
      : {}),
  };
}

/** Kinship candidates and their review. */
export async function matchRoutes(app: HttpServer, deps: MatchRoutesDeps): Promise<void> {
  const { matching, store, credentials } = deps;

  app.get(
    '/v1/matches',
    {
      schema: {
        tags: ['matches'],
        summary: 'Kinship candidates, newest first (no genotypes)',
        description: "caseId matches the parents' case or the child's own case.",
        querystring: MatchQuery,
        response: {
          200: Type.Object({ matches: Type.Array(MatchView) }),
          ...problemResponses(400, 401, 403),
        },
      },
      preHandler: requireRole(credentials, 'dna-lab', 'police', 'operator'),
    },
    async (request) => {
      const q = request.query;
      const views = (await store.listMatches(q.caseId)).map(({ match, review }) => matchView(match, review));
      return { matches: views.filter((v) => !q.status || v.status === q.status).slice(0, q.limit) };
    },
  );

  app.get(
    '/v1/matches/:matchId',
    {
      schema: {
        tags: ['matches'],
        summary: 'One kinship candidate',
        params: MatchIdParams,
        response: { 200: MatchView, ...problemResponses(401, 403, 404) },
      },
      preHandler: requireRole(credentials, 'dna-lab', 'police', 'operator'),
    },
    async (request) => {
      const [m, review] = await Promise.all([
        store.findMatch(request.params.matchId),
        store.findReview(request.params.matchId),
      ]);
      if (!m) throw DnaErrors.matchNotFound.error(`no match "${request.params.matchId}"`);
      return matchView(m, review);
    },
  );

  for (const [path, decision] of [
    ['confirm', 'confirmed'],
    ['reject', 'rejected'],
  ] as const) {
    app.post(
      `/v1/matches/:matchId/${path}`,
      {
        schema: {
          tags: ['matches'],
          summary:
            decision === 'confirmed'
              ? 'Confirm a candidate (dna-lab): homeward.dna.match-confirmed'
              : 'Reject a candidate (dna-lab): homeward.dna.match-rejected',
          description: describeErrors(
            DnaErrors.matchNotFound,
            DnaErrors.matchAlreadyReviewed,
            DnaErrors.matchInconclusive,
          ),
          params: MatchIdParams,
          body: ReviewBody,
          response: { 200: MatchView, ...problemResponses(400, 401, 403, 404, 409, 422) },
        },
        preHandler: requireRole(credentials, 'dna-lab'),
      },
      async (request) => {
        const { match, review } = await matching.review({
          matchId: request.params.matchId,
          decision,
          reviewer: request.body.reviewer,
          note: request.body.note,
          principal: request.principal!,
          traceparent: traceOf(request),
        });
        return matchView(match, review);
      },
    );
  }
}
