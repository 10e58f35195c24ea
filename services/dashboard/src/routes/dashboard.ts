import type { FiguresLedger } from '@homeward/figures';
import {
  type Clock,
  type Credentials,
  describeErrors,
  type HttpServer,
  inScope,
  isStreamId,
  NotFoundError,
  principalOf,
  problemResponses,
  type RouteAccess,
  type SseHub,
  type SseResume,
} from '@homeward/service-kit';
import { Type } from '@sinclair/typebox';
import { annualReportCsv, annualReportHtml, buildAnnualReport } from '../domain/annual.ts';
import { isOpenFilter, matchesFilter, parseFilter } from '../domain/filters.ts';
import { DashboardErrors } from '../errors.ts';
import type { HealthWorker, ServiceHealth } from '../health-worker.ts';
import type { HistoryEntry, LiveStore } from '../store/live-store.ts';
import { operatorOf } from './auth.ts';
import {
  AnnualQuery,
  AnnualReportSchema,
  HealthSummary,
  SessionCreated,
  Stats,
  StreamQuery,
  TokenOnly,
} from './schemas.ts';

export interface DashboardRoutesDeps {
  credentials: Credentials;
  live: LiveStore;
  annual: FiguresLedger;
  hub: SseHub<HistoryEntry>;
  health: HealthWorker;
  self: () => Promise<ServiceHealth>;
  clock: Clock;
  sessionTtlSeconds: number;
  /** The deployment's time zone (IANA), told to the page with its session. */
  timeZone: string;
  sampleOverdueHours: number;
}

