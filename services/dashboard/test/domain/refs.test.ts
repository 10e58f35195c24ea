import { alertRef, caseRef, followupRef, refNeeded, refsWritten, sampleRef } from '@homeward/figures';
import { describe, expect, it } from 'vitest';
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
  failed,
  followupCompleted,
  followupOverdue,
  followupScheduled,
  leadAdded,
  matchConfirmed,
  matchFound,
  placementDecided,
  reportSubmitted,
  sampleCollected,
  unitRegistered,
  unitRemoved,
} from '../events.ts';

describe('the facts an event establishes', () => {
  it('a case its region and opening time; an alert, a sample and a follow-up their region and case', () => {
    expect(
      refsWritten(caseOpened('c1', { region: '340102', openedAt: '2026-03-01T09:00:00+08:00' })),
    ).toEqual([
      {
        _id: 'case:c1',
        region: '340102',
        openedAt: '2026-03-01T09:00:00+08:00',
        // The case's one child, for its events from before victims: sex and the days it turns 14 and 18.
        victimSex: 'male',
        turns14: '2033-05-01',
        turns18: '2037-05-01',
      },
    ]);
    expect(refsWritten(alertIssued('a1', 'c1', { region: '341502' }))).toEqual([
      { _id: 'alert:a1', region: '341502', caseId: 'c1' },
    ]);
    expect(refsWritten(sampleCollected('s1', 'c1', '340103'))).toEqual([
      { _id: 'sample:s1', region: '340103', caseId: 'c1' },
    ]);
    expect(refsWritten(followupScheduled('f1', 'c1'))).toEqual([
      { _id: 'followup:f1', region: '340104', caseId: 'c1' },
    ]);
  });

  it('a parent’s sample has no case', () => {
    const parent = ev('homeward.dna.sample-collected', {
      ...sampleCollected('s2', 'c1').data,
      subject: { kind: 'parent', relation: 'mother' },
    });
    expect(refsWritten(parent)).toEqual([{ _id: 'sample:s2', region: '340104' }]);
  });

  it('other events establish nothing', () => {
    expect(refsWritten(caseClosed('c1'))).toEqual([]);
    expect(refsWritten(delivered('a1', 'u1'))).toEqual([]);
  });

  it('refs are named by kind and id', () => {
    expect([caseRef('x'), alertRef('x'), sampleRef('x'), followupRef('x')]).toEqual([
      'case:x',
      'alert:x',
      'sample:x',
      'followup:x',
    ]);
  });
});

describe('the fact an event needs to be placed', () => {
  it('case events after the opening need their case', () => {
    expect(refNeeded(leadAdded('c1'))).toBe('case:c1');
    expect(refNeeded(childLocated('c1', '2026-03-02T10:00:00+08:00'))).toBe('case:c1');
    expect(refNeeded(caseClosed('c1'))).toBe('case:c1');
    expect(refNeeded(caseOpened('c1'))).toBeUndefined();
  });

  it('alert changes and notifications need their alert', () => {
    expect(refNeeded(alertEscalated('a1', 'c1'))).toBe('alert:a1');
    expect(refNeeded(alertCancelled('a1', 'c1', 'found'))).toBe('alert:a1');
    expect(refNeeded(delivered('a1', 'u1'))).toBe('alert:a1');
    expect(refNeeded(acknowledged('a2', 'u1'))).toBe('alert:a2');
    expect(refNeeded(alertIssued('a1', 'c1'))).toBeUndefined();
  });

  it('a notification naming its case and region needs nothing; one naming only one of them, its alert', () => {
    const place = { caseId: 'c1', region: '341502' };
    expect(refNeeded(delivered('a1', 'u1', place))).toBeUndefined();
    expect(refNeeded(failed('a1', 'u1', place))).toBeUndefined();
    expect(refNeeded(acknowledged('a1', 'u1', place))).toBeUndefined();
    expect(refNeeded(delivered('a1', 'u1', { caseId: 'c1' }))).toBe('alert:a1');
    expect(refNeeded(delivered('a1', 'u1', { region: '341502' }))).toBe('alert:a1');
  });

  it('a unit’s events name no alert and need nothing', () => {
    expect(refNeeded(unitRegistered('u1'))).toBeUndefined();
    expect(refNeeded(unitRemoved('u1'))).toBeUndefined();
  });

  it('custody, profiles and matches need the (child’s) sample', () => {
    expect(refNeeded(custody('s1', 'sealed', '2026-03-02T10:30:00+08:00'))).toBe('sample:s1');
    const profile = ev('homeward.dna.profile-entered', {
      sampleId: 's3',
      enteredAt: '2026-03-03T09:00:00+08:00',
      lociCount: 20,
      matchable: true,
    });
    expect(refNeeded(profile)).toBe('sample:s3');
    expect(refNeeded(matchFound('m1', 's4', 'c1'))).toBe('sample:s4');
    expect(refNeeded(matchConfirmed('m1', 's5', 'c1'))).toBe('sample:s5');
    expect(refNeeded(sampleCollected('s1', 'c1'))).toBeUndefined();
  });

  it('follow-ups completed or overdue need the follow-up; placements and reports need nothing', () => {
    expect(refNeeded(followupCompleted('f1', 'c1'))).toBe('followup:f1');
    expect(refNeeded(followupOverdue('f2', 'c1'))).toBe('followup:f2');
    expect(refNeeded(followupScheduled('f1', 'c1'))).toBeUndefined();
    expect(refNeeded(placementDecided('c1', 'foster-family'))).toBeUndefined();
    expect(refNeeded(reportSubmitted('Li'))).toBeUndefined();
  });
});

