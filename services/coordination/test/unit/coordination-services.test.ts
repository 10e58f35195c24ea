import { createEvent } from '@homeward/events';
import { ownerSource } from '@homeward/messaging';
import { MemoryPersistence } from '@homeward/persistence';
import { ManualClock, MemoryDueIndex } from '@homeward/service-kit';
import { testLogger } from '@homeward/testing';
import { describe, expect, it } from 'vitest';
import { projectEvent } from '../../src/handlers/project-event.ts';
import { reportLayout } from '../../src/outputs/report-view.ts';
import { OversightService } from '../../src/oversight-service.ts';
import { ReminderWorker } from '../../src/reminder-worker.ts';
import { CoordinationStore } from '../../src/store/coordination-store.ts';
import { SubmissionService } from '../../src/submission-service.ts';
import { DEFAULT_LIMITS, EXPECTED_MISSED, HEFEI, LUYANG, SHUSHAN, seededYear } from '../scenario.ts';

const dept = (agencyId: string, role: 'police' | 'civil-affairs' | 'health', region: string) => ({
  agencyId,
  role,
  region,
});
const office = (region: string) => ({
  agencyId: `office-${region}`,
  role: 'coordination-office' as const,
  region,
});
const own = { publicityCampaigns: 2, trainingSessions: 1, peopleScreened: 50 };

/** Coordination over memory stores: no broker, no database, no Redis. */
async function coordination() {
  const persistence = new MemoryPersistence();
  const store = new CoordinationStore(persistence);
  const index = new MemoryDueIndex();
  const clock = new ManualClock('2026-12-20T02:00:00Z');
  const calendar = { utcOffsetMinutes: 480, dueSoonDays: 7 };
  const submissions = new SubmissionService({ store, index, clock, calendar });
  const oversight = new OversightService({ store, clock, limits: DEFAULT_LIMITS, utcOffsetMinutes: 480 });
  const reminders = new ReminderWorker({
    submissions,
    index,
    clock,
    logger: testLogger(),
    intervalMs: 3_600_000,
    batchSize: 100,
  });
  const project = projectEvent({ store, utcOffsetMinutes: 480 });
  const ctx = { log: testLogger() } as never;
  for (const e of seededYear()) await project(e, ctx);
  return { persistence, store, index, clock, submissions, oversight, reminders, project, ctx };
}

const errorCode = async (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e: { code?: string }) => e.code,
  );

describe('submissions over memory stores', () => {
  it('are pre-filled with the department’s figures, versioned through a return, and read only in scope', async () => {
    const c = await coordination();
    const police = dept('shushan-psb', 'police', SHUSHAN);
    expect(await errorCode(c.submissions.submit(police, { year: 2026, own, narrative: 'n' }))).toBe(
      'COORDINATION_ERR_YEAR_NOT_ENDED',
    );
    c.clock.set('2027-01-10T02:00:00Z');
    const prefill = await c.submissions.prefill(police, 2026);
    expect(prefill).toMatchObject({ casesOpened: 3, teamsAssigned: 2, samplesCollected: 2 });
    const { doc, created } = await c.submissions.submit(police, { year: 2026, own, narrative: 'our year' });
    expect(created).toBe(true);
    expect(doc.versions[0]!.platform).toEqual(prefill);

    // Retried as it was: nothing new. Changed while under review: refused.
    expect((await c.submissions.submit(police, { year: 2026, own, narrative: 'our year' })).created).toBe(
      false,
    );
    expect(await errorCode(c.submissions.submit(police, { year: 2026, own, narrative: 'x' }))).toBe(
      'COORDINATION_ERR_AWAITING_REVIEW',
    );

    // The neighbour's office does not see it; its own office and the prefecture's do.
    expect(await errorCode(c.submissions.get(office(LUYANG), doc._id))).toBe(
      'COORDINATION_ERR_SUBMISSION_NOT_FOUND',
    );
    expect(await errorCode(c.submissions.review(office(LUYANG), doc._id, 'returned', 'no'))).toBe(
      'COORDINATION_ERR_SUBMISSION_NOT_FOUND',
    );
    expect((await c.submissions.get(office(HEFEI), doc._id))._id).toBe(doc._id);

    const returned = await c.submissions.review(
      office(SHUSHAN),
      doc._id,
      'returned',
      'add the screening figures',
    );
    expect(returned.status).toBe('returned');
    const again = await c.submissions.submit(police, {
      year: 2026,
      own: { ...own, peopleScreened: 80 },
      narrative: 'our year',
    });
    expect(again.doc.versions.map((v) => v.version)).toEqual([1, 2]);
    const accepted = await c.submissions.review(office(HEFEI), doc._id, 'accepted');
    expect(accepted.status).toBe('accepted');

    expect(c.persistence.outbox.published.map((e) => e.type)).toEqual([
      'homeward.coordination.submission-submitted',
      'homeward.coordination.submission-returned',
      'homeward.coordination.submission-submitted',
      'homeward.coordination.submission-accepted',
    ]);
  });

  it('an office submits upward and is reviewed by the office above, not by itself', async () => {
    const c = await coordination();
    c.clock.set('2027-01-10T02:00:00Z');
    const { doc } = await c.submissions.submit(office(SHUSHAN), { year: 2026, own, narrative: 'the county' });
    // An office's pre-fill is every department's figures in its region.
    expect(doc.versions[0]!.platform.casesOpened).toBe(3);
    expect(doc.versions[0]!.platform.samplesCollected).toBe(2);
    expect(await errorCode(c.submissions.review(office(SHUSHAN), doc._id, 'accepted'))).toBe(
      'COORDINATION_ERR_OWN_SUBMISSION',
    );
    expect((await c.submissions.review(office(HEFEI), doc._id, 'accepted')).status).toBe('accepted');
  });

  it('refuses roles that are not member departments', async () => {
    const c = await coordination();
    c.clock.set('2027-01-10T02:00:00Z');
    const volunteer = { agencyId: 'v', role: 'volunteer' as const, region: SHUSHAN };
    expect(await errorCode(c.submissions.submit(volunteer, { year: 2026, own, narrative: 'n' }))).toBe(
      'COORDINATION_ERR_NOT_A_MEMBER_ROLE',
    );
    expect(await errorCode(c.submissions.enrol(office(HEFEI), { ...volunteer }))).toBe(
      'COORDINATION_ERR_NOT_A_MEMBER_ROLE',
    );
    expect(await errorCode(c.submissions.enrol(office(SHUSHAN), dept('luyang-psb', 'police', LUYANG)))).toBe(
      'COORDINATION_ERR_MEMBER_NOT_FOUND',
    );
  });
});

