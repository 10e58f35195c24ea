import { uniqueName, waitFor } from '@homeward/testing';
import { describe, expect, it } from 'vitest';
import { destination, issued, notificationsStack, putUnit } from '../support.ts';

// The outcome batcher holds settling back while a fan-out's webhooks queue and while answers keep
// coming (src/delivery/outcome-batcher.ts, holdsBack). Here a unit hangs far longer than the
// deferral bound while few slots keep the others queued: the others' outcomes must still be
// published and recorded, each exactly once, while the hanging request is open; the hanging unit's
// own, once its connection drops, exactly once too.

const stack = notificationsStack('notif-outcomes', {
  partitions: 1,
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

describe('outcomes while a fan-out is under way', () => {
  it('a hanging unit holds back nobody’s outcome; every outcome is published and recorded exactly once', async () => {
    const tag = uniqueName('outcomes');
    const center = { lat: 29.56, lon: 106.55 };
    const hanging = `${tag}-hang`;
    const healthy = Array.from({ length: 40 }, (_, i) => `${tag}-ok${i}`);
    await putUnit(stack.svc, stack.receiver, hanging, destination(center, 0.2, 0));
    for (const [i, id] of healthy.entries())
      await putUnit(stack.svc, stack.receiver, id, destination(center, 1 + i / 4, 9 * i));
    stack.receiver.behaviour.set(hanging, 'hang');
    const alertId = `alert-${tag}`;
    const ofAlert = (type: string) =>
      stack.outcomes.events.filter(
        (e) => e.type === type && (e.data as { alertId: string }).alertId === alertId,
      );
    const unitsOf = (type: string) => ofAlert(type).map((e) => (e.data as { unitId: string }).unitId);

    await stack.svc.publish(issued(alertId, { center, radiusKm: 20 }));
    await waitFor(() => ofAlert('homeward.notification.delivered').length >= healthy.length, {
      what: 'every healthy unit reported delivered',
      timeoutMs: 60_000,
    });
    // The hanging unit has the webhook and has not answered: its request is still open.
    expect(stack.receiver.of(hanging)).toHaveLength(1);
    expect(unitsOf('homeward.notification.failed')).not.toContain(hanging);
    expect(unitsOf('homeward.notification.delivered').sort()).toEqual([...healthy].sort());
    const records = async () =>
      (
        await stack.svc.rt.mongo.db
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
    await stack.receiver.stop();
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
