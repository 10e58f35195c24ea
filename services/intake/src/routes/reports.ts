import {
  type CloudEvent,
  causeTraceparent,
  decodeHttp,
  EventDecodeError,
  MEDIA,
  validateEnvelope,
} from '@homeward/events';
import {
  AppError,
  type AuditLog,
  admissionOf,
  describeErrors,
  type HttpServer,
  type Principal,
  principalOf,
  problemResponses,
  type RedisRateLimiter,
  toProblem,
  UnsupportedMediaTypeError,
} from '@homeward/service-kit';
import { Type } from '@sinclair/typebox';
import { REPORTING_ROLES } from '../domain/permissions.ts';
import { Errors } from '../errors.ts';
import type { IntakeService, SubmitResult } from '../intake-service.ts';
import { BatchResult, ReportAccepted, ReportContacts, ReportRequestBody, ReportStatus } from './schemas.ts';

export interface ReportRoutesDeps {
  intake: IntakeService;
  rateLimiter: RedisRateLimiter;
  audit: AuditLog;
}

function accepted(r: SubmitResult) {
  return { reportId: r.reportId, caseId: r.caseId, outcome: r.outcome };
}

/**
 * `POST /v1/reports` (all three CloudEvents HTTP modes) and `GET /v1/reports/{reportId}`.
 * The body is parsed here, not by Fastify, so that the mode follows the content type and a
 * malformed body gets the same field-level problem details as a malformed report.
 */
