import { describe, expect, it } from 'vitest';
import { emptyFacts } from '../../src/domain/case-facts.ts';
import {
  dueForRaising,
  isOverdue,
  nextOverdueAt,
  overdueEvent,
  planCompletion,
  withRaised,
} from '../../src/domain/followup-plan.ts';
import { DEFAULT_FOLLOWUP_POLICY } from '../../src/domain/followup-policy.ts';
import { type DecisionInput, type PlanContext, planDecision } from '../../src/domain/placement-plan.ts';
import type { CaseState, Followup } from '../../src/domain/placement-state.ts';

const NOW = new Date('2026-11-28T02:00:00Z');

function ctx(now = NOW): PlanContext {
  let p = 0;
  let f = 0;
  return {
    now,
    agencyId: 'hefei-civil-affairs',
    policy: DEFAULT_FOLLOWUP_POLICY,
    utcOffsetMinutes: 480,
    ids: { placement: () => `pl-${++p}`, followup: () => `fu-${++f}` },
  };
}

/** A rescued child born on 2010-03-01 (16 on the decision date), identified by police. */
function rescuedCase(): CaseState {
  return {
    _id: 'case-1',
    facts: {
      ...emptyFacts(),
      region: '340104',
      birthDate: '2010-03-01',
      rescue: { rescuedAt: '2026-11-20T02:00:00Z', region: '341500' },
      policeIdentifications: [
        { method: 'documents', identifiedBy: 'officer 7', at: '2026-11-20T02:00:00Z', via: 'child-rescued' },
      ],
    },
    followups: [],
  };
}

const fosterInput: DecisionInput = {
  caseId: 'case-1',
  type: 'foster-family',
  decisionDate: '2026-11-28',
  handoverPlan: 'at the civil-affairs office',
  guardian: { name: 'Wang Fang', address: 'Hefei, 8 Huaihe Road', relation: 'foster mother' },
};

