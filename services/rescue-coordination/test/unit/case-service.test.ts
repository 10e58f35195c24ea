import { createEvent } from '@homeward/events';
import { MemoryPersistence } from '@homeward/persistence';
import { createLogger, ManualClock, MemoryDueIndex } from '@homeward/service-kit';
import { describe, expect, it } from 'vitest';
import { type AckFact, AlertService } from '../../src/alert-service.ts';
import { CaseService, type CaseServiceDeps } from '../../src/case-service.ts';
import type { CaseDoc, LeadRecord } from '../../src/domain/case.ts';
import { countOutcomes, escalationWorker } from '../../src/escalation-worker.ts';
import { type TeamClaim, TeamClockService } from '../../src/team-clock-service.ts';
import {
  at,
  H,
  leadEvent,
  MIN,
  national,
  openedEvent,
  police,
  policy,
  teamRequest,
  testRoster,
} from '../domain/fixtures.ts';

// The application service over the in-memory adapters: no infrastructure.

const teamPolicy = {
  limitHours: 24,
  kinds: ['missing-child', 'unidentified-child', 'suspected-trafficking'] as const,
};

function setup(start = at(5 * MIN)) {
  const clock = new ManualClock(start);
  const persistence = new MemoryPersistence();
  const cases = persistence.aggregate<CaseDoc>('cases');
  const acks = persistence.facts<AckFact>('alert_acks');
  const leads = persistence.facts<LeadRecord>('case_leads');
  const index = new MemoryDueIndex();
  const logger = createLogger({ name: 'test', level: 'silent' });
  const teamIndex = new MemoryDueIndex();
  const teamClaims = persistence.facts<TeamClaim>('team_overdue_claims');
  const deps: CaseServiceDeps = {
    cases,
    leads,
    acks,
    schedule: index,
    clock,
    logger,
    policy,
    teamIndex,
    teamClaims,
    teamPolicy,
    roster: testRoster,
  };
  const service = new CaseService(deps);
  const alerts = new AlertService(deps);
  const teamClock = new TeamClockService(deps);
  const worker = escalationWorker({ alerts, index, clock, logger, intervalMs: 3_600_000, batchSize: 100 });
  const types = () => persistence.outbox.published.map((e) => e.type);
  return {
    clock,
    persistence,
    cases,
    leads,
    index,
    teamIndex,
    teamClaims,
    service,
    alerts,
    teamClock,
    worker,
    types,
  };
}

/** A police missing-child case whose alert went out at 07:55. */
async function withAlert(s: ReturnType<typeof setup>, caseId = 'case-1') {
  const opened = openedEvent({ caseId });
  await s.service.recordOpened(opened);
  const alert = await s.alerts.afterOpened(opened.data);
  if (!alert) throw new Error('no alert');
  return alert;
}

const rejects = (p: Promise<unknown>, code: string) =>
  expect(p).rejects.toEqual(expect.objectContaining({ code }));

