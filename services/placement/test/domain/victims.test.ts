import type { EventData } from '@homeward/events';
import { describe, expect, it } from 'vitest';
import {
  type CaseFacts,
  emptyFacts,
  onCaseOpened,
  onChildRescued,
  onVictimsAdded,
  onVictimsRescued,
  victimsOfFacts,
} from '../../src/domain/case-facts.ts';
import { planCompletion } from '../../src/domain/followup-plan.ts';
import { DEFAULT_FOLLOWUP_POLICY, requiredFollowups } from '../../src/domain/followup-policy.ts';
import { type DecisionInput, type PlanContext, planDecision } from '../../src/domain/placement-plan.ts';
import type { CaseState } from '../../src/domain/placement-state.ts';

const NOW = new Date('2026-11-28T02:00:00Z');
const police = { agencyId: 'hefei-psb', role: 'police' as const, region: '340100' };

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

/** A suspected-trafficking case; police add three women and a boy and rescue them in one raid. */
function raided(): CaseState {
  const opened: EventData<'homeward.case.opened'> = {
    caseId: 'case-r',
    kind: 'suspected-trafficking',
    region: '340123',
    openedAt: '2026-11-01T09:00:00Z',
    reportId: 'rpt-r',
    reportedBy: police,
    report: {
      kind: 'suspected-trafficking',
      description: 'women held at a brick kiln',
      observedAt: '2026-11-01T08:00:00Z',
      location: { place: 'kiln', region: '340123' },
    },
    victims: [],
  };
  let f: CaseFacts = onCaseOpened(emptyFacts(), opened)!;
  f = onVictimsAdded('case-r', f, {
    caseId: 'case-r',
    addedAt: '2026-11-20T02:00:00Z',
    addedBy: police,
    victims: [
      {
        victimId: 'case-r.v1',
        category: 'adult',
        sex: 'female',
        apparentAge: 25,
        ageObservedAt: '2026-11-20T02:00:00Z',
      },
      {
        victimId: 'case-r.v2',
        category: 'adult',
        sex: 'female',
        birthDate: '1990-04-01',
        disability: { kinds: ['hearing'] },
      },
      { victimId: 'case-r.v3', category: 'child', sex: 'female', birthDate: '2009-06-01' },
      {
        victimId: 'case-r.v4',
        category: 'child',
        sex: 'male',
        apparentAge: 6,
        ageObservedAt: '2026-11-20T02:00:00Z',
      },
    ],
  })!;
  f = onVictimsRescued('case-r', f, {
    caseId: 'case-r',
    rescuedAt: '2026-11-20T02:00:00Z',
    place: 'kiln',
    region: '340123',
    buyerHousehold: { headName: 'Zhao Gang', address: 'Village 3, Feixi' },
    victims: ['v1', 'v2', 'v3', 'v4'].map((v, i) => ({
      victimId: `case-r.${v}`,
      category: i < 2 ? ('adult' as const) : ('child' as const),
      sex: i < 3 ? ('female' as const) : ('male' as const),
    })),
  })!;
  return { _id: 'case-r', facts: f, followups: [] };
}

const base = { caseId: 'case-r', decisionDate: '2026-11-28', handoverPlan: 'from the relief station' };

/** Decides and folds the plan into the state, as the service's write does. */
function decide(state: CaseState, input: DecisionInput, c = ctx()) {
  const plan = planDecision(state, input, c);
  if (!plan.ok) return { state, plan };
  return { state: { ...state, placements: plan.placements, followups: plan.followups }, plan };
}

const types = (plan: ReturnType<typeof planDecision>) => (plan.ok ? plan.scheduled.map((f) => f.type) : plan);

