import { createEvent, type EventData } from '@homeward/events';
import { MemoryPersistence } from '@homeward/persistence';
import { ManualClock, MemoryDueIndex, type Principal } from '@homeward/service-kit';
import { testLogger } from '@homeward/testing';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLOCK_POLICY } from '../../src/domain/clocks.ts';
import { DEFAULT_FOLLOWUP_POLICY } from '../../src/domain/followup-policy.ts';
import { caseEventHandlers } from '../../src/handlers/case-events.ts';
import { OverdueWorker } from '../../src/overdue-worker.ts';
import { type DecisionInput, PlacementService } from '../../src/placement-service.ts';
import { CaseStore } from '../../src/store/case-store.ts';

const civilAffairs: Principal = { agencyId: 'hefei-civil-affairs', role: 'civil-affairs', region: '340100' };
// Provincial: the cases below are rescued in Lu'an (341500), within the province.
const health: Principal = { agencyId: 'anhui-provincial-hospital', role: 'health', region: '340000' };
const womensFederation: Principal = {
  agencyId: 'anhui-womens-federation',
  role: 'womens-federation',
  region: '340000',
};

/** Placement over memory stores: no broker, no database, no Redis. */
function placement() {
  const persistence = new MemoryPersistence();
  const store = new CaseStore(persistence);
  const index = new MemoryDueIndex();
  const clockIndex = new MemoryDueIndex();
  // 2026-11-28 10:00 in China.
  const clock = new ManualClock('2026-11-28T02:00:00Z');
  const logger = testLogger();
  const service = new PlacementService({
    store,
    index,
    clock,
    logger,
    policy: DEFAULT_FOLLOWUP_POLICY,
    utcOffsetMinutes: 480,
    clockIndex,
    clockPolicy: DEFAULT_CLOCK_POLICY,
  });
  const worker = new OverdueWorker({
    placements: service,
    store,
    index,
    clock,
    logger,
    intervalMs: 3_600_000,
    batchSize: 10,
  });
  const handlers = caseEventHandlers({ store });
  const ctx = { log: logger } as never;
  /** Projects a case opened by a missing-child report and its rescue, as the consumer would. */
  async function rescuedCase(caseId: string, birthDate: string) {
    const opened: EventData<'homeward.case.opened'> = {
      caseId,
      kind: 'missing-child',
      region: '340104',
      openedAt: '2026-01-10T09:00:00+08:00',
      reportId: `rpt-${caseId}`,
      reportedBy: { agencyId: 'hefei-psb', role: 'police', region: '340100' },
      report: {
        kind: 'missing-child',
        child: { name: 'n', sex: 'female', birthDate },
        lastSeen: { at: '2026-01-10T08:00:00+08:00', place: 'p', lat: 31.79, lon: 117.29, region: '340104' },
      },
    };
    const rescued: EventData<'homeward.case.child-rescued'> = {
      caseId,
      rescuedAt: '2026-11-20T10:00:00+08:00',
      place: 'village',
      region: '341500',
      buyerHousehold: {
        headName: 'Zhang San',
        address: 'Lu an, 3 Village Road',
        idNumber: '34010419800101123X',
      },
    };
    const source = { source: 'homeward/rescue-coordination' };
    await handlers['homeward.case.opened'](createEvent('homeward.case.opened', opened, source), ctx);
    await handlers['homeward.case.child-rescued'](
      createEvent('homeward.case.child-rescued', rescued, source),
      ctx,
    );
  }
  return { persistence, store, index, clock, service, worker, handlers, ctx, rescuedCase };
}

const decision = (caseId: string, over: Partial<DecisionInput> = {}): DecisionInput => ({
  caseId,
  type: 'foster-family',
  decisionDate: '2026-11-28',
  handoverPlan: 'at the civil-affairs office',
  guardian: { name: 'Wang Fang', address: 'Hefei, 8 Huaihe Road' },
  ...over,
});

