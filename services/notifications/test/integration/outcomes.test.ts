import {
  createTestTopics,
  deleteTestTopics,
  type TopicCollector,
  uniqueName,
  waitFor,
} from '@homeward/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  destination,
  dropTestState,
  issued,
  newDbName,
  notificationCollector,
  putUnit,
  Receiver,
  type RunningNotifications,
  startNotifications,
} from '../support.ts';

// The outcome batcher holds settling back while a fan-out's webhooks queue and while answers keep
// coming (src/delivery/outcome-batcher.ts, holdsBack). Here a unit hangs far longer than the
// deferral bound while few slots keep the others queued: the others' outcomes must still be
// published and recorded, each exactly once, while the hanging request is open; the hanging unit's
// own, once its connection drops, exactly once too.
let prefix: string;
const dbName = newDbName('notif_outcomes');
let svc: RunningNotifications;
let receiver: Receiver;
let outcomes: TopicCollector;

beforeAll(async () => {
  prefix = await createTestTopics('notif-outcomes', 1);
  receiver = await new Receiver().start();
  svc = await startNotifications({
    prefix,
    dbName,
    env: {
      // The hanging request outlives the test unless its connection drops.
      WEBHOOK_TIMEOUT_MS: '120000',
      WEBHOOK_DELIVERY_BUDGET_MS: '120000',
      WEBHOOK_ATTEMPTS: '1',
      // Few slots: the healthy units' webhooks queue behind each other (the batcher sees a busy sender).
      WEBHOOK_CONCURRENCY: '4',
      OUTCOME_MAX_DEFER_MS: '2000',
    },
  });
  outcomes = await notificationCollector(prefix);
});

afterAll(async () => {
  await outcomes.stop();
  await receiver.stop();
  await svc.stop();
  await dropTestState(prefix, dbName);
  await deleteTestTopics(prefix);
});

describe('outcomes while a fan-out is under way', () => {
  it('a hanging unit holds back nobody’s outcome; every outcome is published and recorded exactly once', async () => {
    const tag = uniqueName('outcomes');
    const center = { lat: 29.56, lon: 106.55 };
    const hanging = `${tag}-hang`;
    const healthy = Array.from({ length: 40 }, (_, i) => `${tag}-ok${i}`);
    await putUnit(svc, receiver, hanging, destination(center, 0.2, 0));
    for (const [i, id] of healthy.entries())
      await putUnit(svc, receiver, id, destination(center, 1 + i / 4, 9 * i));
    receiver.behaviour.set(hanging, 'hang');
    const alertId = `alert-${tag}`;
    const ofAlert = (type: string) =>
      outcomes.events.filter((e) => e.type === type && (e.data as { alertId: string }).alertId === alertId);
    const unitsOf = (type: string) => ofAlert(type).map((e) => (e.data as { unitId: string }).unitId);

    await svc.publish(issued(alertId, { center, radiusKm: 20 }));
    await waitFor(() => ofAlert('homeward.notification.delivered').length >= healthy.length, {
      what: 'every healthy unit reported delivered',
      timeoutMs: 60_000,
    });
    // The hanging unit has the webhook and has not answered: its request is still open.
    expect(receiver.of(hanging)).toHaveLength(1);
    expect(unitsOf('homeward.notification.failed')).not.toContain(hanging);
    expect(unitsOf('homeward.notification.delivered').sort()).toEqual([...healthy].sort());
    const records = async () =>
      (
        await svc.rt.mongo.db
          .collection<{ deliveries: Array<{ unitId: string; status: string }> }>('alert_deliveries')
          .find({ alertId })
          .toArray()
      ).flatMap((d) => d.deliveries);
    await waitFor(async () => (await records()).length >= healthy.length, {
      what: 'the healthy units recorded',
      timeoutMs: 30_000,
    });
    expect((await records()).map((r) => r.unitId).sort()).toEqual([...healthy].sort());

    // Its connection drops (the receiver goes away): reported failed, once.
    await receiver.stop();
    await waitFor(() => unitsOf('homeward.notification.failed').includes(hanging), {
      what: 'the hanging unit reported failed',
      timeoutMs: 60_000,
    });
    await waitFor(async () => (await records()).length > healthy.length, {
      what: 'the hanging unit recorded',
      timeoutMs: 30_000,
    });
    expect(unitsOf('homeward.notification.failed')).toEqual([hanging]);
    expect(unitsOf('homeward.notification.delivered')).toHaveLength(healthy.length);
    const all = await records();
    expect(all).toHaveLength(healthy.length + 1);
    expect(all.find((r) => r.unitId === hanging)?.status).toBe('failed');
  });
});
