import { type CloudEvent, validateEvent } from '@homeward/events';
import { uniqueName, waitFor } from '@homeward/testing';
import { describe, expect, it } from 'vitest';
import {
  CENTER,
  cancelled,
  destination,
  escalated,
  issued,
  notificationsStack,
  putUnit,
} from '../support.ts';

// Every notification event names its alert's case and region, so that a consumer (the
// dashboard) places it without having seen the alert: the alert comes on alert.events.v1, its
// notifications on notification.events.v1, and nothing orders the two topics.

const UNIT_AGENCY = 'hefei-south-station-police-post';

const stack = notificationsStack('notif-place');

const ofAlert = (alertId: string, type: string): CloudEvent[] =>
  stack.outcomes.events.filter((e) => e.type === type && (e.data as { alertId: string }).alertId === alertId);

describe('notification events carry their alert’s case and region', () => {
  it('on every delivery, failure and acknowledgement: the issue, an escalation, a cancellation', async () => {
    const tag = uniqueName('p');
    // Units registered in 340104; the alert's region is another, so the region on the events can
    // only be the alert's.
    await putUnit(stack.svc, stack.receiver, `${tag}-a`, destination(CENTER, 5, 0), {
      agencyId: UNIT_AGENCY,
    });
    await putUnit(stack.svc, stack.receiver, `${tag}-down`, destination(CENTER, 8, 120));
    await putUnit(stack.svc, stack.receiver, `${tag}-wide`, destination(CENTER, 150, 240));
    stack.receiver.behaviour.set(`${tag}-down`, 'fail');
    const alertId = `alert-${tag}`;
    const caseId = `case-${alertId}`;
    const region = '341502';
    await stack.svc.publish(issued(alertId, { radiusKm: 100, region }));
    await waitFor(
      () =>
        ofAlert(alertId, 'homeward.notification.delivered').length === 1 &&
        ofAlert(alertId, 'homeward.notification.failed').length === 1,
      { what: 'step 0 settled' },
    );
    // The escalation and the cancellation name no region: theirs comes from the stored alert.
    await stack.svc.publish(escalated(alertId, 1, 200, 100));
    await waitFor(() => ofAlert(alertId, 'homeward.notification.delivered').length === 2, {
      what: 'step 1 delivered',
    });
    const ack = await stack.svc.call('POST', `/v1/alerts/${alertId}/acks`, {
      role: 'unit',
      body: { unitId: `${tag}-a` },
    });
    expect(ack.status).toBe(201);
    await waitFor(() => ofAlert(alertId, 'homeward.notification.acknowledged').length === 1, {
      what: 'the acknowledgement published',
    });
    stack.receiver.behaviour.delete(`${tag}-down`);
    await stack.svc.publish(cancelled(alertId));
    const cancellations = () =>
      ofAlert(alertId, 'homeward.notification.delivered').filter(
        (e) => (e.data as { kind: string }).kind === 'cancellation',
      );
    await waitFor(() => cancellations().length === 3, { what: 'the cancellation delivered to all three' });

    const events = [
      ...ofAlert(alertId, 'homeward.notification.delivered'),
      ...ofAlert(alertId, 'homeward.notification.failed'),
      ...ofAlert(alertId, 'homeward.notification.acknowledged'),
    ];
    // 1 + 1 alert deliveries, 1 failure, 1 acknowledgement, 3 cancellation deliveries.
    expect(events).toHaveLength(7);
    for (const e of events) {
      expect(e.data).toMatchObject({ alertId, caseId, region });
      expect(validateEvent(e)).toEqual([]);
    }
    expect(ofAlert(alertId, 'homeward.notification.failed')[0]!.data).toMatchObject({
      unitId: `${tag}-down`,
      step: 0,
    });
    expect(
      ofAlert(alertId, 'homeward.notification.delivered').map((e) => (e.data as { step: number }).step),
    ).toEqual(expect.arrayContaining([0, 1]));
  });
});
