import { describe, expect, it } from 'vitest';
import { FairSlots, KeyedSlots } from '../../src/delivery/fair-slots.ts';

/** Queues `n` requests of a lane; each notes `lane:i` when it is handed a slot. */
function request(slots: KeyedSlots, lane: string, n: number, served: string[]): void {
  for (let i = 0; i < n; i++) void slots.acquire(lane).then(() => served.push(`${lane}:${i}`));
}

const tick = () => new Promise<void>((r) => setImmediate(r));

/** Releases one slot at a time and lets the woken request note itself, `times` times. */
async function releaseEach(slots: FairSlots, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    slots.release();
    await tick();
  }
}

describe('FairSlots: the sender’s slots, shared round-robin by alert', () => {
  it('gives free slots at once, then queues; freed slots go lane after lane, oldest first in a lane', async () => {
    const slots = new FairSlots(2);
    const served: string[] = [];
    // A's burst comes first and is the larger; B and C come after it.
    request(slots, 'A', 5, served);
    request(slots, 'B', 2, served);
    request(slots, 'C', 1, served);
    await tick();
    expect(served).toEqual(['A:0', 'A:1']);
    expect(slots.inUse).toBe(2);
    expect(slots.queued).toBe(6);
    await releaseEach(slots, 6);
    // Not A:2, A:3, A:4 before B and C: one of each waiting lane in turn.
    expect(served).toEqual(['A:0', 'A:1', 'A:2', 'B:0', 'C:0', 'A:3', 'B:1', 'A:4']);
    expect(slots.queued).toBe(0);
    expect(slots.inUse).toBe(2);
    await releaseEach(slots, 2);
    expect(slots.inUse).toBe(0);
  });

  it('a lane served moves behind the lanes that waited; a lane arriving later joins the turn at the end', async () => {
    const slots = new FairSlots(1);
    const served: string[] = [];
    request(slots, 'A', 3, served); // A:0 takes the slot, A:1 and A:2 wait
    request(slots, 'B', 2, served);
    await tick();
    await releaseEach(slots, 1); // → A:1; A moves behind B
    request(slots, 'C', 1, served); // joins after A
    await releaseEach(slots, 4);
    expect(served).toEqual(['A:0', 'A:1', 'B:0', 'A:2', 'C:0', 'B:1']);
    expect(slots.queued).toBe(0);
  });

  it('never holds more than its limit, and frees a slot nobody waits for', async () => {
    const slots = new FairSlots(3);
    const served: string[] = [];
    request(slots, 'A', 10, served);
    await tick();
    expect(served).toHaveLength(3);
    await releaseEach(slots, 7);
    expect(served).toHaveLength(10);
    expect(slots.inUse).toBe(3);
    await releaseEach(slots, 3);
    expect(slots.inUse).toBe(0);
    expect(() => new FairSlots(0)).toThrow(RangeError);
  });

  it('serves a lane of thousands in order, interleaved with a lane arriving midway', async () => {
    const slots = new FairSlots(1);
    const served: string[] = [];
    request(slots, 'A', 3000, served);
    await tick();
    await releaseEach(slots, 1000);
    request(slots, 'B', 2, served);
    await releaseEach(slots, 2001);
    expect(served.slice(0, 1001)).toEqual(Array.from({ length: 1001 }, (_, i) => `A:${i}`));
    expect(served.slice(1001, 1005)).toEqual(['A:1001', 'B:0', 'A:1002', 'B:1']);
    expect(served.slice(1005)).toEqual(Array.from({ length: 1997 }, (_, i) => `A:${i + 1003}`));
    expect(slots.queued).toBe(0);
    expect(slots.inUse).toBe(1);
  });
});