describe('a case opened by intake', () => {
  it('is recorded once; a police missing-child report has its alert issued at once, once', async () => {
    const s = setup();
    const opened = openedEvent();
    expect(await s.service.recordOpened(opened)).toBe(true);
    expect(await s.service.recordOpened(opened)).toBe(false);
    const alert = await s.alerts.afterOpened(opened.data);
    expect(alert).toMatchObject({ alertId: 'case-1.alert-1', status: 'active', radiusKm: 100, step: 0 });
    expect(await s.alerts.afterOpened(opened.data)).toBeNull();
    expect(s.types()).toEqual(['homeward.alert.issued']);
    expect(await s.index.due(at(H), 10)).toEqual(['case-1.alert-1']);
    expect(await s.index.due(at(H - 1), 10)).toEqual([]);
    expect((await s.service.getCase('case-1', national)).status).toBe('searching');
  });

  it('from another reporter, waits for police; a case that moved on gets no alert', async () => {
    const s = setup();
    const hotline = openedEvent({ by: 'hotline' });
    await s.service.recordOpened(hotline);
    expect(await s.alerts.afterOpened(hotline.data)).toBeNull();
    const police2 = openedEvent({ caseId: 'case-2' });
    await s.service.recordOpened(police2);
    await s.service.locate('case-2', { place: 'x' }, police);
    expect(await s.alerts.afterOpened(police2.data)).toBeNull();
    expect(s.types()).toEqual(['homeward.case.victims-located', 'homeward.case.child-located']);
    expect(await s.index.size()).toBe(0);
  });

  it('an unknown case is 404 for every change', async () => {
    const s = setup();
    await rejects(s.service.getCase('nope', national), 'RESCUE_ERR_CASE_NOT_FOUND');
    await rejects(s.alerts.issueAlert('nope', national), 'RESCUE_ERR_CASE_NOT_FOUND');
    await rejects(s.alerts.afterOpened(openedEvent({ caseId: 'nope' }).data), 'RESCUE_ERR_CASE_NOT_FOUND');
    await rejects(s.service.recordLead(leadEvent('nope')), 'RESCUE_ERR_CASE_NOT_FOUND');
  });
});

describe('police actions', () => {
  it('team, located (ending the alert in the same write), rescued, closed', async () => {
    const s = setup();
    await withAlert(s);
    expect((await s.service.assignTeam('case-1', teamRequest('340100'), police)).team?.chief.region).toBe(
      '340100',
    );
    s.clock.advance(MIN);
    const located = await s.service.locate('case-1', { place: 'Lu an' }, police);
    expect(located).toMatchObject({ status: 'located', activeAlertId: null });
    expect(await s.index.size()).toBe(0);
    expect((await s.service.rescue('case-1', { place: 'farm', region: '341500' }, police)).status).toBe(
      'rescued',
    );
    expect((await s.service.close('case-1', 'home', police)).status).toBe('closed');
    expect(s.types()).toEqual([
      'homeward.alert.issued',
      'homeward.case.team-assigned',
      'homeward.case.victims-located',
      'homeward.case.child-located',
      'homeward.alert.cancelled',
      'homeward.case.victims-rescued',
      'homeward.case.child-rescued',
      'homeward.case.closed',
    ]);
    const stored = await s.cases.get('case-1');
    expect(stored?.alerts[0]).toMatchObject({ status: 'cancelled', cancelled: { reason: 'found' } });
  });

  it('rescued ends the running alert too, and leaves the index', async () => {
    const s = setup();
    await withAlert(s);
    await s.service.rescue('case-1', { place: 'farm', region: '341500' }, police);
    expect(s.types().slice(1)).toEqual([
      'homeward.case.victims-rescued',
      'homeward.case.child-rescued',
      'homeward.alert.cancelled',
    ]);
    expect(await s.index.size()).toBe(0);
  });

  it('issue by hand, cancel, close; a refused change writes nothing', async () => {
    const s = setup();
    await s.service.recordOpened(openedEvent({ by: 'hotline' }));
    const alert = await s.alerts.issueAlert('case-1', national);
    expect(await s.index.size()).toBe(1);
    await rejects(s.alerts.issueAlert('case-1', national), 'RESCUE_ERR_ALERT_ACTIVE');
    await rejects(s.service.close('case-1', 'hoax', police), 'RESCUE_ERR_ALERT_ACTIVE');
    const version = (await s.service.getCase('case-1', national)).version;
    const cancelled = await s.alerts.cancelAlert(alert.alertId, 'hoax', 'lied', police);
    expect(cancelled).toMatchObject({ status: 'cancelled', cancelled: { reason: 'hoax', note: 'lied' } });
    expect((await s.service.getCase('case-1', national)).version).toBe(version + 1);
    expect(await s.index.size()).toBe(0);
    await rejects(s.alerts.cancelAlert(alert.alertId, 'hoax', undefined, police), 'RESCUE_ERR_ALERT_ENDED');
    expect((await s.service.close('case-1', 'hoax', police)).status).toBe('closed');
    expect(s.types()).toEqual(['homeward.alert.issued', 'homeward.alert.cancelled', 'homeward.case.closed']);
  });

  it('move the centre to a lead; unknown alerts and leads are 404', async () => {
    const s = setup();
    const alert = await withAlert(s);
    await s.service.recordLead(leadEvent());
    await s.service.recordLead(leadEvent());
    expect((await s.service.getCase('case-1', national)).leadCount).toBe(1);
    expect(await s.leads.count({ caseId: 'case-1' })).toBe(1);
    const moved = await s.alerts.moveCentre(alert.alertId, 'lead-1', police);
    expect(moved).toMatchObject({ step: 1, center: { lat: 31.85, lon: 117.2 }, radiusKm: 100 });
    expect(await s.index.due(at(H), 10)).toEqual(['case-1.alert-1']);
    await rejects(s.alerts.moveCentre(alert.alertId, 'nope', police), 'RESCUE_ERR_LEAD_NOT_FOUND');
    for (const id of ['case-1.alert-2', 'nope.alert-1', 'not-an-alert-id']) {
      await rejects(s.alerts.moveCentre(id, 'lead-1', police), 'RESCUE_ERR_ALERT_NOT_FOUND');
      await rejects(s.alerts.cancelAlert(id, 'hoax', undefined, police), 'RESCUE_ERR_ALERT_NOT_FOUND');
      await rejects(s.alerts.getAlert(id, national), 'RESCUE_ERR_ALERT_NOT_FOUND');
    }
    expect((await s.alerts.getAlert(alert.alertId, national)).step).toBe(1);
  });

  it('a DNA match identifies the child once; a match without a case changes nothing', async () => {
    const s = setup();
    await s.service.recordOpened(openedEvent());
    const match = createEvent(
      'homeward.dna.match-confirmed',
      {
        matchId: 'm-1',
        childSampleId: 'c',
        parentSampleIds: ['p'],
        caseId: 'case-1',
        confirmedAt: at(H).toISOString(),
        confirmedBy: 'lab',
      },
      { source: 'homeward/dna-tracking', id: 'm-1.confirmed' },
    );
    await s.service.recordIdentified(match);
    await s.service.recordIdentified(match);
    const { caseId: _c, ...noCase } = match.data;
    await s.service.recordIdentified({ ...match, data: noCase });
    expect(await s.service.getCase('case-1', national)).toMatchObject({
      version: 2,
      identified: { matchId: 'm-1' },
    });
  });
});

