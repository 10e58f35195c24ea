import { describe, expect, it } from 'vitest';
import {
  caseRefusal,
  deadlineOf,
  dutyRows,
  firstDeadline,
  onClosed,
  onRescued,
  openedCase,
  overdueDuties,
  paidKey,
  samplingOverdueEvent,
  subjectOfSample,
} from '../../src/domain/sampling-duties.ts';
import { caseOpenedData } from '../case-opened.ts';

const AT = '2026-11-28T00:00:00.000Z';
const H = 3_600_000;
const none = () => false;

describe('what a case owes', () => {
  it('a missing child: each living parent; a child of unknown origin: itself; a suspicion: nothing', () => {
    expect(openedCase(caseOpenedData('m', 'missing-child', { openedAt: AT })).owed).toEqual([
      { subject: 'mother', since: AT },
      { subject: 'father', since: AT },
    ]);
    const widow = caseOpenedData('m', 'missing-child', {
      openedAt: AT,
      parents: [
        { relation: 'father', name: 'Li', living: false },
        { relation: 'mother', name: 'Wang' },
      ],
    });
    expect(openedCase(widow).owed.map((d) => d.subject)).toEqual(['mother']);
    expect(openedCase(caseOpenedData('u', 'unidentified-child', { openedAt: AT })).owed).toEqual([
      { subject: 'child', since: AT },
    ]);
    expect(openedCase(caseOpenedData('s', 'suspected-trafficking')).owed).toEqual([]);
  });

  it('a rescued child owes its own sample once; a closed case owes nothing more', () => {
    const m = openedCase(caseOpenedData('m', 'missing-child', { openedAt: AT }));
    const rescued = onRescued(m, {
      caseId: 'm',
      rescuedAt: '2026-11-29T00:00:00Z',
      place: 'x',
      region: '340104',
    });
    expect(rescued?.owed.at(-1)).toEqual({ subject: 'child', since: '2026-11-29T00:00:00Z' });
    expect(onRescued(rescued!, { caseId: 'm', rescuedAt: AT, place: 'x', region: '340104' })).toBeNull();
    const closed = onClosed(rescued!, { caseId: 'm', closedAt: AT, reason: 'found' });
    expect(closed?.status).toBe('closed');
    expect(onClosed(closed!, { caseId: 'm', closedAt: AT, reason: 'again' })).toBeNull();
    expect(onRescued(closed!, { caseId: 'm', rescuedAt: AT, place: 'x', region: '340104' })).toBeNull();
    expect(dutyRows([closed!], none, new Date(AT), 72)).toEqual([]);
  });
});

describe('samples and the cases they name', () => {
  const m = openedCase(caseOpenedData('m', 'missing-child'));
  const u = openedCase(caseOpenedData('u', 'unidentified-child'));

  it('pay the duty of their relation, or the child', () => {
    expect(subjectOfSample({ kind: 'parent', relation: 'father', caseId: 'm' })).toBe('father');
    expect(subjectOfSample({ kind: 'rescued-child', caseId: 'm' })).toBe('child');
    expect(paidKey('m', 'father')).toBe('m:father');
    expect(subjectOfSample({ kind: 'relative', relation: 'full-sibling', caseId: 'm' })).toBeUndefined();
  });

  it('must name a case that exists, and a parent a missing child case', () => {
    expect(caseRefusal({ kind: 'parent', relation: 'mother', caseId: 'm' }, m)).toBeUndefined();
    expect(caseRefusal({ kind: 'unidentified-child' }, null)).toBeUndefined();
    expect(caseRefusal({ kind: 'unidentified-child', caseId: 'x' }, null)?.code).toBe('DNA_ERR_CASE_UNKNOWN');
    expect(caseRefusal({ kind: 'parent', relation: 'mother', caseId: 'u' }, u)?.code).toBe(
      'DNA_ERR_CASE_MISMATCH',
    );
    expect(caseRefusal({ kind: 'rescued-child', caseId: 'u' }, u)).toBeUndefined();
    expect(caseRefusal({ kind: 'relative', relation: 'grandparent', caseId: 'u' }, u)?.code).toBe(
      'DNA_ERR_CASE_MISMATCH',
    );
  });
});

describe('the clock', () => {
  const m = openedCase(caseOpenedData('m', 'missing-child', { openedAt: AT }));
  const boundary = deadlineOf(AT, 72);

  it('is overdue at the boundary, not a millisecond before', () => {
    expect(boundary.toISOString()).toBe('2026-12-01T00:00:00.000Z');
    const before = overdueDuties(m, none, new Date(boundary.getTime() - 1), 72);
    expect(before).toEqual({ due: [], next: boundary });
    const at = overdueDuties(m, none, boundary, 72);
    expect(at.due.map((d) => d.subject)).toEqual(['mother', 'father']);
    expect(at.next).toBeUndefined();
    const paid = (k: string) => k === 'm:mother';
    expect(overdueDuties(m, paid, boundary, 72).due.map((d) => d.subject)).toEqual(['father']);
    expect(firstDeadline(m, paid, 72)).toEqual(boundary);
    expect(firstDeadline(m, () => true, 72)).toBeUndefined();
  });

  it('lists by how long each duty is owed', () => {
    const rows = dutyRows([m], (k) => k === 'm:mother', new Date(boundary.getTime() - H / 2), 72);
    expect(rows).toEqual([
      {
        caseId: 'm',
        caseKind: 'missing-child',
        region: '340104',
        subject: 'father',
        owedSince: AT,
        owedHours: 71.5,
        overdue: false,
      },
    ]);
    expect(dutyRows([m], none, boundary, 72).every((r) => r.overdue)).toBe(true);
  });

  it('raises one event per case and subject, its id derived from them', () => {
    const e = samplingOverdueEvent(m, m.owed[1]!, boundary, 72);
    expect(e).toMatchObject({
      type: 'homeward.dna.sampling-overdue',
      id: 'm.sampling-overdue.father',
      subject: 'm',
      data: { caseId: 'm', subject: 'father', owedSince: AT, limitHours: 72, region: '340104' },
    });
  });
});
