import { ManualClock } from '@homeward/service-kit';
import { createTestTopics, deleteTestTopics, type TopicCollector, uniqueName } from '@homeward/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decision,
  newCaseId,
  openedMissing,
  placementEventsCollector,
  type RunningPlacement,
  rescued,
  startPlacement,
} from '../support.ts';

let prefix: string;
let placementEvents: TopicCollector;
const dbName = uniqueName('placement_overdue').replaceAll('-', '_');
// Decisions on 2026-11-28 (China). The medical follow-up is due 2026-12-12, vocational training 2027-01-27.
const clock = new ManualClock('2026-11-28T02:00:00Z');
const running: RunningPlacement[] = [];

beforeAll(async () => {
  prefix = await createTestTopics('placement-overdue');
  placementEvents = await placementEventsCollector(prefix);
});

afterAll(async () => {
  await running[0]?.rt.redis.redis.del(running[0].app.index.key);
  await running[0]?.rt.mongo.db.dropDatabase();
  for (const s of running) await s.stop();
  await placementEvents?.stop();
  await deleteTestTopics(prefix);
});

async function start(consumers: boolean): Promise<RunningPlacement> {
  const s = await startPlacement({ prefix, dbName, clock, consumers });
  running.push(s);
  return s;
}

const overdueOf = (followupId: string) =>
  placementEvents.events.filter(
    (e) =>
      e.type === 'homeward.followup.overdue' && (e.data as { followupId: string }).followupId === followupId,
  );