describe('a first decision', () => {
  it('places the child, schedules follow-ups by age from the decision date, and announces both', () => {
    const plan = planDecision(rescuedCase(), fosterInput, ctx());
    if (!plan.ok) throw new Error(plan.refusal.detail);
    expect(plan.created).toBe(true);
    expect(plan.cancelledIds).toEqual([]);
    expect(plan.placement).toEqual({
      placementId: 'pl-1',
      region: '341500',
      revisions: [
        {
          revision: 1,
          type: 'foster-family',
          decisionDate: '2026-11-28',
          handoverPlan: 'at the civil-affairs office',
          decidedAt: '2026-11-28T02:00:00.000Z',
          decidedBy: { agencyId: 'hefei-civil-affairs' },
          ageOnDecisionDate: 16,
          ageBasis: 'birth-date',
          followupsScheduled: ['fu-1', 'fu-2'],
          followupsCancelled: [],
          guardian: fosterInput.guardian,
        },
      ],
    });
    expect(plan.followups).toEqual(plan.scheduled);
    expect(plan.scheduled).toEqual([
      {
        followupId: 'fu-1',
        placementId: 'pl-1',
        type: 'medical-psychological-rehabilitation',
        status: 'scheduled',
        dueDate: '2026-12-12',
        region: '341500',
        scheduledAt: '2026-11-28T02:00:00.000Z',
        scheduledByRevision: 1,
      },
      expect.objectContaining({ followupId: 'fu-2', type: 'vocational-training', dueDate: '2027-01-27' }),
    ]);
    expect(plan.events.map((e) => [e.type, e.id, e.subject, e.source])).toEqual([
      ['homeward.placement.decided', 'pl-1.r1.decided', 'case-1', 'homeward/placement'],
      ['homeward.followup.scheduled', 'fu-1.scheduled', 'case-1', 'homeward/placement'],
      ['homeward.followup.scheduled', 'fu-2.scheduled', 'case-1', 'homeward/placement'],
    ]);
    expect(plan.events[0]?.data).toEqual({
      placementId: 'pl-1',
      caseId: 'case-1',
      type: 'foster-family',
      decisionDate: '2026-11-28',
      decidedAt: '2026-11-28T02:00:00.000Z',
      revision: 1,
      region: '341500',
    });
    expect(plan.events[0]?.time).toBe('2026-11-28T02:00:00.000Z');
    expect(plan.events[2]?.data).toEqual({
      followupId: 'fu-2',
      caseId: 'case-1',
      placementId: 'pl-1',
      type: 'vocational-training',
      dueDate: '2027-01-27',
      region: '341500',
      // Human resources and social security answer for vocational training.
      owner: 'human-resources-social-security',
    });
  });

  it('keeps the institution and a stated birth date', () => {
    const plan = planDecision(
      rescuedCase(),
      {
        caseId: 'case-1',
        type: 'civil-affairs-institution',
        decisionDate: '2026-11-28',
        handoverPlan: 'h',
        institution: { name: 'Welfare Home', address: 'Baohe' },
        birthDate: '2016-11-28',
      },
      ctx(),
    );
    if (!plan.ok) throw new Error(plan.refusal.detail);
    expect(plan.placement.region).toBe('341500');
    expect(plan.placement.revisions[0]).toMatchObject({
      institution: { name: 'Welfare Home', address: 'Baohe' },
      birthDate: '2016-11-28',
      ageOnDecisionDate: 10,
      ageBasis: 'stated-birth-date',
    });
    expect(plan.placement.revisions[0]).not.toHaveProperty('guardian');
    expect(plan.placement.revisions[0]).not.toHaveProperty('reason');
    expect(plan.scheduled.map((f) => f.type)).toEqual([
      'compulsory-education',
      'medical-psychological-rehabilitation',
    ]);
  });

  it('refuses what the rules refuse, and a case without any region', () => {
    const plan = planDecision(
      rescuedCase(),
      { ...fosterInput, type: 'independent-living', guardian: undefined },
      ctx(),
    );
    expect(plan).toMatchObject({
      ok: false,
      refusal: { error: 'minorIndependentLiving', code: 'PLACEMENT_ERR_MINOR_INDEPENDENT_LIVING' },
    });
    const state = rescuedCase();
    state.facts.rescue = { rescuedAt: '2026-11-20T02:00:00Z', region: '' };
    expect(() => planDecision(state, fosterInput, ctx())).toThrow(
      'case case-1 has a rescue without a region',
    );
  });
});

describe('a revision', () => {
  function placed(): CaseState {
    const plan = planDecision(rescuedCase(), fosterInput, ctx());
    if (!plan.ok) throw new Error(plan.refusal.detail);
    return { ...rescuedCase(), placement: plan.placement, followups: plan.followups };
  }

  it('needs a reason', () => {
    expect(planDecision(placed(), fosterInput, ctx())).toEqual({
      ok: false,
      refusal: {
        error: 'revisionReasonRequired',
        code: 'PLACEMENT_ERR_REVISION_REASON_REQUIRED',
        detail: 'case "case-1" is placed already (revision 1); a revision states its reason',
      },
    });
  });

  it('must name the case placement when it names one', () => {
    expect(planDecision(placed(), { ...fosterInput, reason: 'r', placementId: 'pl-9' }, ctx())).toEqual({
      ok: false,
      refusal: {
        error: 'placementNotFound',
        code: 'PLACEMENT_ERR_PLACEMENT_NOT_FOUND',
        detail: 'no placement "pl-9"',
      },
    });
    expect(planDecision(rescuedCase(), { ...fosterInput, placementId: 'pl-1' }, ctx())).toMatchObject({
      refusal: { error: 'placementNotFound' },
    });
    expect(planDecision(placed(), { ...fosterInput, reason: 'r', placementId: 'pl-1' }, ctx()).ok).toBe(true);
  });

  it('appends a revision, cancels what no longer applies, keeps what does, schedules the rest', () => {
    const later = new Date('2026-12-01T02:00:00Z');
    const plan = planDecision(
      placed(),
      { ...fosterInput, type: 'return-to-family', decisionDate: '2026-12-01', reason: 'family found' },
      {
        ...ctx(later),
        ids: { placement: () => 'unused', followup: () => 'fu-3' },
        family: [{ relation: 'mother', name: fosterInput.guardian!.name }],
      },
    );
    if (!plan.ok) throw new Error(plan.refusal.detail);
    expect(plan.created).toBe(false);
    expect(plan.placement.placementId).toBe('pl-1');
    expect(plan.placement.revisions.map((r) => r.revision)).toEqual([1, 2]);
    expect(plan.placement.revisions[1]).toMatchObject({
      type: 'return-to-family',
      reason: 'family found',
      followupsScheduled: ['fu-3'],
      followupsCancelled: ['fu-2'],
    });
    expect(plan.cancelledIds).toEqual(['fu-2']);
    expect(plan.followups.map((f) => [f.followupId, f.type, f.status, f.dueDate])).toEqual([
      ['fu-1', 'medical-psychological-rehabilitation', 'scheduled', '2026-12-12'],
      ['fu-2', 'vocational-training', 'cancelled', '2027-01-27'],
      ['fu-3', 'escorted-handover', 'scheduled', '2026-12-08'],
    ]);
    expect(plan.followups[1]).toMatchObject({
      cancelledAt: '2026-12-01T02:00:00.000Z',
      cancelledByRevision: 2,
    });
    expect(plan.followups[0]).not.toHaveProperty('cancelledAt');
    expect(plan.events.map((e) => e.id)).toEqual(['pl-1.r2.decided', 'fu-3.scheduled']);
    expect(plan.events[0]?.data).toMatchObject({
      revision: 2,
      reason: 'family found',
      type: 'return-to-family',
    });
  });
});

