import { createEvent, Roles } from '@homeward/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp as buildCoordination } from '../../../../../services/coordination/src/app.ts';
import { CoordinationConfig } from '../../../../../services/coordination/src/config.ts';
import { buildApp as buildDashboard } from '../../../../../services/dashboard/src/app.ts';
import { DashboardConfig } from '../../../../../services/dashboard/src/config.ts';
import { buildApp as buildDna } from '../../../../../services/dna-tracking/src/app.ts';
import { DnaTrackingConfig as DnaConfig } from '../../../../../services/dna-tracking/src/config.ts';
import { buildApp as buildIntake } from '../../../../../services/intake/src/app.ts';
import { IntakeConfig } from '../../../../../services/intake/src/config.ts';
import { buildApp as buildNotifications } from '../../../../../services/notifications/src/app.ts';
import { NotificationsConfig } from '../../../../../services/notifications/src/config.ts';
import { buildApp as buildPlacement } from '../../../../../services/placement/src/app.ts';
import { PlacementConfig } from '../../../../../services/placement/src/config.ts';
import { buildApp as buildRescue } from '../../../../../services/rescue-coordination/src/app.ts';
import { RescueConfig } from '../../../../../services/rescue-coordination/src/config.ts';
import {
  createTestTopics,
  deleteTestTopics,
  type ServiceUnderTest,
  startServiceForTest,
  uniqueName,
  waitFor,
} from '../../../src/index.ts';
import { type Cell, declaredOperations, type MatrixTable, roleKeys, runOperation } from './matrix.ts';

// One instance of every service, in-process, on one set of test topics. Records are made in
// Hefei (340104); the matrix then calls every operation as every role from Hefei and from Lu'an.

let prefix: string;
const services: Record<string, ServiceUnderTest<never>> = {};
const keys = roleKeys();
const HEFEI = '340104';
const cells: Cell[] = [];

beforeAll(async () => {
  prefix = await createTestTopics('access-matrix');
  const start = <A>(name: string, configSchema: never, buildApp: never, env: Record<string, string> = {}) =>
    startServiceForTest<never, never>({
      name,
      configSchema,
      buildApp,
      prefix,
      env: { HTTP_RATE_LIMIT_PER_MINUTE: '100000', ...env },
      defaultRole: 'admin',
      dropDatabaseOnStop: true,
    }) as unknown as Promise<ServiceUnderTest<A & never>>;
  services.intake = await start('intake', IntakeConfig as never, buildIntake as never);
  services.rescue = await start('rescue-coordination', RescueConfig as never, buildRescue as never);
  services.dna = await start('dna-tracking', DnaConfig as never, buildDna as never);
  services.placement = await start('placement', PlacementConfig as never, buildPlacement as never);
  services.notifications = await start(
    'notifications',
    NotificationsConfig as never,
    buildNotifications as never,
  );
  services.coordination = await start(
    'coordination',
    CoordinationConfig as never,
    buildCoordination as never,
  );
  services.dashboard = await start('dashboard', DashboardConfig as never, buildDashboard as never, {
    HEALTH_TARGETS: 'intake=http://127.0.0.1:9',
    HEALTH_POLL_MS: '60000',
  });
}, 240_000);

afterAll(async () => {
  for (const s of Object.values(services)) await s.stop();
  await deleteTestTopics(prefix);
});

async function status(svc: ServiceUnderTest<never>, method: string, url: string, key: string, body: unknown) {
  const res = await (
    svc.app as unknown as { http: { inject: (o: object) => Promise<{ statusCode: number }> } }
  ).http.inject({
    method,
    url,
    headers: { authorization: `Bearer ${key}` },
    ...(body === undefined || method === 'GET' || method === 'DELETE' ? {} : { payload: body as object }),
  });
  return res.statusCode;
}

const call =
  (svc: () => ServiceUnderTest<never>) => (method: string, url: string, key: string, body: unknown) =>
    status(svc(), method, url, key, body);

// ---- fixtures: records in Hefei -------------------------------------------------------------

