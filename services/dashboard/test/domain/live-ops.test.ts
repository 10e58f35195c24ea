import type { HomewardEvent } from '@homeward/events';
import { describe, expect, it } from 'vitest';
import { toView } from '../../src/domain/event-view.ts';
import { ALERT_TIMELINE_MAX, liveKeys, liveOps } from '../../src/domain/live-ops.ts';
import { placeOf } from '../../src/domain/refs.ts';
import {
  acknowledged,
  alertCancelled,
  alertEscalated,
  alertIssued,
  caseClosed,
  caseOpened,
  childLocated,
  childRescued,
  custody,
  delivered,
  ev,
  followupCompleted,
  followupOverdue,
  followupScheduled,
  leadAdded,
  matchConfirmed,
  matchFound,
  placementDecided,
  sampleCollected,
  unitRegistered,
  unitRemoved,
  unitUpdated,
} from '../events.ts';

const keys = liveKeys('p.dashboard:');

/** The board's commands of one event: everything after the history entry and the three counters. */
function boardOps(
  event: HomewardEvent,
  place: { region?: string; caseId?: string } = placeOf(event, undefined),
) {
  const ops = liveOps(event, toView(event, 'topic.v1', place), keys, 1000);
  return ops.slice(4);
}

describe('the keys of the live projection', () => {
  it('live under the deployment prefix, one per kind of fact', () => {
    expect(keys).toMatchObject({
      history: 'p.dashboard:history',
      stats: 'p.dashboard:stats',
      caseStatus: 'p.dashboard:case:status',
      caseRegion: 'p.dashboard:case:region',
      caseKind: 'p.dashboard:case:kind',
      activeAlerts: 'p.dashboard:alerts:active',
      sampleStep: 'p.dashboard:sample:step',
      sampleAt: 'p.dashboard:sample:at',
      matchStatus: 'p.dashboard:match:status',
      matchInfo: 'p.dashboard:match:info',
      placementType: 'p.dashboard:placement:type',
      followupStatus: 'p.dashboard:followup:status',
      followupInfo: 'p.dashboard:followup:info',
    });
    expect(keys.seen('e1')).toBe('p.dashboard:seen:e1');
    expect(keys.session('d1')).toBe('p.dashboard:session:d1');
    expect(keys.alert('a1')).toBe('p.dashboard:alert:a1');
    expect(keys.alertSteps('a1')).toBe('p.dashboard:alert:a1:steps');
    expect(keys.alertTimeline('a1')).toBe('p.dashboard:alert:a1:timeline');
  });
});

describe('every event', () => {
  it('enters the capped history with its view and facets, and counts in total, per topic and per type', () => {
    const e = caseClosed('c1');
    const view = toView(e, 'case.events.v1', { caseId: 'c1' });
    const ops = liveOps(e, view, keys, 500);
    expect(ops.slice(0, 4)).toEqual([
      [
        'XADD',
        'p.dashboard:history',
        'MAXLEN',
        '~',
        '500',
        '*',
        'v',
        JSON.stringify(view),
        't',
        e.type,
        'r',
        '',
        'c',
        'c1',
      ],
      ['HINCRBY', 'p.dashboard:stats', 'total', '1'],
      ['HINCRBY', 'p.dashboard:stats', 'topic:case.events.v1', '1'],
      ['HINCRBY', 'p.dashboard:stats', 'type:homeward.case.closed', '1'],
    ]);
    const placed = liveOps(e, toView(e, 'case.events.v1', { region: '340104' }), keys, 500);
    expect(placed[0]!.slice(-4)).toEqual(['r', '340104', 'c', '']);
  });
});

