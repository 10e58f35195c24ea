import { describe, expect, it } from 'vitest';
import { zeroCounts } from '../../src/domain/figures.ts';
import { mayReadSubmission, mayReview } from '../../src/domain/scope.ts';
import { review, SubmissionRuleError, submit } from '../../src/domain/submission.ts';

const CAL = { utcOffsetMinutes: 480, dueSoonDays: 7 };
const police = { agencyId: 'shushan-psb', role: 'police' as const, region: '340104' };
const office = (region: string, agencyId = `office-${region}`) => ({
  agencyId,
  role: 'coordination-office' as const,
  region,
});
const input = {
  year: 2026,
  own: { publicityCampaigns: 3, trainingSessions: 2, peopleScreened: 140 },
  narrative: 'a year of work',
};
const JAN = new Date('2027-01-10T00:00:00Z');
const platform = { ...zeroCounts(), casesOpened: 4 };

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof SubmissionRuleError) return err.key;
    throw err;
  }
  throw new Error('not refused');
}

describe('a submission', () => {
  it('is made once the year has ended, with the platform’s figures at that moment and its event', () => {
    expect(refusal(() => submit(null, police, input, platform, new Date('2026-12-31T15:59:00Z'), CAL))).toBe(
      'yearNotEnded',
    );
    const d = submit(null, police, input, platform, JAN, CAL)!;
    expect(d.doc).toMatchObject({
      _id: '2026:340104:shushan-psb',
      status: 'submitted',
      dueDate: '2027-01-31',
    });
    expect(d.doc.versions[0]).toMatchObject({ version: 1, late: false, platform: { casesOpened: 4 } });
    expect(d.events[0]!.type).toBe('homeward.coordination.submission-submitted');
    expect(d.events[0]!.id).toBe('2026:340104:shushan-psb:v1:submitted');
    // Zero counters stay off the bus; the narrative never goes on it.
    expect(d.events[0]!.data).toMatchObject({ platform: { casesOpened: 4 }, late: false });
    expect(JSON.stringify(d.events[0]!.data)).not.toContain('a year of work');
    expect(d.result.created).toBe(true);
  });

  it('is late when first made after 31 January', () => {
    const d = submit(null, police, input, platform, new Date('2027-02-01T00:00:00+08:00'), CAL)!;
    expect(d.doc.versions[0]!.late).toBe(true);
  });

  it('under review: a retry of the same content changes nothing, a different one is refused', () => {
    const first = submit(null, police, input, platform, JAN, CAL)!.doc;
    expect(submit(first, police, input, platform, JAN, CAL)).toBeNull();
    expect(refusal(() => submit(first, police, { ...input, narrative: 'changed' }, platform, JAN, CAL))).toBe(
      'awaitingReview',
    );
  });

  it('returned with a comment, resubmitted as version 2, accepted, then final', () => {
    const first = submit(null, police, input, platform, JAN, CAL)!.doc;
    const returned = review(first, office('340104'), 'returned', 'add the training figures', JAN);
    expect(returned.doc.status).toBe('returned');
    expect(returned.events[0]).toMatchObject({
      type: 'homeward.coordination.submission-returned',
      data: { version: 1, comment: 'add the training figures' },
    });
    expect(refusal(() => review(returned.doc, office('340104'), 'returned', 'again', JAN))).toBe(
      'notAwaitingReview',
    );
    const second = submit(
      returned.doc,
      police,
      { ...input, own: { ...input.own, trainingSessions: 5 } },
      platform,
      JAN,
      CAL,
    )!;
    expect(second.doc.versions.map((v) => v.version)).toEqual([1, 2]);
    expect(second.doc.status).toBe('submitted');
    expect(second.result.created).toBe(false);
    const accepted = review(second.doc, office('340100'), 'accepted', undefined, JAN);
    expect(accepted.doc.reviews.map((r) => [r.kind, r.version])).toEqual([
      ['returned', 1],
      ['accepted', 2],
    ]);
    // The review without a comment records none; its event names the submission, once per version and kind.
    expect(accepted.doc.reviews[1]).toStrictEqual({
      kind: 'accepted',
      version: 2,
      at: JAN.toISOString(),
      by: { agencyId: 'office-340100', role: 'coordination-office', region: '340100' },
    });
    const id = second.doc._id;
    expect(accepted.events[0]).toMatchObject({
      type: 'homeward.coordination.submission-accepted',
      source: 'homeward/coordination',
      subject: id,
      id: `${id}:v2:accepted`,
      data: {
        submissionId: id,
        year: 2026,
        region: '340104',
        agencyId: 'shushan-psb',
        role: 'police',
        version: 2,
        acceptedAt: JAN.toISOString(),
        acceptedBy: { agencyId: 'office-340100', role: 'coordination-office', region: '340100' },
      },
    });
    expect(returned.events[0]).toMatchObject({
      source: 'homeward/coordination',
      subject: id,
      id: `${id}:v1:returned`,
    });
    expect(refusal(() => submit(accepted.doc, police, input, platform, JAN, CAL))).toBe('alreadyAccepted');
  });
});

describe('who reads and reviews a submission', () => {
  const sub = { region: '340104', agencyId: 'shushan-psb' };
  it('the department itself and the offices of containing regions; nobody else', () => {
    expect(mayReadSubmission(police, sub)).toBe(true);
    expect(mayReadSubmission(office('340104'), sub)).toBe(true);
    expect(mayReadSubmission(office('340100'), sub)).toBe(true);
    expect(mayReadSubmission(office('340000'), sub)).toBe(true);
    expect(mayReadSubmission(office('340103'), sub)).toBe(false);
    expect(mayReadSubmission(office('340200'), sub)).toBe(false);
    expect(mayReadSubmission({ ...police, agencyId: 'luyang-psb', region: '340103' }, sub)).toBe(false);
    expect(mayReadSubmission({ ...police, agencyId: 'hefei-psb', region: '340100' }, sub)).toBe(false);
  });

  it('an office reviews within its region, never its own submission', () => {
    expect(mayReview(office('340104'), sub)).toBe(true);
    expect(mayReview(office('340103'), sub)).toBe(false);
    const own = { region: '340104', agencyId: 'office-340104' };
    expect(mayReadSubmission(office('340104'), own)).toBe(true);
    expect(mayReview(office('340104'), own)).toBe(false);
    expect(mayReview(office('340100'), own)).toBe(true);
  });
});