describe('escalation', () => {
  it('widens on time through the worker; concurrent looks widen each step once', async () => {
    const s = setup();
    const alert = await withAlert(s);
    s.clock.set(at(H - 1));
    expect(countOutcomes(await s.worker.tick())).toEqual({});
    s.clock.set(at(H));
    const outcomes = await Promise.all([1, 2, 3].map(() => s.alerts.escalateIfDue(alert.alertId)));
    expect(outcomes.sort()).toEqual(['escalated', 'not-due', 'not-due']);
    expect(await s.index.due(at(2 * H), 10)).toEqual([alert.alertId]);
    expect(await s.index.due(at(2 * H - 1), 10)).toEqual([]);
    s.clock.set(at(5 * H));
    expect(countOutcomes(await s.worker.tick())).toEqual({ escalated: 1 });
    expect(await s.alerts.getAlert(alert.alertId, national)).toMatchObject({
      step: 2,
      radiusKm: 500,
      nextDueAt: null,
    });
    expect(await s.index.size()).toBe(0);
    expect(persistenceIds(s)).toEqual([
      'case-1.alert-1.issued',
      'case-1.alert-1.step-1',
      'case-1.alert-1.step-2',
    ]);
  });

  it('an index entry that disagrees with the case is dropped: ended, final, unknown', async () => {
    const s = setup();
    const alert = await withAlert(s);
    await s.alerts.cancelAlert(alert.alertId, 'hoax', undefined, police);
    for (const id of [alert.alertId, 'nope.alert-1', 'garbage']) await s.index.set(id, at(0));
    s.clock.set(at(H));
    expect(countOutcomes(await s.worker.tick())).toEqual({ ended: 3 });
    expect(await s.index.size()).toBe(0);
    const late = setup(at(4 * H));
    const last = await withAlert(late);
    await late.index.set(last.alertId, at(0));
    expect(await late.alerts.escalateIfDue(last.alertId)).toBe('final');
    expect(await late.index.size()).toBe(0);
  });

  it('pages the leads of a case from their own rows; a lead of an unknown case is refused', async () => {
    const s = setup();
    await withAlert(s);
    for (let i = 1; i <= 30; i++)
      await s.service.recordLead(leadEvent('case-1', `lead-${String(i).padStart(2, '0')}`));
    // A repeat of a recent lead changes nothing (older repeats never reach the handler: the
    // consumer runner drops an event it handled by its id).
    await s.service.recordLead(leadEvent('case-1', 'lead-30'));
    const page = await s.service.listLeads('case-1', national, { limit: 10, offset: 25 });
    expect(page.total).toBe(30);
    expect(page.items.map((l) => l.leadId)).toEqual(['lead-26', 'lead-27', 'lead-28', 'lead-29', 'lead-30']);
    const doc = await s.service.getCase('case-1', national);
    expect(doc.recentLeads).toHaveLength(20);
    await rejects(
      s.service.listLeads('nope', national, { limit: 10, offset: 0 }),
      'RESCUE_ERR_CASE_NOT_FOUND',
    );
    await rejects(s.service.recordLead(leadEvent('nope', 'lead-1')), 'RESCUE_ERR_CASE_NOT_FOUND');
    expect(await s.leads.count({ caseId: 'nope' })).toBe(0);
  });

  it('rebuilds the index from the running alert of each case', async () => {
    const s = setup();
    await withAlert(s, 'case-1');
    await withAlert(s, 'case-2');
    const ended = await withAlert(s, 'case-3');
    await s.alerts.cancelAlert(ended.alertId, 'hoax', undefined, police);
    const fresh = new MemoryDueIndex();
    const alerts = new AlertService({
      cases: s.cases,
      leads: s.leads,
      acks: s.persistence.facts<AckFact>('alert_acks'),
      schedule: fresh,
      clock: s.clock,
      logger: createLogger({ name: 'test', level: 'silent' }),
      policy,
    });
    expect(await alerts.rebuildSchedule()).toBe(2);
    expect(await fresh.due(at(H), 10)).toEqual(['case-1.alert-1', 'case-2.alert-1']);
  });
});

