import type { Claim } from './claims.ts';

/** What police see of an alert's reach. */
export interface Coverage {
  targeted: number;
  notified: number;
  failed: number;
  pending: number;
  acknowledged: number;
  /** From the alert's issue time to the first successful delivery, ms. */
  timeToFirstDeliveryMs: number | null;
  /** From the alert's issue time to the delivery that reached 90% of the targeted units, ms. */
  timeTo90PercentMs: number | null;
}

/** Computes coverage from the claims of one alert and its acknowledgements. */
export function computeCoverage(claims: Claim[], acknowledged: number, issuedAtMs: number): Coverage {
  const deliveredAt = claims.flatMap((c) => (c.status === 'delivered' ? [c.at] : [])).sort((a, b) => a - b);
  const failed = claims.filter((c) => c.status === 'failed').length;
  const pending = claims.filter((c) => c.status === 'pending').length;
  const targeted = claims.length;
  const need = Math.ceil(0.9 * targeted);
  const first = deliveredAt[0];
  const ninetieth = need > 0 ? deliveredAt[need - 1] : undefined;
  return {
    targeted,
    notified: deliveredAt.length,
    failed,
    pending,
    acknowledged,
    timeToFirstDeliveryMs: first === undefined ? null : Math.max(0, first - issuedAtMs),
    timeTo90PercentMs: ninetieth === undefined ? null : Math.max(0, ninetieth - issuedAtMs),
  };
}

/**
 * The claims of an alert as coverage should count them: an acknowledgement proves receipt, so a
 * unit that acknowledged counts as notified whatever its claim says (its answer came after our
 * deadline, or is still pending), as delivered when it acknowledged.
 */
export function withAcknowledgements(claims: Map<string, Claim>, acks: Map<string, number>): Claim[] {
  return [...claims].map(([unitId, c]) => {
    const ackedAt = acks.get(unitId);
    if (ackedAt === undefined || c.status === 'delivered') return c;
    return {
      status: 'delivered',
      step: c.step,
      attempts: c.status === 'failed' ? c.attempts : 1,
      at: ackedAt,
    };
  });
}
