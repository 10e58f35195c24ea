import { deadLetterTopic, encodeKafka, Topics } from '@homeward/events';
import { header, sendRaw, TopicCollector, uniqueName, waitFor } from '@homeward/testing';
import { describe, expect, it } from 'vitest';
import {
  CENTER,
  cancelled,
  destination,
  escalated,
  haversine,
  issued,
  notificationsStack,
  putUnit,
  verifyStandardWebhook,
} from '../support.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const UNIT_AGENCY = 'hefei-south-station-police-post';
// Each test has its own centre, about 1,000 km from the others, so its radii hold only its units.
const C2 = { lat: 23.13, lon: 113.26 };
const C3 = { lat: 39.9, lon: 116.4 };
const C4 = { lat: 30.57, lon: 104.07 };
const C5 = { lat: 26.07, lon: 119.3 };
const C6 = { lat: 45.75, lon: 126.63 };
const C7 = { lat: 43.83, lon: 87.62 };

const stack = notificationsStack('notif-fanout');

const outcomeOf = (alertId: string, type: string) =>
  stack.outcomes.events.filter((e) => e.type === type && (e.data as { alertId: string }).alertId === alertId);

describe('fan-out by radius, step by step, exactly once', () => {
  it('judges units within a metre of the radius on their indexed coordinates, as the domain’s haversine does', async () => {
    const tag = uniqueName('edge');
    const radiusKm = 10;
    // 30 units from 2 m inside to 2 m outside the radius, on bearings all round.
    for (let i = 0; i < 30; i++)
      await putUnit(
        stack.svc,
        stack.receiver,
        `${tag}-${i}`,
        destination(C6, radiusKm + (i - 14.5) * 0.00014, i * 12),
      );
    const redis = stack.svc.rt.redis.redis;
    const geoKey = `${stack.prefix}notifications:units:geo`;
    // The reference: every indexed unit's stored coordinates, judged by the domain's haversine.
    const indexed = (await redis.call(
      'GEOSEARCH',
      geoKey,
      'FROMLONLAT',
      String(C6.lon),
      String(C6.lat),
      'BYRADIUS',
      String(radiusKm * 1.1),
      'km',
      'WITHCOORD',
    )) as Array<[string, [string, string]]>;
    const expected = indexed
      .filter(([, [lon, lat]]) => haversine(C6, { lat: Number(lat), lon: Number(lon) }) <= radiusKm)
      .map(([id]) => id)
      .sort();
    const inside = (await stack.svc.app.index.within(C6, radiusKm)).sort();
    expect(inside).toEqual(expected);
    // Both sides of the boundary are there, and most units lie in the metre judged on coordinates.
    const ours = expected.filter((id) => id.startsWith(tag));
    expect(ours.length).toBeGreaterThan(5);
    expect(ours.length).toBeLessThan(25);
    const near = indexed.filter(
      ([id, [lon, lat]]) =>
        id.startsWith(tag) &&
        Math.abs(haversine(C6, { lat: Number(lat), lon: Number(lon) }) - radiusKm) < 0.001,
    );
    expect(near.length).toBeGreaterThan(10);
  });

  it('reaches units just inside each radius, not those just outside, each step only the new ones, once under redelivery', async () => {
    const tag = uniqueName('r');
    // Pairs 40 m either side of 100 km and 200 km, on different bearings, plus a near and a far unit.
    const placements: Array<[string, number, number]> = [
      [`${tag}-near`, 3, 10],
      [`${tag}-in100`, 99.96, 45],
      [`${tag}-out100`, 100.04, 135],
      [`${tag}-in200`, 199.96, 225],
      [`${tag}-out200`, 200.04, 315],
      [`${tag}-far`, 450, 90],
    ];
    const where = new Map<string, { lat: number; lon: number }>();
    for (const [id, km, bearing] of placements) {
      const p = destination(CENTER, km, bearing);
      where.set(id, p);
      await putUnit(stack.svc, stack.receiver, id, p);
    }
    const alertId = `alert-${tag}`;
    const expectedAt = (radius: number) =>
      [...where]
        .filter(([, p]) => haversine(CENTER, p) <= radius)
        .map(([id]) => id)
        .sort();
    const receivedIds = (type?: string) =>
      [
        ...new Set(
          stack.receiver.received
            .filter(
              (r) => r.unitId.startsWith(tag) && (!type || JSON.parse(r.body).data.step === Number(type)),
            )
            .map((r) => r.unitId),
        ),
      ].sort();

    const first = issued(alertId, { radiusKm: 100 });
    await stack.svc.publish(first);
    await waitFor(() => outcomeOf(alertId, 'homeward.notification.delivered').length >= 2, {
      what: 'step 0 delivered',
    });
    expect(receivedIds('0')).toEqual(expectedAt(100));
    expect(receivedIds('0')).toEqual([`${tag}-in100`, `${tag}-near`]);

    await stack.svc.publish(escalated(alertId, 1, 200, 100));
    await waitFor(() => outcomeOf(alertId, 'homeward.notification.delivered').length >= 4, {
      what: 'step 1 delivered',
    });
    // Step 1 reaches only the newly covered unit.
    expect(receivedIds('1')).toEqual(expectedAt(200).filter((id) => !expectedAt(100).includes(id)));
    expect(receivedIds('1')).toEqual([`${tag}-in200`, `${tag}-out100`]);

    // Redelivery: the same event again, and a copy under a new id (a producer that minted one).
    await stack.svc.publish(
      first,
      issued(alertId, { radiusKm: 100, issuedAt: first.data.issuedAt }),
      escalated(alertId, 1, 200, 100),
    );
    await sleep(1500);
    for (const id of expectedAt(200)) expect(stack.receiver.of(id), id).toHaveLength(1);
    expect(stack.receiver.of(`${tag}-out200`)).toHaveLength(0);
    expect(stack.receiver.of(`${tag}-far`)).toHaveLength(0);
    expect(outcomeOf(alertId, 'homeward.notification.delivered')).toHaveLength(4);
  });

  it('signs each webhook as Standard Webhooks do, in structured mode, with only what a searcher needs', async () => {
    const tag = uniqueName('s');
    const CENTER = C2;
    const secret = `whsec_${Buffer.from('a-32-byte-long-signing-key-here!').toString('base64')}`;
    await putUnit(stack.svc, stack.receiver, `${tag}-a`, destination(CENTER, 5, 0), { secret });
    await putUnit(stack.svc, stack.receiver, `${tag}-b`, destination(CENTER, 6, 0), {
      secret: 'plain-text-secret-1234567',
    });
    const alertId = `alert-${tag}`;
    const event = issued(alertId, { radiusKm: 10, center: CENTER });
    // Fields an upstream producer might add: they must never reach a unit.
    Object.assign(event.data, {
      reporter: { name: 'Li Wei', phone: '+86 138 0000 0000' },
      dnaProfileId: 'dna-1',
    });
    Object.assign(event.data.child, { name: 'Li Xiaoming' });
    await stack.svc.publish(event);
    await waitFor(
      () => stack.receiver.of(`${tag}-a`).length === 1 && stack.receiver.of(`${tag}-b`).length === 1,
    );
    const a = stack.receiver.of(`${tag}-a`)[0]!;
    const b = stack.receiver.of(`${tag}-b`)[0]!;
    expect(verifyStandardWebhook(secret, a)).toBe(true);
    expect(verifyStandardWebhook('plain-text-secret-1234567', b)).toBe(true);
    expect(verifyStandardWebhook('plain-text-secret-1234567', a)).toBe(false);
    expect(verifyStandardWebhook(secret, { ...a, body: a.body.replace('red jacket', 'blue jacket') })).toBe(
      false,
    );
    expect(a.headers['content-type']).toMatch(/^application\/cloudevents\+json/);
    expect(a.headers['webhook-id']).not.toBe(b.headers['webhook-id']);
    const ce = JSON.parse(a.body);
    expect(ce).toMatchObject({
      specversion: '1.0',
      type: 'homeward.alert.issued',
      source: 'homeward/notifications',
      subject: alertId,
    });
    expect(ce.data).toEqual({
      alertId,
      caseId: `case-${alertId}`,
      issuedAt: event.data.issuedAt,
      lastSeenAt: event.data.lastSeenAt,
      lastSeenPlace: 'Hefei South Station, east exit',
      center: C2,
      region: '340104',
      radiusKm: 10,
      step: 0,
      child: {
        sex: 'male',
        birthDate: '2019-05-01',
        description: 'red jacket, blue backpack',
        photoUrl: 'https://photos.example/c1.jpg',
      },
    });
    expect(a.body).not.toMatch(/138 0000|Li Wei|dna|Xiaoming/i);
  });

  it('retries a unit that answers 500 or times out, reports it failed, and delivers the others on time', async () => {
    const tag = uniqueName('f');
    const CENTER = C3;
    const ok = Array.from({ length: 20 }, (_, i) => `${tag}-ok${i}`);
    for (const [i, id] of ok.entries())
      await putUnit(stack.svc, stack.receiver, id, destination(CENTER, 1 + i, i * 17));
    await putUnit(stack.svc, stack.receiver, `${tag}-500`, destination(CENTER, 2, 200));
    await putUnit(stack.svc, stack.receiver, `${tag}-slow`, destination(CENTER, 2, 250));
    stack.receiver.behaviour.set(`${tag}-500`, 'fail');
    stack.receiver.behaviour.set(`${tag}-slow`, 'hang');
    const alertId = `alert-${tag}`;
    const t0 = Date.now();
    await stack.svc.publish(issued(alertId, { radiusKm: 50, center: CENTER }));
    await waitFor(() => outcomeOf(alertId, 'homeward.notification.failed').length === 2, {
      what: 'two failures',
    });
    const okArrivals = ok.map((id) => stack.receiver.of(id)[0]?.at ?? Number.POSITIVE_INFINITY);
    // The healthy units all had it before the failing ones had used up their retries.
    const lastFailureTry = Math.max(
      ...stack.receiver.of(`${tag}-slow`).map((r) => r.at),
      ...stack.receiver.of(`${tag}-500`).map((r) => r.at),
    );
    expect(Math.max(...okArrivals)).toBeLessThan(lastFailureTry);
    expect(Math.max(...okArrivals) - t0).toBeLessThan(3000);
    expect(stack.receiver.of(`${tag}-500`)).toHaveLength(3);
    expect(stack.receiver.of(`${tag}-slow`)).toHaveLength(3);
    // Retries carry the same webhook-id.
    expect(new Set(stack.receiver.of(`${tag}-500`).map((r) => r.headers['webhook-id'])).size).toBe(1);
    const failed = outcomeOf(alertId, 'homeward.notification.failed').map(
      (e) => e.data as Record<string, unknown>,
    );
    expect(failed).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          unitId: `${tag}-500`,
          attempts: 3,
          reason: 'http-5xx',
          kind: 'alert',
          step: 0,
        }),
        expect.objectContaining({
          unitId: `${tag}-slow`,
          attempts: 3,
          reason: 'timeout',
          kind: 'alert',
        }),
      ]),
    );
    await waitFor(() => outcomeOf(alertId, 'homeward.notification.delivered').length === 20);
  });

  it('a cancellation reaches every unit that was sent the alert, with the reason; acks and coverage add up', async () => {
    const tag = uniqueName('c');
    const CENTER = C4;
    const inner = [`${tag}-a`, `${tag}-b`, `${tag}-c`];
    for (const [i, id] of inner.entries())
      await putUnit(stack.svc, stack.receiver, id, destination(CENTER, 10 + i, 90 * i), {
        agencyId: i === 0 ? UNIT_AGENCY : `agency-${id}`,
      });
    await putUnit(stack.svc, stack.receiver, `${tag}-wide`, destination(CENTER, 150, 10), {
      agencyId: UNIT_AGENCY,
    });
    await putUnit(stack.svc, stack.receiver, `${tag}-down`, destination(CENTER, 12, 300));
    await putUnit(stack.svc, stack.receiver, `${tag}-never`, destination(CENTER, 400, 10), {
      agencyId: UNIT_AGENCY,
    });
    stack.receiver.behaviour.set(`${tag}-down`, 'fail');
    const alertId = `alert-${tag}`;
    const issuedEvent = issued(alertId, { radiusKm: 100, center: CENTER });
    await stack.svc.publish(issuedEvent);
    await waitFor(() => outcomeOf(alertId, 'homeward.notification.failed').length === 1);
    await stack.svc.publish(escalated(alertId, 1, 200, 100, CENTER));
    await waitFor(() => outcomeOf(alertId, 'homeward.notification.delivered').length === 4);

    // Acks: a unit acks for itself (its agency's key), once.
    const ack = await stack.svc.call('POST', `/v1/alerts/${alertId}/acks`, {
      role: 'unit',
      body: { unitId: `${tag}-a` },
    });
    expect(ack.status).toBe(201);
    const again = await stack.svc.call('POST', `/v1/alerts/${alertId}/acks`, {
      role: 'unit',
      body: { unitId: `${tag}-a` },
    });
    expect(again.status).toBe(200);
    expect(again.body.acknowledgedAt).toBe(ack.body.acknowledgedAt);
    expect(
      (
        await stack.svc.call('POST', `/v1/alerts/${alertId}/acks`, {
          role: 'unit',
          body: { unitId: `${tag}-wide` },
        })
      ).status,
    ).toBe(201);
    const notYours = await stack.svc.call('POST', `/v1/alerts/${alertId}/acks`, {
      role: 'unit',
      body: { unitId: `${tag}-b` },
    });
    expect(notYours.status).toBe(403);
    expect(notYours.body.code).toBe('NOTIFICATIONS_ERR_NOT_YOUR_UNIT');
    const never = await stack.svc.call('POST', `/v1/alerts/${alertId}/acks`, {
      role: 'unit',
      body: { unitId: `${tag}-never` },
    });
    expect(never.status).toBe(409);
    expect(never.body.code).toBe('NOTIFICATIONS_ERR_NOT_NOTIFIED');
    expect(
      (
        await stack.svc.call('POST', `/v1/alerts/nope-${tag}/acks`, {
          role: 'unit',
          body: { unitId: `${tag}-a` },
        })
      ).body.code,
    ).toBe('NOTIFICATIONS_ERR_ALERT_NOT_FOUND');
    const bad = await stack.svc.call('POST', `/v1/alerts/${alertId}/acks`, {
      role: 'unit',
      body: { unit: 'x' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.type).toBe('urn:homeward:problem:homeward-err-invalid-input');
    expect(
      (
        await stack.svc.call('POST', `/v1/alerts/${alertId}/acks`, {
          role: 'police',
          body: { unitId: `${tag}-a` },
        })
      ).status,
    ).toBe(403);
    await waitFor(() => outcomeOf(alertId, 'homeward.notification.acknowledged').length === 2);
    await sleep(300);
    expect(outcomeOf(alertId, 'homeward.notification.acknowledged')).toHaveLength(2);

    const cov = await stack.svc.call('GET', `/v1/alerts/${alertId}/coverage`, { role: 'police' });
    expect(cov.status).toBe(200);
    expect(cov.body).toMatchObject({
      alertId,
      status: 'active',
      step: 1,
      radiusKm: 200,
      targeted: 5,
      notified: 4,
      failed: 1,
      pending: 0,
      acknowledged: 2,
    });
    const deliveredAt = outcomeOf(alertId, 'homeward.notification.delivered').map((e) =>
      Date.parse((e.data as { deliveredAt: string }).deliveredAt),
    );
    const issuedAt = Date.parse(issuedEvent.data.issuedAt);
    expect(cov.body.timeToFirstDeliveryMs).toBe(Math.min(...deliveredAt) - issuedAt);
    // 90% of 5 targeted units is 5: with one failure it is never reached.
    expect(cov.body.timeTo90PercentMs).toBeNull();
    expect((await stack.svc.call('GET', `/v1/alerts/${alertId}/coverage`, { role: 'operator' })).status).toBe(
      200,
    );
    expect((await stack.svc.call('GET', `/v1/alerts/${alertId}/coverage`, { role: 'unit' })).status).toBe(
      403,
    );
    expect((await stack.svc.call('GET', `/v1/alerts/${alertId}/coverage`, { role: null })).status).toBe(401);

    stack.receiver.behaviour.delete(`${tag}-down`);
    await stack.svc.publish(cancelled(alertId));
    const sentTo = [...inner, `${tag}-wide`, `${tag}-down`];
    await waitFor(
      () => sentTo.every((id) => stack.receiver.of(id, 'homeward.alert.cancelled').length === 1),
      {
        what: 'cancellations',
      },
    );
    for (const id of sentTo) {
      const ce = JSON.parse(stack.receiver.of(id, 'homeward.alert.cancelled')[0]!.body);
      expect(ce.data).toMatchObject({ alertId, reason: 'found', note: 'found safe at Lu an bus station' });
      expect(
        verifyStandardWebhook(
          `secret-of-${id}-0123456789`,
          stack.receiver.of(id, 'homeward.alert.cancelled')[0]!,
        ),
      ).toBe(true);
    }
    expect(stack.receiver.of(`${tag}-never`)).toHaveLength(0);
    await waitFor(
      () =>
        outcomeOf(alertId, 'homeward.notification.delivered').filter(
          (e) => (e.data as { kind: string }).kind === 'cancellation',
        ).length === 5,
    );
    // A repeat of the cancellation, or a late escalation, sends nothing more.
    await stack.svc.publish(cancelled(alertId), escalated(alertId, 2, 300, 200, CENTER));
    await sleep(800);
    for (const id of sentTo) expect(stack.receiver.of(id, 'homeward.alert.cancelled')).toHaveLength(1);
    expect(stack.receiver.of(`${tag}-never`)).toHaveLength(0);
    const after = await stack.svc.call('GET', `/v1/alerts/${alertId}/coverage`, { role: 'police' });
    expect(after.body).toMatchObject({
      status: 'cancelled',
      cancellation: { reason: 'found', notified: 5, failed: 0 },
    });
  });

  it('dead-letters forged alert events: a cancellation from an agency, a 20,000 km escalation; units hear of neither', async () => {
    const tag = uniqueName('f');
    await putUnit(stack.svc, stack.receiver, `${tag}-a`, destination(C5, 5, 0));
    const alertId = `alert-${tag}`;
    await stack.svc.publish(issued(alertId, { radiusKm: 10, center: C5 }));
    await waitFor(() => stack.receiver.of(`${tag}-a`).length === 1, { what: 'the real alert' });
    const dlq = await new TopicCollector(`${stack.prefix}${deadLetterTopic(Topics.alertEvents)}`).start();
    try {
      // Past the broker (which lets only rescue-coordination write the topic), as a raw producer
      // with write access would send them: the publisher's own validation would stop the second.
      const forgedCancel = { ...cancelled(alertId), source: 'agency/hefei-psb' };
      const wide = escalated(alertId, 1, 20_000, 10, C5);
      await sendRaw(`${stack.prefix}${Topics.alertEvents}`, [
        { ...encodeKafka(forgedCancel, alertId), key: alertId },
        { ...encodeKafka(wide, alertId), key: alertId },
      ]);
      const reasonOf = (id: string) =>
        waitFor(() => dlq.messages.find((m) => header(m.message, 'ce_id') === id), {
          what: `dead letter ${id}`,
        });
      const cancel = await reasonOf(forgedCancel.id);
      expect(header(cancel.message, 'dlq_error_code')).toBe('source');
      expect(header(cancel.message, 'dlq_reason')).toContain('"homeward/rescue-coordination"');
      const escalation = await reasonOf(wide.id);
      expect(header(escalation.message, 'dlq_error_code')).toBe('schema');
      expect(header(escalation.message, 'dlq_reason')).toContain('/data/radiusKm');
      await sleep(500);
      expect(stack.receiver.of(`${tag}-a`)).toHaveLength(1);
    } finally {
      await dlq.stop();
    }
  });
  it('sends first to the units a quick search found, then to the rest of the radius: each unit once, none missed, none claimed twice', async () => {
    const tag = uniqueName('q');
    const radiusKm = 10;
    // More units than the quick search takes (100), so the whole search answers them too, and
    // 20 units from 2 m inside to 2 m outside the circle, which the quick search must leave out
    // unless they are inside.
    const ids: string[] = [];
    for (let i = 0; i < 150; i++) {
      ids.push(`${tag}-in${i}`);
      await putUnit(stack.svc, stack.receiver, ids[i]!, destination(C7, 0.2 + (i % 97) * 0.1, i * 7.3));
    }
    for (let i = 0; i < 20; i++)
      await putUnit(
        stack.svc,
        stack.receiver,
        `${tag}-edge${i}`,
        destination(C7, radiusKm + (i - 9.5) * 0.0002, i * 18),
      );
    await putUnit(stack.svc, stack.receiver, `${tag}-out`, destination(C7, 10.5, 0));
    const { index, ledger } = stack.svc.app;
    const inside = await index.within(C7, radiusKm);
    // Whatever the quick search answers is inside by the whole search, at the boundary too.
    const some = await index.someWithin(C7, radiusKm, 1000);
    expect(some.filter((id) => !inside.includes(id))).toEqual([]);
    expect(some.length).toBeGreaterThan(150);
    const edgeInside = inside.filter((id) => id.includes('-edge'));
    expect(edgeInside.length).toBeGreaterThan(3);
    expect(edgeInside.length).toBeLessThan(17);
    expect(inside).toHaveLength(150 + edgeInside.length);

    // Every unit id the ledger is asked to claim for this alert, by the fan-out's own ledger.
    const alertId = `alert-${tag}`;
    const asked: string[] = [];
    const claim = ledger.claim.bind(ledger);
    ledger.claim = (a, kind, step, owner, lease, unitIds, targetsKey) => {
      if (a === alertId) asked.push(...unitIds);
      return claim(a, kind, step, owner, lease, unitIds, targetsKey);
    };
    try {
      await stack.svc.publish(issued(alertId, { radiusKm, center: C7 }));
      await waitFor(() => outcomeOf(alertId, 'homeward.notification.delivered').length >= inside.length, {
        what: 'every unit inside delivered',
      });
      await sleep(300);
    } finally {
      ledger.claim = claim;
    }
    expect([...asked].sort()).toEqual([...inside].sort());
    const got = stack.receiver.received.filter((r) => r.unitId.startsWith(tag));
    expect(got.map((r) => r.unitId).sort()).toEqual([...inside].sort());
    expect(new Set(got.map((r) => r.headers['webhook-id'])).size).toBe(inside.length);
    expect(outcomeOf(alertId, 'homeward.notification.delivered')).toHaveLength(inside.length);
  });
});
