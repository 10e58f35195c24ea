import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../src/index.ts';

describe('GroupCommit', () => {
  it('starts a lone write at once, and carries what queued meanwhile in the next round', async () => {
    const rounds: number[][] = [];
    let release: () => void = () => {};
    const gc = new GroupCommit<number, number>(async (items) => {
      rounds.push(items);
      if (rounds.length === 1) await new Promise<void>((r) => (release = r));
      return items.map((i) => i * 10);
    });
    const first = gc.run(1);
    const rest = [gc.run(2), gc.run(3), gc.run(4)];
    // The first round is in flight with one item; the others wait for it.
    expect(rounds).toEqual([[1]]);
    release();
    expect(await Promise.all([first, ...rest])).toEqual([10, 20, 30, 40]);
    expect(rounds).toEqual([[1], [2, 3, 4]]);
  });

  it('fails only the item whose outcome is an error, and a whole round when the flush throws', async () => {
    let fail = false;
    const gc = new GroupCommit<number, number>(async (items) => {
      if (fail) throw new Error('store away');
      return items.map((i) => (i === 2 ? new Error(`item ${i}`) : i));
    });
    const out = await Promise.allSettled([gc.run(1), gc.run(2), gc.run(3)]);
    expect(out.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    fail = true;
    await expect(gc.run(4)).rejects.toThrow('store away');
    fail = false;
    // It carries on after a failed round.
    expect(await gc.run(5)).toBe(5);
  });

  it('never carries more than its batch limit in one round', async () => {
    const sizes: number[] = [];
    const gc = new GroupCommit<number, number>(async (items) => {
      sizes.push(items.length);
      return items;
    }, 3);
    await Promise.all(Array.from({ length: 8 }, (_, i) => gc.run(i)));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(3);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(8);
  });
});