/** The operators' API: session, stream, stats, board, service health, annual report. */
export async function dashboardRoutes(app: HttpServer, deps: DashboardRoutesDeps): Promise<void> {
  // Every operator route also takes a session token (?token=), which may have expired.
  const sessionProse = describeErrors(DashboardErrors.sessionExpired);
  const authenticate = operatorOf(deps.credentials, deps.live);
  const operator = (scope: string): { access: RouteAccess } => ({
    access: { roles: ['operator'], scope, authenticate },
  });

  app.post(
    '/v1/session',
    {
      schema: {
        tags: ['dashboard'],
        summary: 'Trade an operator API key for a short-lived session token',
        description:
          'Browsers cannot send headers with EventSource: the page signs in with its API key here and puts the token in the stream URL (?token=). ' +
          'Tokens are random, stored only as digests in Redis (so every instance accepts them) and expire after SESSION_TTL_SECONDS.',
        response: { 201: SessionCreated, ...problemResponses(401, 403, 429) },
      },
      config: {
        access: {
          roles: ['operator'],
          scope: "none: the session carries the caller's own agency, role and region",
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const token = await deps.live.createSession(principal, deps.sessionTtlSeconds);
      const expiresAt = new Date(deps.clock.now().getTime() + deps.sessionTtlSeconds * 1000).toISOString();
      return reply.code(201).send({ token, expiresAt, ...principal, timeZone: deps.timeZone });
    },
  );

  app.get(
    '/v1/stream',
    {
      schema: {
        tags: ['dashboard'],
        summary: 'Every event on the platform, live (server-sent events)',
        description:
          'Each SSE event is one platform event as JSON (id, source, type, time, topic, region, caseId, summary, data); its SSE id is its position in the history. ' +
          'Filters: type (comma-separated prefixes), region (a division and what lies within it), caseId. ' +
          'Resume with the Last-Event-ID header (EventSource sends it when it reconnects) or ?lastEventId=, from a history of the last HISTORY_MAX_LEN events shared by every instance; ' +
          '?backlog=N starts with the last N matching events. A comment line every SSE_HEARTBEAT_MS. A client that does not keep up is sent `event: notice` (reason slow-consumer) and dropped.\n' +
          describeErrors(
            DashboardErrors.invalidFilter,
            DashboardErrors.invalidEventId,
            DashboardErrors.sessionExpired,
          ),
        querystring: StreamQuery,
        produces: ['text/event-stream'],
        response: {
          200: Type.String({ description: 'text/event-stream' }),
          ...problemResponses(400, 401, 403, 429),
        },
      },
      config: operator(
        "events whose region lies in the caller's (an event without a region is a count-level projection and shown to every operator)",
      ),
    },
    async (request, reply) => {
      const q = request.query;
      const { filter, errors } = parseFilter(q);
      if (errors.length > 0)
        throw DashboardErrors.invalidFilter.error('the stream filter is invalid', { errors });
      const header = request.headers['last-event-id'];
      const lastEventId = (typeof header === 'string' && header !== '' ? header : undefined) ?? q.lastEventId;
      if (lastEventId !== undefined && !isStreamId(lastEventId))
        throw DashboardErrors.invalidEventId.error('the last event id is not one this stream issued', {
          errors: [
            {
              field: typeof header === 'string' ? '/headers/last-event-id' : '/querystring/lastEventId',
              message: 'must look like 1700000000000-0',
            },
          ],
        });
      const resume: SseResume =
        lastEventId !== undefined ? { after: lastEventId } : q.backlog ? { backlog: q.backlog } : undefined;
      reply.hijack();
      const caller = principalOf(request);
      await deps.hub.attach(reply.raw, {
        key: deps.live.keys.history,
        // An open filter passes no predicate: such clients share one frame per batch.
        filter: inScopeOnly(
          caller,
          isOpenFilter(filter) ? undefined : (e) => matchesFilter(filter, e.facets),
        ),
        // The predicate is made of the caller's region and the parsed filter alone: callers with
        // both the same share each batch's frames (operators of one province, say). The whole
        // filter names it, so a field the filter gains is in the key without another edit here.
        shareKey: JSON.stringify([caller.region, filter]),
        resume,
      });
    },
  );

  app.get(
    '/v1/stats',
    {
      schema: {
        tags: ['dashboard'],
        summary: 'Events projected, in total, per topic and per event type',
        description: `Each event (CloudEvents source + id) counts once, however often it is delivered.\n${sessionProse}`,
        querystring: TokenOnly,
        response: { 200: Stats, ...problemResponses(401, 403, 429) },
      },
      config: operator('none: counts only, no records'),
    },
    async () => ({
      ...(await deps.live.stats()),
      streamClients: deps.hub.clientCount,
      droppedClients: deps.hub.dropped,
    }),
  );

  app.get(
    '/v1/board',
    {
      schema: {
        tags: ['dashboard'],
        summary: 'The board: cases by status and region, active alerts, DNA pipeline, placements, follow-ups',
        description: sessionProse,
        querystring: TokenOnly,
        response: {
          200: Type.Unknown({ description: 'see domain/board.ts' }),
          ...problemResponses(401, 403),
        },
      },
      config: operator(
        "counts by status and region for every operator; the registered units (id, kind, place, status) of the caller's region only",
      ),
    },
    async (request, reply) => {
      const caller = principalOf(request);
      const board = await deps.live.board(deps.clock.now(), deps.sampleOverdueHours, (region) =>
        inScope(caller, region),
      );
      return reply.type('application/json; charset=utf-8').send(JSON.stringify(board));
    },
  );

  app.get(
    '/v1/health-summary',
    {
      schema: {
        tags: ['dashboard'],
        summary: "Every service's readiness, polled by the server",
        description: sessionProse,
        querystring: TokenOnly,
        response: { 200: HealthSummary, ...problemResponses(401, 403, 429) },
      },
      config: operator('none: service health, no records'),
    },
    async () => ({ services: [await deps.self(), ...deps.health.summary()] }),
  );

  app.get(
    '/v1/annual-report',
    {
      schema: {
        tags: ['dashboard'],
        summary:
          "Each department's year, per region: JSON, CSV (Accept: text/csv) or a printable page (?format=html)",
        description:
          'From the durable annual aggregate (MongoDB). A region selects that division and what lies within it (340000: the whole province). ' +
          `The last line of the CSV and the totals of the JSON add up every line.\n${sessionProse}`,
        querystring: AnnualQuery,
        produces: ['application/json', 'text/csv', 'text/html'],
        response: { 200: AnnualReportSchema, ...problemResponses(400, 401, 403, 404, 429) },
      },
      config: operator(
        "the lines of regions in the caller's; a region asked for must lie in the caller's (404 otherwise)",
      ),
    },
    async (request, reply) => {
      const { year, format } = request.query;
      const caller = principalOf(request);
      if (request.query.region && !inScope(caller, request.query.region))
        throw new NotFoundError(`no region ${request.query.region} within the caller's region`);
      const region = request.query.region;
      // Only the lines of the caller's own region count, whatever region was asked for.
      const rows = (await deps.annual.rows(year)).filter((r) => inScope(caller, r.region));
      const report = buildAnnualReport(year, region, rows);
      const accept = request.headers.accept ?? '';
      const chosen =
        format ?? (accept.includes('text/csv') ? 'csv' : accept.startsWith('text/html') ? 'html' : 'json');
      if (chosen === 'csv') {
        const name = `homeward-annual-report-${year}${region ? `-${region}` : ''}.csv`;
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${name}"`)
          .serializer((p: unknown) => p as string)
          .send(annualReportCsv(report) as never);
      }
      if (chosen === 'html')
        return reply
          .type('text/html; charset=utf-8')
          .serializer((p: unknown) => p as string)
          .send(annualReportHtml(report) as never);
      return report;
    },
  );
}

/**
 * The stream's predicate narrowed to the caller's region: an event whose region lies outside
 * it is never sent. (Events without a region carry counts and codes only, by the projection's
 * allowlist, and pass.)
 */
function inScopeOnly(
  caller: { region: string },
  filter: ((e: HistoryEntry) => boolean) | undefined,
): ((e: HistoryEntry) => boolean) | undefined {
  if (caller.region === '000000') return filter;
  return (e) => (e.facets.region === undefined || inScope(caller, e.facets.region)) && (filter?.(e) ?? true);
}
