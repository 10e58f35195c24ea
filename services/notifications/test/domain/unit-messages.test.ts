import { createHmac } from 'node:crypto';
import { type EventData, validateEventData } from '@homeward/events';
import { describe, expect, it } from 'vitest';
import { fullJitterMs } from '../../src/domain/backoff.ts';
import { CircuitBreakers } from '../../src/domain/circuit-breaker.ts';
import {
  SOURCE,
  searcherView,
  unitAlertEvent,
  unitCancelEvent,
  webhookId,
} from '../../src/domain/unit-alert.ts';
import { signingKey, signWebhook, webhookHeaderList } from '../../src/domain/webhook-signature.ts';

const issued: EventData<'homeward.alert.issued'> = {
  alertId: 'alert-1',
  caseId: 'case-1',
  issuedAt: '2026-11-28T09:00:00+08:00',
  lastSeenAt: '2026-11-28T08:50:00+08:00',
  lastSeenPlace: 'Hefei South Station',
  center: { lat: 31.8, lon: 117.3 },
  region: '340104',
  radiusKm: 100,
  step: 0,
  child: {
    sex: 'male',
    birthDate: '2019-05-01',
    description: 'red jacket',
    photoUrl: 'https://photos.example.org/c/1.jpg',
  },
};

describe('what a searcher sees of an alert', () => {
  it('every field a searcher needs, the child’s optional ones when given', () => {
    expect(searcherView(issued)).toEqual({
      alertId: 'alert-1',
      caseId: 'case-1',
      issuedAt: '2026-11-28T09:00:00+08:00',
      lastSeenAt: '2026-11-28T08:50:00+08:00',
      lastSeenPlace: 'Hefei South Station',
      center: { lat: 31.8, lon: 117.3 },
      region: '340104',
      child: {
        sex: 'male',
        birthDate: '2019-05-01',
        description: 'red jacket',
        photoUrl: 'https://photos.example.org/c/1.jpg',
      },
    });
  });

  it('no optional child field appears when not given, not even as undefined', () => {
    const view = searcherView({ ...issued, child: { sex: 'unknown' } });
    expect(Object.keys(view.child)).toEqual(['sex']);
  });

  it('the unit’s event is the step’s alert.issued, from notifications, with a stable id per alert and step', () => {
    const event = unitAlertEvent(
      searcherView(issued),
      2,
      300,
      { lat: 32, lon: 117 },
      new Date('2026-11-28T03:00:00Z'),
    );
    expect(event).toMatchObject({
      type: 'homeward.alert.issued',
      source: SOURCE,
      subject: 'alert-1',
      id: 'alert-1.alert.2',
      time: '2026-11-28T03:00:00.000Z',
    });
    expect(SOURCE).toBe('homeward/notifications');
    expect(event.data).toMatchObject({ step: 2, radiusKm: 300, center: { lat: 32, lon: 117 } });
    expect(validateEventData('homeward.alert.issued', event.data)).toEqual([]);
  });
});

describe('what a unit is told when an alert ends', () => {
  const cancelled: EventData<'homeward.alert.cancelled'> = {
    alertId: 'alert-1',
    caseId: 'case-1',
    cancelledAt: '2026-11-29T10:00:00+08:00',
    reason: 'found',
  };

  it('the reason and time, from notifications, one id per alert', () => {
    const event = unitCancelEvent(cancelled);
    expect(event).toMatchObject({
      type: 'homeward.alert.cancelled',
      source: 'homeward/notifications',
      subject: 'alert-1',
      id: 'alert-1.cancelled',
      time: '2026-11-29T10:00:00+08:00',
    });
    expect(event.data).toEqual(cancelled);
    expect(validateEventData('homeward.alert.cancelled', event.data)).toEqual([]);
  });

  it('a note when there is one; nothing else of the upstream event', () => {
    const withNote = unitCancelEvent({ ...cancelled, note: 'found safe', caseOfficer: 'x' } as never);
    expect(withNote.data).toEqual({ ...cancelled, note: 'found safe' });
  });

  it('each unit’s copy has its own webhook id', () => {
    expect(webhookId('alert-1.cancelled', 'unit-3')).toBe('alert-1.cancelled.unit-3');
  });
});

describe('webhook headers', () => {
  it('carry the id, the timestamp in seconds and the signature of id.timestamp.body', () => {
    const key = signingKey('plain-secret-text');
    const list = webhookHeaderList(key, 'msg_2', 1700000001, '{"b":2}');
    const headers = Object.fromEntries([0, 2, 4].map((i) => [list[i], list[i + 1]]));
    const mac = createHmac('sha256', 'plain-secret-text').update('msg_2.1700000001.{"b":2}').digest('base64');
    expect(headers).toEqual({
      'webhook-id': 'msg_2',
      'webhook-timestamp': '1700000001',
      'webhook-signature': `v1,${mac}`,
    });
    expect(signWebhook(key, 'msg_2', 1700000001, '{"b":3}')).not.toBe(headers['webhook-signature']);
  });

  it('a secret that merely contains whsec_ is used as text', () => {
    expect(signingKey('my-whsec_secret').toString('utf8')).toBe('my-whsec_secret');
  });
});

describe('backoff', () => {
  it('the first attempt (or an attempt number below one) waits under the base', () => {
    expect(fullJitterMs(0, 100, 2000, () => 0.999)).toBe(99);
    expect(fullJitterMs(1, 100, 2000, () => 0.5)).toBe(50);
    expect(fullJitterMs(2, 100, 2000, () => 0.5)).toBe(100);
  });
});

describe('circuit breaker boundaries', () => {
  it('half-opens exactly when the cool-down has passed, not a millisecond before', () => {
    const b = new CircuitBreakers({ threshold: 1, cooldownMs: 1000 });
    b.failure('u', 5000);
    expect(b.state('u', 5999)).toBe('open');
    expect(b.state('u', 6000)).toBe('half-open');
  });

  it('stays closed below the threshold, and a unit never seen is closed', () => {
    const b = new CircuitBreakers({ threshold: 3, cooldownMs: 1000 });
    expect(b.state('never', 0)).toBe('closed');
    b.failure('u', 0);
    b.failure('u', 1);
    expect(b.state('u', 2)).toBe('closed');
    expect(b.tryAcquire('u', 2)).toBe(true);
    expect(b.tryAcquire('u', 2)).toBe(true);
  });

  it('a failed probe opens the circuit again for a whole cool-down', () => {
    const b = new CircuitBreakers({ threshold: 2, cooldownMs: 1000 });
    b.failure('u', 0);
    b.failure('u', 0);
    expect(b.tryAcquire('u', 1000)).toBe(true);
    b.failure('u', 1500);
    expect(b.state('u', 2499)).toBe('open');
    expect(b.tryAcquire('u', 2499)).toBe(false);
    expect(b.tryAcquire('u', 2500)).toBe(true);
  });
});
