import { readFileSync } from 'node:fs';
import type { CloudEvent } from '@homeward/events';
import { ManualClock } from '@homeward/service-kit';
import { describe, expect, it } from 'vitest';
import { decision, ev, newCaseId, openedMissing, POLICE_REASON, rescued, usePlacement } from '../support.ts';

// 2026-11-28 10:00 in China: decisions below are dated that day.
const clock = new ManualClock('2026-11-28T02:00:00Z');
const placement = usePlacement('placement-victims', clock);

const police = { agencyId: 'hefei-psb', role: 'police' as const, region: '340100' };
const RESCUED_AT = '2026-11-20T02:00:00Z';

/**
 * A raid as rescue coordination publishes it: a suspected-trafficking case, four victims added
 * (three women, one of them 17 and one deaf, and a boy of about 6), all rescued in one action
 * with the buyer household, and the child-rescued twin naming the children.
 */
async function raid(): Promise<{ caseId: string; v: (n: number) => string }> {
  const caseId = newCaseId();
  const v = (n: number) => `${caseId}.v${n}`;
  await placement.svc.publish(
    ev('homeward.case.opened', {
      caseId,
      kind: 'suspected-trafficking',
      region: '340104',
      openedAt: '2026-11-01T09:00:00Z',
      reportId: `rpt-${caseId}`,
      reportedBy: police,
      report: {
        kind: 'suspected-trafficking',
        description: 'women held at a brick kiln',
        observedAt: '2026-11-01T08:00:00Z',
        location: { place: 'kiln', region: '340104' },
      },
      victims: [],
    }),
    ev('homeward.case.victims-added', {
      caseId,
      addedAt: RESCUED_AT,
      addedBy: police,
      victims: [
        { victimId: v(1), category: 'adult', sex: 'female', apparentAge: 25, ageObservedAt: RESCUED_AT },
        {
          victimId: v(2),
          category: 'adult',
          sex: 'female',
          birthDate: '1990-04-01',
          disability: { kinds: ['hearing'] },
        },
        { victimId: v(3), category: 'child', sex: 'female', birthDate: '2009-06-01' },
        { victimId: v(4), category: 'child', sex: 'male', apparentAge: 6, ageObservedAt: RESCUED_AT },
      ],
    }),
    ev('homeward.case.victims-rescued', {
      caseId,
      rescuedAt: RESCUED_AT,
      place: 'kiln',
      region: '340104',
      buyerHousehold: { headName: 'Zhao Gang', address: 'Village 3, Feixi' },
      victims: [
        { victimId: v(1), category: 'adult', sex: 'female', ageGroup: '18-and-over' },
        { victimId: v(2), category: 'adult', sex: 'female', ageGroup: '18-and-over' },
        { victimId: v(3), category: 'child', sex: 'female', ageGroup: '14-17' },
        { victimId: v(4), category: 'child', sex: 'male', ageGroup: 'under-14' },
      ],
    }),
    ev('homeward.case.child-rescued', {
      caseId,
      rescuedAt: RESCUED_AT,
      place: 'kiln',
      region: '340104',
      buyerHousehold: { headName: 'Zhao Gang', address: 'Village 3, Feixi' },
      victimIds: [v(3), v(4)],
    }),
  );
  await placement.svc.caseDoc(caseId, (d) => (d.facts.victims ?? []).filter((x) => x.rescue).length === 4);
  return { caseId, v };
}

const scheduled = (body: { followups: Array<{ type: string; status: string; owner: string }> }) =>
  body.followups.filter((f) => f.status === 'scheduled').map((f) => [f.type, f.owner]);

const eventOf = (type: string, followupId: string) =>
  placement.placementEvents.waitForEvent(
    (e: CloudEvent) => e.type === type && (e.data as { followupId?: string }).followupId === followupId,
  );

/** What each follow-up type is completed with, and by whom. */
const completion: Record<string, { role: string; body: Record<string, string> }> = {
  'medical-psychological-rehabilitation': { role: 'health', body: { hospital: 'Anhui Provincial Hospital' } },
  'escorted-handover': { role: 'civil-affairs', body: { note: 'escorted by two social workers to Fuyang' } },
  relief: {
    role: 'civil-affairs',
    body: { note: 'train fare, food and three nights at the relief station' },
  },
  'legal-aid': { role: 'womens-federation', body: { note: 'rights explained; lawyer assigned' } },
  'vocational-training': {
    role: 'human-resources-social-security',
    body: { course: 'electronics assembly' },
  },
  'employment-services': {
    role: 'human-resources-social-security',
    body: { employer: 'Suzhou electronics plant' },
  },
  'disability-assistance': {
    role: 'disabled-persons-federation',
    body: { note: 'hearing aid and sign-language class' },
  },
  'compulsory-education': { role: 'education', body: { school: 'Feixi No. 2 primary school' } },
};
const ROLES = [
  'civil-affairs',
  'health',
  'education',
  'womens-federation',
  'human-resources-social-security',
  'disabled-persons-federation',
];