describe('victims as placement knows them', () => {
  it('each rescued in the raid, the buyer household recorded for the case', () => {
    const s = raided();
    expect(victimsOfFacts('case-r', s.facts).map((v) => [v.victimId, v.category, v.rescue?.region])).toEqual([
      ['case-r.v1', 'adult', '340123'],
      ['case-r.v2', 'adult', '340123'],
      ['case-r.v3', 'child', '340123'],
      ['case-r.v4', 'child', '340123'],
    ]);
    expect(s.facts.buyerHouseholds).toEqual([{ headName: 'Zhao Gang', address: 'Village 3, Feixi' }]);
    // The same rescue again changes nothing; child-rescued with victimIds (its twin) neither.
    expect(
      onVictimsRescued('case-r', s.facts, {
        caseId: 'case-r',
        rescuedAt: '2026-11-20T02:00:00Z',
        place: 'kiln',
        region: '340123',
        buyerHousehold: { headName: 'Zhao Gang', address: 'Village 3, Feixi' },
        victims: [{ victimId: 'case-r.v1', category: 'adult', sex: 'female' }],
      }),
    ).toBeUndefined();
    expect(
      onChildRescued(s.facts, {
        caseId: 'case-r',
        rescuedAt: '2026-11-20T02:00:00Z',
        place: 'kiln',
        region: '340123',
        victimIds: ['case-r.v3', 'case-r.v4'],
      }),
    ).toBeUndefined();
  });
});

