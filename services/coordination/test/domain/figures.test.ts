import { createEvent, type EventData, type EventType } from '@homeward/events';
import {
  alertRef,
  caseRef,
  contributionOf,
  followupRef,
  refNeeded,
  refsWritten,
  sampleRef,
  UNKNOWN_REGION,
  yearOf,
} from '@homeward/figures';
import { describe, expect, it } from 'vitest';
import { addCounts, COUNTERS, counterLabel, nonZero, sumRows, zeroCounts } from '../../src/domain/figures.ts';

const ev = <T extends EventType>(type: T, data: EventData<T>) =>
  createEvent(type, data, { source: 'homeward/test' });
const police = { agencyId: 'shushan-psb', role: 'police' as const, region: '340104' };
const caseRefFact = { _id: caseRef('C'), region: '340104' };

describe('what each event adds to the platform’s figures', () => {
  it('counts in the year of the reports’ calendar', () => {
    // 31 December 20:00 UTC is 1 January 04:00 in China.
    expect(yearOf('2026-12-31T20:00:00Z', 480)).toBe(2027);
    expect(yearOf('2026-12-31T20:00:00Z', 0)).toBe(2026);
  });

  it('places each figure in its region and with the department that answers for it', () => {
    const at = '2026-05-01T10:00:00+08:00';
    const cases: Array<[ReturnType<typeof ev>, string | undefined, string, Record<string, number>]> = [
      [
        ev('homeward.case.lead-added', {
          caseId: 'C',
          leadId: 'L',
          reportId: 'R',
          addedAt: at,
          reportedBy: { ...police, role: 'volunteer' },
          origin: 'sighting',
          seenAt: { at, place: 'p', lat: 31, lon: 117, region: '341500' },
        }),
        '340104',
        'volunteer',
        { reportsReceived: 1 },
      ],
      [
        ev('homeward.case.closed', { caseId: 'C', closedAt: at, reason: 'found' }),
        '340104',
        'police',
        { casesClosed: 1 },
      ],
      [
        ev('homeward.case.child-located', { caseId: 'C', locatedAt: at, place: 'p' }),
        '340104',
        'police',
        { childrenLocated: 1 },
      ],
      [
        ev('homeward.alert.cancelled', { alertId: 'A', caseId: 'C', cancelledAt: at, reason: 'found' }),
        '340104',
        'police',
        { 'alertsEnded:found': 1 },
      ],
      [
        ev('homeward.dna.match-found', {
          matchId: 'M',
          childSampleId: 'S',
          parentSampleIds: ['P'],
          combinedIndex: 1e6,
          probability: 0.9999,
          inconsistentLoci: [],
          frequencyVersion: 'v1',
          foundAt: at,
        }),
        '340104',
        'dna-lab',
        { matchesFound: 1 },
      ],
      [
        ev('homeward.dna.match-rejected', {
          matchId: 'M',
          childSampleId: 'S',
          parentSampleIds: ['P'],
          rejectedAt: at,
          rejectedBy: 'x',
        }),
        '340104',
        'dna-lab',
        { matchesRejected: 1 },
      ],
      [
        ev('homeward.followup.completed', {
          followupId: 'F',
          caseId: 'C',
          type: 'vocational-training',
          completedAt: at,
          outcome: 'done',
        }),
        '340104',
        // The contract's owner (FollowupOwners), as the dashboard's annual report has it.
        'human-resources-social-security',
        { followupsCompleted: 1 },
      ],
    ];
    for (const [event, region, department, counts] of cases) {
      expect(contributionOf(event, { _id: 'x', region: '340104' }, 480), event.type).toEqual({
        year: 2026,
        region,
        department,
        counts,
      });
    }
  });

  it('an event whose region is not known yet counts under "unknown"', () => {
    const closed = ev('homeward.case.closed', { caseId: 'C', closedAt: '2026-05-01T10:00:00Z', reason: 'r' });
    expect(contributionOf(closed, undefined, 480)?.region).toBe(UNKNOWN_REGION);
  });

  it('counts a placement once, at its first decision; notifications count nothing', () => {
    const decided = (revision: number) =>
      ev('homeward.placement.decided', {
        placementId: 'P',
        caseId: 'C',
        type: 'foster-family',
        decisionDate: '2026-05-01',
        decidedAt: '2026-05-01T10:00:00Z',
        revision,
        region: '340104',
      });
    expect(contributionOf(decided(1), undefined, 480)?.counts).toEqual({ 'placements:foster-family': 1 });
    expect(contributionOf(decided(2), undefined, 480)).toBeUndefined();
    expect(
      contributionOf(
        ev('homeward.notification.acknowledged', {
          alertId: 'A',
          unitId: 'U',
          acknowledgedAt: '2026-05-01T10:00:00Z',
        }),
        undefined,
        480,
      ),
    ).toBeUndefined();
  });

  it('remembers where aggregates are and finds what a later event needs', () => {
    const issued = ev('homeward.alert.issued', {
      alertId: 'A',
      caseId: 'C',
      issuedAt: '2026-05-01T10:00:00Z',
      lastSeenAt: '2026-05-01T09:00:00Z',
      lastSeenPlace: 'p',
      center: { lat: 31, lon: 117 },
      region: '340104',
      radiusKm: 100,
      step: 0,
      child: { sex: 'female' },
    });
    expect(refsWritten(issued)).toEqual([{ _id: alertRef('A'), region: '340104', caseId: 'C' }]);
    expect(
      refNeeded(
        ev('homeward.alert.cancelled', {
          alertId: 'A',
          caseId: 'C',
          cancelledAt: '2026-05-01T10:00:00Z',
          reason: 'hoax',
        }),
      ),
    ).toBe(alertRef('A'));
    expect(
      refNeeded(
        ev('homeward.dna.match-confirmed', {
          matchId: 'M',
          childSampleId: 'S',
          parentSampleIds: ['P'],
          confirmedAt: '2026-05-01T10:00:00Z',
          confirmedBy: 'x',
        }),
      ),
    ).toBe(sampleRef('S'));
    expect(
      refNeeded(
        ev('homeward.followup.overdue', {
          followupId: 'F',
          caseId: 'C',
          type: 'escorted-handover',
          dueDate: '2026-05-01',
          detectedAt: '2026-05-02T10:00:00Z',
        }),
      ),
    ).toBe(followupRef('F'));
    expect(
      refNeeded(ev('homeward.case.closed', { caseId: 'C', closedAt: '2026-05-01T10:00:00Z', reason: 'r' })),
    ).toBe(caseRefFact._id);
    expect(refNeeded(issued)).toBeUndefined();
  });
});