describe('cases on the board', () => {
  it('an opened case gets its status, region and kind', () => {
    expect(boardOps(caseOpened('c1', { region: '340102' }))).toEqual([
      ['HSET', keys.caseStatus, 'c1', 'open'],
      ['HSET', keys.caseRegion, 'c1', '340102'],
      ['HSET', keys.caseKind, 'c1', 'missing-child'],
    ]);
  });

  it('later case events move the status, and the region when they are placed', () => {
    const officer = { officerId: 'o', name: 'n', agencyId: 'a', region: '340104', contact: 'c' };
    const team = ev('homeward.case.team-assigned', {
      caseId: 'c1',
      assignedAt: '2026-03-01T10:00:00+08:00',
      chief: officer,
      investigationLead: officer,
      rescueLead: officer,
      familyLiaisonLead: officer,
    });
    expect(boardOps(team, { caseId: 'c1' })).toEqual([
      ['HSET', keys.caseStatus, 'c1', 'team-assigned'],
      ['HDEL', keys.overdueClocks, 'team:c1'],
    ]);
    expect(
      boardOps(childLocated('c1', '2026-03-02T10:00:00+08:00'), { region: '340104', caseId: 'c1' }),
    ).toEqual([
      ['HSET', keys.caseStatus, 'c1', 'located'],
      ['HSET', keys.caseRegion, 'c1', '340104'],
    ]);
    expect(boardOps(childRescued('c1', '2026-03-03T10:00:00+08:00'), { caseId: 'c1' })).toEqual([
      ['HSET', keys.caseStatus, 'c1', 'rescued'],
    ]);
    expect(boardOps(caseClosed('c1'), { caseId: 'c1' })).toEqual([
      ['HSET', keys.caseStatus, 'c1', 'closed'],
      [
        'HDEL',
        keys.overdueClocks,
        'team:c1',
        'sampling:c1:mother',
        'sampling:c1:father',
        'sampling:c1:child',
        'rescued-not-placed:c1',
        'identified-not-returned:c1',
      ],
    ]);
  });

  it('a lead does not move the case', () => {
    expect(boardOps(leadAdded('c1'))).toEqual([]);
  });
});

describe('alerts on the board', () => {
  it('an issued alert is stored, marked active, and its first step recorded', () => {
    expect(boardOps(alertIssued('a1', 'c1', { region: '340102', radiusKm: 50 }))).toEqual([
      [
        'HSET',
        keys.alert('a1'),
        'caseId',
        'c1',
        'region',
        '340102',
        'lat',
        '31.7979',
        'lon',
        '117.2906',
        'radiusKm',
        '50',
        'step',
        '0',
        'issuedAt',
        '2026-03-01T09:05:00+08:00',
        'lastSeenAt',
        '2026-03-01T08:50:00+08:00',
        'lastSeenPlace',
        'Hefei South Station',
        'status',
        'active',
      ],
      ['SADD', keys.activeAlerts, 'a1'],
      [
        'RPUSH',
        keys.alertSteps('a1'),
        JSON.stringify({ at: '2026-03-01T09:05:00+08:00', radiusKm: 50, step: 0 }),
      ],
    ]);
  });

  it('an escalation widens the alert and records the step', () => {
    expect(boardOps(alertEscalated('a1', 'c1'))).toEqual([
      ['HSET', keys.alert('a1'), 'radiusKm', '200', 'step', '1', 'lat', '31.7979', 'lon', '117.2906'],
      [
        'RPUSH',
        keys.alertSteps('a1'),
        JSON.stringify({ at: '2026-03-01T09:50:00+08:00', radiusKm: 200, step: 1 }),
      ],
    ]);
  });

  it('a cancellation ends the alert with its reason', () => {
    expect(boardOps(alertCancelled('a1', 'c1', 'hoax'))).toEqual([
      [
        'HSET',
        keys.alert('a1'),
        'status',
        'cancelled',
        'cancelReason',
        'hoax',
        'cancelledAt',
        '2026-03-02T10:00:00+08:00',
      ],
      ['SREM', keys.activeAlerts, 'a1'],
    ]);
  });

  it('deliveries and acknowledgements count and mark the coverage timeline, which stays bounded', () => {
    const at = (t: string) => String(Date.parse(t));
    expect(boardOps(delivered('a1', 'u1'))).toEqual([
      ['HINCRBY', keys.alert('a1'), 'notified', '1'],
      ['RPUSH', keys.alertTimeline('a1'), `n${at('2026-03-01T09:05:01+08:00')}`],
      ['LTRIM', keys.alertTimeline('a1'), String(-ALERT_TIMELINE_MAX), '-1'],
      ['SADD', keys.alertUnits('a1', 'n'), 'u1'],
    ]);
    expect(boardOps(acknowledged('a1', 'u1'))).toEqual([
      ['HINCRBY', keys.alert('a1'), 'acknowledged', '1'],
      ['RPUSH', keys.alertTimeline('a1'), `a${at('2026-03-01T09:06:00+08:00')}`],
      ['LTRIM', keys.alertTimeline('a1'), String(-ALERT_TIMELINE_MAX), '-1'],
      ['SADD', keys.alertUnits('a1', 'a'), 'u1'],
    ]);
    expect(ALERT_TIMELINE_MAX).toBe(5000);
  });

  it('failures count; a cancellation delivered or failed does not count toward coverage', () => {
    const failed = (kind: 'alert' | 'cancellation') =>
      ev('homeward.notification.failed', {
        alertId: 'a1',
        unitId: 'u1',
        step: 0,
        kind,
        failedAt: '2026-03-01T09:06:00+08:00',
        attempts: 3,
        reason: 'timeout',
      });
    expect(boardOps(failed('alert'))).toEqual([
      ['HINCRBY', keys.alert('a1'), 'failed', '1'],
      ['SADD', keys.alertUnits('a1', 'f'), 'u1'],
    ]);
    expect(boardOps(failed('cancellation'))).toEqual([]);
    const cancellationDelivered = ev('homeward.notification.delivered', {
      ...delivered('a1', 'u1').data,
      kind: 'cancellation',
    });
    expect(boardOps(cancellationDelivered)).toEqual([]);
  });
});

