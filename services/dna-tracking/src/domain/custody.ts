/**
 * The chain of custody of a sample: its state machine, its hash chain and its overdue rule.
 *
 * State machine (one line, one way out):
 *
 *   collected → sealed → shipped → received → profiled → stored
 *       └──────────┴─────────┴──────────┴──────────┴─────────┴──→ destroyed
 *
 * Each step may follow only the one before it; `destroyed` may follow any step (a sample can
 * be spoiled at collection, lost in transit, used up, or disposed of after storage), and
 * nothing follows `destroyed`. `collected` is only ever the first record, written when the
 * sample is registered.
 *
 * Hash chain: every record carries the SHA-256 of the record before it (64 zeros for the
 * first) and its own hash over its content, its position and that link, so an edited record
 * fails its own hash and a removed record leaves a hole; each record's hash is also written
 * apart from it (an anchor), so a removed last record shows too.
 */
import { createHash } from 'node:crypto';
import { type CustodyStep, CustodySteps } from '@homeward/events';
import { canonicalJson } from './ids.ts';

export type { CustodyStep } from '@homeward/events';

/** The steps of custody in their one line, in order (`destroyed` apart: it may follow any). */
export const CUSTODY_LINE: readonly CustodyStep[] = CustodySteps.filter((s) => s !== 'destroyed');

/** The longest possible chain: the line's steps and `destroyed`. */
export const MAX_CHAIN_LENGTH = CustodySteps.length;

/** The link of the first record. */
export const GENESIS_HASH = '0'.repeat(64);

/** The steps that may follow `current`. */
export function nextSteps(current: CustodyStep): CustodyStep[] {
  if (current === 'destroyed') return [];
  const i = CUSTODY_LINE.indexOf(current);
  const next = CUSTODY_LINE[i + 1];
  return next === undefined ? ['destroyed'] : [next, 'destroyed'];
}

/** Whether `step` may be recorded after `current`. */
export function mayFollow(current: CustodyStep, step: CustodyStep): boolean {
  return nextSteps(current).includes(step);
}

/** One record of the chain, as stored. */
export interface CustodyRecord {
  seq: number;
  step: CustodyStep;
  /** When the step happened (RFC 3339), as declared by whoever did it. */
  at: string;
  /** The person who did it (staff or officer id), and the agency behind the API key. */
  by: string;
  agencyId: string;
  role: string;
  place: string;
  region?: string;
  trackingNumber?: string;
  note?: string;
  /** When the service recorded it. */
  recordedAt: string;
  prevHash: string;
  hash: string;
}

/** Content of a record before it is linked. */
export type CustodyContent = Omit<CustodyRecord, 'seq' | 'prevHash' | 'hash'>;

/** SHA-256 over the sample id, the record's content, its position and its link. */
export function recordHash(sampleId: string, record: Omit<CustodyRecord, 'hash'>): string {
  return createHash('sha256')
    .update(canonicalJson({ sampleId, ...record }))
    .digest('hex');
}

/** Links new content after `chain`. */
export function appendRecord(
  sampleId: string,
  chain: readonly CustodyRecord[],
  content: CustodyContent,
): CustodyRecord {
  const prev = chain[chain.length - 1];
  const unlinked = { ...content, seq: chain.length, prevHash: prev?.hash ?? GENESIS_HASH };
  return { ...unlinked, hash: recordHash(sampleId, unlinked) };
}

/** Outcome of {@link verifyChain}. */
export type ChainVerification =
  | { valid: true; length: number; head: string }
  | {
      valid: false;
      length: number;
      /** Position of the first record that fails. */
      failedAt: number;
      reason:
        | 'missing-record'
        | 'hash-mismatch'
        | 'broken-link'
        | 'sequence-gap'
        | 'anchor-mismatch'
        | 'step-order';
    };

/**
 * Verifies a chain read by position (`null` where no record is stored), against the anchors
 * (each record's hash, written apart from it after it). Recomputes every hash and link; a
 * missing record before a present record or anchor fails, so a deleted record shows even at
 * the end of the chain. Only the last record may lack its anchor (a crash between the two
 * writes).
 */
export function verifyChain(
  sampleId: string,
  slots: readonly (CustodyRecord | null)[],
  anchors: readonly (string | null)[],
): ChainVerification {
  let end = -1;
  for (let i = 0; i < Math.max(slots.length, anchors.length); i++) {
    if (slots[i] || anchors[i]) end = i;
  }
  let prevHash = GENESIS_HASH;
  let prevStep: CustodyStep | undefined;
  for (let i = 0; i <= end; i++) {
    const r = slots[i];
    const fail = (reason: Extract<ChainVerification, { valid: false }>['reason']) =>
      ({ valid: false, length: end + 1, failedAt: i, reason }) as const;
    if (!r) return fail('missing-record');
    if (r.seq !== i) return fail('sequence-gap');
    if (r.prevHash !== prevHash) return fail('broken-link');
    const { hash, ...rest } = r;
    if (recordHash(sampleId, rest) !== hash) return fail('hash-mismatch');
    const anchor = anchors[i] ?? null;
    if (anchor === null ? i !== end : anchor !== hash) return fail('anchor-mismatch');
    if (prevStep === undefined ? r.step !== 'collected' : !mayFollow(prevStep, r.step))
      return fail('step-order');
    prevHash = hash;
    prevStep = r.step;
  }
  return { valid: true, length: end + 1, head: prevHash };
}

/** Hours a sample may sit in a step before it is overdue; terminal steps are never overdue. */
export type OverduePolicy = Readonly<Partial<Record<CustodyStep, number>>>;

/** Defaults: sealed within a day of collection, shipped within a day, received within 72 h of shipping, profiled within 14 days of receipt, stored within 2 days of profiling. */
export const DEFAULT_OVERDUE_HOURS: OverduePolicy = Object.freeze({
  collected: 24,
  sealed: 24,
  shipped: 72,
  received: 336,
  profiled: 48,
});

/** How overdue a sample is in its step at `now`, or undefined if it is not. */
export function overdue(
  step: CustodyStep,
  since: Date,
  now: Date,
  policy: OverduePolicy,
): { limitHours: number; overdueHours: number } | undefined {
  const limitHours = policy[step];
  if (limitHours === undefined) return undefined;
  const elapsedHours = (now.getTime() - since.getTime()) / 3_600_000;
  if (elapsedHours <= limitHours) return undefined;
  return { limitHours, overdueHours: Math.round((elapsedHours - limitHours) * 10) / 10 };
}