describe('acknowledgements and reads', () => {
  it('each unit counts once per alert; an unknown alert is not recorded', async () => {
    const s = setup();
    const alert = await withAlert(s);
    expect(await s.alerts.recordAck(alert.alertId, 'unit-a', at(H))).toBe(true);
    expect(await s.alerts.recordAck(alert.alertId, 'unit-a', at(H))).toBe(true);
    expect(await s.alerts.recordAck(alert.alertId, 'unit-b', at(H))).toBe(true);
    expect(await s.alerts.recordAck('case-1.alert-2', 'unit-a', at(H))).toBe(false);
    expect(await s.alerts.recordAck('nope.alert-1', 'unit-a', at(H))).toBe(false);
    expect(await s.alerts.recordAck('garbage', 'unit-a', at(H))).toBe(false);
    expect(await s.alerts.acknowledgements(alert.alertId)).toBe(2);
    expect(await s.alerts.acknowledgements('case-1.alert-2')).toBe(0);
  });

  it('lists newest first, filtered by status, kind and region at any level, paged', async () => {
    const s = setup();
    for (const [caseId, kind] of [
      ['a', 'missing-child'],
      ['b', 'suspected-trafficking'],
      ['c', 'missing-child'],
    ] as const) {
      const e = openedEvent({ caseId, by: 'hotline', kind });
      await s.service.recordOpened({
        ...e,
        data: { ...e.data, openedAt: at({ a: 0, b: H, c: 2 * H }[caseId]).toISOString() },
      });
    }
    await s.service.locate('c', { place: 'x' }, police);
    const ids = async (filter: Parameters<CaseService['listCases']>[0], limit = 10, offset = 0) => {
      const { items, total } = await s.service.listCases(filter, { limit, offset }, national);
      return { ids: items.map((c) => c._id), total };
    };
    expect(await ids({})).toEqual({ ids: ['c', 'b', 'a'], total: 3 });
    expect(await ids({}, 1, 1)).toEqual({ ids: ['b'], total: 3 });
    expect(await ids({ status: 'located' })).toEqual({ ids: ['c'], total: 1 });
    expect(await ids({ kind: 'missing-child' })).toEqual({ ids: ['c', 'a'], total: 2 });
    expect(await ids({ region: { level: 'province', code: '340000' } })).toEqual({
      ids: ['c', 'b', 'a'],
      total: 3,
    });
    expect(await ids({ region: { level: 'prefecture', code: '340100' } })).toMatchObject({ total: 3 });
    expect(await ids({ region: { level: 'county', code: '340104' } })).toMatchObject({ total: 3 });
    expect(await ids({ region: { level: 'county', code: '340102' } })).toEqual({ ids: [], total: 0 });
    const { items } = await s.service.listCases({}, { limit: 1, offset: 0 }, national);
    expect(items[0]).not.toHaveProperty('timeline');
    expect(items[0]).not.toHaveProperty('report');
  });
});