describe('reminders and the late list', () => {
  it('remind each member that has not submitted once per stage, and list the late after the deadline', async () => {
    const c = await coordination();
    const members = [
      dept('shushan-psb', 'police', SHUSHAN),
      dept('luyang-psb', 'police', LUYANG),
      dept('luyang-health', 'health', LUYANG),
    ];
    for (const m of members) await c.submissions.enrol(office(HEFEI), m);
    // Enrolling again changes nothing.
    await c.submissions.enrol(office(HEFEI), members[0]!);
    expect((await c.submissions.members(office(HEFEI))).length).toBe(3);
    expect((await c.submissions.members(office(SHUSHAN))).map((m) => m.agencyId)).toEqual(['shushan-psb']);

    const reminders = () =>
      c.persistence.outbox
        .ofType('homeward.coordination.submission-reminder')
        .map((e) => `${e.data.agencyId} ${e.data.stage}`);
    expect(await c.reminders.check()).toMatchObject({ due: 0, raised: 0 });

    c.clock.set('2027-01-02T02:00:00Z');
    expect(await c.reminders.check()).toMatchObject({ due: 3, raised: 3 });
    expect(await c.reminders.check()).toMatchObject({ due: 0, raised: 0 });
    await c.submissions.submit(members[0]!, { year: 2026, own, narrative: 'n' });
    await c.submissions.submit(members[1]!, { year: 2026, own, narrative: 'n' });
    await c.submissions.review(office(LUYANG), '2026:340103:luyang-psb', 'returned', 'incomplete');

    c.clock.set('2027-01-26T02:00:00Z');
    await c.reminders.check();
    // Submitted (even if returned since): no more reminders for the year.
    // The index hands out ties by id: the openings in that order, then the one due-soon.
    expect(reminders()).toEqual([
      'luyang-health opening',
      'luyang-psb opening',
      'shushan-psb opening',
      'luyang-health due-soon',
    ]);
    expect(await c.submissions.late(office(HEFEI), 2026)).toEqual([]);

    c.clock.set('2027-02-02T02:00:00Z');
    await c.reminders.check();
    expect(reminders().slice(4)).toEqual(['luyang-health overdue']);
    const late = await c.submissions.late(office(HEFEI), 2026);
    expect(late.map((l) => `${l.agencyId} ${l.state}`)).toEqual([
      'luyang-health not-submitted',
      'luyang-psb returned-not-resubmitted',
    ]);
    expect(await c.submissions.late(office(SHUSHAN), 2026)).toEqual([]);
    // The next year is in the index already: 2027's report, reminded from 1 January 2028.
    expect(await c.index.due(new Date('2028-01-01T02:00:00Z'), 10)).toEqual(
      expect.arrayContaining(['2027:340103:luyang-health', '2027:340104:shushan-psb']),
    );

    // A retired member is reminded no more.
    await c.submissions.retire(office(HEFEI), LUYANG, 'luyang-health');
    c.clock.set('2028-01-02T02:00:00Z');
    await c.reminders.check();
    expect(reminders().filter((r) => r.startsWith('luyang-health'))).toHaveLength(3);
    expect(reminders().slice(5)).toEqual(['luyang-psb opening', 'shushan-psb opening']);
  });

  it('rebuilds the index from the roster at start', async () => {
    const c = await coordination();
    await c.submissions.enrol(office(HEFEI), dept('shushan-psb', 'police', SHUSHAN));
    const fresh = new MemoryDueIndex();
    const again = new SubmissionService({
      store: c.store,
      index: fresh,
      clock: c.clock,
      calendar: { utcOffsetMinutes: 480, dueSoonDays: 7 },
    });
    expect(await again.rebuildReminders()).toBe(1);
    expect(await fresh.size()).toBe(1);
  });
});

