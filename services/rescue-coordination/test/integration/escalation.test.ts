import { type CloudEvent, Topics } from '@homeward/events';
import { ManualClock } from '@homeward/service-kit';
import {
  createTestTopics,
  deleteTestTopics,
  type TopicCollector,
  uniqueName,
  waitFor,
} from '@homeward/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countOutcomes } from '../../src/escalation-worker.ts';
import {
  collector,
  dropDatabases,
  dropRedisKeys,
  HOUR,
  MINUTE,
  missingChildOpened,
  national,
  type RunningRescue,
  startRescue,
} from '../support.ts';

let prefix: string;
let alertEvents: TopicCollector;
const running: RunningRescue[] = [];

beforeAll(async () => {
  prefix = await createTestTopics('rescue-escalation');
  alertEvents = await collector(prefix, Topics.alertEvents);
});

afterAll(async () => {
  await alertEvents.stop();
  for (const r of running) await r.stop();
  await dropDatabases(running.map((r) => r.dbName));
  await dropRedisKeys(prefix);
  await deleteTestTopics(prefix);
});

/** An instance without consumers: cases are handed to it as its consumer would hand them. */
async function instance(opts: {
  clock: ManualClock;
  dbName: string;
  prefix?: string;
}): Promise<RunningRescue> {
  const r = await startRescue({
    prefix: opts.prefix ?? prefix,
    dbName: opts.dbName,
    clock: opts.clock,
    consumers: false,
  });
  running.push(r);
  return r;
}

/** A police missing-child case, last seen `minutesAgo`: its alert goes out at once. */
async function openCase(svc: RunningRescue, clock: ManualClock, minutesAgo: number): Promise<string> {
  const event = missingChildOpened({ lastSeenAt: new Date(clock.now().getTime() - minutesAgo * MINUTE) });
  await svc.app.service.recordOpened(event);
  const alert = await svc.app.alerts.afterOpened(event.data);
  if (!alert) throw new Error('no alert issued');
  return alert.alertId;
}

const alertOf = async (svc: RunningRescue, alertId: string) => svc.app.alerts.getAlert(alertId, national);
const eventsOf = (alertId: string, type: string) =>
  alertEvents.events.filter(
    (e: CloudEvent) => e.type === type && (e.data as { alertId: string }).alertId === alertId,
  );

describe('escalation at the right elapsed times', () => {
  it('widens 100 → 200 → 300 → 500 km at 1, 2 and 3 hours after last seen, and never again', async () => {
    const clock = new ManualClock('2026-11-28T08:00:00Z');
    const svc = await instance({ clock, dbName: uniqueName('rescue_esc').replaceAll('-', '_') });
    const alertId = await openCase(svc, clock, 10); // last seen 07:50
    const seen = new Date('2026-11-28T07:50:00Z').getTime();
    expect(await alertOf(svc, alertId)).toMatchObject({ step: 0, radiusKm: 100 });

    const expected = [
      [HOUR - 1, 0, 100],
      [HOUR, 1, 200],
      [2 * HOUR - 1, 1, 200],
      [2 * HOUR, 2, 300],
      [3 * HOUR - 1, 2, 300],
      [3 * HOUR, 3, 500],
      [30 * HOUR, 3, 500],
    ] as const;
    for (const [elapsed, step, radiusKm] of expected) {
      clock.set(new Date(seen + elapsed));
      await svc.app.scheduler.tick();
      await svc.app.scheduler.tick();
      const a = await alertOf(svc, alertId);
      expect({ elapsed, step: a?.step, radiusKm: a?.radiusKm }).toEqual({ elapsed, step, radiusKm });
    }
    expect((await alertOf(svc, alertId))?.nextDueAt).toBeNull();
    await waitFor(() => eventsOf(alertId, 'homeward.alert.escalated').length === 3, {
      what: 'three escalations',
    });
    const escalations = eventsOf(alertId, 'homeward.alert.escalated');
    expect(escalations.map((e) => [e.id, (e.data as { previousRadiusKm: number }).previousRadiusKm])).toEqual(
      [
        [`${alertId}.step-1`, 100],
        [`${alertId}.step-2`, 200],
        [`${alertId}.step-3`, 300],
      ],
    );
    expect(escalations.map((e) => e.time)).toEqual([
      new Date(seen + HOUR).toISOString(),
      new Date(seen + 2 * HOUR).toISOString(),
      new Date(seen + 3 * HOUR).toISOString(),
    ]);
  });

  it('a late alert starts at the radius its elapsed time calls for', async () => {
    const clock = new ManualClock('2026-11-28T08:00:00Z');
    const svc = await instance({ clock, dbName: uniqueName('rescue_late').replaceAll('-', '_') });
    const at150 = await openCase(svc, clock, 150);
    const at240 = await openCase(svc, clock, 240);
    const at60 = await openCase(svc, clock, 60);
    expect(await alertOf(svc, at150)).toMatchObject({
      step: 2,
      rung: 2,
      radiusKm: 300,
      nextDueAt: new Date('2026-11-28T08:30:00Z'),
    });
    expect(await alertOf(svc, at240)).toMatchObject({ step: 3, radiusKm: 500, nextDueAt: null });
    expect(await alertOf(svc, at60)).toMatchObject({ step: 1, radiusKm: 200 });
    const issued = await waitFor(() => eventsOf(at150, 'homeward.alert.issued')[0], { what: 'issued' });
    expect(issued.data).toMatchObject({ step: 2, radiusKm: 300 });
    clock.advance(30 * MINUTE);
    const tick = countOutcomes(await svc.app.scheduler.tick());
    expect(tick.escalated).toBe(1); // at150 to 500 km; at60 is due at 09:00
    expect(await alertOf(svc, at150)).toMatchObject({ step: 3, radiusKm: 500 });
    expect(await alertOf(svc, at60)).toMatchObject({ step: 1, radiusKm: 200 });
  });
});

