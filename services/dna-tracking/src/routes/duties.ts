import {
  type HttpServer,
  pageWindow,
  principalOf,
  problemResponses,
  type RouteAccess,
} from '@homeward/service-kit';
import { Type } from '@sinclair/typebox';
import { deadlineOf } from '../domain/sampling-duties.ts';
import type { SamplingService } from '../sampling-service.ts';
import { DutyQuery, DutyView, OverdueClockView } from './schemas.ts';

export interface DutyRoutesDeps {
  sampling: SamplingService;
  limitHours: number;
}

const readers: RouteAccess = {
  roles: ['dna-lab', 'police', 'operator'],
  scope: "the case's region (cases outside the caller's are not listed)",
};

/**
 * What the cases owe in DNA samples, and which of those are overdue. Scoped: a caller sees the
 * cases whose region lies inside its own. Ids, kinds, regions and times only: no person.
 */
export async function dutyRoutes(app: HttpServer, deps: DutyRoutesDeps): Promise<void> {
  const { sampling } = deps;

  app.get(
    '/v1/sampling-duties',
    {
      schema: {
        tags: ['sampling duties'],
        summary: 'DNA samples owed and not taken, longest owed first (dna-lab, police, operator)',
        description:
          "Every open missing-child case owes a sample from each living parent; every unidentified or rescued child owes its own. A sample naming the case pays the duty; a closed case retires them. Only cases inside the caller's region.",
        querystring: DutyQuery,
        response: {
          200: Type.Object({ duties: Type.Array(DutyView), total: Type.Integer() }),
          ...problemResponses(400, 401, 403),
        },
      },
      config: { access: readers },
    },
    async (request) => {
      const q = request.query;
      const rows = await sampling.duties({
        scope: principalOf(request),
        ...(q.region ? { region: q.region } : {}),
        ...(q.caseId ? { caseId: q.caseId } : {}),
        ...(q.overdue !== undefined ? { overdue: q.overdue } : {}),
      });
      const { limit, offset } = pageWindow(q);
      return { duties: rows.slice(offset, offset + limit), total: rows.length };
    },
  );

  app.get(
    '/v1/overdue',
    {
      schema: {
        tags: ['sampling duties'],
        summary: "dna-tracking's clocks that ran out: samples owed past SAMPLING_OVERDUE_HOURS",
        description:
          "Each raised homeward.dna.sampling-overdue once; listed until paid or the case closes. Only cases inside the caller's region.",
        response: {
          200: Type.Object({ overdue: Type.Array(OverdueClockView) }),
          ...problemResponses(401, 403),
        },
      },
      config: { access: readers },
    },
    async (request) => {
      const rows = await sampling.duties({ scope: principalOf(request), overdue: true });
      return {
        overdue: rows.map((r) => ({
          clock: 'sampling' as const,
          caseId: r.caseId,
          region: r.region,
          subject: r.subject,
          since: r.owedSince,
          dueAt: deadlineOf(r.owedSince, deps.limitHours).toISOString(),
        })),
      };
    },
  );
}
