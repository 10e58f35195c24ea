import { createHmac } from 'node:crypto';
import { validateEventData } from '@homeward/events';
import { describe, expect, it } from 'vitest';
import { splitUrl } from '../../src/delivery/webhook-sender.ts';
import { fullJitterMs } from '../../src/domain/backoff.ts';
import { CircuitBreakers } from '../../src/domain/circuit-breaker.ts';
import { parseClaim, settledClaim } from '../../src/domain/claims.ts';
import { computeCoverage } from '../../src/domain/coverage.ts';
import { searcherView, unitAlertEvent, webhookId } from '../../src/domain/unit-alert.ts';
import { signingKey, signWebhook } from '../../src/domain/webhook-signature.ts';

describe('Standard Webhooks signature', () => {
  it('signs id.timestamp.body with HMAC-SHA256, key from whsec_ base64 or raw text', () => {
    const raw = Buffer.from('0123456789abcdef0123456789abcdef');
    const secret = `whsec_${raw.toString('base64')}`;
    expect(signingKey(secret).equals(raw)).toBe(true);
    expect(signingKey('plain-secret-text').toString()).toBe('plain-secret-text');
    const expected = createHmac('sha256', raw).update('msg_1.1700000000.{"a":1}').digest('base64');
    expect(signWebhook(signingKey(secret), 'msg_1', 1700000000, '{"a":1}')).toBe(`v1,${expected}`);
  });
});

describe('webhook URLs split without parsing', () => {
  it('splits only where new URL would give the same origin, path and query', () => {
    const plain = [
      'http://127.0.0.1:40000/u/u123',
      'https://Hooks.Example.org:443/v1.0/alerts?token=a-b_c&x=1',
      'http://[::1]:8080/a/b/',
      'https://example.org/.well-known/x..y/.z',
      'https://user:pw@example.org/hook',
    ];
    const others = [
      'http://example.org',
      'http://example.org?x=1/y',
      'http://example.org#f/y',
      'http://example.org\\evil/y',
      'http:/x/y://z/w',
      ' http://example.org/a',
      'http://example.org/a/./b',
      'http://example.org/a/../b',
      'http://example.org/a/..',
      'http://example.org/a/%2e%2e/b',
      'http://example.org/a b',
      "http://example.org/a?b='c'",
      'http://example.org/a?',
      'http://example.org/a#frag',
      'http://example.org/a\tb',
      'http://example.org/a\\b',
    ];
    for (const raw of [...plain, ...others]) {
      const split = splitUrl(raw);
      if (plain.includes(raw)) expect(split, raw).toBeDefined();
      if (!split) continue;
      const url = new URL(raw);
      expect(split.path, raw).toBe(`${url.pathname}${url.search}`);
      expect(new URL(`${split.prefix}/`).origin, raw).toBe(url.origin);
      expect(new URL(`${split.prefix}/`).hostname, raw).toBe(url.hostname);
    }
    for (const raw of others) expect(splitUrl(raw), raw).toBeUndefined();
  });
});

describe('backoff with full jitter', () => {
  it('stays within [0, min(max, base·2^(n-1)))', () => {
    expect(fullJitterMs(1, 100, 2000, () => 0.999)).toBe(99);
    expect(fullJitterMs(3, 100, 2000, () => 0.5)).toBe(200);
    expect(fullJitterMs(10, 100, 2000, () => 0.999)).toBe(1998);
    expect(fullJitterMs(4, 100, 2000, () => 0)).toBe(0);
  });
});

describe('circuit breaker per unit', () => {
  it('opens after N consecutive failures, admits one probe after the cool-down, closes on success', () => {
    const b = new CircuitBreakers({ threshold: 3, cooldownMs: 1000 });
    b.failure('u', 0);
    b.failure('u', 1);
    expect(b.tryAcquire('u', 2)).toBe(true);
    b.failure('u', 2);
    expect(b.state('u', 3)).toBe('open');
    expect(b.tryAcquire('u', 500)).toBe(false);
    expect(b.tryAcquire('other', 500)).toBe(true);
    expect(b.tryAcquire('u', 1002)).toBe(true);
    expect(b.tryAcquire('u', 1003)).toBe(false);
    b.failure('u', 1010);
    expect(b.state('u', 1500)).toBe('open');
    expect(b.tryAcquire('u', 2010)).toBe(true);
    b.success('u');
    expect(b.state('u', 2011)).toBe('closed');
  });

  it('says when an open circuit lets its probe through, and nothing while closed or half-open', () => {
    const b = new CircuitBreakers({ threshold: 1, cooldownMs: 1000 });
    expect(b.probeAt('u', 0)).toBeUndefined();
    b.failure('u', 100);
    expect(b.probeAt('u', 500)).toBe(1100);
    expect(b.probeAt('u', 1100)).toBeUndefined();
  });

  it('a success in between resets the count', () => {
    const b = new CircuitBreakers({ threshold: 2, cooldownMs: 1000 });
    b.failure('u', 0);
    b.success('u');
    b.failure('u', 1);
    expect(b.state('u', 2)).toBe('closed');
  });
});

describe('claims and coverage', () => {
  it('round-trips claim values', () => {
    expect(parseClaim('p|2|inst-1|1700')).toEqual({
      status: 'pending',
      step: 2,
      owner: 'inst-1',
      leaseUntil: 1700,
    });
    expect(parseClaim(settledClaim('delivered', 1, 3, 99))).toEqual({
      status: 'delivered',
      step: 1,
      attempts: 3,
      at: 99,
    });
    expect(parseClaim('garbage')).toBeUndefined();
  });

  it('counts and times from the issue time', () => {
    const claims = Array.from({ length: 10 }, (_, i) => ({
      status: 'delivered' as const,
      step: 0,
      attempts: 1,
      at: 1000 + i * 10,
    }));
    claims.push({ status: 'failed' as never, step: 0, attempts: 3, at: 5000 });
    const c = computeCoverage(claims, 4, 900);
    expect(c).toEqual({
      targeted: 11,
      notified: 10,
      failed: 1,
      pending: 0,
      acknowledged: 4,
      timeToFirstDeliveryMs: 100,
      // 90% of 11 is 10 units: the tenth delivery at 1090.
      timeTo90PercentMs: 190,
    });
    expect(computeCoverage([], 0, 0)).toMatchObject({
      targeted: 0,
      timeToFirstDeliveryMs: null,
      timeTo90PercentMs: null,
    });
  });
});

describe('what a unit receives', () => {
  it('keeps only what a searcher needs, as a valid alert.issued', () => {
    const data = {
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
        sex: 'female' as const,
        description: 'yellow dress',
        name: 'secret name',
        guardianPhone: '138',
      },
      familyContact: { phone: '138' },
      dnaSampleId: 'dna-1',
    };
    const view = searcherView(data as never);
    const event = unitAlertEvent(view, 1, 200, { lat: 31.9, lon: 117.3 }, new Date('2026-11-28T02:00:00Z'));
    expect(JSON.stringify(event)).not.toMatch(/secret name|138|dna/);
    expect(event.data).toMatchObject({
      step: 1,
      radiusKm: 200,
      center: { lat: 31.9, lon: 117.3 },
      child: { sex: 'female', description: 'yellow dress' },
    });
    expect(validateEventData('homeward.alert.issued', event.data)).toEqual([]);
    expect(event.id).toBe('alert-1.alert.1');
    expect(webhookId(event.id, 'unit-7')).toBe('alert-1.alert.1.unit-7');
  });
});