describe('where an event belongs', () => {
  it('an event that carries its region and case is placed by them', () => {
    expect(placeOf(alertIssued('a1', 'c1', { region: '341502' }), undefined)).toEqual({
      region: '341502',
      caseId: 'c1',
    });
  });

  it('a report is placed where the child was last seen (or found, or observed)', () => {
    expect(placeOf(reportSubmitted('Li', '340103'), undefined)).toEqual({ region: '340103' });
    const found = ev('homeward.report.submitted', {
      kind: 'unidentified-child',
      child: { sex: 'female', apparentAge: 4 },
      foundAt: {
        at: '2026-03-01T08:00:00+08:00',
        place: 'bus station',
        lat: 31.86,
        lon: 117.28,
        region: '340102',
      },
    } as never);
    expect(placeOf(found, undefined)).toEqual({ region: '340102' });
    const observed = ev('homeward.report.submitted', {
      kind: 'suspected-trafficking',
      description: 'absent pupil',
      observedAt: '2026-03-01T08:00:00+08:00',
      location: { place: 'school', region: '340111' },
    } as never);
    expect(placeOf(observed, undefined)).toEqual({ region: '340111' });
    const sighting = ev('homeward.report.submitted', {
      kind: 'sighting',
      caseId: 'c9',
      seenAt: {
        at: '2026-03-01T08:00:00+08:00',
        place: 'terminal',
        lat: 31.85,
        lon: 117.2,
        region: '340122',
      },
    } as never);
    expect(placeOf(sighting, undefined)).toEqual({ region: '340122', caseId: 'c9' });
  });

  it('a lead is placed in its case’s region, or where it was seen when the case is unknown', () => {
    const ref = { _id: 'case:c1', region: '341502' };
    expect(placeOf(leadAdded('c1'), ref)).toEqual({ region: '341502', caseId: 'c1' });
    expect(placeOf(leadAdded('c1'), undefined)).toEqual({ region: '340104', caseId: 'c1' });
  });

  it('a case event is placed in its case’s region even when it happened elsewhere', () => {
    const rescued = childRescued('c1', '2026-03-03T10:00:00+08:00', '341500');
    expect(placeOf(rescued, { _id: 'case:c1', region: '340104' })).toEqual({
      region: '340104',
      caseId: 'c1',
    });
    expect(placeOf(rescued, undefined)).toEqual({ region: '341500', caseId: 'c1' });
    expect(placeOf(rescued, { _id: 'case:c1' })).toEqual({ region: '341500', caseId: 'c1' });
  });

  it('an event without a region or case takes them from the fact it needed', () => {
    expect(placeOf(delivered('a1', 'u1'), { _id: 'alert:a1', region: '340102', caseId: 'c1' })).toEqual({
      region: '340102',
      caseId: 'c1',
    });
    expect(placeOf(custody('s1', 'sealed', '2026-03-02T10:30:00+08:00'), undefined)).toEqual({});
  });

  it('a notification is placed by its own case and region, and by its alert when it names none', () => {
    const place = { caseId: 'c1', region: '341502' };
    const alert = { _id: 'alert:a1', region: '341502', caseId: 'c1' };
    for (const e of [
      delivered('a1', 'u1', place),
      failed('a1', 'u1', place),
      acknowledged('a1', 'u1', place),
    ]) {
      // Before its alert was seen (no fact yet), and after.
      expect(placeOf(e, undefined)).toEqual(place);
      expect(placeOf(e, alert)).toEqual(place);
    }
    // One from before the fields were added: its alert's, once known; nothing before.
    expect(placeOf(acknowledged('a1', 'u1'), alert)).toEqual(place);
    expect(placeOf(acknowledged('a1', 'u1'), undefined)).toEqual({});
    // Only one of them named: the other from the alert.
    expect(placeOf(delivered('a1', 'u1', { caseId: 'c1' }), alert)).toEqual(place);
  });

  it('an event outside the case topic keeps its own region over its case’s', () => {
    const issued = alertIssued('a1', 'c1', { region: '341502' });
    expect(placeOf(issued, { _id: 'case:c1', region: '340104' })).toEqual({ region: '341502', caseId: 'c1' });
  });

  it('a report or a lead without a place is placed nowhere rather than failing', () => {
    const placeless = ev('homeward.report.submitted', {
      kind: 'missing-child',
      child: { name: 'Li' },
    } as never);
    expect(placeOf(placeless, undefined)).toEqual({});
    const { seenAt: _seen, ...lead } = leadAdded('c1').data;
    expect(placeOf(ev('homeward.case.lead-added', lead as never), undefined)).toEqual({ caseId: 'c1' });
  });

  it('an id of the wrong kind names no fact', () => {
    const odd = ev('homeward.case.closed', {
      caseId: 7 as never,
      closedAt: '2026-03-05T10:00:00+08:00',
      reason: 'x',
    });
    expect(refNeeded(odd)).toBeUndefined();
  });

  it('a region of the wrong kind is not a region', () => {
    const odd = ev('homeward.case.child-located', {
      caseId: 'c1',
      locatedAt: '2026-03-02T10:00:00+08:00',
      place: 'station',
      region: 340104 as never,
    });
    expect(placeOf(odd, undefined)).toEqual({ caseId: 'c1' });
  });
});
