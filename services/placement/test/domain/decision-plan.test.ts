import { describe, expect, it } from 'vitest';
import { type CaseFacts, emptyFacts } from '../../src/domain/case-facts.ts';
import { DEFAULT_FOLLOWUP_POLICY } from '../../src/domain/followup-policy.ts';
import { type DecisionInput, type PlanContext, planDecision } from '../../src/domain/placement-plan.ts';
import type { CaseState, PlacementState } from '../../src/domain/placement-state.ts';

const NOW = new Date('2026-11-28T02:00:00Z');
const rescue = { rescuedAt: '2026-11-20T02:00:00Z', region: '340123' };

function ctx(): PlanContext {
  let p = 0;
  let f = 0;
  return {
    now: NOW,
    agencyId: 'hefei-civil-affairs',
    policy: DEFAULT_FOLLOWUP_POLICY,
    utcOffsetMinutes: 480,
    ids: { placement: () => `pl-${++p}`, followup: () => `fu-${++f}` },
  };
}

/** A raid's case: a woman (c.v1) and a boy of ten (c.v2), both rescued. */
function raid(): CaseState {
  const facts: CaseFacts = {
    ...emptyFacts(),
    kind: 'suspected-trafficking',
    region: '340123',
    rescue,
    victims: [
      { victimId: 'c.v1', category: 'adult', sex: 'female', birthDate: '1990-04-01', rescue },
      { victimId: 'c.v2', category: 'child', sex: 'male', birthDate: '2016-01-01', rescue },
    ],
  };
  return { _id: 'c', facts, followups: [] };
}

const woman: DecisionInput = {
  caseId: 'c',
  victimId: 'c.v1',
  type: 'independent-living',
  plan: 'local-employment',
  decisionDate: '2026-11-28',
  handoverPlan: 'from the relief station',
};

describe('a decision’s refusal says what is wrong with it', () => {
  it('how many victims the case has when none is named, which victim is unknown', () => {
    const { victimId: _v, ...unnamed } = woman;
    expect(planDecision(raid(), unnamed, ctx())).toEqual({
      ok: false,
      refusal: {
        error: 'victimRequired',
        code: 'PLACEMENT_ERR_VICTIM_REQUIRED',
        detail: 'case "c" has 2 victims: name the one placed (victimId)',
      },
    });
    expect(planDecision(raid(), { ...woman, victimId: 'c.v9' }, ctx())).toEqual({
      ok: false,
      refusal: {
        error: 'victimNotFound',
        code: 'PLACEMENT_ERR_VICTIM_NOT_FOUND',
        detail: 'case "c" has no victim "c.v9"',
      },
    });
  });

  it('which victim is placed already, and at which revision', () => {
    const first = planDecision(raid(), woman, ctx());
    if (!first.ok) throw new Error(first.refusal.detail);
    const placed = { ...raid(), placements: first.placements, followups: first.followups };
    expect(planDecision(placed, woman, ctx())).toEqual({
      ok: false,
      refusal: {
        error: 'revisionReasonRequired',
        code: 'PLACEMENT_ERR_REVISION_REASON_REQUIRED',
        detail: 'victim "c.v1" is placed already (revision 1); a revision states its reason',
      },
    });
  });
});

describe('a victim’s decision', () => {
  it('records what civil affairs stated, and names the victim on every follow-up and event', () => {
    const plan = planDecision(
      raid(),
      {
        ...woman,
        type: 'return-to-family',
        plan: 'return-home',
        guardian: { name: 'Li Mei', address: 'Fuyang, 2 River Road', relation: 'mother' },
        disability: { kinds: ['hearing'] },
        disabilityConsideration: 'a sign-language interpreter at home',
        policeReason: { officer: 'officer 0571', reason: 'her household register' },
      },
      ctx(),
    );
    if (!plan.ok) throw new Error(plan.refusal.detail);
    expect(plan.created).toBe(true);
    expect(plan.placement).toMatchObject({ placementId: 'pl-1', victimId: 'c.v1', region: '340123' });
    expect(plan.placement.revisions[0]).toMatchObject({
      plan: 'return-home',
      disabilityConsideration: 'a sign-language interpreter at home',
      policeReason: { officer: 'officer 0571', reason: 'her household register' },
      ageOnDecisionDate: 36,
    });
    expect(plan.scheduled.every((f) => f.victimId === 'c.v1')).toBe(true);
    expect(plan.events[0]?.data).toMatchObject({
      victimId: 'c.v1',
      sex: 'female',
      ageGroup: '18-and-over',
      category: 'adult',
      // A disability civil affairs established counts, though the case recorded none.
      disability: true,
      plan: 'return-home',
    });
    for (const e of plan.events.slice(1))
      expect(e.data).toMatchObject({ victimId: 'c.v1', sex: 'female', ageGroup: '18-and-over' });
  });

  it('revised, replaces that victim’s placement only and keeps its id', () => {
    const c = ctx();
    const first = planDecision(raid(), woman, c);
    if (!first.ok) throw new Error(first.refusal.detail);
    const boy = planDecision(
      { ...raid(), placements: first.placements, followups: first.followups },
      {
        ...woman,
        victimId: 'c.v2',
        type: 'civil-affairs-institution',
        plan: undefined,
        institution: { name: 'Hefei children welfare home', address: 'Hefei' },
      },
      c,
    );
    if (!boy.ok) throw new Error(boy.refusal.detail);
    const state = { ...raid(), placements: boy.placements, followups: boy.followups };
    const revised = planDecision(
      state,
      { ...woman, plan: 'employment-elsewhere', reason: 'a job in Hefei' },
      c,
    );
    if (!revised.ok) throw new Error(revised.refusal.detail);
    expect(revised.created).toBe(false);
    expect(revised.placements.map((p) => [p.placementId, p.victimId, p.revisions.length])).toEqual([
      ['pl-1', 'c.v1', 2],
      ['pl-2', 'c.v2', 1],
    ]);
    expect(revised.placements[1]).toBe(boy.placements[1]);
    expect(revised.placement.revisions[1]).toMatchObject({
      reason: 'a job in Hefei',
      plan: 'employment-elsewhere',
    });
  });
});