describe('units on the board', () => {
  it('a registration or an update stores the unit’s kind, region and place; a removal drops it', () => {
    expect(keys.units).toBe('p.dashboard:units');
    expect(keys.alertUnits('a1', 'n')).toBe('p.dashboard:alert:a1:units:n');
    expect(boardOps(unitRegistered('u1', { lat: 31.8, lon: 117.2 }))).toEqual([
      [
        'HSET',
        keys.units,
        'u1',
        JSON.stringify({ kind: 'rail-station', region: '340104', lat: 31.8, lon: 117.2 }),
      ],
    ]);
    expect(boardOps(unitUpdated('u1', { lat: 30.5, lon: 117.0 }, '340800'))).toEqual([
      [
        'HSET',
        keys.units,
        'u1',
        JSON.stringify({ kind: 'police-station', region: '340800', lat: 30.5, lon: 117 }),
      ],
    ]);
    expect(boardOps(unitRemoved('u1'))).toEqual([['HDEL', keys.units, 'u1']]);
  });

  it('the stream shows a unit’s id, kind, region and place, and is scoped by its region', () => {
    const e = unitRegistered('u1');
    const view = toView(e, 'notification.events.v1', placeOf(e, undefined));
    expect(view).toMatchObject({
      region: '340104',
      summary: 'unit u1 (rail-station) registered in 340104',
      data: {
        unitId: 'u1',
        kind: 'rail-station',
        region: '340104',
        location: { lat: 31.86, lon: 117.28 },
        registeredAt: '2026-03-01T08:00:00+08:00',
      },
    });
    // Whatever else a producer put in, the stream drops it.
    const leaky = ev('homeward.notification.unit-updated', {
      ...unitUpdated('u1', { lat: 1, lon: 2 }).data,
      webhook: { url: 'https://x.example', secret: 'whsec_x' },
      name: 'a name',
    } as never);
    expect(Object.keys(toView(leaky, 't', {}).data as object).sort()).toEqual([
      'kind',
      'location',
      'region',
      'unitId',
      'updatedAt',
    ]);
  });
});

