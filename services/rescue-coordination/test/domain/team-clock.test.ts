import { CaseKinds } from '@homeward/events';
import { describe, expect, it } from 'vitest';
import type { CaseDoc } from '../../src/domain/case.ts';
import {
  parseKinds,
  type TeamClockPolicy,
  teamDeadline,
  teamOverdueAt,
  teamOverdueEvent,
} from '../../src/domain/team-clock.ts';
import { H } from './fixtures.ts';

// The special team's clock (DESIGN, "One chief, three responsibilities"), pure: when a case's
// team is overdue, and the one event that says so.

const OPENED = new Date('2026-11-28T08:00:00Z');
const policy: TeamClockPolicy = { limitHours: 6, kinds: ['suspected-trafficking', 'missing-child'] };

function caseDoc(over: Partial<CaseDoc> = {}): CaseDoc {
  return {
    _id: 'case-1',
    kind: 'suspected-trafficking',
    status: 'opened',
    region: '340104',
    openedAt: OPENED,
    ...over,
  } as CaseDoc;
}

describe('teamDeadline', () => {
  it('is the opening time plus the limit for a kind that needs a team', () => {
    expect(teamDeadline(caseDoc(), policy)?.toISOString()).toBe('2026-11-28T14:00:00.000Z');
    expect(
      teamDeadline(caseDoc({ kind: 'missing-child' }), { ...policy, limitHours: 0.5 })?.toISOString(),
    ).toBe('2026-11-28T08:30:00.000Z');
  });

  it('does not run for a case with a team, a closed case, or a kind outside the policy', () => {
    const team = { chief: 'x', assignedAt: OPENED } as unknown as CaseDoc['team'];
    expect(teamDeadline(caseDoc({ team }), policy)).toBeUndefined();
    expect(teamDeadline(caseDoc({ status: 'closed' }), policy)).toBeUndefined();
    expect(teamDeadline(caseDoc({ kind: 'missing-woman' }), policy)).toBeUndefined();
    // Every other status keeps the clock running.
    expect(teamDeadline(caseDoc({ status: 'searching' as CaseDoc['status'] }), policy)).toBeDefined();
  });

  it('accepts an opening time stored as a string', () => {
    const doc = caseDoc({ openedAt: OPENED.toISOString() as unknown as Date });
    expect(teamDeadline(doc, policy)?.getTime()).toBe(OPENED.getTime() + 6 * H);
  });
});

describe('teamOverdueAt', () => {
  it('is true at the deadline itself and after it, not a millisecond before', () => {
    const deadline = OPENED.getTime() + 6 * H;
    expect(teamOverdueAt(caseDoc(), policy, new Date(deadline - 1))).toBe(false);
    expect(teamOverdueAt(caseDoc(), policy, new Date(deadline))).toBe(true);
    expect(teamOverdueAt(caseDoc(), policy, new Date(deadline + H))).toBe(true);
  });

  it('is false whenever the clock does not run, however late', () => {
    const late = new Date(OPENED.getTime() + 100 * H);
    expect(teamOverdueAt(caseDoc({ status: 'closed' }), policy, late)).toBe(false);
    expect(teamOverdueAt(caseDoc({ kind: 'unidentified-child' }), policy, late)).toBe(false);
  });
});

describe('teamOverdueEvent', () => {
  it('states the case, its kind, region, opening, the limit and when it was seen, under an id derived from the case', () => {
    const now = new Date('2026-11-28T14:05:00Z');
    const event = teamOverdueEvent(caseDoc(), policy, now);
    expect(event.type).toBe('homeward.case.team-overdue');
    expect(event.id).toBe('case-1.team-overdue');
    expect(event.subject).toBe('case-1');
    expect(event.time).toBe(now.toISOString());
    expect(event.data).toEqual({
      caseId: 'case-1',
      kind: 'suspected-trafficking',
      region: '340104',
      openedAt: '2026-11-28T08:00:00.000Z',
      limitHours: 6,
      detectedAt: '2026-11-28T14:05:00.000Z',
    });
    // Raised once: the same case gives the same id at any later time.
    expect(teamOverdueEvent(caseDoc(), policy, new Date(now.getTime() + H)).id).toBe(event.id);
  });
});

describe('parseKinds', () => {
  it('reads a comma-separated list, trimming blanks and skipping empty entries', () => {
    expect(parseKinds(' missing-child , suspected-trafficking,,', CaseKinds)).toEqual([
      'missing-child',
      'suspected-trafficking',
    ]);
    expect(parseKinds('', CaseKinds)).toEqual([]);
  });

  it('refuses an unknown kind, naming every unknown one', () => {
    expect(() => parseKinds('missing-child,missing-adult,lost-dog', CaseKinds)).toThrow(
      'TEAM_REQUIRED_KINDS: unknown case kinds missing-adult, lost-dog',
    );
  });
});
