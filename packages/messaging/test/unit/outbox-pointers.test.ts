import { describe, expect, it } from 'vitest';
import { OutboxPointers, removalFilter } from '../../src/outbox-pointers.ts';

const at = new Date('2026-12-02T10:00:00Z');
const acted = (once: boolean, doc: string, nonce: string) => {
  const p = OutboxPointers.of('reports', doc, nonce, once, at);
  return { _id: p._id, nonce: p.nonce, ...(p.once ? { once: p.once } : {}) };
};

describe('removalFilter', () => {
  it("removes a once write's pointers by their _id alone, which holds the nonce: one by equality, several in one $in", () => {
    const a = acted(true, 'rpt-a', 'n-1');
    const b = acted(true, 'rpt-b', 'n-2');
    expect(a._id).toBe('reports:rpt-a#n-1');
    expect(removalFilter([a])).toEqual({ _id: a._id });
    expect(removalFilter([a, b])).toEqual({ _id: { $in: [a._id, b._id] } });
  });

  it('removes a pointer a later write may renew only while it holds the nonce acted on', () => {
    const renewable = acted(false, 'case-1', 'n-3');
    const once = [acted(true, 'rpt-a', 'n-1'), acted(true, 'rpt-b', 'n-2')];
    expect(removalFilter([renewable])).toEqual({ _id: 'reports:case-1', nonce: 'n-3' });
    expect(removalFilter([...once, renewable])).toEqual({
      $or: [{ _id: { $in: once.map((p) => p._id) } }, { _id: 'reports:case-1', nonce: 'n-3' }],
    });
  });

  it("never takes a renewable pointer for a once write's, even when its document id ends like a nonce", () => {
    const odd = acted(false, 'rpt#n-9', 'n-9');
    expect(odd._id).toBe('reports:rpt#n-9');
    // Its _id ends with `#` and its nonce, as a once write's does: what tells them apart is
    // the flag the flush keeps, not the shape of the _id.
    expect(removalFilter([odd])).toEqual({ _id: odd._id, nonce: 'n-9' });
  });
});
