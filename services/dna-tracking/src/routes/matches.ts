import {
  type AuditLog,
  describeErrors,
  type HttpServer,
  inScope,
  type Principal,
  pageWindow,
  principalOf,
  problemResponses,
} from '@homeward/service-kit';
import { Type } from '@sinclair/typebox';
import { DnaErrors } from '../errors.ts';
import type { MatchingService } from '../matching-service.ts';
import type { DnaStore, FoldDoc, MatchDoc, MatchStatus, ReviewDoc } from '../store/dna-store.ts';
import { traceOf } from './samples.ts';
import { MatchIdParams, MatchQuery, MatchView, ReviewBody } from './schemas.ts';

export interface MatchRoutesDeps {
  matching: MatchingService;
  store: DnaStore;
  audit: AuditLog;
  /** The ids of the samples whose region lies in the caller's (a store query). */
  sampleIdsInScope: (principal: Principal) => Promise<string[]>;
}

const MATCH_SCOPE = "the region of the child's sample or of a parent's sample lies in the caller's";

function matchView(
  m: MatchDoc,
  review: Omit<ReviewDoc, 'outbox'> | null | undefined,
  fold: Pick<FoldDoc, 'into'> | null | undefined,
) {
  return {
    matchId: m._id,
    kind: m.kind,
    childSampleId: m.childSampleId,
    parentSampleIds: m.parentSampleIds,
    ...(m.caseId ? { caseId: m.caseId } : {}),
    ...(m.childCaseId ? { childCaseId: m.childCaseId } : {}),
    ...(m.parents ? { parents: m.parents } : {}),
    ...(fold && !review ? { foldedInto: fold.into } : {}),
    ...(m.relationship ? { relationship: m.relationship } : {}),
    ...(m.references ? { references: m.references } : {}),
    combinedIndex: m.combinedIndex,
    probability: m.probability,
    inconsistentLoci: m.inconsistentLoci,
    lociCompared: m.lociCompared,
    status: (review?.decision ?? (fold ? 'folded' : m.status)) as MatchStatus,
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
  const { matching, store, audit } = deps;

  /** A match the caller reaches (one of its samples in the caller's region), else 404. */
  const reachable = async (matchId: string, principal: Principal) => {
    const m = await store.findMatch(matchId);
    const samples = m
      ? await Promise.all([m.childSampleId, ...m.parentSampleIds].map((id) => store.findSample(id)))
      : [];
    const regions = samples.flatMap((s) => (s ? [s.region] : []));
    if (!m || !regions.some((r) => inScope(principal, r)))
      throw DnaErrors.matchNotFound.error(`no match "${matchId}"`);
    return { match: m, regions };
  };

  app.get(
    '/v1/matches',
    {
      schema: {
        tags: ['matches'],
        summary: 'Kinship candidates, newest first (no genotypes)',
        description: "caseId matches the parents' case or the child's own case.",
        querystring: MatchQuery,
        response: {
          200: Type.Object({
            matches: Type.Array(MatchView),
            nextOffset: Type.Union([Type.Integer(), Type.Null()]),
          }),
          ...problemResponses(400, 401, 403, 429),
        },
      },
      config: { access: { roles: ['dna-lab', 'police', 'operator'], scope: MATCH_SCOPE } },
    },
    async (request) => {
      const q = request.query;
      const { limit, offset } = pageWindow(q);
      const ids = await deps.sampleIdsInScope(principalOf(request));
      const views = (await store.listMatches(q.caseId, ids))
        .map(({ match, review, fold }) => matchView(match, review, fold))
        .filter((v) => !q.status || v.status === q.status);
      const items = views.slice(offset, offset + limit);
      await audit.read(request, {
        action: 'match.list',
        recordType: 'match',
        recordIds: items.map((m) => m.matchId),
        regions: [principalOf(request).region],
        filters: { caseId: q.caseId, status: q.status, limit, offset },
      });
      return { matches: items, nextOffset: views.length > offset + limit ? offset + limit : null };
    },
  );

  app.get(
    '/v1/matches/:matchId',
    {
      schema: {
        tags: ['matches'],
        summary: 'One kinship candidate',
        params: MatchIdParams,
        response: { 200: MatchView, ...problemResponses(401, 403, 404, 429) },
      },
      config: { access: { roles: ['dna-lab', 'police', 'operator'], scope: MATCH_SCOPE } },
    },
    async (request) => {
      const { match: m, regions } = await reachable(request.params.matchId, principalOf(request));
      const [review, fold] = await Promise.all([
        store.findReview(request.params.matchId),
        store.findFold(request.params.matchId),
      ]);
      await audit.read(request, { action: 'match.read', recordType: 'match', recordIds: [m._id], regions });
      return matchView(m, review, fold);
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
            DnaErrors.matchFolded,
          ),
          params: MatchIdParams,
          body: ReviewBody,
          response: { 200: MatchView, ...problemResponses(400, 401, 403, 404, 409, 422, 429) },
        },
        config: { access: { roles: ['dna-lab'], scope: MATCH_SCOPE } },
      },
      async (request) => {
        await reachable(request.params.matchId, principalOf(request));
        const { match, review } = await matching.review({
          matchId: request.params.matchId,
          decision,
          reviewer: request.body.reviewer,
          note: request.body.note,
          principal: principalOf(request),
          traceparent: traceOf(request),
        });
        return matchView(match, review, null);
      },
    );
  }
}
