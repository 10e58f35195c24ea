import { describe, expect, it } from 'vitest';
import {
  appendRecord,
  type CustodyContent,
  type CustodyRecord,
  type CustodyStep,
  DEFAULT_OVERDUE_HOURS,
  GENESIS_HASH,
  mayFollow,
  nextSteps,
  overdue,
  verifyChain,
} from '../../src/domain/custody.ts';

const content = (step: CustodyStep, at: string): CustodyContent => ({
  step,
  at,
  by: 'tech-1',
  agencyId: 'anhui-forensic-lab',
  role: 'dna-lab',
  place: 'lab',
  recordedAt: at,
});

function chainOf(steps: CustodyStep[]): CustodyRecord[] {
  const chain: CustodyRecord[] = [];
  steps.forEach((s, i) => {
    chain.push(appendRecord('smp-1', chain, content(s, `2026-11-2${i}T10:00:00Z`)));
  });
  return chain;
}

describe('custody state machine', () => {
  it('moves one step at a time, destroyed from anywhere, nothing after destroyed', () => {
    expect(nextSteps('collected')).toEqual(['sealed', 'destroyed']);
    expect(nextSteps('shipped')).toEqual(['received', 'destroyed']);
    expect(nextSteps('stored')).toEqual(['destroyed']);
    expect(nextSteps('destroyed')).toEqual([]);
    expect(mayFollow('sealed', 'received')).toBe(false);
    expect(mayFollow('received', 'shipped')).toBe(false);
    expect(mayFollow('sealed', 'sealed')).toBe(false);
    expect(mayFollow('profiled', 'destroyed')).toBe(true);
    expect(mayFollow('collected', 'collected')).toBe(false);
  });
});

describe('hash chain', () => {
  const steps: CustodyStep[] = ['collected', 'sealed', 'shipped', 'received'];

  it('links each record to the one before and verifies', () => {
    const chain = chainOf(steps);
    expect(chain[0]!.prevHash).toBe(GENESIS_HASH);
    expect(chain[2]!.prevHash).toBe(chain[1]!.hash);
    expect(chain[3]!.hash).toMatch(/^[0-9a-f]{64}$/);
    const anchors = chain.map((r) => r.hash);
    expect(verifyChain('smp-1', chain, anchors)).toEqual({ valid: true, length: 4, head: chain[3]!.hash });
    // A crash between the last record and its anchor is not tampering.
    expect(verifyChain('smp-1', chain, anchors.slice(0, 3)).valid).toBe(true);
  });

  it('finds an edited record, a removed record, a removed last record and another sample id', () => {
    const chain = chainOf(steps);
    const anchors = chain.map((r) => r.hash);
    const edited = chain.map((r, i) => (i === 2 ? { ...r, by: 'someone-else' } : r));
    expect(verifyChain('smp-1', edited, anchors)).toMatchObject({
      valid: false,
      failedAt: 2,
      reason: 'hash-mismatch',
    });
    const removed = [chain[0]!, null, chain[2]!, chain[3]!];
    expect(verifyChain('smp-1', removed, anchors)).toMatchObject({
      valid: false,
      failedAt: 1,
      reason: 'missing-record',
    });
    expect(verifyChain('smp-1', [...chain.slice(0, 3), null], anchors)).toMatchObject({
      valid: false,
      failedAt: 3,
      reason: 'missing-record',
    });
    // Rewritten from record 2 on with fresh hashes: the anchors still hold the originals.
    const forged = [...chain.slice(0, 2)];
    forged.push(
      appendRecord('smp-1', forged, { ...content('shipped', '2026-11-22T10:00:00Z'), trackingNumber: 'X' }),
    );
    expect(verifyChain('smp-1', forged, anchors)).toMatchObject({
      valid: false,
      failedAt: 2,
      reason: 'anchor-mismatch',
    });
    expect(verifyChain('smp-2', chain, anchors)).toMatchObject({
      valid: false,
      failedAt: 0,
      reason: 'hash-mismatch',
    });
  });

  it('refuses a chain whose steps are out of order even when its hashes agree', () => {
    const chain = chainOf(['collected', 'received']);
    expect(
      verifyChain(
        'smp-1',
        chain,
        chain.map((r) => r.hash),
      ),
    ).toMatchObject({ valid: false, failedAt: 1, reason: 'step-order' });
  });
});

describe('overdue', () => {
  const since = new Date('2026-11-28T00:00:00Z');
  it('counts from the step time, per step, never for terminal steps', () => {
    const at = (h: number) => new Date(since.getTime() + h * 3_600_000);
    expect(overdue('shipped', since, at(72), DEFAULT_OVERDUE_HOURS)).toBeUndefined();
    expect(overdue('shipped', since, at(75), DEFAULT_OVERDUE_HOURS)).toEqual({
      limitHours: 72,
      overdueHours: 3,
    });
    expect(overdue('sealed', since, at(25), DEFAULT_OVERDUE_HOURS)).toEqual({
      limitHours: 24,
      overdueHours: 1,
    });
    expect(overdue('stored', since, at(10_000), DEFAULT_OVERDUE_HOURS)).toBeUndefined();
    expect(overdue('destroyed', since, at(10_000), DEFAULT_OVERDUE_HOURS)).toBeUndefined();
    expect(overdue('shipped', since, at(5), { shipped: 4 })).toEqual({ limitHours: 4, overdueHours: 1 });
  });
});
