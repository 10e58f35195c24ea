/** Which delivery a claim is for: the alert (per step) or its cancellation. */
export type DeliveryKind = 'alert' | 'cancellation';

/** A claim's value in the per-alert Redis hash. */
export type Claim =
  | { status: 'pending'; step: number; owner: string; leaseUntil: number }
  | { status: 'delivered' | 'failed'; step: number; attempts: number; at: number };

/** `p|step|owner|leaseUntil`, `d|step|attempts|atMs`, `f|step|attempts|atMs`. */
export function parseClaim(value: string): Claim | undefined {
  const [tag, step, a, b] = value.split('|');
  if (step === undefined || a === undefined || b === undefined) return undefined;
  if (tag === 'p') return { status: 'pending', step: Number(step), owner: a, leaseUntil: Number(b) };
  if (tag === 'd' || tag === 'f')
    return {
      status: tag === 'd' ? 'delivered' : 'failed',
      step: Number(step),
      attempts: Number(a),
      at: Number(b),
    };
  return undefined;
}

export function settledClaim(
  status: 'delivered' | 'failed',
  step: number,
  attempts: number,
  at: number,
): string {
  return `${status === 'delivered' ? 'd' : 'f'}|${step}|${attempts}|${at}`;
}