describe('placement service over memory stores', () => {
  it('projects a case once, whatever is redelivered', async () => {
    const p = placement();
    await p.rescuedCase('case-1', '2010-03-01');
    await p.rescuedCase('case-1', '2010-03-01');
    const doc = await p.store.get('case-1');
    expect(doc?.version).toBe(2);
    expect(doc?.facts.buyerHouseholds).toHaveLength(1);
    expect(p.persistence.outbox.published).toEqual([]);
  });

  it('decides once with its events, indexes the next due follow-up, and resolves the new ids', async () => {
    const p = placement();
    await p.rescuedCase('case-1', '2010-03-01');
    const { doc, created } = await p.service.decide(decision('case-1'), civilAffairs);
    expect(created).toBe(true);
    expect(await p.store.get('case-1')).toEqual(doc);
    // The girl of 16 is victim 1 of a case from before victims: care, training, and the
    // women's federation's legal aid (for women and children).
    expect(p.persistence.outbox.published.map((e) => [e.type, (e.data as { type?: string }).type])).toEqual([
      ['homeward.placement.decided', 'foster-family'],
      ['homeward.followup.scheduled', 'medical-psychological-rehabilitation'],
      ['homeward.followup.scheduled', 'vocational-training'],
      ['homeward.followup.scheduled', 'legal-aid'],
    ]);
    expect(p.persistence.outbox.published[0]?.data).toMatchObject({
      victimId: 'case-1.v1',
      category: 'child',
      sex: 'female',
      ageGroup: '14-17',
    });
    const placementId = doc.placements![0]!.placementId;
    expect(await p.service.caseOfPlacement(placementId)).toBe('case-1');
    for (const f of doc.followups) expect(await p.store.caseOf(f.followupId, 'followup')).toBe('case-1');
    // A follow-up id is not a placement id.
    expect(await p.store.caseOf(doc.followups[0]!.followupId, 'placement')).toBeUndefined();
    // The medical follow-up is due 2026-12-12: overdue from midnight after it in China.
    expect(await p.index.due(new Date('2026-12-12T16:00:00Z'), 10)).toEqual(['case-1']);
    expect(await p.index.due(new Date('2026-12-12T15:59:59Z'), 10)).toEqual([]);
  });

  it('lets one of two simultaneous first decisions win: the other must state a reason', async () => {
    const p = placement();
    await p.rescuedCase('case-1', '2010-03-01');
    const results = await Promise.allSettled([
      p.service.decide(decision('case-1'), civilAffairs),
      p.service.decide(decision('case-1', { type: 'kinship-care' }), civilAffairs),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ code: 'PLACEMENT_ERR_REVISION_REASON_REQUIRED', status: 409 });
    expect(p.persistence.outbox.ofType('homeward.placement.decided')).toHaveLength(1);
  });

  it('writes nothing and publishes nothing when refused', async () => {
    const p = placement();
    await p.rescuedCase('case-1', '2010-03-01');
    const before = await p.store.get('case-1');
    await expect(
      p.service.decide(
        decision('case-1', { guardian: { name: 'x', address: 'y', idNumber: '34010419800101123x' } }),
        civilAffairs,
      ),
    ).rejects.toMatchObject({ code: 'PLACEMENT_ERR_GUARDIAN_IS_BUYER', status: 422 });
    await expect(p.service.decide(decision('case-9'), civilAffairs)).rejects.toMatchObject({
      code: 'PLACEMENT_ERR_CASE_NOT_FOUND',
      status: 404,
    });
    await expect(
      p.service.decide(decision('case-1', { guardian: undefined }), civilAffairs),
    ).rejects.toMatchObject({
      code: 'PLACEMENT_ERR_INVALID_PARTY',
      status: 400,
    });
    expect(await p.store.get('case-1')).toEqual(before);
    expect(p.persistence.outbox.published).toEqual([]);
    expect(await p.index.size()).toBe(0);
  });

  it('completes a follow-up once', async () => {
    const p = placement();
    await p.rescuedCase('case-1', '2010-03-01');
    const { doc } = await p.service.decide(decision('case-1'), civilAffairs);
    const medical = doc.followups.find((f) => f.type === 'medical-psychological-rehabilitation')!;
    const outcome = { hospital: 'Anhui Provincial Hospital' };
    // Health answers for medical care: civil affairs may not complete it.
    const provincialCivilAffairs = { ...civilAffairs, region: '340000' };
    await expect(
      p.service.complete(medical.followupId, outcome, provincialCivilAffairs),
    ).rejects.toMatchObject({
      code: 'PLACEMENT_ERR_NOT_FOLLOWUP_OWNER',
      status: 403,
    });
    const [a, b] = await Promise.allSettled([
      p.service.complete(medical.followupId, outcome, health),
      p.service.complete(medical.followupId, outcome, health),
    ]);
    expect([a.status, b.status].sort()).toEqual(['fulfilled', 'rejected']);
    expect(p.persistence.outbox.ofType('homeward.followup.completed')).toHaveLength(1);
    await expect(p.service.complete('fu-unknown', outcome, health)).rejects.toMatchObject({
      code: 'PLACEMENT_ERR_FOLLOWUP_NOT_FOUND',
    });
  });

  it('raises an overdue follow-up once however many checks race, then moves the index on', async () => {
    const p = placement();
    await p.rescuedCase('case-1', '2010-03-01');
    await p.worker.start();
    await p.service.decide(decision('case-1'), civilAffairs);
    p.clock.set('2026-12-12T15:59:59Z');
    expect((await p.worker.check()).raised).toBe(0);
    p.clock.set('2026-12-12T16:00:00Z');
    const raced = await Promise.all([p.worker.check(), p.worker.check(), p.service.raiseOverdue('case-1')]);
    expect(raced[0].raised + raced[1].raised + raced[2]).toBe(1);
    expect(p.persistence.outbox.ofType('homeward.followup.overdue').map((e) => e.data.dueDate)).toEqual([
      '2026-12-12',
    ]);
    const doc = await p.store.get('case-1');
    expect(
      doc?.followups.find((f) => f.type === 'medical-psychological-rehabilitation')?.overdueRaisedAt,
    ).toBe('2026-12-12T16:00:00.000Z');
    // Next: legal aid, due 2026-12-28.
    expect(await p.index.due(new Date('2026-12-28T15:59:59Z'), 10)).toEqual([]);
    expect(await p.index.due(new Date('2026-12-28T16:00:00Z'), 10)).toEqual(['case-1']);
    await p.worker.stop();
  });

  it('rebuilds the index from the stores at start, and forgets a case with nothing left to watch', async () => {
    const p = placement();
    await p.rescuedCase('case-1', '2021-01-01');
    const { doc } = await p.service.decide(decision('case-1'), civilAffairs);
    await p.index.set('case-1', undefined);
    expect(await p.worker.rebuild()).toBe(1);
    const of = (type: string) => doc.followups.find((f) => f.type === type)!.followupId;
    await p.service.complete(of('medical-psychological-rehabilitation'), { hospital: 'h' }, health);
    await p.service.complete(of('legal-aid'), { note: 'rights explained to the guardian' }, womensFederation);
    p.clock.set('2026-12-20T00:00:00Z');
    expect(await p.worker.check()).toEqual({ cases: 1, raised: 0, failed: 0 });
    expect(await p.index.size()).toBe(0);
    expect(await p.worker.rebuild()).toBe(0);
    expect(await p.service.raiseOverdue('case-unknown')).toBe(0);
  });
});
