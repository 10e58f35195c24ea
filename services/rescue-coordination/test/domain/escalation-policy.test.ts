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
  });

  it('schedules the next widening at the end of the current rung, none after the last', () => {
    const seen = new Date('2026-11-28T08:00:00Z');
    expect(rungEndsAt(policy, seen, 0)?.toISOString()).toBe('2026-11-28T09:00:00.000Z');
    expect(rungEndsAt(policy, seen, 2)?.toISOString()).toBe('2026-11-28T11:00:00.000Z');
    expect(rungEndsAt(policy, seen, 3)).toBeNull();
  });

  it('reads seconds, minutes and hours, and refuses a policy that does not grow or has no last rung', () => {
    expect(parseEscalationPolicy('90s:50,30m:60,2h:70,*:80').map((r) => r.untilMs)).toEqual([
      90_000,
      1_800_000,
      2 * H,
      null,
    ]);
    expect(() => parseEscalationPolicy('2h:100,1h:200,*:300')).toThrow(/durations must be positive and grow/);
    expect(() => parseEscalationPolicy('1h:200,2h:100,*:300')).toThrow(/radii must grow/);
    expect(() => parseEscalationPolicy('1h:100,2h:200')).toThrow(/last rung/);
    expect(() => parseEscalationPolicy('*:100,1h:200')).toThrow(/last rung/);
    expect(() => parseEscalationPolicy('1 hour:100,*:200')).toThrow(/not <duration>:<km>/);
  });
});
