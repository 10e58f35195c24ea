import { randomUUID } from 'node:crypto';
import {
  type Credentials,
  type HttpServer,
  type Logger,
  type Principal,
  problemResponses,
  requireRole,
} from '@homeward/service-kit';
import type { Coordinator } from '../coordinator.ts';
import { regionLevel } from '../domain/regions.ts';
import type { AlertDoc, AlertStore } from '../store/alert-store.ts';
import type { AuditRecord, CaseStore } from '../store/case-store.ts';
import {
  AlertView,
  CaseDetail,
  CaseList,
  CaseListQuery,
  CaseParams,
  CaseState,
  CloseBody,
  LocatedBody,
  RescuedBody,
  TeamBody,
} from './schemas.ts';
import { alertView, caseDetail, caseSummary } from './views.ts';

export interface CaseRoutesDeps {
  coordinator: Coordinator;
  cases: CaseStore;
  alerts: AlertStore;
  credentials: Credentials;
  logger: Logger;
  clock: { now(): Date };
}

const state = (c: { _id: string; status: string; version: number }) => ({
  caseId: c._id,
  status: c.status,
  version: c.version,
});

/** The case endpoints: reads for police and operators (audited), actions for police. */
export async function caseRoutes(app: HttpServer, deps: CaseRoutesDeps): Promise<void> {
  const readers = requireRole(deps.credentials, 'police', 'operator');
  const police = requireRole(deps.credentials, 'police');
  const tags = ['cases'];

  /** Stores who read which case, and logs it with ids only (no names, no contacts). */
  const audit = async (
    p: Principal,
    action: AuditRecord['action'],
    caseIds: string[],
    filters?: Record<string, string>,
  ) => {
    const record: AuditRecord = {
      _id: randomUUID(),
      at: deps.clock.now(),
      action,
      agencyId: p.agencyId,
      role: p.role,
      region: p.region,
      caseIds,
      ...(filters ? { filters } : {}),
    };
    await deps.cases.recordRead(record);
    deps.logger.info(
      {
        audit: { id: record._id, action, agencyId: p.agencyId, role: p.role, caseIds: caseIds.slice(0, 100) },
      },
      'case read audited',
    );
  };

  app.get(
    '/v1/cases',
    {
      schema: {
        tags,
        summary: 'List cases (filters: status, kind, region at any level; newest first)',
        querystring: CaseListQuery,
        response: { 200: CaseList, ...problemResponses(400, 401, 403) },
      },
      preHandler: readers,
    },
    async (request) => {
      const q = request.query;
      const { items, total } = await deps.cases.list(
        {
          ...(q.status ? { status: q.status } : {}),
          ...(q.kind ? { kind: q.kind } : {}),
          ...(q.region ? { region: { level: regionLevel(q.region), code: q.region } } : {}),
        },
        q.limit,
        q.offset,
      );
      const filters = Object.fromEntries(
        Object.entries({ status: q.status, kind: q.kind, region: q.region }).filter(
          ([, v]) => v !== undefined,
        ),
      ) as Record<string, string>;
      await audit(
        request.principal!,
        'case.list',
        items.map((c) => c._id),
        filters,
      );
      return { items: items.map(caseSummary), total, limit: q.limit, offset: q.offset };
    },
  );

  app.get(
    '/v1/cases/:caseId',
    {
      schema: {
        tags,
        summary: 'A case with its team, alerts, leads and full timeline (audited)',
        params: CaseParams,
        response: { 200: CaseDetail, ...problemResponses(400, 401, 403, 404) },
      },
      preHandler: readers,
    },
    async (request) => {
      const doc = await deps.coordinator.getCase(request.params.caseId);
      const alerts = (await Promise.all(doc.alertIds.map((id) => deps.alerts.find(id)))).filter(
        (a): a is AlertDoc => a !== null && a.status !== 'pending',
      );
      await audit(request.principal!, 'case.read', [doc._id]);
      return caseDetail(doc, alerts, request.principal!);
    },
  );

  app.post(
    '/v1/cases/:caseId/team',
    {
      schema: {
        tags,
        summary: 'Name the chief and the leads for investigation, rescue and family liaison (police)',
        description:
          "The chief must be police of county level or higher for the case's region: a division code at county, prefecture or province level that contains the case's division (else 422 RESCUE_ERR_CHIEF_REGION). Publishes homeward.case.team-assigned; a later call replaces the team.",
        params: CaseParams,
        body: TeamBody,
        response: { 200: CaseState, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
      preHandler: police,
    },
    async (request) =>
      state(await deps.coordinator.assignTeam(request.params.caseId, request.body, request.principal!)),
  );

  app.post(
    '/v1/cases/:caseId/alerts',
    {
      schema: {
        tags,
        summary: 'Issue the rapid search alert of a missing-child case (police)',
        description:
          'The radius is the rung of the escalation policy that the time since the child was last seen calls for. 409 RESCUE_ERR_ALERT_ACTIVE if one is running; 422 RESCUE_ERR_ALERT_NOT_APPLICABLE for other kinds of case.',
        params: CaseParams,
        response: { 201: AlertView, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
      preHandler: police,
    },
    async (request, reply) => {
      const alert = await deps.coordinator.issueAlert(request.params.caseId);
      reply.header('location', `/v1/cases/${alert.caseId}`);
      return reply.code(201).send(alertView(alert));
    },
  );

  app.post(
    '/v1/cases/:caseId/located',
    {
      schema: {
        tags,
        summary: 'The child was located (police); a running alert is cancelled with reason "found"',
        params: CaseParams,
        body: LocatedBody,
        response: { 200: CaseState, ...problemResponses(400, 401, 403, 404, 409) },
      },
      preHandler: police,
    },
    async (request) =>
      state(await deps.coordinator.locate(request.params.caseId, request.body, request.principal!)),
  );

  app.post(
    '/v1/cases/:caseId/rescued',
    {
      schema: {
        tags,
        summary: 'The child was rescued (police), with the buying household if any',
        params: CaseParams,
        body: RescuedBody,
        response: { 200: CaseState, ...problemResponses(400, 401, 403, 404, 409) },
      },
      preHandler: police,
    },
    async (request) =>
      state(await deps.coordinator.rescue(request.params.caseId, request.body, request.principal!)),
  );

  app.post(
    '/v1/cases/:caseId/close',
    {
      schema: {
        tags,
        summary: 'Close the case (police); a running alert must be cancelled first',
        params: CaseParams,
        body: CloseBody,
        response: { 200: CaseState, ...problemResponses(400, 401, 403, 404, 409) },
      },
      preHandler: police,
    },
    async (request) =>
      state(await deps.coordinator.close(request.params.caseId, request.body.reason, request.principal!)),
  );
}