describe('the special team clock', () => {
  it('raises team-overdue once, at its boundary and not before; a team stops it', async () => {
    const s = setup();
    const opened = openedEvent({ caseId: 'late' });
    await s.service.recordOpened(opened);
    await s.service.recordOpened(openedEvent({ caseId: 'led' }));
    await s.service.assignTeam('led', teamRequest('340100'), police);
    const boundary = new Date(Date.parse(opened.data.openedAt) + 24 * H);
    expect(await s.teamIndex.due(boundary, 10)).toEqual(['late']);

    s.clock.set(new Date(boundary.getTime() - 1));
    expect(await s.teamClock.raiseTeamOverdue('late')).toBe(0);
    expect((await s.teamClock.overdueTeams({ region: '340000' })).map((o) => o.doc._id)).toEqual([]);
    s.clock.set(boundary);
    expect(await s.teamClock.raiseTeamOverdue('late')).toBe(1);
    expect(await s.teamClock.raiseTeamOverdue('late')).toBe(0);
    expect(await s.teamClock.raiseTeamOverdue('led')).toBe(0);
    const raised = s.persistence.outbox.ofType('homeward.case.team-overdue');
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({
      id: 'late.team-overdue',
      data: { caseId: 'late', kind: 'missing-child', limitHours: 24, detectedAt: boundary.toISOString() },
    });
    expect(await s.teamIndex.size()).toBe(0);
    expect((await s.teamClock.overdueTeams({ region: '340000' })).map((o) => o.doc._id)).toEqual(['late']);
    expect(await s.teamClock.overdueTeams({ region: '320000' })).toEqual([]);
    // A rebuild after a restart puts back only cases still waiting; the claim keeps it once.
    expect(await s.teamClock.rebuildTeamClock()).toBe(1);
    expect(await s.teamClock.raiseTeamOverdue('late')).toBe(0);
    await s.service.assignTeam('late', teamRequest('340100'), police);
    expect(await s.teamClock.overdueTeams({ region: '340000' })).toEqual([]);
  });
});

