import { describe, expect, it } from 'vitest';
import {
  type CaseDutiesDoc,
  caseRefusal,
  dutyRows,
  firstDeadline,
  onRescued,
  openedCase,
  overdueDuties,
  samplingOverdueEvent,
  subjectOfSample,
} from '../../src/domain/sampling-duties.ts';
import { caseOpenedData } from '../case-opened.ts';

// Which duties a list shows first, which is overdue next, and what a refusal tells the lab.

const H = 3_600_000;
const none = () => false;
const doc = (
  id: string,
  owed: CaseDutiesDoc['owed'],
  kind: CaseDutiesDoc['kind'] = 'missing-child',
): CaseDutiesDoc => ({
  _id: id,
  kind,
  region: '340104',
  openedAt: '2026-11-20T00:00:00.000Z',
  status: 'open',
  owed,
});

describe('what a case owes, parent by parent', () => {
  it('a dead mother owes nothing; a parent not said to be dead owes', () => {
    const at = '2026-11-28T00:00:00.000Z';
    const orphan = caseOpenedData('m', 'missing-child', {
      openedAt: at,
      parents: [
        { relation: 'mother', name: 'Wang', living: false },
        { relation: 'father', name: 'Li', living: true },
      ],
    });
    expect(openedCase(orphan).owed).toEqual([{ subject: 'father', since: at }]);
    const both = caseOpenedData('m', 'missing-child', {
      openedAt: at,
      parents: [
        { relation: 'mother', name: 'Wang', living: false },
        { relation: 'father', name: 'Li', living: false },
      ],
    });
    expect(openedCase(both)).toMatchObject({ _id: 'm', kind: 'missing-child', status: 'open', owed: [] });
  });

  it('an unidentified child rescued owes its sample once, from when it was found', () => {
    const u = openedCase(caseOpenedData('u', 'unidentified-child'));
    expect(
      onRescued(u, { caseId: 'u', rescuedAt: '2026-11-29T00:00:00Z', place: 'x', region: '340104' }),
    ).toBeNull();
  });

  it("an unidentified child's own sample pays the child's duty", () => {
    expect(subjectOfSample({ kind: 'unidentified-child' })).toBe('child');
    expect(subjectOfSample({ kind: 'parent', relation: 'mother', caseId: 'm' })).toBe('mother');
    expect(
      subjectOfSample({ kind: 'parent', relation: 'full-sibling' as never, caseId: 'm' }),
    ).toBeUndefined();
  });
});

describe('the duties list', () => {
  const now = new Date('2026-11-25T00:00:00.000Z');

  it('longest owed first, then by case, then by subject', () => {
    const rows = dutyRows(
      [
        doc('case-b', [
          { subject: 'mother', since: '2026-11-22T00:00:00.000Z' },
          { subject: 'father', since: '2026-11-22T00:00:00.000Z' },
        ]),
        doc('case-a', [
          { subject: 'mother', since: '2026-11-22T00:00:00.000Z' },
          { subject: 'child', since: '2026-11-21T00:00:00.000Z' },
        ]),
      ],
      none,
      now,
      72,
    );
    expect(rows.map((r) => `${r.caseId}:${r.subject}`)).toEqual([
      'case-a:child',
      'case-a:mother',
      'case-b:father',
      'case-b:mother',
    ]);
    expect(rows.map((r) => [r.owedHours, r.overdue])).toEqual([
      [96, true],
      [72, true],
      [72, true],
      [72, true],
    ]);
  });

  it('counts owed hours down to the tenth, never rounding up, and none for a duty dated after now', () => {
    const rows = dutyRows(
      [
        doc('c', [
          { subject: 'mother', since: new Date(now.getTime() - 71.46 * H).toISOString() },
          { subject: 'father', since: new Date(now.getTime() + 2 * H).toISOString() },
        ]),
      ],
      none,
      now,
      72,
    );
    expect(rows.map((r) => [r.subject, r.owedHours, r.overdue])).toEqual([
      ['mother', 71.4, false],
      ['father', 0, false],
    ]);
  });
});

describe('the next deadline', () => {
  const c = doc('c', [
    { subject: 'mother', since: '2026-11-23T00:00:00.000Z' },
    { subject: 'father', since: '2026-11-21T00:00:00.000Z' },
    { subject: 'child', since: '2026-11-22T00:00:00.000Z' },
  ]);

  it('is the earliest of the unpaid duties, whatever their order on the case', () => {
    expect(firstDeadline(c, none, 24)?.toISOString()).toBe('2026-11-22T00:00:00.000Z');
    expect(firstDeadline(c, (k) => k === 'c:father', 24)?.toISOString()).toBe('2026-11-23T00:00:00.000Z');
    const early = overdueDuties(c, none, new Date('2026-11-21T12:00:00.000Z'), 24);
    expect(early.due).toEqual([]);
    expect(early.next?.toISOString()).toBe('2026-11-22T00:00:00.000Z');
    const later = overdueDuties(c, none, new Date('2026-11-23T12:00:00.000Z'), 24);
    expect(later.due.map((d) => d.subject)).toEqual(['father', 'child']);
    expect(later.next?.toISOString()).toBe('2026-11-24T00:00:00.000Z');
  });
});

describe('what the lab is told', () => {
  it('an unknown case and a mismatched case say which case and why', () => {
    expect(caseRefusal({ kind: 'rescued-child', caseId: 'case-9' }, null)).toEqual({
      error: 'caseUnknown',
      code: 'DNA_ERR_CASE_UNKNOWN',
      detail: expect.stringContaining('no case "case-9" is known to dna-tracking'),
    });
    const u = openedCase(caseOpenedData('u', 'unidentified-child'));
    expect(caseRefusal({ kind: 'parent', relation: 'father', caseId: 'u' }, u)).toEqual({
      error: 'caseMismatch',
      code: 'DNA_ERR_CASE_MISMATCH',
      detail: `a parent's sample names the missing child's case; case "u" is "unidentified-child"`,
    });
  });

  it('the overdue event says when it was found, from dna-tracking', () => {
    const c = doc('c', [{ subject: 'mother', since: '2026-11-20T00:00:00.000Z' }]);
    const now = new Date('2026-11-24T00:00:00.000Z');
    expect(samplingOverdueEvent(c, c.owed[0]!, now, 72)).toMatchObject({
      source: 'homeward/dna-tracking',
      time: now.toISOString(),
      data: {
        detectedAt: now.toISOString(),
        subject: 'mother',
        caseId: 'c',
        region: '340104',
        limitHours: 72,
      },
    });
  });
});