describe('durable and exactly once', () => {
  it('two instances ticking at once escalate each step of each alert exactly once', async () => {
    const clock = new ManualClock('2026-11-28T08:00:00Z');
    const dbName = uniqueName('rescue_two').replaceAll('-', '_');
    const shared = await createTestTopics('rescue-two');
    const a = await instance({ clock, dbName, prefix: shared });
    const b = await instance({ clock, dbName, prefix: shared });
    const events = await collector(shared, Topics.alertEvents);
    try {
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) ids.push(await openCase(i % 2 ? a : b, clock, 5));
      for (const hours of [1, 2, 3]) {
        clock.set(new Date(new Date('2026-11-28T07:55:00Z').getTime() + hours * HOUR));
        const ticks = await Promise.all([a, b, a, b].map((s) => s.app.scheduler.tick()));
        expect(ticks.reduce((n, t) => n + (countOutcomes(t).escalated ?? 0), 0)).toBe(ids.length);
        for (const id of ids) expect((await alertOf(a, id))?.step).toBe(hours);
      }
      // Called directly, past the scheduler: the case's lease alone keeps a step from happening twice.
      const id = await openCase(a, clock, 5);
      clock.advance(HOUR);
      const outcomes = await Promise.all([a, b, a].map((s) => s.app.alerts.escalateIfDue(id)));
      expect(outcomes.filter((o) => o === 'escalated')).toHaveLength(1);
      ids.push(id);

      // Each step is one event id. The relay publishes at least once (two relays may both
      // flush a document), so copies of an id may arrive; they are the same event, and
      // consumers drop them by id. Distinct ids must be exactly one per step.
      const expectedIds = ids.length * 3 - 2;
      const escalated = () => events.events.filter((e) => e.type === 'homeward.alert.escalated');
      await waitFor(() => new Set(escalated().map((e) => e.id)).size >= expectedIds, {
        what: `${expectedIds} escalations`,
      });
      await new Promise((r) => setTimeout(r, 500));
      const byId = new Map<string, string>();
      for (const e of escalated()) {
        const body = JSON.stringify(e.data);
        expect(byId.get(e.id) ?? body).toBe(body);
        byId.set(e.id, body);
      }
      expect(byId.size).toBe(expectedIds);
      for (const id of ids.slice(0, -1)) {
        expect([1, 2, 3].map((n) => byId.has(`${id}.step-${n}`))).toEqual([true, true, true]);
      }
    } finally {
      await events.stop();
      await dropRedisKeys(shared);
      await deleteTestTopics(shared);
    }
  });

  it('resumes after a restart: the schedule is rebuilt from MongoDB, even with Redis emptied', async () => {
    const clock = new ManualClock('2026-11-28T08:00:00Z');
    const dbName = uniqueName('rescue_restart').replaceAll('-', '_');
    const first = await instance({ clock, dbName });
    const alertId = await openCase(first, clock, 30);
    await first.stop();

    // Down for 100 minutes, and the Redis index lost meanwhile.
    const redisKey = `${prefix}rescue-coordination:alert-schedule`;
    clock.advance(100 * MINUTE);
    const second = await instance({ clock, dbName });
    expect(await second.rt.redis.redis.zscore(redisKey, alertId)).not.toBeNull();
    await second.rt.redis.redis.zrem(redisKey, alertId);
    await second.stop();
    const third = await instance({ clock, dbName });
    expect(Number(await third.rt.redis.redis.zscore(redisKey, alertId))).toBe(
      new Date('2026-11-28T08:30:00Z').getTime(),
    );
    const tick = countOutcomes(await third.app.scheduler.tick());
    expect(tick.escalated).toBe(1);
    // 07:30 + 130 min: one widening straight to the 300 km the time calls for, not two.
    expect(await alertOf(third, alertId)).toMatchObject({ step: 1, rung: 2, radiusKm: 300 });
    await waitFor(() => eventsOf(alertId, 'homeward.alert.escalated').length === 1, { what: 'escalation' });
  });

  it('a crash between the case write and the alert publication is finished at start', async () => {
    const clock = new ManualClock('2026-11-28T08:00:00Z');
    const dbName = uniqueName('rescue_crash').replaceAll('-', '_');
    const first = await instance({ clock, dbName });
    const event = missingChildOpened({
      lastSeenAt: new Date(clock.now().getTime() - 5 * MINUTE),
      by: 'hotline',
    });
    await first.app.service.recordOpened(event);
    // The crash: the relay dies before it publishes, so the write stands with alert.issued
    // still in the case's outbox.
    await first.rt.relay.stop();
    const alertId = (await first.app.alerts.issueAlert(event.data.caseId, national)).alertId;
    await first.stop();
    expect(eventsOf(alertId, 'homeward.alert.issued')).toHaveLength(0);
    const second = await instance({ clock, dbName });
    expect(await alertOf(second, alertId)).toMatchObject({ status: 'active' });
    expect((await second.call('GET', `/v1/cases/${event.data.caseId}`)).body.alerts).toHaveLength(1);
    await waitFor(() => eventsOf(alertId, 'homeward.alert.issued').length === 1, { what: 'alert.issued' });
  });
});