const followup = (over: Partial<Followup> = {}): Followup => ({
  followupId: 'fu-1',
  placementId: 'pl-1',
  type: 'medical-psychological-rehabilitation',
  status: 'scheduled',
  dueDate: '2026-12-12',
  region: '341500',
  scheduledAt: '2026-11-28T02:00:00.000Z',
  scheduledByRevision: 1,
  ...over,
});

describe('completing a follow-up', () => {
  const state = (f: Followup): CaseState => ({
    ...rescuedCase(),
    followups: [f, followup({ followupId: 'fu-2' })],
  });

  it('records what was done and announces it as one line', () => {
    const plan = planCompletion(state(followup()), 'fu-1', { hospital: 'Anhui Provincial' }, NOW, {
      agencyId: 'agency-7',
      role: 'health',
    });
    if (!plan.ok) throw new Error(plan.refusal.detail);
    expect(plan.done).toEqual({
      ...followup(),
      status: 'completed',
      completedAt: '2026-11-28T02:00:00.000Z',
      completedBy: { agencyId: 'agency-7', role: 'health' },
      outcome: { hospital: 'Anhui Provincial' },
    });
    expect(plan.followups).toEqual([plan.done, followup({ followupId: 'fu-2' })]);
    expect([plan.event.type, plan.event.id, plan.event.subject]).toEqual([
      'homeward.followup.completed',
      'fu-1.completed',
      'case-1',
    ]);
    expect(plan.event.data).toEqual({
      followupId: 'fu-1',
      caseId: 'case-1',
      type: 'medical-psychological-rehabilitation',
      completedAt: '2026-11-28T02:00:00.000Z',
      outcome: 'care-given',
      owner: 'health',
    });
  });

  it('refuses an unknown, completed or cancelled follow-up and an incomplete outcome', () => {
    const ok = { hospital: 'h' };
    expect(planCompletion(state(followup()), 'fu-9', ok, NOW, { agencyId: 'a', role: 'health' })).toEqual({
      ok: false,
      refusal: {
        error: 'followupNotFound',
        code: 'PLACEMENT_ERR_FOLLOWUP_NOT_FOUND',
        detail: 'no follow-up "fu-9"',
      },
    });
    const done = followup({ status: 'completed', completedAt: '2026-11-29T00:00:00.000Z' });
    expect(planCompletion(state(done), 'fu-1', ok, NOW, { agencyId: 'a', role: 'health' })).toEqual({
      ok: false,
      refusal: {
        error: 'followupCompleted',
        code: 'PLACEMENT_ERR_FOLLOWUP_COMPLETED',
        detail: 'follow-up "fu-1" was completed at 2026-11-29T00:00:00.000Z',
      },
    });
    const cancelled = followup({ status: 'cancelled', cancelledByRevision: 3 });
    expect(planCompletion(state(cancelled), 'fu-1', ok, NOW, { agencyId: 'a', role: 'health' })).toEqual({
      ok: false,
      refusal: {
        error: 'followupCancelled',
        code: 'PLACEMENT_ERR_FOLLOWUP_CANCELLED',
        detail: 'follow-up "fu-1" was cancelled by revision 3',
      },
    });
    expect(
      planCompletion(state(followup()), 'fu-1', { school: 's' }, NOW, { agencyId: 'a', role: 'health' }),
    ).toEqual({
      ok: false,
      refusal: {
        error: 'outcomeIncomplete',
        code: 'PLACEMENT_ERR_OUTCOME_INCOMPLETE',
        detail: 'the outcome does not say what was done',
        errors: [expect.objectContaining({ field: '/hospital' })],
      },
    });
  });
});

