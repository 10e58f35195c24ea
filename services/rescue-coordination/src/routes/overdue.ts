import { type HttpServer, principalOf, problemResponses } from '@homeward/service-kit';
import { Type } from '@sinclair/typebox';
import type { TeamClockService } from '../team-clock-service.ts';

export interface OverdueRoutesDeps {
  teamClockService: TeamClockService;
}

const OverdueTeam = Type.Object(
  {
    clock: Type.Literal('team'),
    caseId: Type.String(),
    kind: Type.String(),
    region: Type.String(),
    since: Type.String({ format: 'date-time', description: 'the case opened' }),
    dueAt: Type.String({ format: 'date-time', description: 'overdue from' }),
  },
  { title: 'OverdueClock' },
);

/** Rescue coordination's clocks that ran out: child-trafficking cases still without a special team. */
export async function overdueRoutes(app: HttpServer, deps: OverdueRoutesDeps): Promise<void> {
  app.get(
    '/v1/overdue',
    {
      schema: {
        tags: ['cases'],
        summary: 'Cases still without a special team past TEAM_OVERDUE_HOURS (police, operator)',
        description:
          "Each raised homeward.case.team-overdue once; listed until a team is assigned or the case closes. Only cases inside the caller's region; ids, kinds, regions and times (no person).",
        response: { 200: Type.Object({ overdue: Type.Array(OverdueTeam) }), ...problemResponses(401, 403) },
      },
      config: {
        access: {
          roles: ['police', 'operator'],
          scope: "the case's region (cases outside the caller's are not listed)",
        },
      },
    },
    async (request) => ({
      overdue: (await deps.teamClockService.overdueTeams(principalOf(request))).map(({ doc, dueAt }) => ({
        clock: 'team' as const,
        caseId: doc._id,
        kind: doc.kind,
        region: doc.region,
        since: new Date(doc.openedAt).toISOString(),
        dueAt: dueAt.toISOString(),
      })),
    }),
  );
}
