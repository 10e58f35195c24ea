import { Id, type Role } from '@homeward/events';
import {
  type Clock,
  type Credentials,
  describeErrors,
  type FastifyReply,
  type FastifyRequest,
  type HttpServer,
  PageQuery,
  pageOf,
  pageWindow,
  principalOf,
  problemResponses,
  type RouteAccess,
} from '@homeward/service-kit';
import { type Static, Type } from '@sinclair/typebox';
import { dueDate } from '../domain/deadlines.ts';
import { MEMBER_ROLES, OFFICE_ROLE } from '../domain/scope.ts';
import { latest, type SubmissionDoc } from '../domain/submission.ts';
import { CoordinationErrors as E } from '../errors.ts';
import { reportCsv } from '../outputs/csv.ts';
import { reportHtml } from '../outputs/html.ts';
import { reportPdf } from '../outputs/pdf.ts';
import { reportLayout } from '../outputs/report-view.ts';
import type { SubmissionService } from '../submission-service.ts';
import {
  AcceptBody,
  Prefill,
  ReportFormat,
  ReviewBody,
  SubmissionList,
  SubmissionView,
  SubmitBody,
  Year,
  YearQuery,
} from './schemas.ts';

export interface SubmissionRoutesDeps {
  submissions: SubmissionService;
  credentials: Credentials;
  clock: Clock;
  pdfFontFile: string | undefined;
}

/** Who submits: the member departments and the offices (an office's own report goes upward). */
export const SUBMITTING_ROLES: readonly Role[] = [...MEMBER_ROLES, OFFICE_ROLE];

export function submissionView(d: SubmissionDoc): Static<typeof SubmissionView> {
  const v = latest(d);
  return {
    submissionId: d._id,
    year: d.year,
    region: d.region,
    agencyId: d.agencyId,
    role: d.role,
    status: d.status,
    dueDate: d.dueDate,
    current: {
      version: v.version,
      submittedAt: v.submittedAt,
      late: v.late,
      own: v.own,
      narrative: v.narrative,
      platform: v.platform,
    },
    versions: d.versions.map((x) => ({
      version: x.version,
      submittedAt: x.submittedAt,
      late: x.late,
      own: x.own,
    })),
    reviews: d.reviews.map((r) => ({ ...r, by: { ...r.by } })),
  };
}

/** The format a read asks for: `?format=` first, then the Accept header, JSON by default. */
export function chosenFormat(request: FastifyRequest, format: string | undefined): string {
  if (format) return format;
  const accept = request.headers.accept ?? '';
  if (accept.includes('text/csv')) return 'csv';
  if (accept.includes('application/pdf')) return 'pdf';
  if (accept.startsWith('text/html')) return 'html';
  return 'json';
}

/** Sends a text or binary body as it is, bypassing the JSON response schema. */
export function sendRaw(reply: FastifyReply, type: string, body: string | Buffer, filename?: string) {
  if (filename) reply.header('content-disposition', `attachment; filename="${filename}"`);
  return reply
    .type(type)
    .serializer((p: unknown) => p as string)
    .send(body as never);
}

const READ_ERRORS = describeErrors(E.submissionNotFound);

/**
 * Annual submissions. Submitting: member departments and offices, for their own credential's
 * region. Reading: the submitting department, or an office whose region contains the
 * submission's (a neighbour's office gets 404). Returning and accepting: such an office, never
 * its own submission.
 */