/** A Hefei missing-child case as intake would open it, known to rescue (and to placement). */
async function hefeiCase(): Promise<string> {
  const caseId = uniqueName('case');
  const now = new Date();
  const event = createEvent(
    'homeward.case.opened',
    {
      caseId,
      kind: 'missing-child',
      region: HEFEI,
      openedAt: now.toISOString(),
      reportId: `r-${caseId}`,
      // Reported by the hotline: no alert is issued at once, so each row chooses its own state.
      reportedBy: { agencyId: 'hefei-12345-hotline', role: 'hotline', region: '340100' },
      report: {
        kind: 'missing-child',
        child: { name: 'Matrix Child', sex: 'female', birthDate: '2019-03-02' },
        lastSeen: {
          at: new Date(now.getTime() - 5 * 60_000).toISOString(),
          place: 'Shushan',
          lat: 31.85,
          lon: 117.2,
          region: HEFEI,
        },
      },
    } as never,
    { source: 'homeward/intake', subject: caseId, id: `${caseId}.opened` },
  );
  await services.rescue!.publish(event as never);
  await waitFor(
    async () =>
      (await status(services.rescue!, 'GET', `/v1/cases/${caseId}`, keys.police.inside, undefined)) === 200,
    { what: `case ${caseId}` },
  );
  return caseId;
}

async function hefeiSample(): Promise<string> {
  const res = await services.dna!.call(
    'POST',
    '/v1/samples',
    {
      subject: { kind: 'rescued-child' },
      kitBarcode: uniqueName('KIT').replaceAll('_', '-'),
      collectedAt: '2026-11-27T10:00:00+08:00',
      place: 'Hefei',
      region: HEFEI,
      collector: 'officer-1',
    },
    { key: keys.police.inside },
  );
  return res.body.sampleId as string;
}

async function hefeiUnit(): Promise<string> {
  const unitId = uniqueName('unit');
  await services.notifications!.call('PUT', `/v1/units/${unitId}`, unitBody(), { key: keys.admin.inside });
  return unitId;
}