describe('DNA, placements and follow-ups on the board', () => {
  it('a sample is collected, then moves step by step, each with its time', () => {
    expect(boardOps(sampleCollected('s1', 'c1'))).toEqual([
      ['HSET', keys.sampleStep, 's1', 'collected'],
      ['HSET', keys.sampleAt, 's1', String(Date.parse('2026-03-02T10:00:00+08:00'))],
      ['HDEL', keys.overdueClocks, 'sampling:c1:child'],
    ]);
    expect(boardOps(custody('s1', 'received', '2026-03-02T18:00:00+08:00'))).toEqual([
      ['HSET', keys.sampleStep, 's1', 'received'],
      ['HSET', keys.sampleAt, 's1', String(Date.parse('2026-03-02T18:00:00+08:00'))],
    ]);
  });

  it('a match awaits review with what the board lists, then is confirmed or rejected', () => {
    expect(boardOps(matchFound('m1', 's1', 'c1'))).toEqual([
      ['HSET', keys.matchStatus, 'm1', 'found'],
      [
        'HSET',
        keys.matchInfo,
        'm1',
        JSON.stringify({
          childSampleId: 's1',
          caseId: 'c1',
          probability: 0.999996,
          foundAt: '2026-03-03T10:00:00+08:00',
        }),
      ],
    ]);
    const { caseId: _c, ...withoutCase } = matchFound('m2', 's2', 'c2').data;
    expect(boardOps(ev('homeward.dna.match-found', withoutCase))[1]![3]).toBe(
      JSON.stringify({
        childSampleId: 's2',
        caseId: null,
        probability: 0.999996,
        foundAt: '2026-03-03T10:00:00+08:00',
      }),
    );
    expect(boardOps(matchConfirmed('m1', 's1', 'c1'))).toEqual([
      ['HSET', keys.matchStatus, 'm1', 'confirmed'],
    ]);
    const rejected = ev('homeward.dna.match-rejected', {
      matchId: 'm3',
      childSampleId: 's1',
      parentSampleIds: ['p1'],
      rejectedAt: '2026-03-04T10:00:00+08:00',
      rejectedBy: 'Dr Wang',
    });
    expect(boardOps(rejected)).toEqual([['HSET', keys.matchStatus, 'm3', 'rejected']]);
  });

  it('a placement records its type per case', () => {
    expect(boardOps(placementDecided('c1', 'return-to-family'))).toEqual([
      ['HSET', keys.placementType, 'c1', 'return-to-family'],
      ['HDEL', keys.overdueClocks, 'rescued-not-placed:c1', 'identified-not-returned:c1'],
    ]);
  });
});

