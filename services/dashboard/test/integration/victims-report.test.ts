import type { HomewardEvent } from '@homeward/events';
import { ManualClock } from '@homeward/service-kit';
import { createTestTopics, deleteTestTopics, uniqueName, waitFor } from '@homeward/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  caseOpened,
  childRescued,
  ev,
  placementDecided,
  type RunningDashboard,
  startDashboard,
} from '../support.ts';

let prefix: string;
let dash: RunningDashboard;
const id = uniqueName('v');
const raid = `raid-${id}`;
const legacy = `legacy-${id}`;
const v = (n: number) => `${raid}.v${n}`;
const police = { agencyId: 'hefei-psb', role: 'police' as const, region: '340100' };
const AT = '2026-11-20T10:00:00+08:00';

type Tally = {
  victimId: string;
  category: 'adult' | 'child';
  sex: 'female' | 'male';
  ageGroup: '18-and-over' | '14-17' | 'under-14';
};
const victims: Tally[] = [
  { victimId: v(1), category: 'adult', sex: 'female', ageGroup: '18-and-over' },
  { victimId: v(2), category: 'adult', sex: 'female', ageGroup: '18-and-over' },
  { victimId: v(3), category: 'child', sex: 'female', ageGroup: '14-17' },
  { victimId: v(4), category: 'child', sex: 'male', ageGroup: 'under-14' },
];
const placed = (
  t: Tally,
  type: 'return-to-family' | 'civil-affairs-institution',
  plan?: 'employment-elsewhere',
) =>
  ev(
    'homeward.placement.decided',
    {
      placementId: `pl-${t.victimId}`,
      caseId: raid,
      type,
      decisionDate: '2026-11-28',
      decidedAt: '2026-11-28T10:00:00+08:00',
      revision: 1,
      region: '340123',
      victimId: t.victimId,
      category: t.category,
      sex: t.sex,
      ageGroup: t.ageGroup,
      ...(plan ? { plan } : {}),
    },
    'homeward/placement',
  );
const followup = (t: Tally, type: 'vocational-training' | 'employment-services') => ({
  followupId: `fu-${type}-${t.victimId}`,
  caseId: raid,
  type,
  victimId: t.victimId,
  owner: 'human-resources-social-security' as const,
  sex: t.sex,
  ageGroup: t.ageGroup,
});

/**
 * The scenario: a raid frees three women (one 17) and a boy, in one rescue; the first woman goes
 * home, the others to institutions, the 17-year-old to training and a job elsewhere, the second
 * woman to training. Beside it, a case from before victims: one boy, rescued and returned home
 * by events that name no victim.
 */
const events: HomewardEvent[] = [
  ev(
    'homeward.case.opened',
    {
      caseId: raid,
      kind: 'suspected-trafficking',
      region: '340123',
      openedAt: '2026-11-01T09:00:00+08:00',
      reportId: `rpt-${raid}`,
      reportedBy: police,
      report: {
        kind: 'suspected-trafficking',
        description: 'women held at a kiln',
        observedAt: '2026-11-01T08:00:00+08:00',
        location: { place: 'kiln', region: '340123' },
      },
      victims: [],
    },
    'homeward/intake',
  ),
  caseOpened(legacy, { region: '340104', openedAt: '2026-03-01T09:00:00+08:00' }),
];
const later: HomewardEvent[] = [
  ev(
    'homeward.case.victims-rescued',
    { caseId: raid, rescuedAt: AT, place: 'kiln', region: '340123', victims },
    'homeward/rescue-coordination',
  ),
  ev(
    'homeward.case.child-rescued',
    { caseId: raid, rescuedAt: AT, place: 'kiln', region: '340123', victimIds: [v(3), v(4)] },
    'homeward/rescue-coordination',
  ),
  childRescued(legacy, '2026-03-02T10:00:00+08:00', '340104'),
  placed(victims[0]!, 'return-to-family'),
  placed(victims[1]!, 'civil-affairs-institution'),
  placed(victims[2]!, 'civil-affairs-institution', 'employment-elsewhere'),
  placed(victims[3]!, 'civil-affairs-institution'),
  placementDecided(legacy, 'return-to-family', 1),
  ev(
    'homeward.followup.scheduled',
    {
      ...followup(victims[1]!, 'vocational-training'),
      placementId: 'p',
      dueDate: '2027-01-27',
      region: '340123',
    },
    'homeward/placement',
  ),
  ev(
    'homeward.followup.scheduled',
    {
      ...followup(victims[2]!, 'vocational-training'),
      placementId: 'p',
      dueDate: '2027-01-27',
      region: '340123',
    },
    'homeward/placement',
  ),
  // Placement schedules each follow-up before its completion: the completion's region (and so
  // which operators' report counts it) is the scheduled follow-up's.
  ev(
    'homeward.followup.scheduled',
    {
      ...followup(victims[2]!, 'employment-services'),
      placementId: 'p',
      dueDate: '2027-01-27',
      region: '340123',
    },
    'homeward/placement',
  ),
  ev(
    'homeward.followup.completed',
    {
      ...followup(victims[2]!, 'employment-services'),
      completedAt: '2026-12-20T10:00:00+08:00',
      outcome: 'employment-services-given',
    },
    'homeward/placement',
  ),
];

