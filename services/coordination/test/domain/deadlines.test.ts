import { describe, expect, it } from 'vitest';
import {
  deadline,
  dueDate,
  lateState,
  openYears,
  reminderDue,
  reminderTimes,
  yearEnd,
} from '../../src/domain/deadlines.ts';

const CAL = { utcOffsetMinutes: 480, dueSoonDays: 7 };

describe('the January deadline', () => {
  it('is the end of 31 January of the next year, in the reports’ calendar', () => {
    expect(dueDate(2026)).toBe('2027-01-31');
    expect(deadline(CAL, 2026).toISOString()).toBe('2027-01-31T16:00:00.000Z');
    expect(yearEnd(CAL, 2026).toISOString()).toBe('2026-12-31T16:00:00.000Z');
  });

  it('reminds at the opening, a week before, and when it passed', () => {
    const t = reminderTimes(CAL, 2026);
    expect(t.opening.toISOString()).toBe('2027-01-01T01:00:00.000Z');
    expect(t['due-soon'].toISOString()).toBe('2027-01-25T01:00:00.000Z');
    expect(t.overdue.toISOString()).toBe('2027-01-31T16:00:00.000Z');
  });

  it('raises only the latest stage that came, once, and says when to look again', () => {
    const none = new Set<never>();
    expect(reminderDue(CAL, 2026, new Date('2026-12-31T00:00:00Z'), none)).toEqual({
      next: reminderTimes(CAL, 2026).opening,
    });
    expect(reminderDue(CAL, 2026, new Date('2027-01-02T00:00:00Z'), none)).toEqual({
      stage: 'opening',
      next: reminderTimes(CAL, 2026)['due-soon'],
    });
    expect(reminderDue(CAL, 2026, new Date('2027-01-02T00:00:00Z'), new Set(['opening'] as const))).toEqual({
      next: reminderTimes(CAL, 2026)['due-soon'],
    });
    // Down all January: the department is told it is late, not that the window opened.
    expect(reminderDue(CAL, 2026, new Date('2027-02-03T00:00:00Z'), none)).toEqual({ stage: 'overdue' });
  });

  it('owes last year’s report until its deadline, and this year’s', () => {
    expect(openYears(CAL, new Date('2027-01-10T00:00:00Z'))).toEqual([2026, 2027]);
    expect(openYears(CAL, new Date('2027-03-10T00:00:00Z'))).toEqual([2027]);
  });

  it('lists the late only after the deadline', () => {
    const before = new Date('2027-01-31T15:59:59Z');
    const after = new Date('2027-01-31T16:00:00Z');
    expect(lateState(CAL, 2026, before, undefined)).toBeUndefined();
    expect(lateState(CAL, 2026, after, undefined)).toBe('not-submitted');
    expect(
      lateState(CAL, 2026, after, { firstSubmittedAt: '2027-01-10T00:00:00Z', status: 'submitted' }),
    ).toBeUndefined();
    expect(
      lateState(CAL, 2026, after, { firstSubmittedAt: '2027-02-01T00:00:00Z', status: 'accepted' }),
    ).toBe('submitted-late');
    expect(
      lateState(CAL, 2026, after, { firstSubmittedAt: '2027-01-10T00:00:00Z', status: 'returned' }),
    ).toBe('returned-not-resubmitted');
  });
});