describe('the clocks on "as soon as possible"', () => {
  const clock = (field: string) => (ops: string[][]) => ops.find((o) => o[2] === field);
  it('are set when raised and cleared by what resolves them', () => {
    const team = boardOps(
      ev('homeward.case.team-overdue', {
        caseId: 'c1',
        kind: 'missing-child',
        region: '340104',
        openedAt: '2026-03-01T00:00:00Z',
        limitHours: 24,
        detectedAt: '2026-03-02T00:00:00Z',
      }),
    );
    expect(team).toEqual([
      [
        'HSET',
        keys.overdueClocks,
        'team:c1',
        JSON.stringify({
          clock: 'team',
          caseId: 'c1',
          region: '340104',
          detectedAt: '2026-03-02T00:00:00Z',
          since: '2026-03-01T00:00:00Z',
        }),
      ],
    ]);
    const sampling = boardOps(
      ev('homeward.dna.sampling-overdue', {
        caseId: 'c1',
        subject: 'father',
        region: '340104',
        owedSince: '2026-03-01T00:00:00Z',
        limitHours: 72,
        detectedAt: '2026-03-04T00:00:00Z',
      }),
    );
    expect(clock('sampling:c1:father')(sampling)?.[3]).toContain('"subject":"father"');
    const placed = boardOps(
      ev('homeward.placement.overdue', {
        caseId: 'c1',
        clock: 'rescued-not-placed',
        since: '2026-03-01T00:00:00Z',
        limitDays: 15,
        detectedAt: '2026-03-16T00:00:00Z',
        region: '341500',
      }),
    );
    expect(clock('rescued-not-placed:c1')(placed)?.[0]).toBe('HSET');
    // A placement that is not a return home stops only the first clock.
    expect(boardOps(placementDecided('c1', 'foster-family')).at(-1)).toEqual([
      'HDEL',
      keys.overdueClocks,
      'rescued-not-placed:c1',
    ]);
  });

  it("fold the single-parent matches a pair's match names", () => {
    const found = ev('homeward.dna.match-found', {
      ...(matchFound('m3', 's1', 'c1').data as object),
      matchId: 'm3',
      foldedMatchIds: ['m1', 'm2'],
    } as never);
    expect(boardOps(found).slice(-2)).toEqual([
      ['HSET', keys.matchStatus, 'm1', 'folded'],
      ['HSET', keys.matchStatus, 'm2', 'folded'],
    ]);
  });

  it('a follow-up is scheduled once (a redelivery cannot reset it), then completed or overdue', () => {
    expect(boardOps(followupScheduled('f1', 'c1'))).toEqual([
      ['HSETNX', keys.followupStatus, 'f1', 'scheduled'],
      [
        'HSET',
        keys.followupInfo,
        'f1',
        JSON.stringify({
          caseId: 'c1',
          type: 'compulsory-education',
          dueDate: '2026-04-01',
          region: '340104',
        }),
      ],
    ]);
    expect(boardOps(followupCompleted('f1', 'c1'))).toEqual([
      ['HSET', keys.followupStatus, 'f1', 'completed'],
    ]);
    expect(boardOps(followupOverdue('f1', 'c1'))).toEqual([['HSET', keys.followupStatus, 'f1', 'overdue']]);
  });

  it('a profile entered changes nothing on the board', () => {
    const profile = ev('homeward.dna.profile-entered', {
      sampleId: 's1',
      enteredAt: '2026-03-03T09:00:00+08:00',
      lociCount: 20,
      matchable: true,
    });
    expect(boardOps(profile)).toEqual([]);
  });
});

describe('annual reports (coordination)', () => {
  const ref = {
    submissionId: '2026:340104:shushan-psb',
    year: 2026,
    region: '340104',
    agencyId: 'shushan-psb',
    role: 'police' as const,
  };
  const entry = (state: string) => [
    'HSET',
    'p.dashboard:annual:reports',
    ref.submissionId,
    JSON.stringify({ year: 2026, region: '340104', agencyId: 'shushan-psb', role: 'police', state }),
  ];

  it('a reminder and each step of a submission move its one entry', () => {
    expect(
      boardOps(
        ev('homeward.coordination.submission-reminder', {
          ...ref,
          stage: 'overdue',
          dueDate: '2027-01-31',
          remindedAt: '2027-02-01T01:00:00Z',
        }),
      ),
    ).toEqual([entry('reminded:overdue')]);
    expect(
      boardOps(
        ev('homeward.coordination.submission-returned', {
          ...ref,
          version: 1,
          returnedAt: '2027-02-03T01:00:00Z',
          returnedBy: { agencyId: 'shushan-office', role: 'coordination-office', region: '340104' },
          comment: 'incomplete',
        }),
      ),
    ).toEqual([entry('returned')]);
    expect(
      boardOps(
        ev('homeward.coordination.submission-accepted', {
          ...ref,
          version: 2,
          acceptedAt: '2027-02-05T01:00:00Z',
          acceptedBy: { agencyId: 'shushan-office', role: 'coordination-office', region: '340104' },
        }),
      ),
    ).toEqual([entry('accepted')]);
  });
});
