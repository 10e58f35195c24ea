import { randomUUID } from 'node:crypto';
import type { FactStore } from '@homeward/persistence';
import {
  type Credentials,
  describeErrors,
  ensureInScope,
  type HttpServer,
  type Logger,
  type Principal,
  principalOf,
  problemResponses,
  requireRole,
} from '@homeward/service-kit';
import type { CaseService } from '../case-service.ts';
import { regionLevel } from '../domain/regions.ts';
import { Errors } from '../errors.ts';
import {
  AddedVictims,
  AlertView,
  CaseDetail,
  CaseList,
  CaseListQuery,
  CaseParams,
  CaseState,
  CloseBody,
  HouseholdBody,
  LeadList,
  LeadListQuery,
  LocatedBody,
  RescuedBody,
  TeamBody,
  VictimsBody,
} from './schemas.ts';
import { alertView, caseDetail, caseSummary, leadView } from './views.ts';

/** Who read which case and when; kept in MongoDB, logged without personal data. */
export interface AuditRecord {
  _id: string;
  at: Date;
  action: 'case.read' | 'case.list';
  agencyId: string;
  role: string;
  region: string;
  caseIds: string[];
  filters?: Record<string, string>;
}

export interface CaseRoutesDeps {
  service: CaseService;
  audit: FactStore<AuditRecord>;
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
    await deps.audit.insertOnce(record);
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
      const { items, total } = await deps.service.listCases(
        {
          ...(q.status ? { status: q.status } : {}),
          ...(q.kind ? { kind: q.kind } : {}),
          ...(q.region ? { region: { level: regionLevel(q.region), code: q.region } } : {}),
        },
        { limit: q.limit, offset: q.offset },
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
        description: describeErrors(Errors.caseNotFound),
        params: CaseParams,
        response: { 200: CaseDetail, ...problemResponses(400, 401, 403, 404) },
      },
      preHandler: readers,
    },
    async (request) => {
      const doc = await deps.service.getCase(request.params.caseId);
      const acks = await Promise.all(doc.alerts.map((a) => deps.service.acknowledgements(a.alertId)));
      await audit(request.principal!, 'case.read', [doc._id]);
      return caseDetail(doc, acks, request.principal!);
    },
  );

  app.get(
    '/v1/cases/:caseId/leads',
    {
      schema: {
        tags,
        summary: "A case's leads, oldest first, paged (police, operator; audited)",
        description: [
          'Every sighting and duplicate report of the case, kept one row each outside the case document so a case with thousands of leads stays one small document; the case view holds only the newest 20.',
          describeErrors(Errors.caseNotFound),
        ].join('\n\n'),
        params: CaseParams,
        querystring: LeadListQuery,
        response: { 200: LeadList, ...problemResponses(400, 401, 403, 404, 429) },
      },
      config: { access: { roles: ['police', 'operator'], scope: "the case's region" } },
    },
    async (request) => {
      const { limit, offset } = request.query;
      const { caseId } = request.params;
      const principal = principalOf(request);
      // Outside the caller's region the case answers as a missing one (its existence not revealed).
      ensureInScope(
        principal,
        await deps.service.getCase(caseId),
        (c) => c.region,
        () => Errors.caseNotFound.error(`no case "${caseId}"`),
      );
      const { items, total } = await deps.service.listLeads(caseId, { limit, offset });
      await audit(principal, 'case.read', [caseId], { leads: `${offset}+${limit}` });
      return { items: items.map(leadView), total, limit, offset };
    },
  );

  app.post(
    '/v1/cases/:caseId/team',
    {
      schema: {
        tags,
        summary: 'Name the chief and the leads for investigation, rescue and family liaison (police)',
        description: [
          "The chief must be police of county level or higher for the case's region: a division code at county, prefecture or province level that contains the case's division. Publishes homeward.case.team-assigned; a later call replaces the team.",
          describeErrors(Errors.caseNotFound, Errors.invalidTransition, Errors.chiefRegion),
        ].join('\n\n'),
        params: CaseParams,
        body: TeamBody,
        response: { 200: CaseState, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
      preHandler: police,
    },
    async (request) =>
      state(await deps.service.assignTeam(request.params.caseId, request.body, request.principal!)),
  );

  app.post(
    '/v1/cases/:caseId/alerts',
    {
      schema: {
        tags,
        summary: 'Issue the rapid search alert of a missing-child case (police)',
        description: [
          'The radius is the rung of the escalation policy that the time since the child was last seen calls for.',
          describeErrors(
            Errors.caseNotFound,
            Errors.alertActive,
            Errors.invalidTransition,
            Errors.alertNotApplicable,
          ),
        ].join('\n\n'),
        params: CaseParams,
        response: { 201: AlertView, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
      preHandler: police,
    },
    async (request, reply) => {
      const alert = await deps.service.issueAlert(request.params.caseId);
      reply.header('location', `/v1/cases/${alert.caseId}`);
      return reply.code(201).send(alertView(alert, 0));
    },
  );

  app.post(
    '/v1/cases/:caseId/victims',
    {
      schema: {
        tags,
        summary: 'Add victims found later, several in one action (police)',
        description: [
          'Each victim gets its own id (<caseId>.v<n>) and path (located, rescued, identified here; placed and followed up in placement). Publishes homeward.case.victims-added. Not on a closed case.',
          describeErrors(Errors.caseNotFound, Errors.invalidTransition, Errors.victimsNotApplicable),
        ].join('\n\n'),
        params: CaseParams,
        body: VictimsBody,
        response: { 201: AddedVictims, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
      // Declared for the kit's access hook (roles before validation, in the OpenAPI matrix);
      // the case's region is checked by the service (outside scope: 404).
      config: { access: { roles: ['police'], scope: "the case's region" } },
    },
    async (request, reply) => {
      const { doc, added } = await deps.service.addVictims(
        request.params.caseId,
        request.body,
        request.principal!,
      );
      reply.header('location', `/v1/cases/${doc._id}`);
      return reply.code(201).send({
        ...state(doc),
        victims: added.map((v) => ({ victimId: v.victimId, category: v.category, sex: v.sex })),
      });
    },
  );

  app.post(
    '/v1/cases/:caseId/located',
    {
      schema: {
        tags,
        summary: 'Victims were located (police); a running alert is cancelled with reason "found"',
        description: [
          'victimIds names the victims (default: every one not located yet). Publishes homeward.case.victims-located, and homeward.case.child-located when children are among them (or the case has no victims).',
          describeErrors(Errors.caseNotFound, Errors.invalidTransition, Errors.victimsNotApplicable),
        ].join('\n\n'),
        params: CaseParams,
        body: LocatedBody,
        response: { 200: CaseState, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
      preHandler: police,
    },
    async (request) =>
      state(await deps.service.locate(request.params.caseId, request.body, request.principal!)),
  );

  app.post(
    '/v1/cases/:caseId/rescued',
    {
      schema: {
        tags,
        summary:
          'Victims were rescued (police), with the buying household or the statement that there is none',
        description: [
          'victimIds names the victims (default: every one not rescued yet): a raid that frees several people is one action. Publishes homeward.case.victims-rescued, and homeward.case.child-rescued when children are among them (or the case has no victims). A running alert is cancelled with reason "found" in the same change.',
          describeErrors(
            Errors.caseNotFound,
            Errors.invalidTransition,
            Errors.householdConflict,
            Errors.victimsNotApplicable,
          ),
        ].join('\n\n'),
        params: CaseParams,
        body: RescuedBody,
        response: { 200: CaseState, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
      preHandler: police,
    },
    async (request) =>
      state(await deps.service.rescue(request.params.caseId, request.body, request.principal!)),
  );

  app.post(
    '/v1/cases/:caseId/household',
    {
      schema: {
        tags,
        summary:
          'After the rescue: record the buying household, state that there is none, or clear the current guardian (police)',
        description: [
          'Publishes homeward.case.household-recorded. Placement warns about a rescued child until its buying household or the statement that there is none is recorded; a cleared current guardian is no longer treated as part of that household.',
          describeErrors(Errors.caseNotFound, Errors.invalidTransition, Errors.householdConflict),
        ].join('\n\n'),
        params: CaseParams,
        body: HouseholdBody,
        response: { 200: CaseState, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
      config: { access: { roles: ['police'], scope: "the case's region" } },
    },
    async (request) =>
      state(await deps.service.recordHousehold(request.params.caseId, request.body, principalOf(request))),
  );

  app.post(
    '/v1/cases/:caseId/close',
    {
      schema: {
        tags,
        summary: 'Close the case (police); a running alert must be cancelled first',
        description: describeErrors(Errors.caseNotFound, Errors.alertActive, Errors.invalidTransition),
        params: CaseParams,
        body: CloseBody,
        response: { 200: CaseState, ...problemResponses(400, 401, 403, 404, 409) },
      },
      preHandler: police,
    },
    async (request) =>
      state(await deps.service.close(request.params.caseId, request.body.reason, request.principal!)),
  );
}
