import { describe, expect, it } from 'vitest';
import {
  appendRecord,
  CUSTODY_LINE,
  type CustodyContent,
  type CustodyRecord,
  type CustodyStep,
  GENESIS_HASH,
  MAX_CHAIN_LENGTH,
  nextSteps,
  overdue,
  recordHash,
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

const steps: CustodyStep[] = ['collected', 'sealed', 'shipped', 'received'];

describe('the custody line', () => {
  it('is the vocabulary without destroyed, and a chain holds at most all of it', () => {
    expect(CUSTODY_LINE).toEqual(['collected', 'sealed', 'shipped', 'received', 'profiled', 'stored']);
    expect(MAX_CHAIN_LENGTH).toBe(7);
    expect(nextSteps('received')).toEqual(['profiled', 'destroyed']);
    expect(nextSteps('profiled')).toEqual(['stored', 'destroyed']);
    expect(nextSteps('sealed')).toEqual(['shipped', 'destroyed']);
  });
});

describe('records', () => {
  it('link to the one before, count from 0, and hash their content with the sample id', () => {
    const chain = chainOf(steps);
    expect(chain.map((r) => r.seq)).toEqual([0, 1, 2, 3]);
    expect(chain[0]?.prevHash).toBe('0'.repeat(64));
    expect(chain[1]?.prevHash).toBe(chain[0]?.hash);
    const { hash, ...rest } = chain[1]!;
    expect(recordHash('smp-1', rest)).toBe(hash);
    expect(recordHash('smp-2', rest)).not.toBe(hash);
    expect(recordHash('smp-1', { ...rest, seq: 2 })).not.toBe(hash);
    expect(recordHash('smp-1', { ...rest, prevHash: GENESIS_HASH })).not.toBe(hash);
  });
});

describe('tamper detection', () => {
  const chain = chainOf(steps);
  const anchors = chain.map((r) => r.hash);

  it('accepts an empty chain and a whole one', () => {
    expect(verifyChain('smp-1', [], [])).toEqual({ valid: true, length: 0, head: GENESIS_HASH });
    expect(verifyChain('smp-1', [null, null], [null])).toEqual({
      valid: true,
      length: 0,
      head: GENESIS_HASH,
    });
    expect(verifyChain('smp-1', chain, anchors)).toEqual({ valid: true, length: 4, head: chain[3]!.hash });
  });

  it('finds a chain missing its last record when only its anchor is left', () => {
    // The record is gone from the slots read (not even a null), its anchor remains.
    expect(verifyChain('smp-1', chain.slice(0, 3), anchors)).toEqual({
      valid: false,
      length: 4,
      failedAt: 3,
      reason: 'missing-record',
    });
    // Only an anchor: the first record was removed.
    expect(verifyChain('smp-1', [], anchors.slice(0, 1))).toEqual({
      valid: false,
      length: 1,
      failedAt: 0,
      reason: 'missing-record',
    });
  });

  it('finds a missing anchor in the middle, and lets only the last record lack one', () => {
    const holed = [anchors[0]!, null, anchors[2]!, anchors[3]!];
    expect(verifyChain('smp-1', chain, holed)).toEqual({
      valid: false,
      length: 4,
      failedAt: 1,
      reason: 'anchor-mismatch',
    });
    expect(verifyChain('smp-1', chain, [...anchors.slice(0, 3), null])).toMatchObject({
      valid: true,
      length: 4,
    });
    expect(verifyChain('smp-1', chain, [anchors[0]!, anchors[1]!, null, null])).toMatchObject({
      valid: false,
      failedAt: 2,
      reason: 'anchor-mismatch',
    });
    expect(verifyChain('smp-1', chain, [...anchors.slice(0, 3), 'f'.repeat(64)])).toMatchObject({
      valid: false,
      failedAt: 3,
      reason: 'anchor-mismatch',
    });
  });

  it('finds a record in the wrong slot and a relinked record', () => {
    const moved = [chain[0]!, { ...chain[1]!, seq: 5 }, chain[2]!, chain[3]!];
    expect(verifyChain('smp-1', moved, anchors)).toMatchObject({
      valid: false,
      failedAt: 1,
      reason: 'sequence-gap',
    });
    // A record rehashed over a forged link: its own hash agrees, its link does not.
    const { hash: _, ...unlinked } = { ...chain[2]!, prevHash: 'a'.repeat(64) };
    const relinked = { ...unlinked, hash: recordHash('smp-1', unlinked) };
    expect(verifyChain('smp-1', [chain[0]!, chain[1]!, relinked, chain[3]!], anchors)).toMatchObject({
      valid: false,
      failedAt: 2,
      reason: 'broken-link',
    });
  });

  it('refuses a chain that does not start at collection, or that continues after destruction', () => {
    const sealedFirst = chainOf(['sealed']);
    expect(verifyChain('smp-1', sealedFirst, [sealedFirst[0]!.hash])).toMatchObject({
      valid: false,
      failedAt: 0,
      reason: 'step-order',
    });
    const destroyedFirst = chainOf(['destroyed']);
    expect(verifyChain('smp-1', destroyedFirst, [destroyedFirst[0]!.hash])).toMatchObject({
      valid: false,
      failedAt: 0,
      reason: 'step-order',
    });
    const afterDestroyed = chainOf(['collected', 'destroyed', 'sealed']);
    expect(
      verifyChain(
        'smp-1',
        afterDestroyed,
        afterDestroyed.map((r) => r.hash),
      ),
    ).toMatchObject({
      valid: false,
      failedAt: 2,
      reason: 'step-order',
    });
    const whole = chainOf(['collected', 'sealed', 'shipped', 'received', 'profiled', 'stored', 'destroyed']);
    expect(
      verifyChain(
        'smp-1',
        whole,
        whole.map((r) => r.hash),
      ),
    ).toMatchObject({ valid: true, length: 7 });
  });
});

describe('overdue in a step', () => {
  const since = new Date('2026-11-28T00:00:00Z');
  const at = (h: number) => new Date(since.getTime() + h * 3_600_000);
  it('is late only past the limit, in hours to one decimal', () => {
    expect(overdue('collected', since, at(24), { collected: 24 })).toBeUndefined();
    expect(overdue('collected', since, at(24.25), { collected: 24 })).toEqual({
      limitHours: 24,
      overdueHours: 0.3,
    });
    expect(overdue('collected', since, at(24.04), { collected: 24 })).toEqual({
      limitHours: 24,
      overdueHours: 0,
    });
    expect(overdue('collected', since, at(30), {})).toBeUndefined();
    expect(overdue('received', since, at(-1), { received: 0 })).toBeUndefined();
  });
});
