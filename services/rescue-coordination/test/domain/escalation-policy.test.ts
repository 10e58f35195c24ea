import { ALERT_RADIUS_MAX_KM } from '@homeward/events';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ESCALATION_POLICY_TEXT,
  parseEscalationPolicy,
  radiusOf,
  rungEndsAt,
  rungFor,
} from '../../src/domain/escalation-policy.ts';

const H = 3_600_000;
const policy = parseEscalationPolicy(DEFAULT_ESCALATION_POLICY_TEXT);

describe('the escalation policy', () => {
  it('defaults to 100 km within 1 h, 200 within 2 h, 300 within 3 h, then 500', () => {
    expect(DEFAULT_ESCALATION_POLICY_TEXT).toBe('1h:100,2h:200,3h:300,*:500');
    expect(policy).toEqual([
      { untilMs: H, radiusKm: 100 },
      { untilMs: 2 * H, radiusKm: 200 },
      { untilMs: 3 * H, radiusKm: 300 },
      { untilMs: null, radiusKm: 500 },
    ]);
  });

  it('picks the rung the elapsed time calls for, changing exactly at each boundary', () => {
    const at = (ms: number) => radiusOf(policy, rungFor(policy, ms));
    expect([0, H - 1, H, 2 * H - 1, 2 * H, 3 * H - 1, 3 * H, 48 * H].map(at)).toEqual([
      100, 100, 200, 200, 300, 300, 500, 500,
    ]);
    expect([0, H - 1, H, 3 * H].map((ms) => rungFor(policy, ms))).toEqual([0, 0, 1, 3]);
    // A last-seen time a little in the future (clock skew) is the first rung.
    expect(rungFor(policy, -5_000)).toBe(0);
  });

  it('schedules the next widening at the end of the current rung, none after the last', () => {
    const seen = new Date('2026-11-28T08:00:00Z');
    expect(rungEndsAt(policy, seen, 0)?.toISOString()).toBe('2026-11-28T09:00:00.000Z');
    expect(rungEndsAt(policy, seen, 2)?.toISOString()).toBe('2026-11-28T11:00:00.000Z');
    expect(rungEndsAt(policy, seen, 3)).toBeNull();
    expect(rungEndsAt(policy, seen, 9)).toBeNull();
  });

  it('has no radius for a rung it does not have', () => {
    expect(radiusOf(policy, 3)).toBe(500);
    expect(() => radiusOf(policy, 4)).toThrow('no rung 4 in the escalation policy');
  });

  it('reads seconds, minutes, hours and fractions, with spaces around rungs', () => {
    expect(parseEscalationPolicy('90s:50,30m:60,2h:70,*:80').map((r) => r.untilMs)).toEqual([
      90_000,
      1_800_000,
      2 * H,
      null,
    ]);
    expect(parseEscalationPolicy(' 1.5h:10.5 , *:20 ')).toEqual([
      { untilMs: 1.5 * H, radiusKm: 10.5 },
      { untilMs: null, radiusKm: 20 },
    ]);
    expect(parseEscalationPolicy('*:100')).toEqual([{ untilMs: null, radiusKm: 100 }]);
    expect(parseEscalationPolicy('1.25h:10.25,*:20')[0]).toEqual({ untilMs: 1.25 * H, radiusKm: 10.25 });
  });

  it('refuses a policy that does not grow or has no last rung', () => {
    expect(() => parseEscalationPolicy('2h:100,1h:200,*:300')).toThrow(/durations must be positive and grow/);
    expect(() => parseEscalationPolicy('1h:100,1h:200,*:300')).toThrow(/durations must be positive and grow/);
    expect(() => parseEscalationPolicy('1h:200,2h:100,*:300')).toThrow(/radii must grow/);
    expect(() => parseEscalationPolicy('1h:200,2h:200,*:300')).toThrow(/radii must grow/);
    expect(() => parseEscalationPolicy('1h:100,2h:200,*:200')).toThrow(/radii must grow/);
    expect(() => parseEscalationPolicy('1h:100,2h:200')).toThrow(
      'escalation policy: only the last rung, and it alone, is "*"',
    );
    expect(() => parseEscalationPolicy('*:100,1h:200')).toThrow(/last rung/);
    expect(() => parseEscalationPolicy('1h:100,*:200,*:300')).toThrow(/last rung/);
  });

  it('refuses a zero radius (an alert that reaches no one) and a zero duration (a rung that never applies)', () => {
    expect(() => parseEscalationPolicy('1h:0,*:100')).toThrow('escalation policy: radii must be positive');
    expect(() => parseEscalationPolicy('*:0')).toThrow('escalation policy: radii must be positive');
    expect(() => parseEscalationPolicy('0h:100,*:200')).toThrow(
      'escalation policy: durations must be positive and grow',
    );
    expect(() => parseEscalationPolicy('0s:100,*:200')).toThrow(/durations must be positive/);
    expect(() => parseEscalationPolicy('1h:100,0m:150,*:200')).toThrow(/durations must be positive/);
  });

  it("refuses a radius beyond the contract's maximum, which every consumer would dead-letter", () => {
    expect(parseEscalationPolicy(`*:${ALERT_RADIUS_MAX_KM}`)).toEqual([{ untilMs: null, radiusKm: 500 }]);
    expect(() => parseEscalationPolicy('1h:100,*:500.5')).toThrow(
      "escalation policy: radii may not exceed the contract's 500 km",
    );
    expect(() => parseEscalationPolicy('*:20000')).toThrow(/may not exceed/);
  });

  it('refuses what is not <duration>:<km>, quoting it', () => {
    for (const bad of ['1 hour:100', '1h', '1d:100', '-1h:100', '1h:-5', '1h:100km', '', '1h:100,,*:200']) {
      expect(() => parseEscalationPolicy(`${bad},*:900`), bad).toThrow(
        /is not <duration>:<km> \(e\.g\. 1h:100\) or \*:<km>/,
      );
    }
    expect(() => parseEscalationPolicy('1 hour:100,*:200')).toThrow('"1 hour:100"');
  });
});
