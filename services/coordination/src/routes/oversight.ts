import { RegionCode } from '@homeward/events';
import {
  type AuditLog,
  type Credentials,
  describeErrors,
  type HttpServer,
  PageQuery,
  pageOf,
  pageWindow,
  principalOf,
  problemResponses,
  type RouteAccess,
} from '@homeward/service-kit';
import { Type } from '@sinclair/typebox';
import { DUTIES } from '../domain/duties.ts';
import { OFFICE_ROLE } from '../domain/scope.ts';
import { CoordinationErrors as E } from '../errors.ts';
import { csvLines } from '../outputs/csv.ts';
import type { OversightService } from '../oversight-service.ts';
import type { SubmissionService } from '../submission-service.ts';
import { TableFormat, Year } from './schemas.ts';
import { chosenFormat, sendRaw } from './submissions.ts';

export interface OversightRoutesDeps {
  oversight: OversightService;
  submissions: SubmissionService;
  credentials: Credentials;
  audit: AuditLog;
}

const SCOPE_ERRORS = describeErrors(E.submissionNotFound);
const RegionQuery = Type.Optional(RegionCode);
const office = (scope: string): RouteAccess => ({ roles: [OFFICE_ROLE], scope });
const json = (body: unknown) => JSON.stringify(body);

/**
 * What an office oversees within its region: who is late, the roll-up, the duties missed now,
 * the year's assessment. Coordination offices only; a region outside the caller's is 404.
 * Lists are paged in JSON; their CSV is the whole list (an export for the office's files).
 */
