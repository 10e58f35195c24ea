import { ALERT_RADIUS_MAX_KM } from '@homeward/events';

/**
 * The alert escalation policy: rungs of (until, radius). Rung i applies while the time since
 * the child was last seen is below its `untilMs`; the last rung has no end. The default is the
 * national missing-child alert platform's: within 1 h 100 km, 2 h 200 km, 3 h 300 km, then 500 km.
 */
export interface Rung {
  /** Exclusive upper bound of elapsed time for this rung; `null` on the last rung. */
  untilMs: number | null;
  radiusKm: number;
}

export type EscalationPolicy = readonly Rung[];

export const DEFAULT_ESCALATION_POLICY_TEXT = '1h:100,2h:200,3h:300,*:500';

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000 } as const;

/**
 * Parses `1h:100,2h:200,3h:300,*:500` (durations in s, m or h; radii in km; the last rung
 * `*`). Throws with a message naming the problem, so a bad configuration fails at start: a
 * zero radius (an alert that reaches no one), a radius beyond the contract's maximum (which
 * every consumer would dead-letter) and a zero duration (a rung that never applies) are refused, and so is a policy whose durations or radii do not grow.
 */
export function parseEscalationPolicy(text: string): EscalationPolicy {
  const parts = text.split(',').map((p) => p.trim());
  const rungs: Rung[] = [];
  for (const [i, part] of parts.entries()) {
    const m = /^(\*|(\d+(?:\.\d+)?)([smh])):(\d+(?:\.\d+)?)$/.exec(part);
    if (!m) throw new Error(`escalation policy: "${part}" is not <duration>:<km> (e.g. 1h:100) or *:<km>`);
    const last = i === parts.length - 1;
    if ((m[1] === '*') !== last)
      throw new Error('escalation policy: only the last rung, and it alone, is "*"');
    const radiusKm = Number(m[4]);
    const untilMs = m[1] === '*' ? null : Number(m[2]) * UNIT_MS[m[3] as keyof typeof UNIT_MS];
    const prev = rungs.at(-1);
    if (radiusKm <= 0) throw new Error('escalation policy: radii must be positive');
    if (radiusKm > ALERT_RADIUS_MAX_KM)
      throw new Error(`escalation policy: radii may not exceed the contract's ${ALERT_RADIUS_MAX_KM} km`);
    if (prev && radiusKm <= prev.radiusKm) throw new Error('escalation policy: radii must grow');
    // Only the last rung has no end, so a rung before this one has one.
    if (untilMs !== null && untilMs <= (prev ? prev.untilMs! : 0))
      throw new Error('escalation policy: durations must be positive and grow');
    rungs.push({ untilMs, radiusKm });
  }
  return rungs;
}

/**
 * The rung the elapsed time calls for: a late alert starts at once at the wider radius. A
 * parsed policy's last rung has no end, so one always applies.
 */
export function rungFor(policy: EscalationPolicy, elapsedMs: number): number {
  return policy.findIndex((r) => r.untilMs === null || elapsedMs < r.untilMs);
}

/** When rung `index` ends (the next escalation is due), or null on the last rung. */
export function rungEndsAt(policy: EscalationPolicy, lastSeenAt: Date, index: number): Date | null {
  const until = policy[index]?.untilMs;
  return until == null ? null : new Date(lastSeenAt.getTime() + until);
}

/** The radius of rung `index`; throws for a rung the policy does not have. */
export function radiusOf(policy: EscalationPolicy, index: number): number {
  const rung = policy[index];
  if (!rung) throw new Error(`no rung ${index} in the escalation policy`);
  return rung.radiusKm;
}