const unitBody = (region = HEFEI) => ({
  name: 'Hefei South station',
  kind: 'rail-station',
  location: { lat: 31.8, lon: 117.29 },
  region,
  agencyId: 'hefei-south-station-police-post',
  webhook: { url: 'http://127.0.0.1:9/hook', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
});

// ---- the tables: one row per operation ------------------------------------------------------

type Fx = Record<string, never>;
const caseOp = (path: string, body: unknown, inside: number, outside = 404) => ({
  request: async () => ({ url: `/v1/cases/${await hefeiCase()}${path}`, body }),
  inside,
  outside,
});
const TEAM = {
  chiefId: 'hf-psb-0001',
  investigationLeadId: 'hf-psb-0101',
  rescueLeadId: 'hf-psb-0102',
  familyLiaisonLeadId: 'hf-psb-0103',
};

const rescue: MatrixTable<Fx> = {
  'GET /v1/cases': { request: () => ({ url: `/v1/cases?region=${HEFEI}` }), inside: 200, outside: 200 },
  'GET /v1/cases/{caseId}': caseOp('', undefined, 200),
  'GET /v1/cases/{caseId}/leads': caseOp('/leads', undefined, 200),
  // Reached and scoped: the case is not rescued yet, so there is no household to record.
  'POST /v1/cases/{caseId}/household': caseOp('/household', { noBuyerHousehold: { reason: 'm' } }, 409),
  'GET /v1/overdue': { request: () => ({ url: '/v1/overdue' }), inside: 200, outside: 200 },
  'POST /v1/cases/{caseId}/team': caseOp('/team', TEAM, 200),
  'POST /v1/cases/{caseId}/victims': caseOp(
    '/victims',
    { victims: [{ sex: 'female', apparentAge: 30, description: 'a woman freed with the child' }] },
    201,
  ),
  'POST /v1/cases/{caseId}/alerts': caseOp('/alerts', {}, 201),
  'POST /v1/cases/{caseId}/located': caseOp('/located', { place: 'Shushan' }, 200),
  'POST /v1/cases/{caseId}/rescued': caseOp('/rescued', { place: 'Shushan', region: HEFEI }, 200),
  'POST /v1/cases/{caseId}/close': caseOp('/close', { reason: 'matrix' }, 200),
  'POST /v1/alerts/{alertId}/cancel': {
    request: async () => {
      const caseId = await hefeiCase();
      await status(services.rescue!, 'POST', `/v1/cases/${caseId}/alerts`, keys.police.inside, {});
      return { url: `/v1/alerts/${caseId}.alert-1/cancel`, body: { reason: 'hoax' } };
    },
    inside: 200,
  },
  'POST /v1/alerts/{alertId}/centre': {
    request: async () => {
      const caseId = await hefeiCase();
      await status(services.rescue!, 'POST', `/v1/cases/${caseId}/alerts`, keys.police.inside, {});
      return { url: `/v1/alerts/${caseId}.alert-1/centre`, body: { leadId: 'no-such-lead' } };
    },
    // Reached and scoped: the lead is unknown (404 of its own code), as outside is 404 too.
    inside: 404,
  },
  'POST /v1/cases/{caseId}/assistance': caseOp(
    '/assistance',
    { region: '341500', reason: 'm', actions: ['read'] },
    201,
  ),
  'POST /v1/cases/{caseId}/assistance/{assistanceId}/accept': {
    request: async () => {
      const caseId = await hefeiCase();
      await status(services.rescue!, 'POST', `/v1/cases/${caseId}/assistance`, keys.police.inside, {
        region: '340000',
        reason: 'm',
        actions: ['read'],
      });
      return { url: `/v1/cases/${caseId}/assistance/${caseId}.assist-1/accept` };
    },
    // Addressed to the province? No: 340000 contains the case's region, so the request is
    // refused (422) and there is nothing to accept: 404 from anywhere.
    inside: 404,
  },
  'POST /v1/cases/{caseId}/assistance/{assistanceId}/decline': {
    request: async () => {
      const caseId = await hefeiCase();
      return { url: `/v1/cases/${caseId}/assistance/${caseId}.assist-1/decline` };
    },
    inside: 404,
  },
  'POST /v1/cases/{caseId}/assistance/{assistanceId}/revoke': {
    request: async () => {
      const caseId = await hefeiCase();
      await status(services.rescue!, 'POST', `/v1/cases/${caseId}/assistance`, keys.police.inside, {
        region: '341500',
        reason: 'm',
        actions: ['read'],
      });
      return { url: `/v1/cases/${caseId}/assistance/${caseId}.assist-1/revoke` };
    },
    inside: 200,
  },
  'GET /v1/audit': { request: () => ({ url: '/v1/audit' }), inside: 200, outside: 200 },
};

const auditRow = { request: () => ({ url: '/v1/audit' }), inside: 200, outside: 200 };

const STEP = { at: '2026-11-27T10:30:00+08:00', by: 'tech-1', place: 'Hefei lab' };
const sampleOp = (path: string, body: unknown, inside: number) => ({
  request: async () => ({ url: `/v1/samples/${await hefeiSample()}${path}`, body }),
  inside,
});

const dna: MatrixTable<Fx> = {
  'POST /v1/samples': {
    request: () => ({
      url: '/v1/samples',
      body: {
        subject: { kind: 'rescued-child' },
        kitBarcode: uniqueName('KIT').replaceAll('_', '-'),
        collectedAt: '2026-11-27T10:00:00+08:00',
        place: 'Hefei',
        region: HEFEI,
        collector: 'officer-1',
      },
    }),
    inside: 201,
    // The same kit again, by the second listed role: the replay of the first registration.
    insideBy: { 'dna-lab': 200 },
    // A region outside the caller's is refused (there is no record to hide yet).
    outside: 403,
  },
  'GET /v1/samples': { request: () => ({ url: '/v1/samples?overdue=true' }), inside: 200, outside: 200 },
  'GET /v1/samples/{sampleId}': sampleOp('', undefined, 200),
  'POST /v1/samples/{sampleId}/custody': sampleOp('/custody', { step: 'sealed', ...STEP }, 201),
  'GET /v1/samples/{sampleId}/custody': sampleOp('/custody', undefined, 200),
  // The sample is found and scoped before its body is read: inside, the empty profile is 400.
  'POST /v1/samples/{sampleId}/profile': sampleOp('/profile', { loci: {} }, 400),
  // No lab holds it yet: genotypes are no one's to read (404 inside and out).
  'GET /v1/samples/{sampleId}/profile': sampleOp('/profile', undefined, 404),
  'GET /v1/matches': { request: () => ({ url: '/v1/matches' }), inside: 200, outside: 200 },
  'GET /v1/matches/{matchId}': { request: () => ({ url: '/v1/matches/m-none' }), inside: 404 },
  'POST /v1/matches/{matchId}/confirm': {
    request: () => ({ url: '/v1/matches/m-none/confirm', body: { reviewer: 'r', note: 'n' } }),
    inside: 404,
  },
  'POST /v1/matches/{matchId}/reject': {
    request: () => ({ url: '/v1/matches/m-none/reject', body: { reviewer: 'r', note: 'n' } }),
    inside: 404,
  },
  'GET /v1/sampling-duties': { request: () => ({ url: '/v1/sampling-duties' }), inside: 200, outside: 200 },
  'GET /v1/overdue': { request: () => ({ url: '/v1/overdue' }), inside: 200, outside: 200 },
  'GET /v1/allele-frequencies': {
    request: () => ({ url: '/v1/allele-frequencies' }),
    inside: 200,
    outside: 200,
  },
  'GET /v1/audit': auditRow,
};

const unitOp = (path: string, inside: number, body?: unknown) => ({
  request: async () => ({ url: `/v1/units/${await hefeiUnit()}${path}`, body }),
  inside,
});

const notifications: MatrixTable<Fx> = {
  'PUT /v1/units/{unitId}': unitOp('', 200, unitBody()),
  'GET /v1/units/{unitId}': unitOp('', 200),
  'DELETE /v1/units/{unitId}': unitOp('', 204),
  // The unit acts only for its own units: Lu'an's unit agency is refused (403), Hefei's was
  // never sent the alert (404 alert).
  'POST /v1/alerts/{alertId}/acks': {
    request: async () => ({ url: '/v1/alerts/a-none/acks', body: { unitId: await hefeiUnit() } }),
    inside: 404,
    outside: 404,
  },
  // A stream stays open: the allowed inside caller is not called; Lu'an's unit is not the unit's.
  'GET /v1/units/{unitId}/stream': { ...unitOp('/stream', 0), inside: null, outside: 403 },
  'GET /v1/alerts/{alertId}/coverage': {
    request: () => ({ url: '/v1/alerts/a-none/coverage' }),
    inside: 404,
  },
};

const intake: MatrixTable<Fx> = {
  // The body is read after authorisation: an empty one is a malformed event (400) for every
  // reporting role, inside or out (a report names its own region).
  'POST /v1/reports': { request: () => ({ url: '/v1/reports', body: {} }), inside: 400, outside: 400 },
  'GET /v1/reports/{reportId}': { request: () => ({ url: '/v1/reports/r-none' }), inside: 404 },
  'GET /v1/reports/{reportId}/contacts': {
    request: () => ({ url: '/v1/reports/r-none/contacts' }),
    inside: 404,
  },
  'GET /v1/audit': auditRow,
};

const DECISION = {
  type: 'foster-family',
  decisionDate: '2026-11-28',
  handoverPlan: 'handover at the civil-affairs office with a social worker',
  guardian: {
    name: 'Wang Fang',
    address: 'Hefei, Luyang district, 8 Huaihe Road',
    relation: 'foster mother',
  },
};

const placement: MatrixTable<Fx> = {
  'POST /v1/placements': {
    request: async () => ({
      url: '/v1/placements',
      body: { caseId: await hefeiCase(), ...DECISION },
    }),
    // The case is Hefei's and not rescued yet: refused by rule (422) inside, unknown outside.
    inside: 422,
  },
  'PUT /v1/placements/{placementId}': {
    request: () => ({ url: '/v1/placements/p-none', body: { ...DECISION, reason: 'r' } }),
    inside: 404,
  },
  'GET /v1/cases/{caseId}/placement': {
    request: async () => ({ url: `/v1/cases/${await hefeiCase()}/placement` }),
    inside: 404,
  },
  'GET /v1/cases/{caseId}/victims': {
    request: async () => {
      const caseId = await hefeiCase();
      const url = `/v1/cases/${caseId}/victims`;
      // Placement learns the case from case.opened on its own: wait until it knows it.
      await waitFor(
        async () =>
          (await status(services.placement!, 'GET', url, keys['civil-affairs'].inside, undefined)) === 200,
        { what: `placement knows ${caseId}` },
      );
      return { url };
    },
    inside: 200,
  },
  'GET /v1/followups': { request: () => ({ url: '/v1/followups' }), inside: 200, outside: 200 },
  'GET /v1/overdue': { request: () => ({ url: '/v1/overdue' }), inside: 200, outside: 200 },
  'POST /v1/followups/{id}/complete': {
    request: () => ({ url: '/v1/followups/f-none/complete', body: { school: 'Shushan No. 12' } }),
    inside: 404,
  },
  'GET /v1/audit': auditRow,
};

const dashboard: MatrixTable<Fx> = {
  'POST /v1/session': { request: () => ({ url: '/v1/session' }), inside: 201, outside: 201 },
  'GET /v1/stream': { request: () => ({ url: '/v1/stream' }), inside: null, outside: null },
  'GET /v1/stats': { request: () => ({ url: '/v1/stats' }), inside: 200, outside: 200 },
  'GET /v1/board': { request: () => ({ url: '/v1/board' }), inside: 200, outside: 200 },
  'GET /v1/health-summary': { request: () => ({ url: '/v1/health-summary' }), inside: 200, outside: 200 },
  'GET /v1/annual-report': {
    request: () => ({ url: `/v1/annual-report?year=2026&region=${HEFEI}` }),
    inside: 200,
  },
};

// Coordination offices by region (a member of Hefei's county 340104 is inside; Lu'an's office
// does not reach it); departments submit for their own region.
const coordination: MatrixTable<Fx> = {
  'PUT /v1/members/{region}/{agencyId}': {
    request: () => ({ url: `/v1/members/${HEFEI}/${uniqueName('dept')}`, body: { role: 'police' } }),
    inside: 200,
  },
  'DELETE /v1/members/{region}/{agencyId}': {
    request: () => ({ url: `/v1/members/${HEFEI}/nobody` }),
    inside: 404,
  },
  'GET /v1/members': { request: () => ({ url: '/v1/members' }), inside: 200, outside: 200 },
  'GET /v1/late': { request: () => ({ url: '/v1/late?year=2026' }), inside: 200, outside: 200 },
  'GET /v1/rollup': { request: () => ({ url: `/v1/rollup?year=2026&region=${HEFEI}` }), inside: 200 },
  'GET /v1/supervision': { request: () => ({ url: `/v1/supervision?region=${HEFEI}` }), inside: 200 },
  'GET /v1/assessment': { request: () => ({ url: `/v1/assessment?year=2026&region=${HEFEI}` }), inside: 200 },
  'GET /v1/prefill': { request: () => ({ url: '/v1/prefill?year=2026' }), inside: 200, outside: 200 },
  'PUT /v1/submissions/{year}': {
    request: () => ({ url: '/v1/submissions/2026', body: {} }),
    inside: 400,
    outside: 400,
  },
  'GET /v1/submissions': { request: () => ({ url: '/v1/submissions?year=2026' }), inside: 200, outside: 200 },
  'GET /v1/submissions/{submissionId}': { request: () => ({ url: '/v1/submissions/s-none' }), inside: 404 },
  'POST /v1/submissions/{submissionId}/return': {
    request: () => ({ url: '/v1/submissions/s-none/return', body: { comment: 'c' } }),
    inside: 404,
  },
  'POST /v1/submissions/{submissionId}/accept': {
    request: () => ({ url: '/v1/submissions/s-none/accept', body: {} }),
    inside: 404,
  },
  'GET /v1/audit': auditRow,
};

const tables: Record<string, MatrixTable<Fx>> = {
  rescue,
  dna,
  notifications,
  intake,
  placement,
  dashboard,
  coordination,
};

describe('the role × endpoint × scope matrix', () => {
  for (const [name, table] of Object.entries(tables)) {
    it(`${name}: every operation has a row, and every role gets what the row says, inside and outside`, async () => {
      const svc = services[name]!;
      const doc = (await (
        svc.app as unknown as { http: { swagger: () => unknown } }
      ).http.swagger()) as never;
      const ops = declaredOperations(doc);
      expect(
        ops.map((o) => o.op).filter((op) => !(op in table)),
        'operations without a row',
      ).toEqual([]);
      const mine: Cell[] = [];
      for (const op of ops)
        mine.push(
          ...(await runOperation(
            op,
            table[op.op]!,
            {} as Fx,
            keys,
            call(() => svc),
          )),
        );
      cells.push(...mine.map((c) => ({ ...c, op: `${name} ${c.op}` })));
      const wrong = mine.filter((c) => c.got !== c.expected);
      expect(wrong, 'cells answered otherwise').toEqual([]);
    }, 300_000);
  }

  it('covers every operation of every service, each role inside and outside', () => {
    // Every role × 2 sides per operation, less the three calls a stream leaves out.
    const ops = new Set(cells.map((c) => `${c.op}`)).size;
    expect(ops).toBeGreaterThanOrEqual(61);
    expect(cells.length).toBe(ops * Roles.length * 2 - 3);
  });
});