export async function reportRoutes(app: HttpServer, deps: ReportRoutesDeps): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.post(
    '/v1/reports',
    {
      schema: {
        tags: ['reports'],
        summary: 'Submit a report (CloudEvents: binary, structured or batch mode)',
        description:
          'The agency plus the CloudEvent id is the idempotency key: a retry returns the first answer and creates nothing. ' +
          'Missing-child reports may come from police only; sightings must name an open case. ' +
          'A second missing-child report of the same child (same name and birth date, same prefecture, last seen within the duplicate window) adds a lead to the open case.\n\n' +
          describeErrors(
            Errors.malformedEvent,
            Errors.wrongType,
            Errors.unsafeKeys,
            Errors.invalidReport,
            Errors.kindNotAllowed,
            Errors.sourceMismatch,
            Errors.caseNotFound,
            Errors.caseClosed,
            Errors.idReused,
            Errors.concurrentUpdate,
          ),
        body: ReportRequestBody,
        response: {
          202: ReportAccepted,
          207: BatchResult,
          ...problemResponses(400, 401, 403, 404, 409, 413, 415, 429),
        },
      },
      // The body is a raw buffer decoded by the CloudEvents codec: the schema above documents it.
      validatorCompiler: () => () => true,
      config: {
        access: {
          roles: REPORTING_ROLES,
          scope:
            "none: a report is filed as the caller's agency (a source naming another agency is refused); the region it reports is its content",
          // Counted before the body is read, as on every route, but awaited beside intake's own
          // count of reports and the child's lease: one round trip to Redis before the store.
          rateLimited: 'deferred',
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      // The per-agency limit's answer: awaited before any refusal or answer, so its 429 comes first.
      const agencyAdmitted = admissionOf(request);
      let decoded: ReturnType<typeof decodeHttp>;
      try {
        decoded = decodeHttp(request.headers, request.body as Buffer | undefined);
      } catch (err) {
        await agencyAdmitted;
        if (err instanceof EventDecodeError) {
          if (err.kind === 'unsupported-media-type') throw new UnsupportedMediaTypeError(err.message);
          throw Errors.malformedEvent.error(err.message, { errors: err.errors });
        }
        throw err;
      }
      // Counted now; a single report goes on meanwhile and awaits both counts before it is stored
      // (the per-agency limit's refusal first, when both refuse).
      const reportsCounted = deps.rateLimiter.hit(principal.agencyId, decoded.events.length);
      reportsCounted.catch(() => {});
      const admitted = agencyAdmitted.then(() => reportsCounted);
      const headerTrace =
        typeof request.headers.traceparent === 'string' ? request.headers.traceparent : undefined;

      if (decoded.mode !== 'batch') {
        const event = decoded.events[0]!;
        const result = await submitOne(deps, event, principal, headerTrace, admitted);
        reply.header('location', `/v1/reports/${result.reportId}`);
        if (result.replay) reply.header('idempotent-replayed', 'true');
        return reply.code(202).send(accepted(result));
      }
      await admitted;
      const results = [];
      for (const event of decoded.events) {
        const id = typeof event?.id === 'string' ? event.id : null;
        try {
          const envelopeErrors = validateEnvelope(event as unknown as Record<string, unknown>);
          if (envelopeErrors.length > 0)
            throw Errors.malformedEvent.error('invalid CloudEvent', { errors: envelopeErrors });
          results.push({
            id,
            status: 202,
            ...accepted(await submitOne(deps, event, principal, headerTrace)),
          });
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          const problem = toProblem(err, request);
          results.push({ id, status: problem.status, problem });
        }
      }
      // Serialized here: fast-json-stringify cannot pick a branch of the documented 202 union.
      return reply
        .code(results.every((r) => r.status === 202) ? 202 : 207)
        .type('application/json; charset=utf-8')
        .send(JSON.stringify({ results }) as never);
    },
  );

  app.get(
    '/v1/reports/:reportId',
    {
      schema: {
        tags: ['reports'],
        summary: "A report's status (an agency sees only its own)",
        description: describeErrors(Errors.reportNotFound),
        params: Type.Object({ reportId: Type.String({ maxLength: 64 }) }),
        response: { 200: ReportStatus, ...problemResponses(401, 403, 404, 429) },
      },
      config: {
        access: {
          roles: REPORTING_ROLES,
          scope: "the caller's own agency's reports; another agency's answers 404",
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      // Another agency's report answers 404, not 403: its existence is not theirs to learn.
      const doc = await deps.intake.reportFor(principal.agencyId, request.params.reportId);
      await deps.audit.read(request, {
        action: 'report.read',
        recordType: 'report',
        recordIds: [doc._id],
        regions: [principal.region],
      });
      return {
        reportId: doc._id,
        eventId: doc.eventId,
        kind: doc.kind,
        status: 'accepted' as const,
        caseId: doc.caseId,
        outcome: doc.outcome,
        channel: doc.channel,
        receivedAt: new Date(doc.receivedAt).toISOString(),
      };
    },
  );

  app.get(
    '/v1/reports/:reportId/contacts',
    {
      schema: {
        tags: ['reports'],
        summary: "A report's contacts (police and operators of a region containing the report's)",
        description:
          'The reporter of a missing child and the current guardian of an unidentified child: personal data that stays in intake (case.opened carries the report without them). ' +
          "Police and operators read them when their credential's region contains the report's; any other report answers 404, as an unknown one does.\n\n" +
          describeErrors(Errors.reportNotFound),
        params: Type.Object({ reportId: Type.String({ maxLength: 64 }) }),
        response: { 200: ReportContacts, ...problemResponses(401, 403, 404, 429) },
      },
      config: {
        access: {
          roles: ['police', 'operator'],
          scope: "the report's region (where the child was last seen or found)",
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const contacts = await deps.intake.contactsFor(principal, request.params.reportId);
      // Audited durably, and logged with ids only: traceable without copying what was read.
      await deps.audit.read(request, {
        action: 'report.contacts',
        recordType: 'report',
        recordIds: [contacts.reportId],
        regions: [contacts.region],
      });
      request.log.info({ reportId: contacts.reportId, caseId: contacts.caseId }, 'report contacts read');
      return contacts;
    },
  );
}

async function submitOne(
  deps: ReportRoutesDeps,
  event: CloudEvent,
  principal: Principal,
  headerTrace: string | undefined,
  admitted?: Promise<unknown>,
): Promise<SubmitResult> {
  // Over HTTP the key names the agency; a source naming another agency is a mistake or worse.
  const m = /^agency\/(.+)$/.exec(event.source);
  if (m && m[1] !== principal.agencyId) {
    await admitted;
    throw Errors.sourceMismatch.error(
      `the event source names agency "${m[1]}" but the API key belongs to "${principal.agencyId}"`,
    );
  }
  const parent = typeof event.traceparent === 'string' ? event.traceparent : headerTrace;
  return deps.intake.submit({
    event,
    principal,
    channel: 'http',
    traceparent: causeTraceparent(parent),
    ...(admitted ? { admitted } : {}),
  });
}

export { MEDIA };
