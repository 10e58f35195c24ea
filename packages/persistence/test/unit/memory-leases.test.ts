import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { leaseName, MemoryLeases } from '../../src/index.ts';

describe('MemoryLeases', () => {
  it('runs the holders of one name one at a time, in the order they asked', async () => {
    const leases = new MemoryLeases();
    const log: string[] = [];
    let inside = 0;
    let most = 0;
    await Promise.all(
      [30, 10, 20, 0].map((ms, i) =>
        leases.withLock('cases:a', async () => {
          inside++;
          most = Math.max(most, inside);
          log.push(`start ${i}`);
          await sleep(ms);
          log.push(`end ${i}`);
          inside--;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(log).toEqual(['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
    expect(leases.held).toBe(0);
  });

  it('lets different names run side by side', async () => {
    const leases = new MemoryLeases();
    let inside = 0;
    let most = 0;
    await Promise.all(
      ['a', 'b', 'c'].map((id) =>
        leases.withLock(leaseName('cases', id), async () => {
          inside++;
          most = Math.max(most, inside);
          await sleep(10);
          inside--;
        }),
      ),
    );
    expect(most).toBe(3);
  });

  it('passes the lease on when a holder throws, and returns what fn returns', async () => {
    const leases = new MemoryLeases();
    const failed = leases.withLock('x', async () => {
      throw new Error('boom');
    });
    const next = leases.withLock('x', async () => 42);
    await expect(failed).rejects.toThrow('boom');
    expect(await next).toBe(42);
    expect(leases.held).toBe(0);
  });

  it('names an aggregate `<collection>:<id>`', () => {
    expect(leaseName('cases', 'c-1')).toBe('cases:c-1');
  });
});
