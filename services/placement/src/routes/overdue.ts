import { literalUnion, PlacementClocks } from '@homeward/events';
import { type HttpServer, principalOf, problemResponses } from '@homeward/service-kit';
import { Type } from '@sinclair/typebox';
import type { PlacementService } from '../placement-service.ts';

const OverdueClock = Type.Object(
  {
    clock: literalUnion(PlacementClocks),
    caseId: Type.String(),
    region: Type.String(),
    since: Type.String({ format: 'date-time', description: 'rescued, or identified' }),
    dueAt: Type.String({ format: 'date-time', description: 'overdue from' }),
    limitDays: Type.Number(),
  },
  { title: 'OverdueClock' },
);

/** Placement's clocks that ran out: rescued but not placed, identified but not returned home. */
export async function overdueRoutes(app: HttpServer, deps: { placements: PlacementService }): Promise<void> {
  app.get(
    '/v1/overdue',
    {
      schema: {
        tags: ['placements'],
        summary:
          'Children rescued and not placed, or identified and not returned, past their days (civil-affairs, operator)',
        description:
          "RESCUED_NOT_PLACED_DAYS and IDENTIFIED_NOT_RETURNED_DAYS; each raised homeward.placement.overdue once and is listed until the child is placed (returned) or the case closes. Only cases inside the caller's region; ids, regions and times (no person).",
        response: { 200: Type.Object({ overdue: Type.Array(OverdueClock) }), ...problemResponses(401, 403) },
      },
      config: {
        access: {
          roles: ['civil-affairs', 'operator'],
          scope: "the child's region (where it was rescued, else the case's; others are not listed)",
        },
      },
    },
    async (request) => ({
      overdue: (await deps.placements.overdueClocks(principalOf(request))).map((c) => ({
        clock: c.clock,
        caseId: c.caseId,
        region: c.region,
        since: new Date(c.since).toISOString(),
        dueAt: c.dueAt.toISOString(),
        limitDays: c.limitDays,
      })),
    }),
  );
}