describe('a raid that frees three women and a child: each placed by its own rules', () => {
  it('a case with several victims names the one placed', () => {
    const plan = planDecision(raided(), { ...base, type: 'independent-living' }, ctx());
    expect(plan).toMatchObject({ ok: false, refusal: { code: 'PLACEMENT_ERR_VICTIM_REQUIRED' } });
    expect(
      planDecision(raided(), { ...base, type: 'independent-living', victimId: 'case-r.v9' }, ctx()),
    ).toMatchObject({ ok: false, refusal: { code: 'PLACEMENT_ERR_VICTIM_NOT_FOUND' } });
  });

  it('a woman returns home with escort and relief; no identification is asked of an adult', () => {
    const { plan } = decide(raided(), {
      ...base,
      victimId: 'case-r.v1',
      type: 'return-to-family',
      plan: 'return-home',
      guardian: { name: 'Li Mei', address: 'Fuyang, 2 River Road', relation: 'mother' },
    });
    expect(types(plan)).toEqual([
      'medical-psychological-rehabilitation',
      'escorted-handover',
      'relief',
      'legal-aid',
    ]);
    if (!plan.ok) throw new Error('refused');
    expect(plan.events[0]?.data).toMatchObject({
      victimId: 'case-r.v1',
      category: 'adult',
      sex: 'female',
      ageGroup: '18-and-over',
      plan: 'return-home',
      type: 'return-to-family',
      disability: false,
    });
    expect(plan.events.slice(1).map((e) => (e.data as { owner: string }).owner)).toEqual([
      'health',
      'civil-affairs',
      'civil-affairs',
      'womens-federation',
    ]);
    // Never to the buyer, adult or not.
    const buyer = planDecision(
      raided(),
      {
        ...base,
        victimId: 'case-r.v1',
        type: 'return-to-family',
        guardian: { name: 'Zhao Gang', address: 'Village 3, Feixi' },
      },
      ctx(),
    );
    expect(buyer).toMatchObject({ ok: false, refusal: { code: 'PLACEMENT_ERR_GUARDIAN_IS_BUYER' } });
  });

  it('a woman with a disability: the decision says how it is met, and the federation is asked to assist', () => {
    const input: DecisionInput = {
      ...base,
      victimId: 'case-r.v2',
      type: 'civil-affairs-institution',
      plan: 'relief-shelter',
      institution: { name: 'Hefei relief station', address: 'Hefei, 1 Relief Road' },
    };
    expect(planDecision(raided(), input, ctx())).toMatchObject({
      ok: false,
      refusal: {
        code: 'PLACEMENT_ERR_DISABILITY_CONSIDERATION_REQUIRED',
        errors: [{ field: '/disabilityConsideration' }],
      },
    });
    const { plan } = decide(raided(), { ...input, disabilityConsideration: 'a sign-language interpreter' });
    expect(types(plan)).toEqual([
      'medical-psychological-rehabilitation',
      'vocational-training',
      'relief',
      'legal-aid',
      'disability-assistance',
    ]);
    if (!plan.ok) throw new Error('refused');
    expect(plan.placement.revisions[0]).toMatchObject({ plan: 'relief-shelter', ageOnDecisionDate: 36 });
    expect(plan.events[0]?.data).toMatchObject({ disability: true });
    expect(plan.events.at(-1)?.data).toMatchObject({
      type: 'disability-assistance',
      owner: 'disabled-persons-federation',
    });
  });

  it('a 17-year-old who will not go home: training and employment elsewhere, never alone', () => {
    const alone = planDecision(
      raided(),
      { ...base, victimId: 'case-r.v3', type: 'independent-living', plan: 'employment-elsewhere' },
      ctx(),
    );
    expect(alone).toMatchObject({ ok: false, refusal: { code: 'PLACEMENT_ERR_MINOR_INDEPENDENT_LIVING' } });
    const { plan } = decide(raided(), {
      ...base,
      victimId: 'case-r.v3',
      type: 'civil-affairs-institution',
      plan: 'employment-elsewhere',
      institution: { name: 'Hefei youth hostel', address: 'Hefei, 5 Youth Road' },
    });
    expect(types(plan)).toEqual([
      'medical-psychological-rehabilitation',
      'vocational-training',
      'legal-aid',
      'employment-services',
    ]);
    if (!plan.ok) throw new Error('refused');
    expect(plan.events[0]?.data).toMatchObject({
      category: 'child',
      ageGroup: '14-17',
      plan: 'employment-elsewhere',
    });
    expect(plan.events.map((e) => (e.data as { owner?: string }).owner).filter(Boolean)).toEqual([
      'health',
      'human-resources-social-security',
      'womens-federation',
      'human-resources-social-security',
    ]);
  });

  it('the boy: school age, no return home without identification, the buyer never', () => {
    const home = planDecision(
      raided(),
      { ...base, victimId: 'case-r.v4', type: 'return-to-family', guardian: { name: 'x', address: 'y' } },
      ctx(),
    );
    expect(home).toMatchObject({ ok: false, refusal: { code: 'PLACEMENT_ERR_IDENTIFICATION_REQUIRED' } });
    const { plan } = decide(raided(), {
      ...base,
      victimId: 'case-r.v4',
      type: 'civil-affairs-institution',
      institution: { name: 'Hefei children welfare home', address: 'Hefei' },
    });
    expect(types(plan)).toEqual([
      'compulsory-education',
      'medical-psychological-rehabilitation',
      'legal-aid',
    ]);
  });

  it('every victim its own placement and follow-ups; a revision changes only its victim', () => {
    let s = raided();
    const c = ctx();
    s = decide(
      s,
      { ...base, victimId: 'case-r.v1', type: 'independent-living', plan: 'local-employment' },
      c,
    ).state;
    s = decide(
      s,
      {
        ...base,
        victimId: 'case-r.v4',
        type: 'civil-affairs-institution',
        institution: { name: 'home', address: 'Hefei' },
      },
      c,
    ).state;
    expect(s.placements?.map((p) => [p.placementId, p.victimId])).toEqual([
      ['pl-1', 'case-r.v1'],
      ['pl-2', 'case-r.v4'],
    ]);
    const again = planDecision(s, { ...base, victimId: 'case-r.v1', type: 'independent-living' }, c);
    expect(again).toMatchObject({ ok: false, refusal: { code: 'PLACEMENT_ERR_REVISION_REASON_REQUIRED' } });
    const revised = decide(
      s,
      {
        ...base,
        victimId: 'case-r.v1',
        type: 'return-to-family',
        plan: 'return-home',
        guardian: { name: 'Li Mei', address: 'Fuyang' },
        reason: 'she wants to go home after all',
      },
      c,
    );
    if (!revised.plan.ok) throw new Error(revised.plan.refusal.detail);
    // Employment services and training of v1 are cancelled; the boy's follow-ups are untouched.
    const cancelled = revised.state.followups.filter((f) => f.status === 'cancelled');
    expect(cancelled.map((f) => [f.victimId, f.type])).toEqual([
      ['case-r.v1', 'vocational-training'],
      ['case-r.v1', 'employment-services'],
    ]);
    expect(
      revised.state.followups
        .filter((f) => f.victimId === 'case-r.v4')
        .every((f) => f.status === 'scheduled'),
    ).toBe(true);
  });
});