describe('a raid that frees three women and a child, each placed by its own rules', () => {
  it('places each victim with its own follow-ups; each owner completes its own and no other role can', async () => {
    const { caseId, v } = await raid();

    // Several victims: the decision names one.
    const unnamed = await placement.svc.call(
      'POST',
      '/v1/placements',
      decision(caseId, { type: 'independent-living' }),
    );
    expect(unnamed.status).toBe(422);
    expect(unnamed.body.code).toBe('PLACEMENT_ERR_VICTIM_REQUIRED');

    // A woman returns home with escort and relief (no identification asked of an adult).
    const home = await placement.svc.call(
      'POST',
      '/v1/placements',
      decision(caseId, {
        victimId: v(1),
        type: 'return-to-family',
        plan: 'return-home',
        guardian: { name: 'Li Mei', address: 'Fuyang, 2 River Road', relation: 'mother' },
      }),
    );
    expect(home.status).toBe(201);
    expect(home.body.victimId).toBe(v(1));
    expect(scheduled(home.body)).toEqual([
      ['medical-psychological-rehabilitation', 'health'],
      ['escorted-handover', 'civil-affairs'],
      ['relief', 'civil-affairs'],
      ['legal-aid', 'womens-federation'],
    ]);

    // A woman with a disability: the decision must say how it is met; the federation assists.
    const shelter = {
      victimId: v(2),
      type: 'civil-affairs-institution',
      plan: 'relief-shelter',
      institution: { name: 'Hefei relief station', address: 'Hefei, 1 Relief Road' },
    };
    const noConsideration = await placement.svc.call('POST', '/v1/placements', decision(caseId, shelter));
    expect(noConsideration.status).toBe(422);
    expect(noConsideration.body.code).toBe('PLACEMENT_ERR_DISABILITY_CONSIDERATION_REQUIRED');
    const disabled = await placement.svc.call(
      'POST',
      '/v1/placements',
      decision(caseId, {
        ...shelter,
        disabilityConsideration: 'a room near staff; a sign-language interpreter',
      }),
    );
    expect(disabled.status).toBe(201);
    expect(scheduled(disabled.body)).toContainEqual(['disability-assistance', 'disabled-persons-federation']);

    // The 17-year-old will not go home: never alone; training and employment elsewhere.
    const alone = await placement.svc.call(
      'POST',
      '/v1/placements',
      decision(caseId, { victimId: v(3), type: 'independent-living', plan: 'employment-elsewhere' }),
    );
    expect(alone.status).toBe(422);
    expect(alone.body.code).toBe('PLACEMENT_ERR_MINOR_INDEPENDENT_LIVING');
    const girl = await placement.svc.call(
      'POST',
      '/v1/placements',
      decision(caseId, {
        victimId: v(3),
        type: 'civil-affairs-institution',
        plan: 'employment-elsewhere',
        institution: { name: 'Suzhou youth hostel (civil affairs)', address: 'Suzhou' },
      }),
    );
    expect(girl.status).toBe(201);
    expect(scheduled(girl.body)).toEqual([
      ['medical-psychological-rehabilitation', 'health'],
      ['vocational-training', 'human-resources-social-security'],
      ['legal-aid', 'womens-federation'],
      ['employment-services', 'human-resources-social-security'],
    ]);

    // The boy: not home without identification; a children's home; school.
    const boyHome = await placement.svc.call(
      'POST',
      '/v1/placements',
      decision(caseId, { victimId: v(4), type: 'return-to-family' }),
    );
    expect(boyHome.body.code).toBe('PLACEMENT_ERR_IDENTIFICATION_REQUIRED');
    const boy = await placement.svc.call(
      'POST',
      '/v1/placements',
      decision(caseId, { victimId: v(4), type: 'civil-affairs-institution' }),
    );
    expect(boy.status).toBe(201);
    expect(scheduled(boy.body)).toEqual([
      ['compulsory-education', 'education'],
      ['medical-psychological-rehabilitation', 'health'],
      ['legal-aid', 'womens-federation'],
    ]);

    // Each victim's path, from placement's side.
    const victims = await placement.svc.call('GET', `/v1/cases/${caseId}/victims`, undefined, {
      role: 'operator',
    });
    expect(victims.status).toBe(200);
    expect(
      victims.body.victims.map(
        (x: { victimId: string; ageGroup: string; placement: { current: { type: string } } }) => [
          x.victimId,
          x.ageGroup,
          x.placement.current.type,
        ],
      ),
    ).toEqual([
      [v(1), '18-and-over', 'return-to-family'],
      [v(2), '18-and-over', 'civil-affairs-institution'],
      [v(3), '14-17', 'civil-affairs-institution'],
      [v(4), 'under-14', 'civil-affairs-institution'],
    ]);
    const one = await placement.svc.call('GET', `/v1/cases/${caseId}/placement?victimId=${v(3)}`);
    expect(one.body.current.plan).toBe('employment-elsewhere');

    // Every kind of follow-up: each role but its owner (and police) is refused; then every
    // follow-up is completed by its owner.
    const all = [home, disabled, girl, boy].flatMap((r) => r.body.followups) as Array<{
      followupId: string;
      type: string;
    }>;
    expect(all).toHaveLength(4 + 5 + 4 + 3);
    const kinds = [...new Set(all.map((f) => f.type))];
    expect(kinds.sort()).toEqual(Object.keys(completion).sort());
    for (const type of kinds) {
      const f = all.find((x) => x.type === type)!;
      const { role, body } = completion[type]!;
      const others = [...ROLES.filter((r) => r !== role), 'police'];
      const refused = await Promise.all(
        others.map((other) =>
          placement.svc.call('POST', `/v1/followups/${f.followupId}/complete`, body, { role: other }),
        ),
      );
      expect(refused.map((r, i) => [type, others[i], r.status])).toEqual(others.map((o) => [type, o, 403]));
    }
    for (const f of all) {
      const { role, body } = completion[f.type]!;
      const done = await placement.svc.call('POST', `/v1/followups/${f.followupId}/complete`, body, { role });
      expect({ type: f.type, status: done.status }).toEqual({ type: f.type, status: 200 });
      expect(done.body.completedBy.role).toBe(role);
    }
    const jobs = all.find((f) => f.type === 'employment-services')!;
    expect((await eventOf('homeward.followup.completed', jobs.followupId)).data).toMatchObject({
      caseId,
      victimId: v(3),
      owner: 'human-resources-social-security',
      sex: 'female',
      ageGroup: '14-17',
      outcome: 'employment-services-given',
    });

    // Another prefecture's bureau (Lu'an, 341500) does not list this Hefei case's follow-ups.
    const luan = (
      JSON.parse(
        readFileSync(new URL('../../../../infra/local/dev-credentials.json', import.meta.url), 'utf8'),
      ) as Array<{ key: string; agencyId: string }>
    ).find((e) => e.agencyId === 'luan-hrss')!.key;
    const asLuan = { role: null, headers: { authorization: `Bearer ${luan}` } };

    expect(
      (await placement.svc.call('GET', `/v1/followups?caseId=${caseId}`, undefined, asLuan)).body.total,
    ).toBe(0);

    // An owner lists only what it answers for; civil affairs everything.
    const mine = await placement.svc.call('GET', `/v1/followups?caseId=${caseId}`, undefined, {
      role: 'disabled-persons-federation',
    });
    expect(mine.body.items.map((f: { type: string }) => f.type)).toEqual(['disability-assistance']);
    expect((await placement.svc.call('GET', `/v1/followups?caseId=${caseId}`)).body.total).toBe(16);
  });
});

describe('old single-child events', () => {
  it('a case from before victims (no victims, child-rescued without victimIds) is placed as before', async () => {
    const caseId = newCaseId();
    await placement.svc.publish(openedMissing(caseId, '2015-05-05'), rescued(caseId, { identified: true }));
    await placement.svc.caseDoc(caseId, (d) => d.facts.rescue !== undefined);
    // A police identification names no parents: the return comes with the police's reason.
    const placed = await placement.svc.call(
      'POST',
      '/v1/placements',
      decision(caseId, { type: 'return-to-family', policeReason: POLICE_REASON }),
    );
    expect(placed.status).toBe(201);
    expect(placed.body.victimId).toBe(`${caseId}.v1`);
    const decided = await placement.placementEvents.waitForEvent(
      (e) => e.type === 'homeward.placement.decided' && (e.data as { caseId: string }).caseId === caseId,
    );
    expect(decided.data).toMatchObject({
      victimId: `${caseId}.v1`,
      category: 'child',
      sex: 'female',
      ageGroup: 'under-14',
    });
  });
});
