import { describe, expect, it } from 'vitest';
import { childTraceparent, newTraceparent, traceIdOf } from '../../src/index.ts';

const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/;

describe('traceparents', () => {
  it('are well formed and never repeat a trace or span id, across many refills of the id pool', () => {
    const made = Array.from({ length: 2_000 }, () => newTraceparent());
    for (const t of made) expect(t).toMatch(TRACEPARENT);
    expect(new Set(made.map((t) => traceIdOf(t))).size).toBe(made.length);
    expect(new Set(made.map((t) => t.slice(36, 52))).size).toBe(made.length);
    // Not all zero (an invalid id) and not a constant byte: the pool is random bytes.
    expect(made.some((t) => /^00-0{32}-/.test(t))).toBe(false);
    expect(new Set(made.join('').replaceAll('-', ''))).toEqual(new Set('0123456789abcdef'));
  });

  it('keep the trace of their parent in a child, with a span id of its own', () => {
    const parent = newTraceparent();
    const child = childTraceparent(parent);
    expect(child).toMatch(TRACEPARENT);
    expect(traceIdOf(child)).toBe(traceIdOf(parent));
    expect(child).not.toBe(parent);
    // A malformed parent starts a new trace.
    expect(childTraceparent('nonsense')).toMatch(TRACEPARENT);
  });
});
