import { describe, expect, it } from 'vitest';
import { holdsBack } from '../../src/delivery/outcome-batcher.ts';

// The outcome batcher's rule for settling now or later (the defaults: flush every 50 ms, defer at
// most 2 s), as pure arithmetic on how long ago the batch's first and latest outcomes came.
const at = (s: { busy?: boolean; sinceOldestMs: number; sinceLatestMs: number; maxDeferMs?: number }) =>
  holdsBack({ busy: false, flushMs: 50, maxDeferMs: 2000, ...s });

describe('holding outcomes back while a fan-out is under way', () => {
  it('holds while webhooks queue or claims are on their way, however long ago the latest answer came', () => {
    expect(at({ busy: true, sinceOldestMs: 100, sinceLatestMs: 90 })).toBe(true);
    expect(at({ busy: true, sinceOldestMs: 1999, sinceLatestMs: 1999 })).toBe(true);
  });

  it('holds while answers keep coming with nothing queued (the last requests of a fan-out in flight)', () => {
    expect(at({ sinceOldestMs: 1500, sinceLatestMs: 0 })).toBe(true);
    expect(at({ sinceOldestMs: 1500, sinceLatestMs: 24 })).toBe(true);
  });

  it('settles once answers stop for half a flush interval: a unit that hangs holds back nobody', () => {
    expect(at({ sinceOldestMs: 1500, sinceLatestMs: 25 })).toBe(false);
    // A lone outcome settles at its first flush tick, as before.
    expect(at({ sinceOldestMs: 50, sinceLatestMs: 50 })).toBe(false);
  });

  it('never holds a batch past the bound after its first outcome, busy or not', () => {
    expect(at({ busy: true, sinceOldestMs: 2000, sinceLatestMs: 0 })).toBe(false);
    expect(at({ sinceOldestMs: 2500, sinceLatestMs: 1 })).toBe(false);
  });

  it('with no deferral allowed, never holds', () => {
    expect(at({ busy: true, sinceOldestMs: 0, sinceLatestMs: 0, maxDeferMs: 0 })).toBe(false);
  });
});
