import { describe, expect, it } from 'vitest';
import {
  deadline,
  lateState,
  localYear,
  openYears,
  reminderDue,
  reminderTimes,
  yearEnd,
} from '../../src/domain/deadlines.ts';
import { zeroCounts } from '../../src/domain/figures.ts';
import { buildRollup } from '../../src/domain/rollup.ts';
import { MEMBER_ROLES, mayReview } from '../../src/domain/scope.ts';
import { latest, review, SubmissionRuleError, submit } from '../../src/domain/submission.ts';

const CAL = { utcOffsetMinutes: 480, dueSoonDays: 7 };
const police = { agencyId: 'shushan-psb', role: 'police' as const, region: '340104' };
const office = { agencyId: 'shushan-office', role: 'coordination-office' as const, region: '340104' };
const own = { publicityCampaigns: 1, trainingSessions: 2, peopleScreened: 3 };
const input = { year: 2026, own, narrative: 'n' };
const JAN = new Date('2027-01-10T00:00:00Z');

function refused(fn: () => unknown): SubmissionRuleError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SubmissionRuleError) return err;
    throw err;
  }
  throw new Error('not refused');
}

describe('edges of the submission rules', () => {
  it('the year may be reported from its very end, not a millisecond before; the refusal says when', () => {
    expect(submit(null, police, input, zeroCounts(), yearEnd(CAL, 2026), CAL)).not.toBeNull();
    const e = refused(() =>
      submit(null, police, input, zeroCounts(), new Date(yearEnd(CAL, 2026).getTime() - 1), CAL),
    );
    expect([e.name, e.key, e.message]).toEqual([
      'SubmissionRuleError',
      'yearNotEnded',
      'the year 2026 has not ended; it is reported from 1 January 2027',
    ]);
  });

  it('any changed figure under review is a change, not a retry; the refusal names the version', () => {
    const doc = submit(null, police, input, zeroCounts(), JAN, CAL)!.doc;
    for (const k of ['publicityCampaigns', 'trainingSessions', 'peopleScreened'] as const) {
      const e = refused(() =>
        submit(doc, police, { ...input, own: { ...own, [k]: 99 } }, zeroCounts(), JAN, CAL),
      );
      expect([e.key, e.message]).toEqual([
        'awaitingReview',
        "version 1 awaits the office's review; it can be changed once returned",
      ]);
    }
  });

  it('an accepted report is final, and says which version; a review records its comment only when given', () => {
    const first = submit(null, police, input, zeroCounts(), JAN, CAL)!;
    expect(first.result).toEqual({ created: true, changed: true });
    const accepted = review(first.doc, office, 'accepted', undefined, JAN);
    expect(accepted.result).toEqual({ created: false, changed: true });
    expect(accepted.doc.reviews[0]).toEqual({
      kind: 'accepted',
      version: 1,
      at: JAN.toISOString(),
      by: office,
    });
    expect(refused(() => submit(accepted.doc, police, input, zeroCounts(), JAN, CAL)).message).toBe(
      'version 1 was accepted; the report of 2026 is final',
    );
    const e = refused(() => review(accepted.doc, office, 'returned', 'x', JAN));
    expect([e.key, e.message]).toEqual([
      'alreadyAccepted',
      'the submission is accepted; only a submitted version is returned or accepted',
    ]);
    const returned = review(first.doc, office, 'returned', 'fix it', JAN);
    expect(returned.doc.reviews[0]!.comment).toBe('fix it');
    expect(returned.events[0]!.data).toMatchObject({ comment: 'fix it' });
    expect(refused(() => review(returned.doc, office, 'accepted', undefined, JAN)).key).toBe(
      'notAwaitingReview',
    );
    const second = submit(returned.doc, police, { ...input, narrative: 'v2' }, zeroCounts(), JAN, CAL)!;
    expect(latest(second.doc)).toMatchObject({ version: 2, narrative: 'v2' });
  });
});

