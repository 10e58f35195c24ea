import { describe, expect, it } from 'vitest';
import { type Claim, parseClaim, settledClaim } from '../../src/domain/claims.ts';
import { computeCoverage, withAcknowledgements } from '../../src/domain/coverage.ts';

describe('claim values', () => {
  it('a settled claim is written with its outcome, step, attempts and time, and reads back', () => {
    expect(settledClaim('delivered', 2, 3, 1700)).toBe('d|2|3|1700');
    expect(settledClaim('failed', 0, 5, 99)).toBe('f|0|5|99');
    expect(parseClaim('f|0|5|99')).toEqual({ status: 'failed', step: 0, attempts: 5, at: 99 });
    expect(parseClaim('d|2|3|1700')).toEqual({ status: 'delivered', step: 2, attempts: 3, at: 1700 });
  });

  it('a pending claim reads back with its step, its owner and the end of its lease', () => {
    expect(parseClaim('p|3|instance-7|1700000123')).toEqual({
      status: 'pending',
      step: 3,
      owner: 'instance-7',
      leaseUntil: 1700000123,
    });
  });

  it('a value with a part missing, or an unknown tag, is no claim', () => {
    for (const value of ['', 'p', 'p|1', 'p|1|owner', 'd|1|2', 'x|1|2|3', '|1|2|3'])
      expect(parseClaim(value), value).toBeUndefined();
  });
});

const delivered = (at: number): Claim => ({ status: 'delivered', step: 0, attempts: 1, at });
const failed: Claim = { status: 'failed', step: 0, attempts: 3, at: 0 };
const pending: Claim = { status: 'pending', step: 0, owner: 'i-1', leaseUntil: 0 };

describe('the coverage of an alert', () => {
  it('counts each outcome, pending claims included', () => {
    const c = computeCoverage([delivered(1000), pending, pending, failed], 1, 0);
    expect(c).toMatchObject({ targeted: 4, notified: 1, failed: 1, pending: 2, acknowledged: 1 });
  });

  it('times the first delivery and the one that reached 90%, in time order whatever the claims’ order', () => {
    // Ten units: 90% is nine. Times given out of order, and with differing digit counts.
    const times = [5000, 900, 12000, 3000, 950, 4000, 7000, 800, 6000, 20000];
    const c = computeCoverage(times.map(delivered), 0, 500);
    expect(c.timeToFirstDeliveryMs).toBe(300);
    // Sorted: 800 900 950 3000 4000 5000 6000 7000 12000 20000; the ninth is 12000.
    expect(c.timeTo90PercentMs).toBe(11500);
  });

  it('has no 90% time until 90% are delivered, and never counts a negative time', () => {
    const c = computeCoverage([delivered(100), delivered(200), pending], 0, 1000);
    expect(c.timeToFirstDeliveryMs).toBe(0);
    expect(c.timeTo90PercentMs).toBeNull();
    expect(computeCoverage([delivered(100)], 0, 1000).timeTo90PercentMs).toBe(0);
  });
});

describe('acknowledgements in the coverage', () => {
  it('a unit that acknowledged counts as notified whatever its claim says, at its acknowledgement', () => {
    const claims = new Map<string, Claim>([
      ['late', { status: 'failed', step: 0, attempts: 3, at: 900 }],
      ['slow', { status: 'pending', step: 1, owner: 'i', leaseUntil: 5000 }],
      ['ok', { status: 'delivered', step: 0, attempts: 1, at: 700 }],
      ['down', { status: 'failed', step: 0, attempts: 3, at: 800 }],
    ]);
    const acks = new Map([
      ['late', 1200],
      ['slow', 1300],
      ['ok', 1000],
    ]);
    const counted = withAcknowledgements(claims, acks);
    expect(counted).toEqual([
      { status: 'delivered', step: 0, attempts: 3, at: 1200 },
      { status: 'delivered', step: 1, attempts: 1, at: 1300 },
      { status: 'delivered', step: 0, attempts: 1, at: 700 },
      { status: 'failed', step: 0, attempts: 3, at: 800 },
    ]);
    expect(computeCoverage(counted, acks.size, 0)).toMatchObject({
      targeted: 4,
      notified: 3,
      failed: 1,
      pending: 0,
      acknowledged: 3,
      timeToFirstDeliveryMs: 700,
    });
  });
});