describe('oversight over memory stores', () => {
  it('supervision lists the seeded scenario’s missed duties, in scope, and a redelivery changes nothing', async () => {
    const c = await coordination();
    c.clock.set('2027-01-10T02:00:00Z');
    const key = (m: {
      duty: string;
      region: string;
      department: string;
      record: { kind: string; id: string };
    }) => `${m.duty} ${m.region} ${m.department} ${m.record.kind}:${m.record.id}`;
    expect((await c.oversight.supervision(office(HEFEI))).missed.map(key).sort()).toEqual(EXPECTED_MISSED);
    const before = await c.oversight.rollup(office(HEFEI), 2026);
    for (const e of seededYear().slice(0, 12)) await c.project(e, c.ctx);
    // Figures count each event once, however often it is delivered.
    expect((await c.oversight.rollup(office(HEFEI), 2026)).platform).toEqual(before.platform);
    expect((await c.oversight.supervision(office(HEFEI))).missed.map(key).sort()).toEqual(EXPECTED_MISSED);
    expect((await c.oversight.supervision(office(SHUSHAN))).missed).toHaveLength(4);
    expect(await errorCode(c.oversight.supervision(office(SHUSHAN), LUYANG))).toBe(
      'COORDINATION_ERR_SUBMISSION_NOT_FOUND',
    );
  });

  it('count victims by sex and age group in the pre-fill and the roll-up (the figures the dashboard counts)', async () => {
    const c = await coordination();
    c.clock.set('2027-01-10T02:00:00Z');
    const police = dept('shushan-psb', 'police', SHUSHAN);
    const before = await c.submissions.prefill(police, 2026);
    const womanRescued = createEvent(
      'homeward.case.victims-rescued',
      {
        caseId: 'A1',
        rescuedAt: '2026-09-01T09:00:00+08:00',
        place: 'a farm',
        region: SHUSHAN,
        victims: [
          { victimId: 'A1.v2', category: 'adult', sex: 'female', ageGroup: '18-and-over' },
          { victimId: 'A1.v3', category: 'child', sex: 'male', ageGroup: '14-17' },
        ],
      },
      { source: ownerSource('homeward.case.victims-rescued'), id: 'victims-1' },
    );
    await c.project(womanRescued, c.ctx);
    await c.project(womanRescued, c.ctx);
    const after = await c.submissions.prefill(police, 2026);
    expect(after['victims:rescued:female:18-and-over']).toBe(
      before['victims:rescued:female:18-and-over'] + 1,
    );
    expect(after['victims:rescued:male:14-17']).toBe(before['victims:rescued:male:14-17'] + 1);
    // A woman is a woman: not a child rescued.
    expect(after.childrenRescued).toBe(before.childrenRescued);
    const tree = await c.oversight.rollup(office(HEFEI), 2026);
    expect(tree.platform['victims:rescued:female:18-and-over']).toBe(
      after['victims:rescued:female:18-and-over'],
    );
    expect(tree.children[1]!.platform['victims:rescued:male:14-17']).toBe(
      after['victims:rescued:male:14-17'],
    );

    // The printed report lists the victims there are, not sixty zeros.
    const { doc } = await c.submissions.submit(police, { year: 2026, own, narrative: 'our year' });
    const lines = reportLayout(doc).platform;
    expect(lines.find((l) => l.key === 'victims:rescued:female:18-and-over')).toMatchObject({
      label: 'Victims rescued: female, 18 and over',
      value: after['victims:rescued:female:18-and-over'],
    });
    expect(lines.every((l) => !l.key.startsWith('victims:') || l.value > 0)).toBe(true);
    expect(lines.find((l) => l.key === 'teamsAssigned')?.value).toBe(2);
  });

  it('the roll-up of the prefecture is the sum of its counties', async () => {
    const c = await coordination();
    const tree = await c.oversight.rollup(office(HEFEI), 2026);
    expect(tree.children.map((n) => n.region)).toEqual([LUYANG, SHUSHAN]);
    expect(tree.platform.casesOpened).toBe(6);
    expect(tree.children.map((n) => n.platform.casesOpened)).toEqual([3, 3]);
  });
});