describe('edges of scope', () => {
  it('the member departments, exactly', () => {
    expect(MEMBER_ROLES).toEqual([
      'police',
      'civil-affairs',
      'health',
      'education',
      'transport',
      'family-planning',
      'womens-federation',
      'dna-lab',
    ]);
  });

  it('only an office reviews, even a department of a containing region', () => {
    expect(
      mayReview(
        { agencyId: 'hefei-psb', role: 'police', region: '340100' },
        { region: '340104', agencyId: 'x' },
      ),
    ).toBe(false);
  });
});

describe('edges of the deadline', () => {
  it('a stage is due at its very moment, and the next one is named', () => {
    const t = reminderTimes(CAL, 2026);
    expect(reminderDue(CAL, 2026, t.opening, new Set())).toEqual({ stage: 'opening', next: t['due-soon'] });
    expect(reminderDue(CAL, 2026, new Date(t.opening.getTime() - 1), new Set())).toEqual({ next: t.opening });
    expect(reminderDue(CAL, 2026, t.overdue, new Set(['opening', 'due-soon'] as const))).toEqual({
      stage: 'overdue',
    });
    expect(reminderDue(CAL, 2026, t.overdue, new Set(['overdue'] as const))).toEqual({});
  });

  it('years and late submissions at their boundaries, in the reports’ calendar', () => {
    expect(localYear(CAL, new Date('2026-12-31T16:00:00Z'))).toBe(2027);
    expect(localYear(CAL, new Date('2026-12-31T15:59:59Z'))).toBe(2026);
    expect(openYears(CAL, deadline(CAL, 2026))).toEqual([2027]);
    expect(openYears(CAL, new Date(deadline(CAL, 2026).getTime() - 1))).toEqual([2026, 2027]);
    const due = deadline(CAL, 2026);
    expect(lateState(CAL, 2026, due, { firstSubmittedAt: due.toISOString(), status: 'submitted' })).toBe(
      'submitted-late',
    );
    expect(
      lateState(CAL, 2026, due, {
        firstSubmittedAt: new Date(due.getTime() - 1).toISOString(),
        status: 'submitted',
      }),
    ).toBeUndefined();
  });
});

describe('edges of the roll-up', () => {
  const sub = (region: string, agencyId: string, role: string) => ({
    submissionId: `2026:${region}:${agencyId}`,
    agencyId,
    role,
    region,
    status: 'submitted',
    version: 1,
    submittedAt: '2027-01-10T00:00:00Z',
    late: false,
    own,
  });

  it('a county is a leaf; its submissions are sorted by role, then agency; nothing outside it counts', () => {
    const n = buildRollup(
      '340104',
      [
        { year: 2026, region: '340104', department: 'police', counts: { casesOpened: 2 } },
        { year: 2026, region: '340103', department: 'police', counts: { casesOpened: 5 } },
      ],
      [
        sub('340104', 'b-psb', 'police'),
        sub('340104', 'a-psb', 'police'),
        sub('340104', 'z-ca', 'civil-affairs'),
        sub('340103', 'c', 'police'),
      ],
    );
    expect([n.level, n.children, n.platform.casesOpened, n.direct.casesOpened]).toEqual(['county', [], 2, 2]);
    expect(n.byDepartment).toEqual({ police: expect.objectContaining({ casesOpened: 2 }) });
    expect(n.submissions.map((s) => s.agencyId)).toEqual(['z-ca', 'a-psb', 'b-psb']);
    expect(n.ownTotals).toEqual({ publicityCampaigns: 3, trainingSessions: 6, peopleScreened: 9 });
  });

  it('a province’s own submissions stay at its node, its prefectures’ below', () => {
    const n = buildRollup(
      '340000',
      [],
      [
        sub('340000', 'anhui-office', 'coordination-office'),
        sub('340100', 'hefei-office', 'coordination-office'),
      ],
    );
    expect(n.level).toBe('province');
    expect(n.submissions.map((s) => s.agencyId)).toEqual(['anhui-office']);
    expect(n.children.map((c) => [c.region, c.submissions.map((s) => s.agencyId)])).toEqual([
      ['340100', ['hefei-office']],
    ]);
  });
});