export async function oversightRoutes(app: HttpServer, deps: OversightRoutesDeps): Promise<void> {
  app.get(
    '/v1/late',
    {
      schema: {
        tags: ['oversight'],
        summary: "Member departments late with the year's report (none before the deadline)",
        description:
          'Within the office’s region: not submitted by 31 January, submitted after it, or returned and not resubmitted. JSON (paged) or CSV.',
        querystring: Type.Composite(
          [Type.Object({ year: Year, format: Type.Optional(TableFormat) }), PageQuery],
          {
            additionalProperties: false,
          },
        ),
        produces: ['application/json', 'text/csv'],
        response: {
          200: Type.Unknown({
            description:
              '{ year, items: [{ agencyId, role, region, submissionId, state, dueDate }], nextOffset }',
          }),
          ...problemResponses(400, 401, 403, 429),
        },
      },
      config: { access: office("the members' regions, within the office's") },
    },
    async (request, reply) => {
      const { year, format } = request.query;
      const late = await deps.submissions.late(principalOf(request), year);
      if (chosenFormat(request, format) === 'csv')
        return sendRaw(
          reply,
          'text/csv; charset=utf-8',
          csvLines([
            ['year', 'region', 'agencyId', 'role', 'state', 'dueDate', 'submissionId'],
            ...late.map((l) => [year, l.region, l.agencyId, l.role, l.state, l.dueDate, l.submissionId]),
          ]),
          `homeward-late-${year}.csv`,
        );
      const { limit, offset } = pageWindow(request.query);
      const page = pageOf(late.slice(offset, offset + limit + 1), request.query);
      return reply
        .type('application/json; charset=utf-8')
        .send(json({ year, items: page.items, limit, offset, nextOffset: page.nextOffset }));
    },
  );

  app.get(
    '/v1/rollup',
    {
      schema: {
        tags: ['oversight'],
        summary: "The region's tree: platform figures beside the submissions, at every level below",
        description:
          "Each node's platform figures are the sum of its children's plus what is recorded at its own code (`direct`), so every level reconciles. " +
          `A prefecture office sees its counties; the province the whole tree.\n${SCOPE_ERRORS}`,
        querystring: Type.Object({ year: Year, region: RegionQuery }, { additionalProperties: false }),
        response: {
          200: Type.Unknown({ description: 'see domain/rollup.ts' }),
          ...problemResponses(400, 401, 403, 404, 429),
        },
      },
      config: { access: office("the requested region (default the office's own), within the office's") },
    },
    async (request, reply) => {
      const { year, region } = request.query;
      const tree = await deps.oversight.rollup(principalOf(request), year, region);
      return reply.type('application/json; charset=utf-8').send(json({ year, ...tree }));
    },
  );

  app.get(
    '/v1/supervision',
    {
      schema: {
        tags: ['oversight'],
        summary: 'The duties being missed now, per region and department, each naming its record',
        description:
          'Reports not acted on, child cases without a special team, DNA sampling and custody steps overdue, rescued children not placed, ' +
          'identified children not returned, overdue follow-ups; oldest first. Each item links to its record in the service that owns it. ' +
          `JSON (paged) or CSV. Each read is audited (it names case, sample and follow-up records).\n${SCOPE_ERRORS}`,
        querystring: Type.Composite(
          [Type.Object({ region: RegionQuery, format: Type.Optional(TableFormat) }), PageQuery],
          { additionalProperties: false },
        ),
        produces: ['application/json', 'text/csv'],
        response: {
          200: Type.Unknown({ description: 'see domain/duties.ts' }),
          ...problemResponses(400, 401, 403, 404, 429),
        },
      },
      config: {
        access: office(
          "each duty's region (the case's, the rescue's, the sample's, the follow-up's), within the office's",
        ),
      },
    },
    async (request, reply) => {
      const { region, format } = request.query;
      const list = await deps.oversight.supervision(principalOf(request), region);
      const csv = chosenFormat(request, format) === 'csv';
      const { limit, offset } = pageWindow(request.query);
      const page = pageOf(list.missed.slice(offset, offset + limit + 1), request.query);
      const shown = csv ? list.missed : page.items;
      await deps.audit.read(request, {
        action: 'supervision.read',
        recordType: 'supervised-record',
        recordIds: [...new Set(shown.map((m) => `${m.record.kind}:${m.record.id}`))],
        regions: [...new Set(shown.map((m) => m.region))],
        filters: { region: list.region, format: csv ? 'csv' : 'json' },
      });
      if (csv)
        return sendRaw(
          reply,
          'text/csv; charset=utf-8',
          csvLines([
            [
              'region',
              'department',
              'duty',
              'recordKind',
              'recordId',
              'caseId',
              'dueAt',
              'overdueHours',
              'detail',
              'href',
            ],
            ...list.missed.map((m) => [
              m.region,
              m.department,
              m.duty,
              m.record.kind,
              m.record.id,
              m.caseId ?? '',
              m.dueAt,
              m.overdueHours,
              m.detail ?? '',
              m.record.href,
            ]),
          ]),
          `homeward-supervision-${list.region}.csv`,
        );
      return reply.type('application/json; charset=utf-8').send(
        json({
          region: list.region,
          asOf: list.asOf,
          total: list.missed.length,
          missed: page.items,
          limit,
          offset,
          nextOffset: page.nextOffset,
        }),
      );
    },
  );

  app.get(
    '/v1/assessment',
    {
      schema: {
        tags: ['oversight'],
        summary:
          "The year's ranking of regions and departments on the supervised duties, raw numbers beside every score",
        description:
          'Every duty that fell due in the year (and by now): on time, late or missed. A score is the mean on-time rate of the duties that fell due. ' +
          `Regions are the divisions one level below the office's (its own code for what is recorded there). JSON or CSV.\n${SCOPE_ERRORS}`,
        querystring: Type.Object(
          { year: Year, region: RegionQuery, format: Type.Optional(TableFormat) },
          { additionalProperties: false },
        ),
        produces: ['application/json', 'text/csv'],
        response: {
          200: Type.Unknown({ description: 'see domain/assessment.ts' }),
          ...problemResponses(400, 401, 403, 404, 429),
        },
      },
      config: { access: office("the requested region (default the office's own), within the office's") },
    },
    async (request, reply) => {
      const { year, region, format } = request.query;
      const a = await deps.oversight.assessment(principalOf(request), year, region);
      if (chosenFormat(request, format) === 'csv') {
        const head = [
          'kind',
          'rank',
          'region',
          'department',
          'score',
          ...DUTIES.flatMap((d) => [`${d}:due`, `${d}:onTime`, `${d}:late`, `${d}:missed`, `${d}:rate`]),
        ];
        const line = (kind: string, r: (typeof a.regions)[number]) => [
          kind,
          r.rank,
          r.region,
          r.department ?? '',
          r.score,
          ...DUTIES.flatMap((d) => [
            r.duties[d].due,
            r.duties[d].onTime,
            r.duties[d].late,
            r.duties[d].missed,
            r.duties[d].rate ?? '',
          ]),
        ];
        return sendRaw(
          reply,
          'text/csv; charset=utf-8',
          csvLines([
            head,
            ...a.regions.map((r) => line('region', r)),
            ...a.departments.map((r) => line('department', r)),
          ]),
          `homeward-assessment-${year}-${a.region}.csv`,
        );
      }
      return reply.type('application/json; charset=utf-8').send(json(a));
    },
  );
}