describe('overdue follow-ups', () => {
  it('are raised once with two checkers racing, once after a restart, and never when done', async () => {
    const a = await start(true);
    const b = await start(false);
    const caseId = newCaseId();
    const doneCase = newCaseId();
    await a.publish(openedMissing(caseId, '2009-01-01'), rescued(caseId));
    // Rescued in Shushan (340104), the hospital's county: it completes the medical follow-up there.
    await a.publish(openedMissing(doneCase, '2021-01-01'), rescued(doneCase, { region: '340104' }));
    await a.caseDoc(caseId, (d) => d.facts.rescue !== undefined);
    await a.caseDoc(doneCase, (d) => d.facts.rescue !== undefined);
    const placed = await a.call('POST', '/v1/placements', decision(caseId));
    expect(placed.status).toBe(201);
    const medical = placed.body.followups.find(
      (f: { type: string }) => f.type === 'medical-psychological-rehabilitation',
    );
    const vocational = placed.body.followups.find((f: { type: string }) => f.type === 'vocational-training');
    expect([medical.dueDate, vocational.dueDate]).toEqual(['2026-12-12', '2027-01-27']);
    // The other case (a 5-year-old: medical care and legal aid) is done before it is due: never raised.
    const other = await b.call('POST', '/v1/placements', decision(doneCase));
    const otherMedical = other.body.followups.find(
      (f: { type: string }) => f.type === 'medical-psychological-rehabilitation',
    );
    expect(
      (
        await b.call(
          'POST',
          `/v1/followups/${otherMedical.followupId}/complete`,
          { hospital: 'Anhui Provincial Hospital' },
          { role: 'health' },
        )
      ).status,
    ).toBe(200);
    // Both children's legal aid (the women's federation's) is done in time: it stays out of this.
    for (const body of [placed.body, other.body]) {
      const legal = body.followups.find((f: { type: string }) => f.type === 'legal-aid');
      const res = await b.call(
        'POST',
        `/v1/followups/${legal.followupId}/complete`,
        { note: 'rights explained to the guardian' },
        { role: 'womens-federation' },
      );
      expect(res.status).toBe(200);
    }

    // 23:00 on the due date in China: still on time.
    clock.set('2026-12-12T15:00:00Z');
    expect((await a.app.overdue.check()).raised + (await b.app.overdue.check()).raised).toBe(0);

    // Midnight after the due date: overdue. Two checkers race; exactly one raises it.
    clock.set('2026-12-12T16:00:00Z');
    const raced = await Promise.all([a.app.overdue.check(), b.app.overdue.check(), a.app.overdue.check()]);
    expect(raced.reduce((n, r) => n + r.raised, 0)).toBe(1);
    await placementEvents.waitForEvent(
      (e) =>
        e.type === 'homeward.followup.overdue' &&
        (e.data as { followupId: string }).followupId === medical.followupId,
    );
    const stored = (await a.app.store.get(caseId))!.followups.find(
      (f) => f.followupId === medical.followupId,
    )!;
    expect(stored.overdueRaisedAt).toBe('2026-12-12T16:00:00.000Z');
    expect(overdueOf(medical.followupId)[0]?.data).toMatchObject({
      caseId,
      type: 'medical-psychological-rehabilitation',
      dueDate: '2026-12-12',
      detectedAt: '2026-12-12T16:00:00.000Z',
    });

    // It stays listed as overdue until done.
    const listed = await a.call('GET', `/v1/followups?overdue=true`, undefined, { role: 'operator' });
    expect(listed.body.items.map((f: { followupId: string }) => f.followupId)).toEqual([medical.followupId]);

    // Later checks raise nothing more.
    clock.set('2026-12-20T00:00:00Z');
    expect((await a.app.overdue.check()).raised + (await b.app.overdue.check()).raised).toBe(0);

    // A restart, with the Redis index lost as well: rebuilt from MongoDB, nothing is raised twice,
    // and what comes due later is still raised.
    await a.stop();
    running.splice(running.indexOf(a), 1);
    await b.rt.redis.redis.del(b.app.index.key);
    const c = await start(false);
    expect(await c.app.index.size()).toBe(1);
    expect((await c.app.overdue.check()).raised + (await b.app.overdue.check()).raised).toBe(0);
    clock.set('2027-01-27T16:00:00Z');
    const later = await Promise.all([c.app.overdue.check(), b.app.overdue.check()]);
    expect(later.reduce((n, x) => n + x.raised, 0)).toBe(1);
    await placementEvents.waitForEvent(
      (e) =>
        e.type === 'homeward.followup.overdue' &&
        (e.data as { followupId: string }).followupId === vocational.followupId,
    );
    expect(await c.app.index.size()).toBe(0);

    // Give any copy time to arrive, then count. The relay publishes at least once (two relays
    // may both flush one outbox), so a copy may arrive, with the same event id, which consumers
    // drop: what must be one per follow-up is the event id.
    await new Promise((res) => setTimeout(res, 1000));
    const ids = (followupId: string) => [...new Set(overdueOf(followupId).map((e) => e.id))];
    expect(ids(medical.followupId)).toEqual([`${medical.followupId}.overdue`]);
    expect(ids(vocational.followupId)).toEqual([`${vocational.followupId}.overdue`]);
    expect(overdueOf(otherMedical.followupId)).toHaveLength(0);
    const claims = await c.app.store.overdueClaims.count({ caseId });
    expect(claims).toBe(2);
  });

  it('finishes a raise that a crash cut short without raising it again', async () => {
    // The instances left running do not consume; a restarted one with consumers does.
    const svc = await start(true);
    const caseId = newCaseId();
    await svc.publish(openedMissing(caseId, '2021-01-01'), rescued(caseId));
    await svc.caseDoc(caseId, (d) => d.facts.rescue !== undefined);
    const placed = await svc.call('POST', '/v1/placements', decision(caseId));
    const medical = placed.body.followups[0];
    const legal = placed.body.followups.find((f: { type: string }) => f.type === 'legal-aid');
    await svc.call(
      'POST',
      `/v1/followups/${legal.followupId}/complete`,
      { note: 'done' },
      { role: 'womens-federation' },
    );
    // A checker claimed it (its event published) and died before marking the follow-up.
    await svc.app.store.claimOverdue({
      _id: medical.followupId,
      caseId,
      detectedAt: '2026-12-13T01:00:00.000Z',
    });
    expect(await svc.app.placements.raiseOverdue(caseId)).toBe(0);
    const f = (await svc.app.store.get(caseId))!.followups[0]!;
    expect(f.overdueRaisedAt).toBe('2026-12-13T01:00:00.000Z');
    await new Promise((res) => setTimeout(res, 500));
    expect(overdueOf(medical.followupId)).toHaveLength(0);
  });
});
