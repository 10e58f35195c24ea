import { uniqueName, waitFor } from '@homeward/testing';
import { describe, expect, it } from 'vitest';
import { destination, issued, notificationsStack, putUnit } from '../support.ts';

// A burst in miniature: few slots, so a unit that hangs could take them all if the sender let it.
// One partition: the alerts are read one after the other and handled side by side.
const TIMEOUT_MS = 3000;
const SLOTS = 4;
const PER_UNIT = 2;

const stack = notificationsStack('notif-burst', {
  partitions: 1,
  env: {
    WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS),
    WEBHOOK_ATTEMPTS: '1',
    WEBHOOK_CONCURRENCY: String(SLOTS),
    WEBHOOK_PER_UNIT_IN_FLIGHT: String(PER_UNIT),
  },
});

const outcomesOf = (type: string, unitId: string) =>
  stack.outcomes.events.filter((e) => e.type === type && (e.data as { unitId: string }).unitId === unitId);

describe('a burst with a hanging and a failing unit in every alert', () => {
  it('the hanging unit holds at most its own few slots: every other unit gets every alert without waiting for it', async () => {
    const tag = uniqueName('burst');
    const center = { lat: 30.59, lon: 114.3 };
    const hanging = `${tag}-hang`;
    const failing = `${tag}-fail`;
    const healthy = Array.from({ length: 8 }, (_, i) => `${tag}-ok${i}`);
    // The hanging unit nearest the centre, so it is among the first of every alert.
    await putUnit(stack.svc, stack.receiver, hanging, destination(center, 0.2, 0));
    await putUnit(stack.svc, stack.receiver, failing, destination(center, 0.4, 90));
    for (const [i, id] of healthy.entries())
      await putUnit(stack.svc, stack.receiver, id, destination(center, 1 + i, 40 * i));
    stack.receiver.behaviour.set(hanging, 'hang');
    stack.receiver.behaviour.set(failing, 'fail');

    // More alerts than there are slots, every one of them to the hanging unit.
    const alerts = Array.from({ length: 6 }, (_, i) => `alert-${tag}-${i}`);
    await stack.svc.publish(...alerts.map((a) => issued(a, { center, radiusKm: 20 })));
    const alertOf = (r: { headers: Record<string, unknown> }) =>
      String(r.headers['webhook-id']).split('.')[0];
    await waitFor(
      () =>
        healthy.every((id) => new Set(stack.receiver.of(id).map(alertOf)).size === alerts.length) &&
        stack.outcomes.events.filter(
          (e) =>
            e.type === 'homeward.notification.delivered' &&
            alerts.includes((e.data as { alertId: string }).alertId),
        ).length ===
          healthy.length * alerts.length,
      { what: 'every healthy unit has every alert, reported delivered', timeoutMs: 30_000 },
    );

    // Never more than its own few requests open to the hanging unit (SLOTS - PER_UNIT stayed free).
    expect(stack.receiver.maxOpen.get(hanging)).toBeGreaterThan(0);
    expect(stack.receiver.maxOpen.get(hanging)!).toBeLessThanOrEqual(PER_UNIT);
    // Each alert reached its healthy units within less than one of the hanging unit's deadlines:
    // none of them waited for a slot the hanging unit held.
    for (const a of alerts) {
      const at = healthy.flatMap((id) =>
        stack.receiver
          .of(id)
          .filter((r) => alertOf(r) === a)
          .map((r) => r.at),
      );
      expect(Math.max(...at) - Math.min(...at), a).toBeLessThan(TIMEOUT_MS);
    }
    // Each healthy unit was sent each alert once (no retry was needed), and reported delivered once.
    for (const id of healthy) {
      expect(stack.receiver.of(id), id).toHaveLength(alerts.length);
      expect(outcomesOf('homeward.notification.delivered', id), id).toHaveLength(alerts.length);
    }
    // The hanging unit has not been given up on for every alert yet: its deliveries go on,
    // two at a time, after the others are done.
    expect(outcomesOf('homeward.notification.failed', hanging).length).toBeLessThan(alerts.length);

    // In the end both bad units are reported failed for every alert, with a generic reason.
    await waitFor(
      () =>
        outcomesOf('homeward.notification.failed', hanging).length === alerts.length &&
        outcomesOf('homeward.notification.failed', failing).length === alerts.length,
      { what: 'the hanging and the failing unit reported failed', timeoutMs: 60_000 },
    );
    expect(
      new Set(
        outcomesOf('homeward.notification.failed', hanging).map((e) => (e.data as { reason: string }).reason),
      ),
    ).toEqual(new Set(['timeout']));
    expect(stack.receiver.maxOpen.get(hanging)!).toBeLessThanOrEqual(PER_UNIT);
  });
});