export async function submissionRoutes(app: HttpServer, deps: SubmissionRoutesDeps): Promise<void> {
  const own: RouteAccess = {
    roles: SUBMITTING_ROLES,
    scope: "the caller's own region: a department submits and is pre-filled for its credential's region",
  };
  const read: RouteAccess = {
    roles: SUBMITTING_ROLES,
    scope: "the submission's region: the department that made it, or an office whose region contains it",
  };
  const review: RouteAccess = {
    roles: [OFFICE_ROLE],
    scope: "the submission's region: an office whose region contains it, never on its own submission",
  };

  app.get(
    '/v1/prefill',
    {
      schema: {
        tags: ['submissions'],
        summary: "The platform's figures a submission of the year is pre-filled with",
        description:
          "For a department, its role's figures within its credential's region; for an office, every department's within its region. " +
          'Computed from events (see the README for each counter).',
        querystring: YearQuery,
        response: { 200: Prefill, ...problemResponses(400, 401, 403, 429) },
      },
      config: { access: own },
    },
    async (request) => {
      const caller = principalOf(request);
      const { year } = request.query;
      const platform = await deps.submissions.prefill(caller, year);
      return { year, region: caller.region, department: caller.role, dueDate: dueDate(year), platform };
    },
  );

  app.put(
    '/v1/submissions/:year',
    {
      schema: {
        tags: ['submissions'],
        summary: "Submit (or resubmit after a return) the caller's annual report of a year",
        description:
          "The platform's figures are taken at this moment (the caller sends only what it alone knows); each submission after a return is a new version. " +
          'The same content again while under review changes nothing (a retried request). Due 31 January of the next year.\n' +
          describeErrors(
            E.yearNotEnded,
            E.awaitingReview,
            E.alreadyAccepted,
            E.notAMemberRole,
            E.concurrentUpdate,
          ),
        params: Type.Object({ year: Year }),
        body: SubmitBody,
        response: {
          200: SubmissionView,
          201: SubmissionView,
          ...problemResponses(400, 401, 403, 409, 422, 429),
        },
      },
      config: { access: own },
    },
    async (request, reply) => {
      const { doc, created } = await deps.submissions.submit(principalOf(request), {
        year: request.params.year,
        own: request.body.own,
        narrative: request.body.narrative,
      });
      reply.header('location', `/v1/submissions/${encodeURIComponent(doc._id)}`);
      return reply.code(created ? 201 : 200).send(submissionView(doc));
    },
  );

  app.get(
    '/v1/submissions',
    {
      schema: {
        tags: ['submissions'],
        summary:
          'The submissions of a year the caller may read (its own; an office: every one within its region)',
        querystring: Type.Composite([YearQuery, PageQuery], { additionalProperties: false }),
        response: { 200: SubmissionList, ...problemResponses(400, 401, 403, 429) },
      },
      config: { access: read },
    },
    async (request) => {
      const { year } = request.query;
      const { limit, offset } = pageWindow(request.query);
      const docs = await deps.submissions.list(principalOf(request), year);
      const page = pageOf(docs.slice(offset, offset + limit + 1), request.query);
      return {
        year,
        limit,
        offset,
        nextOffset: page.nextOffset,
        items: page.items.map((d) => {
          const v = latest(d);
          return {
            submissionId: d._id,
            region: d.region,
            agencyId: d.agencyId,
            role: d.role,
            status: d.status,
            version: v.version,
            submittedAt: v.submittedAt,
            late: v.late,
          };
        }),
      };
    },
  );

  app.get(
    '/v1/submissions/:submissionId',
    {
      schema: {
        tags: ['submissions'],
        summary: 'One submission: JSON, CSV, a printable page or a PDF (?format= or Accept)',
        description: `The latest version with every earlier one and every review. Outside your scope: 404.\n${READ_ERRORS}`,
        params: Type.Object({ submissionId: Id }),
        querystring: Type.Object({ format: Type.Optional(ReportFormat) }, { additionalProperties: false }),
        produces: ['application/json', 'text/csv', 'text/html', 'application/pdf'],
        response: { 200: SubmissionView, ...problemResponses(400, 401, 403, 404, 429) },
      },
      config: { access: read },
    },
    async (request, reply) => {
      const doc = await deps.submissions.get(principalOf(request), request.params.submissionId);
      const format = chosenFormat(request, request.query.format);
      const name = `homeward-annual-${doc.year}-${doc.region}-${doc.agencyId}`;
      if (format === 'csv')
        return sendRaw(reply, 'text/csv; charset=utf-8', reportCsv(reportLayout(doc)), `${name}.csv`);
      if (format === 'html') return sendRaw(reply, 'text/html; charset=utf-8', reportHtml(reportLayout(doc)));
      if (format === 'pdf') {
        const pdf = await reportPdf(reportLayout(doc), {
          creationDate: new Date(latest(doc).submittedAt),
          ...(deps.pdfFontFile ? { fontFile: deps.pdfFontFile } : {}),
        });
        return sendRaw(reply, 'application/pdf', pdf, `${name}.pdf`);
      }
      return submissionView(doc);
    },
  );

  const reviewRoute = (
    kind: 'returned' | 'accepted',
    path: string,
    body: typeof ReviewBody | typeof AcceptBody,
  ) =>
    app.post(
      `/v1/submissions/:submissionId/${path}`,
      {
        schema: {
          tags: ['submissions'],
          summary:
            kind === 'returned'
              ? 'Return the version under review to its department, with a comment'
              : 'Accept the version under review',
          description: `Coordination offices whose region contains the submission's, never on their own submission.\n${describeErrors(
            E.submissionNotFound,
            E.notAwaitingReview,
            E.alreadyAccepted,
            E.ownSubmission,
            E.concurrentUpdate,
          )}`,
          params: Type.Object({ submissionId: Id }),
          body,
          response: { 200: SubmissionView, ...problemResponses(400, 401, 403, 404, 409, 422, 429) },
        },
        config: { access: review },
      },
      async (request) => {
        const { comment } = request.body as { comment?: string };
        return submissionView(
          await deps.submissions.review(principalOf(request), request.params.submissionId, kind, comment),
        );
      },
    );
  reviewRoute('returned', 'return', ReviewBody);
  reviewRoute('accepted', 'accept', AcceptBody);
}