describe('counts', () => {
  it('add up, sum by a predicate, and leave zeros off', () => {
    const total = addCounts(zeroCounts(), { casesOpened: 2 });
    addCounts(total, { casesOpened: 1, childrenRescued: 4 });
    expect(nonZero(total)).toEqual({ casesOpened: 3, childrenRescued: 4 });
    const rows = [
      { year: 2026, region: 'a', department: 'police', counts: { casesOpened: 1 } },
      { year: 2026, region: 'b', department: 'police', counts: { casesOpened: 5 } },
    ];
    expect(sumRows(rows, (r) => r.region === 'b').casesOpened).toBe(5);
  });

  it('have a label for people for every counter', () => {
    for (const c of COUNTERS) expect(counterLabel(c)).not.toBe(c);
    expect(counterLabel('alertsEnded:hoax')).toBe('Alerts ended: hoax');
    expect(counterLabel('placements:kinship-care')).toBe('Placements: kinship-care');
  });
});

describe('what coordination consumes', () => {
  it('every type that moves a figure or a record, from the four topics that carry them', async () => {
    const { CONSUMED_TOPICS, PROJECTED_TYPES } = await import('../../src/handlers/project-event.ts');
    expect(CONSUMED_TOPICS.sort()).toEqual([
      'alert.events.v1',
      'case.events.v1',
      'dna.events.v1',
      'placement.events.v1',
    ]);
    expect(PROJECTED_TYPES).not.toContain('homeward.notification.delivered');
  });
});