describe('a placement stored before victims existed', () => {
  const legacy: PlacementState = {
    placementId: 'pl-old',
    region: '340123',
    revisions: [{ revision: 1, type: 'civil-affairs-institution' } as never],
  };
  const boyOnly = (): CaseState => {
    const s = raid();
    return {
      ...s,
      facts: { ...s.facts, victims: [{ ...s.facts.victims![1]!, victimId: 'c.v1' }] },
      placement: legacy,
    };
  };
  const boyInput: DecisionInput = {
    caseId: 'c',
    type: 'civil-affairs-institution',
    institution: { name: 'Hefei children welfare home', address: 'Hefei' },
    decisionDate: '2026-11-28',
    handoverPlan: 'h',
  };

  it('is the case’s victim 1’s: deciding for it again is a revision of that placement', () => {
    expect(planDecision(boyOnly(), { ...boyInput, victimId: 'c.v1' }, ctx())).toMatchObject({
      ok: false,
      refusal: {
        error: 'revisionReasonRequired',
        detail: 'victim "c.v1" is placed already (revision 1); a revision states its reason',
      },
    });
    const revised = planDecision(boyOnly(), { ...boyInput, reason: 'a nearer home' }, ctx());
    if (!revised.ok) throw new Error(revised.refusal.detail);
    expect(revised.created).toBe(false);
    expect(revised.placement).toMatchObject({ placementId: 'pl-old', victimId: 'c.v1' });
    expect(revised.placements).toHaveLength(1);
    expect(revised.placement.revisions.map((r) => r.revision)).toEqual([1, 2]);
  });

  it('named in a revision by its id, places the case’s victim 1', () => {
    const revised = planDecision(boyOnly(), { ...boyInput, placementId: 'pl-old', reason: 'r' }, ctx());
    if (!revised.ok) throw new Error(revised.refusal.detail);
    expect(revised.placement.victimId).toBe('c.v1');
    expect(revised.events[0]?.data).toMatchObject({
      victimId: 'c.v1',
      category: 'child',
      ageGroup: 'under-14',
    });
  });
});

describe('a child’s return home on the case’s DNA match', () => {
  const family = [{ relation: 'mother' as const, name: 'Wang Fang' }];
  const home: DecisionInput = {
    caseId: 'c',
    victimId: 'c.v2',
    type: 'return-to-family',
    decisionDate: '2026-11-28',
    guardian: { name: 'Wang Fang', address: 'Hefei, Luyang district, 8 Huaihe Road' },
    handoverPlan: 'from the relief station to his mother',
  };
  const matched = (state: CaseState): CaseState => ({
    ...state,
    facts: {
      ...state.facts,
      dnaIdentifications: [{ matchId: 'match-1', confirmedAt: '2026-11-21T00:00:00Z' }],
    },
  });

  it('goes to the matched mother when the boy is the case’s only child (a woman beside him does not count)', () => {
    const plan = planDecision(matched(raid()), home, { ...ctx(), family });
    expect(plan.ok).toBe(true);
  });

  it('is refused when the case has two children: its match cannot say whose family is identified', () => {
    const two = matched(raid());
    two.facts.victims = [
      ...(two.facts.victims ?? []),
      { victimId: 'c.v3', category: 'child', sex: 'female', birthDate: '2018-05-01', rescue },
    ];
    expect(planDecision(two, home, { ...ctx(), family })).toMatchObject({
      ok: false,
      refusal: { error: 'identificationRequired', code: 'PLACEMENT_ERR_IDENTIFICATION_REQUIRED' },
    });
  });
});

describe('the region a placement is counted in', () => {
  it('is where the victim was rescued, when she was rescued elsewhere than the case’s first rescue', () => {
    const state = raid();
    state.facts.victims = (state.facts.victims ?? []).map((v) =>
      v.victimId === 'c.v1' ? { ...v, rescue: { rescuedAt: '2026-11-22T02:00:00Z', region: '341500' } } : v,
    );
    const plan = planDecision(state, woman, ctx());
    if (!plan.ok) throw new Error(plan.refusal.detail);
    expect(plan.placement).toMatchObject({ victimId: 'c.v1', region: '341500' });
  });
});