describe('overdue follow-ups', () => {
  const dueEnd = new Date('2026-12-12T15:59:59.999Z');
  const nextDay = new Date('2026-12-12T16:00:00.000Z');

  it('are scheduled ones past their due date, at the offset', () => {
    expect(isOverdue(followup(), dueEnd, 480)).toBe(false);
    expect(isOverdue(followup(), nextDay, 480)).toBe(true);
    expect(isOverdue(followup({ status: 'completed' }), nextDay, 480)).toBe(false);
    expect(isOverdue(followup({ status: 'cancelled' }), nextDay, 480)).toBe(false);
    expect(isOverdue(followup(), nextDay, 0)).toBe(false);
  });

  it('are raised once: those already raised are not due for raising again', () => {
    const list = [
      followup(),
      followup({ followupId: 'fu-2', overdueRaisedAt: '2026-12-12T16:00:00.000Z' }),
      followup({ followupId: 'fu-3', dueDate: '2026-12-20' }),
      followup({ followupId: 'fu-4', status: 'completed' }),
    ];
    expect(dueForRaising(list, nextDay, 480).map((f) => f.followupId)).toEqual(['fu-1']);
    const raised = withRaised(list, new Map([['fu-1', '2026-12-12T16:00:00.000Z']]));
    expect(raised[0]).toEqual({ ...list[0], overdueRaisedAt: '2026-12-12T16:00:00.000Z' });
    expect(raised.slice(1)).toEqual(list.slice(1));
    expect(dueForRaising(raised, nextDay, 480)).toEqual([]);
  });

  it('announce the follow-up, its due date and when it was found', () => {
    const e = overdueEvent('case-1', followup(), nextDay);
    expect([e.type, e.id, e.subject, e.time]).toEqual([
      'homeward.followup.overdue',
      'fu-1.overdue',
      'case-1',
      '2026-12-12T16:00:00.000Z',
    ]);
    expect(e.data).toEqual({
      followupId: 'fu-1',
      caseId: 'case-1',
      type: 'medical-psychological-rehabilitation',
      dueDate: '2026-12-12',
      detectedAt: '2026-12-12T16:00:00.000Z',
      owner: 'health',
    });
  });

  it('come due next at the earliest open, unraised due date', () => {
    const list = [
      followup({ followupId: 'a', dueDate: '2027-01-27' }),
      followup({ followupId: 'b', dueDate: '2026-12-05', status: 'completed' }),
      followup({ followupId: 'c', dueDate: '2026-12-01', overdueRaisedAt: 'x' }),
      followup({ followupId: 'd', dueDate: '2026-12-12' }),
      followup({ followupId: 'e', dueDate: '2026-12-20' }),
    ];
    expect(nextOverdueAt(list, 480)?.toISOString()).toBe('2026-12-12T16:00:00.000Z');
    expect(nextOverdueAt(list.slice(0, 3), 480)?.toISOString()).toBe('2027-01-27T16:00:00.000Z');
    expect(nextOverdueAt(list.slice(1, 3), 480)).toBeUndefined();
    expect(nextOverdueAt([], 480)).toBeUndefined();
  });
});