describe('plans, and who completes a follow-up', () => {
  it('a plan fits its type, and employment is for 16 and over', () => {
    const home = planDecision(
      raided(),
      { ...base, victimId: 'case-r.v1', type: 'independent-living', plan: 'return-home' },
      ctx(),
    );
    expect(home).toMatchObject({ ok: false, refusal: { code: 'PLACEMENT_ERR_PLAN_NOT_ALLOWED' } });
    const shelter = planDecision(
      raided(),
      { ...base, victimId: 'case-r.v1', type: 'independent-living', plan: 'relief-shelter' },
      ctx(),
    );
    expect(shelter).toMatchObject({ ok: false, refusal: { code: 'PLACEMENT_ERR_PLAN_NOT_ALLOWED' } });
    const boy = planDecision(
      raided(),
      {
        ...base,
        victimId: 'case-r.v4',
        type: 'civil-affairs-institution',
        plan: 'local-employment',
        institution: { name: 'home', address: 'Hefei' },
      },
      ctx(),
    );
    expect(boy).toMatchObject({
      ok: false,
      refusal: { code: 'PLACEMENT_ERR_PLAN_NOT_ALLOWED', detail: expect.stringContaining('the victim is 6') },
    });
  });

  it('the policy without a victim is what it always was; with one, by sex, age, plan and disability', () => {
    expect(requiredFollowups(16, 'foster-family')).toEqual([
      'medical-psychological-rehabilitation',
      'vocational-training',
    ]);
    const man = { category: 'adult' as const, sex: 'male' as const, disabled: false };
    expect(requiredFollowups(30, 'independent-living', { ...man, plan: 'employment-elsewhere' })).toEqual([
      'medical-psychological-rehabilitation',
      'vocational-training',
      'employment-services',
    ]);
    expect(requiredFollowups(30, 'return-to-family', man)).toEqual([
      'medical-psychological-rehabilitation',
      'escorted-handover',
      'relief',
    ]);
  });

  it('only the owner role completes a follow-up, with what its type needs', () => {
    const { state, plan } = decide(raided(), {
      ...base,
      victimId: 'case-r.v3',
      type: 'civil-affairs-institution',
      plan: 'employment-elsewhere',
      institution: { name: 'hostel', address: 'Hefei' },
    });
    if (!plan.ok) throw new Error('refused');
    const jobs = plan.scheduled.find((f) => f.type === 'employment-services')!;
    for (const role of [
      'civil-affairs',
      'health',
      'womens-federation',
      'disabled-persons-federation',
    ] as const)
      expect(
        planCompletion(state, jobs.followupId, { employer: 'x' }, NOW, { agencyId: 'a', role }),
      ).toMatchObject({
        ok: false,
        refusal: { code: 'PLACEMENT_ERR_NOT_FOLLOWUP_OWNER' },
      });
    const hrss = { agencyId: 'hefei-hrss', role: 'human-resources-social-security' as const };
    expect(planCompletion(state, jobs.followupId, { note: 'met' }, NOW, hrss)).toMatchObject({
      ok: false,
      refusal: { code: 'PLACEMENT_ERR_OUTCOME_INCOMPLETE', errors: [{ field: '/employer' }] },
    });
    const done = planCompletion(state, jobs.followupId, { employer: 'Suzhou electronics plant' }, NOW, hrss);
    if (!done.ok) throw new Error(done.refusal.detail);
    expect(done.event.data).toMatchObject({
      type: 'employment-services',
      owner: 'human-resources-social-security',
      victimId: 'case-r.v3',
      sex: 'female',
      ageGroup: '14-17',
      outcome: 'employment-services-given',
    });
    expect(done.done.completedBy).toEqual({
      agencyId: 'hefei-hrss',
      role: 'human-resources-social-security',
    });
  });
});