describe('a confirmed match', () => {
  it('identifies the child on both cases and links them, each timeline naming the other', async () => {
    const s = setup();
    await s.service.recordOpened(openedEvent({ caseId: 'm' }));
    await s.service.recordOpened(openedEvent({ caseId: 'u', kind: 'suspected-trafficking' }));
    const confirmed = createEvent(
      'homeward.dna.match-confirmed',
      {
        matchId: 'match-1',
        childSampleId: 'smp-c',
        parentSampleIds: ['smp-f'],
        caseId: 'm',
        childCaseId: 'u',
        confirmedAt: at(H).toISOString(),
        confirmedBy: 'lab-1',
      },
      { source: 'homeward/dna-tracking', id: 'match-1.reviewed' },
    );
    expect((await s.service.recordIdentified(confirmed)).sort()).toEqual(['m', 'u']);
    const m = await s.service.getCase('m', national);
    const u = await s.service.getCase('u', national);
    expect(m.links).toEqual([{ caseId: 'u', as: 'child-case', matchId: 'match-1', at: at(H).toISOString() }]);
    expect(u.links).toEqual([
      { caseId: 'm', as: 'parents-case', matchId: 'match-1', at: at(H).toISOString() },
    ]);
    expect(u.identified).toMatchObject({ matchId: 'match-1', parentsCaseId: 'm', childCaseId: 'u' });
    expect(m.timeline.at(-1)?.details).toMatchObject({ linkedCaseId: 'u', linkedAs: 'child-case' });
    expect(u.timeline.at(-1)?.details).toMatchObject({ linkedCaseId: 'm', linkedAs: 'parents-case' });
    // Again: nothing changes.
    await s.service.recordIdentified(confirmed);
    expect((await s.service.getCase('m', national)).version).toBe(m.version);
    // A match naming cases this service never heard of is refused.
    await expect(
      s.service.recordIdentified({
        ...confirmed,
        data: { ...confirmed.data, caseId: 'x', childCaseId: 'y' },
      }),
    ).rejects.toMatchObject({ code: 'RESCUE_ERR_CASE_NOT_FOUND' });
  });
});

describe('the buying household', () => {
  it('is recorded at rescue or after it, or stated absent, never both', async () => {
    const s = setup();
    await s.service.recordOpened(openedEvent({ caseId: 'r' }));
    await expect(
      s.service.recordHousehold('r', { noBuyerHousehold: { reason: 'x' } }, police),
    ).rejects.toMatchObject({ code: 'RESCUE_ERR_INVALID_TRANSITION' });
    const buyer = { headName: 'Zhao Si', address: 'Feixi, Village 3, No. 8' };
    await expect(
      s.service.rescue(
        'r',
        { place: 'Feixi', region: '340123', buyerHousehold: buyer, noBuyerHousehold: { reason: 'x' } },
        police,
      ),
    ).rejects.toMatchObject({ code: 'RESCUE_ERR_HOUSEHOLD_CONFLICT' });
    await s.service.rescue('r', { place: 'Feixi', region: '340123' }, police);
    const doc = await s.service.recordHousehold(
      'r',
      { buyerHousehold: { ...buyer, members: [{ name: 'Qian Hua', relation: 'wife' }] } },
      police,
    );
    expect(doc.householdRecords).toHaveLength(1);
    expect(s.persistence.outbox.ofType('homeward.case.household-recorded')[0]?.data).toMatchObject({
      caseId: 'r',
      buyerHousehold: { headName: 'Zhao Si', members: [{ name: 'Qian Hua' }] },
    });
    await expect(
      s.service.recordHousehold('r', { noBuyerHousehold: { reason: 'in transit' } }, police),
    ).rejects.toMatchObject({ code: 'RESCUE_ERR_HOUSEHOLD_CONFLICT' });
  });
});

function persistenceIds(s: ReturnType<typeof setup>) {
  return s.persistence.outbox.published.map((e) => e.id);
}