beforeAll(async () => {
  prefix = await createTestTopics('dashboard-victims');
  dash = await startDashboard({ prefix, clock: new ManualClock('2027-01-10T00:00:00Z') });
  await dash.publish(...events);
  await waitFor(async () => (await dash.get('/v1/stats')).body.total === events.length, {
    what: 'openings projected',
  });
  // Every event twice: redeliveries count once.
  await dash.publish(...later, ...later);
  await waitFor(async () => (await dash.get('/v1/stats')).body.total === events.length + later.length, {
    what: 'the scenario projected',
  });
  await new Promise((r) => setTimeout(r, 500));
});

afterAll(async () => {
  await dash?.stop();
  await deleteTestTopics(prefix);
});

const zero = { 'under-14': 0, '14-17': 0, '18-and-over': 0, 'age-unknown': 0 };
/** The scenario's counts, by measure, sex and age group. */
const expected = {
  rescued: {
    female: { ...zero, '18-and-over': 2, '14-17': 1 },
    male: { ...zero, 'under-14': 2 },
    unknown: zero,
  },
  returnedHome: { female: { ...zero, '18-and-over': 1 }, male: { ...zero, 'under-14': 1 }, unknown: zero },
  placed: {
    female: { ...zero, '18-and-over': 2, '14-17': 1 },
    male: { ...zero, 'under-14': 2 },
    unknown: zero,
  },
  inTraining: { female: { ...zero, '18-and-over': 1, '14-17': 1 }, male: zero, unknown: zero },
  employed: { female: { ...zero, '14-17': 1 }, male: zero, unknown: zero },
};

describe('victims by sex and age group', () => {
  it('the annual report counts the scenario: women as women, the old single child as a boy under 14', async () => {
    const { status, body } = await dash.get('/v1/annual-report?year=2026');
    expect(status).toBe(200);
    // In training counts in the year the training is due (as follow-ups scheduled do): 2027.
    const none = { female: zero, male: zero, unknown: zero };
    expect(body.victims).toEqual({ ...expected, inTraining: none });
    const next = await dash.get('/v1/annual-report?year=2027');
    expect(next.body.victims).toEqual({
      rescued: none,
      returnedHome: none,
      placed: none,
      inTraining: expected.inTraining,
      employed: none,
    });
    // The children-only counter counts the two children of the raid and the old case's child.
    expect(body.totals.counts.childrenRescued).toBe(3);
    // By region: the raid's division alone.
    const region = await dash.get('/v1/annual-report?year=2026&region=340123');
    expect(region.body.victims.rescued.female['18-and-over']).toBe(2);
    expect(region.body.victims.rescued.male['under-14']).toBe(1);
    const html = await dash.get('/v1/annual-report?year=2026&format=html');
    expect(html.status).toBe(200);
    expect(html.text).toContain('Victims by sex and age group');
  });

  it('the board shows the same counts', async () => {
    const { status, body } = await dash.get('/v1/board');
    expect(status).toBe(200);
    expect(body.victims).toEqual(expected);
  });
});