describe('KeyedSlots per key: the sender’s bound per unit', () => {
  it('bounds each key on its own, first come first served inside a key, and frees a key nobody waits for', async () => {
    const slots = new KeyedSlots(2, 'per-key');
    const served: string[] = [];
    request(slots, 'hanging', 5, served);
    request(slots, 'healthy', 3, served);
    await tick();
    // The hanging unit's third request waits; the healthy unit is not held back by it.
    expect(served).toEqual(['hanging:0', 'hanging:1', 'healthy:0', 'healthy:1']);
    expect(slots.inUse).toBe(4);
    expect(slots.queued).toBe(4);
    slots.release('healthy');
    await tick();
    expect(served.at(-1)).toBe('healthy:2');
    slots.release('hanging');
    slots.release('hanging');
    await tick();
    expect(served.slice(-2)).toEqual(['hanging:2', 'hanging:3']);
    expect(slots.inUse).toBe(4);
    expect(slots.queued).toBe(1);
    slots.release('healthy');
    slots.release('healthy');
    await tick();
    expect(slots.inUse).toBe(2);
    // Freed entirely, a key starts again with its full allowance.
    request(slots, 'healthy', 2, served);
    await tick();
    expect(served.slice(-2)).toEqual(['healthy:0', 'healthy:1']);
    expect(slots.inUse).toBe(4);
    expect(() => new KeyedSlots(0, 'per-key')).toThrow(RangeError);
  });

  it('tryAcquire takes a free slot at once and refuses a full key or a full bound without queueing', async () => {
    const perKey = new KeyedSlots(2, 'per-key');
    expect(perKey.tryAcquire('a')).toBe(true);
    expect(perKey.tryAcquire('a')).toBe(true);
    expect(perKey.tryAcquire('a')).toBe(false);
    expect(perKey.tryAcquire('b')).toBe(true);
    expect(perKey.inUse).toBe(3);
    expect(perKey.queued).toBe(0);
    // A refused key still queues through acquire, and is handed the slot its holder frees.
    const served: string[] = [];
    request(perKey, 'a', 1, served);
    await tick();
    expect(served).toEqual([]);
    perKey.release('a');
    await tick();
    expect(served).toEqual(['a:0']);
    expect(perKey.tryAcquire('a')).toBe(false);
    perKey.release('a');
    perKey.release('a');
    expect(perKey.tryAcquire('a')).toBe(true);

    const shared = new FairSlots(1);
    expect(shared.tryAcquire('x')).toBe(true);
    expect(shared.tryAcquire('y')).toBe(false);
    expect(shared.queued).toBe(0);
    shared.release();
    expect(shared.inUse).toBe(0);
    expect(shared.tryAcquire('y')).toBe(true);
  });
});

describe('KeyedSlots.enqueue: a waiter as a callback, called holding the slot', () => {
  it('calls each waiter synchronously from the release that hands it on, in the same order as acquire', () => {
    const slots = new FairSlots(1);
    const served: string[] = [];
    expect(slots.tryAcquire('A')).toBe(true);
    slots.enqueue('A', () => served.push('A:1'));
    slots.enqueue('B', () => served.push('B:0'));
    slots.enqueue('A', () => served.push('A:2'));
    expect(slots.queued).toBe(3);
    slots.release();
    // No turn of the event loop: the slot is handed on inside release.
    expect(served).toEqual(['A:1']);
    slots.release();
    slots.release();
    expect(served).toEqual(['A:1', 'B:0', 'A:2']);
    expect(slots.inUse).toBe(1);
    slots.release();
    expect(slots.inUse).toBe(0);
  });

  it('a lane emptied and filled again, round after round, keeps its order (its queue starts again when empty)', () => {
    const slots = new KeyedSlots(1, 'per-key');
    const served: number[] = [];
    expect(slots.tryAcquire('u')).toBe(true);
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 3; i++) slots.enqueue('u', () => served.push(round * 3 + i));
      for (let i = 0; i < 3; i++) slots.release('u');
    }
    expect(served).toEqual(Array.from({ length: 150 }, (_, i) => i));
    expect(slots.queued).toBe(0);
    expect(slots.inUse).toBe(1);
    slots.release('u');
    expect(slots.inUse).toBe(0);
    // Forgotten once free: its full allowance again.
    expect(slots.tryAcquire('u')).toBe(true);
  });
});