describe('a completed follow-up counts the victim it is for', () => {
  it('its sex and age group, not those of a victim placed before it', () => {
    // A woman placed first, then the boy (apparent age 6): the boy's follow-up is his own.
    // One context for both decisions, so that each placement and follow-up has its own id.
    const c = ctx();
    const { state: first } = decide(
      raided(),
      {
        ...base,
        victimId: 'case-r.v1',
        type: 'return-to-family',
        plan: 'return-home',
        guardian: { name: 'Li Mei', address: 'Fuyang, 2 River Road', relation: 'mother' },
      },
      c,
    );
    const { state, plan } = decide(
      first,
      {
        ...base,
        victimId: 'case-r.v4',
        type: 'foster-family',
        guardian: { name: 'Wang Fang', address: 'Hefei, Luyang district, 8 Huaihe Road' },
      },
      c,
    );
    if (!plan.ok) throw new Error(plan.refusal.detail);
    const rehab = plan.scheduled.find((f) => f.type === 'medical-psychological-rehabilitation')!;
    const civil = { agencyId: 'hefei-civil-affairs', role: 'civil-affairs' as const };
    expect(planCompletion(state, rehab.followupId, { hospital: 'x' }, NOW, civil)).toEqual({
      ok: false,
      refusal: {
        error: 'notFollowupOwner',
        code: 'PLACEMENT_ERR_NOT_FOLLOWUP_OWNER',
        detail:
          'a medical-psychological-rehabilitation follow-up is completed by health, not by civil-affairs',
      },
    });
    const health = { agencyId: 'hefei-health', role: 'health' as const };
    const done = planCompletion(
      state,
      rehab.followupId,
      { hospital: 'Hefei children hospital' },
      NOW,
      health,
    );
    if (!done.ok) throw new Error(done.refusal.detail);
    expect(done.event.data).toMatchObject({ victimId: 'case-r.v4', sex: 'male', ageGroup: 'under-14' });
  });
});

describe('a bride found at marriage registration', () => {
  it('is never placed with the groom household, recorded as the buyer from the clerk form', () => {
    const f = onCaseOpened(emptyFacts(), {
      caseId: 'case-m',
      kind: 'suspected-trafficking',
      region: '340104',
      openedAt: '2026-11-27T02:00:00Z',
      reportId: 'rpt-m',
      reportedBy: { agencyId: 'hefei-civil-affairs', role: 'civil-affairs', region: '340100' },
      report: {
        kind: 'suspected-trafficking',
        description: 'the bride could not say where she was born',
        observedAt: '2026-11-27T02:00:00Z',
        location: { place: 'registry', region: '340104' },
        marriageRegistration: {
          registryOffice: 'Shushan marriage registry',
          applicationDate: '2026-11-27',
          signs: ['bride-cannot-state-own-details'],
          bride: { sex: 'female', apparentAge: 22, description: 'speaks no Mandarin' },
          groom: { name: 'Zhao Gang', address: 'Village 3, Feixi' },
        },
      },
      victims: [
        {
          victimId: 'case-m.v1',
          category: 'adult',
          sex: 'female',
          apparentAge: 22,
          ageObservedAt: '2026-11-27T02:00:00Z',
        },
      ],
    })!;
    expect(f.buyerHouseholds).toEqual([{ headName: 'Zhao Gang', address: 'Village 3, Feixi' }]);
    const rescued = onVictimsRescued('case-m', f, {
      caseId: 'case-m',
      rescuedAt: '2026-11-27T05:00:00Z',
      place: 'registry',
      region: '340104',
      victims: [{ victimId: 'case-m.v1', category: 'adult', sex: 'female', ageGroup: '18-and-over' }],
    })!;
    const plan = planDecision(
      { _id: 'case-m', facts: rescued, followups: [] },
      {
        caseId: 'case-m',
        type: 'return-to-family',
        plan: 'return-home',
        decisionDate: '2026-11-28',
        handoverPlan: 'x',
        guardian: { name: 'zhao  gang', address: 'Village 3 Feixi' },
      },
      ctx(),
    );
    expect(plan).toMatchObject({ ok: false, refusal: { code: 'PLACEMENT_ERR_GUARDIAN_IS_BUYER' } });
  });
});
