import { uniqueName, waitFor } from '@homeward/testing';
import { describe, expect, it } from 'vitest';
import { cancelled, destination, issued, notificationsStack, putUnit } from '../support.ts';

// One partition: every alert of this file is on it, so a test of "one alert does not hold back
// another" is about alerts the consumer reads one after the other, not about two partitions.
// undici's timers tick every half second (later under load): a 1,000 ms deadline fires 1.0–1.5 s
// after the request, a 3,000 ms one (the third attempt's) 3.0–3.5 s after. An answer after 2.6 s
// misses the first deadline and makes the third.
const TIMEOUT_MS = 1000;
const UNIT_AGENCY = 'hefei-south-station-police-post';

const stack = notificationsStack('notif-slow', {
  partitions: 1,
  env: { WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS) },
});

const outcomeOf = (alertId: string, type: string, kind = 'alert') =>
  stack.outcomes.events.filter((e) => {
    const d = e.data as { alertId: string; kind: string };
    return e.type === type && d.alertId === alertId && d.kind === kind;
  });
const settled = (alertId: string, kind = 'alert') =>
  outcomeOf(alertId, 'homeward.notification.delivered', kind).length +
  outcomeOf(alertId, 'homeward.notification.failed', kind).length;

describe('units that answer late or not at all', () => {
  it('a unit that has the webhook and answers after the deadline is notified, not failed, for every alert and cancellation (the coverage bug)', async () => {
    const tag = uniqueName('late');
    const center = { lat: 36.06, lon: 120.38 };
    const late = Array.from({ length: 4 }, (_, i) => `${tag}-late${i}`);
    const down = `${tag}-down`;
    const ok = `${tag}-ok`;
    // Answers after 2.6× the deadline: what receivers sharing a starved event loop did in the
    // simulator's drill (they received, verified and acknowledged; their 204 came seconds later).
    for (const [i, id] of late.entries()) {
      await putUnit(stack.svc, stack.receiver, id, destination(center, 2 + i, 40 * i), {
        agencyId: UNIT_AGENCY,
      });
      stack.receiver.answerAfterMs.set(id, TIMEOUT_MS * 2.6);
    }
    await putUnit(stack.svc, stack.receiver, down, destination(center, 3, 200));
    stack.receiver.behaviour.set(down, 'fail');
    await putUnit(stack.svc, stack.receiver, ok, destination(center, 4, 300));
    const everyone = [...late, down, ok];

    // Three alerts one after another, then their cancellations: before the fix, the first
    // alert's late answers counted as failed attempts, the unit's circuit opened, and every
    // later delivery (the cancellations too) was refused by it and reported failed, unsent.
    const alerts = [0, 1, 2].map((n) => `alert-${tag}-${n}`);
    for (const alertId of alerts) {
      await stack.svc.publish(issued(alertId, { center, radiusKm: 20 }));
      await waitFor(() => settled(alertId) === everyone.length, {
        what: `${alertId} settled`,
        timeoutMs: 30_000,
      });
    }
    for (const alertId of alerts) await stack.svc.publish(cancelled(alertId));
    for (const alertId of alerts)
      await waitFor(() => settled(alertId, 'cancellation') === everyone.length, {
        what: `${alertId} cancellation settled`,
        timeoutMs: 30_000,
      });

    for (const alertId of alerts) {
      // Outcome events go out before the ledger is settled: wait for the coverage to have them.
      const cov = await waitFor(
        async () => {
          const c = await stack.svc.call('GET', `/v1/alerts/${alertId}/coverage`, { role: 'police' });
          return c.body.pending === 0 && c.body.cancellation?.pending === 0 ? c : undefined;
        },
        { what: `${alertId} coverage settled` },
      );
      expect(cov.status).toBe(200);
      expect(cov.body, alertId).toMatchObject({
        targeted: everyone.length,
        notified: everyone.length - 1,
        failed: 1,
        pending: 0,
        cancellation: { notified: everyone.length - 1, failed: 1, pending: 0 },
      });
      const failed = outcomeOf(alertId, 'homeward.notification.failed').map(
        (e) => (e.data as { unitId: string }).unitId,
      );
      expect(failed).toEqual([down]);
      for (const id of late) {
        const delivered = outcomeOf(alertId, 'homeward.notification.delivered').find(
          (e) => (e.data as { unitId: string }).unitId === id,
        );
        // Confirmed by a retry (each waits longer), with the same webhook-id as the first try.
        expect(delivered, id).toBeDefined();
        const got = stack.receiver
          .of(id, 'homeward.alert.issued')
          .filter((r) => JSON.parse(r.body).data.alertId === alertId);
        expect(new Set(got.map((r) => r.headers['webhook-id'])).size).toBe(1);
      }
    }
  });

  it('an acknowledgement proves receipt: a unit whose answer never came in time but which acknowledged counts as notified', async () => {
    const tag = uniqueName('ack');
    const center = { lat: 43.82, lon: 125.32 };
    const unit = `${tag}-mute`;
    await putUnit(stack.svc, stack.receiver, unit, destination(center, 2, 10), { agencyId: UNIT_AGENCY });
    stack.receiver.behaviour.set(unit, 'hang');
    const alertId = `alert-${tag}`;
    await stack.svc.publish(issued(alertId, { center, radiusKm: 20 }));
    await waitFor(() => stack.receiver.of(unit).length > 0, { what: 'the unit has the alert' });
    const ack = await stack.svc.call('POST', `/v1/alerts/${alertId}/acks`, {
      role: 'unit',
      body: { unitId: unit },
    });
    expect(ack.status).toBe(201);
    await waitFor(() => settled(alertId) === 1, { what: 'its delivery settled', timeoutMs: 30_000 });
    expect(outcomeOf(alertId, 'homeward.notification.failed')).toHaveLength(1);
    const cov = await stack.svc.call('GET', `/v1/alerts/${alertId}/coverage`, { role: 'police' });
    expect(cov.body).toMatchObject({ targeted: 1, notified: 1, failed: 0, acknowledged: 1 });
  });

  it('a hanging unit does not hold back the next alert on the same partition', async () => {
    const tag = uniqueName('hang');
    const first = { lat: 45.75, lon: 126.63 };
    const second = { lat: 22.82, lon: 108.32 };
    const hanging = `${tag}-hanging`;
    await putUnit(stack.svc, stack.receiver, hanging, destination(first, 2, 10));
    stack.receiver.behaviour.set(hanging, 'hang');
    const others = Array.from({ length: 5 }, (_, i) => `${tag}-b${i}`);
    for (const [i, id] of others.entries())
      await putUnit(stack.svc, stack.receiver, id, destination(second, 2 + i, 60 * i));
    const a = `alert-${tag}-a`;
    const b = `alert-${tag}-b`;
    await stack.svc.publish(issued(a, { center: first, radiusKm: 20 }));
    await waitFor(() => stack.receiver.of(hanging).length > 0, { what: 'the hanging unit has alert A' });
    const sentAt = Date.now();
    await stack.svc.publish(issued(b, { center: second, radiusKm: 20 }));
    await waitFor(() => outcomeOf(b, 'homeward.notification.delivered').length === others.length, {
      what: 'alert B delivered',
    });
    const bDoneAt = Date.now();
    // Alert A is still waiting on its hanging unit (its attempts wait 1, 2 and 3 s).
    expect(settled(a)).toBe(0);
    expect(bDoneAt - sentAt).toBeLessThan(TIMEOUT_MS * 3);
    await waitFor(() => outcomeOf(a, 'homeward.notification.failed').length === 1, {
      what: 'A fails on its hanging unit',
      timeoutMs: 30_000,
    });
    expect(outcomeOf(a, 'homeward.notification.failed')[0]!.data).toMatchObject({
      unitId: hanging,
      reason: 'timeout',
      attempts: 3,
    });
  });
});
