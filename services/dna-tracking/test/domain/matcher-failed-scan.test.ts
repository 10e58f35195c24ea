import { describe, expect, it, vi } from 'vitest';
import { fbiTable, profile } from './fixtures.ts';

// A scan that throws (a bug, or a worker's range lost) must not leave its search open: an open
// search refuses every later removal. The kernel's scans are replaced by ones that fail when
// asked to (a module mock, so this file alone).
const failing = vi.hoisted(() => ({ now: false }));
vi.mock('../../src/domain/search-kernel.ts', async (importOriginal) => {
  const kernel = await importOriginal<typeof import('../../src/domain/search-kernel.ts')>();
  const fail =
    <A extends unknown[], R>(scan: (...args: A) => R) =>
    (...args: A): R => {
      if (failing.now) throw new Error('scan failed');
      return scan(...args);
    };
  return { ...kernel, scanParents: fail(kernel.scanParents), scanRelatives: fail(kernel.scanRelatives) };
});
// The unit project shares modules between test files (no isolation): the matcher another file
// loaded holds the real kernel, so it is loaded afresh here, with the mock.
vi.resetModules();
const { ProfileIndex } = await import('../../src/domain/matcher.ts');

describe('ProfileIndex: a search whose scan fails', () => {
  it('passes the failure on and ends its search, so removal is allowed again', () => {
    const kid = profile({ CSF1PO: [12, 13], TH01: [7, 8] });
    const index = new ProfileIndex(fbiTable('Caucasian'));
    index.add('m', profile({ CSF1PO: [10, 12], TH01: [7, 9] }), 'parent');
    index.add('s', kid, 'relative', { caseId: 'c', relation: 'full-sibling' });
    failing.now = true;
    expect(() => index.searchParentsForChild(kid)).toThrow('scan failed');
    expect(() => index.searchRelativesForChild(kid)).toThrow('scan failed');
    failing.now = false;
    expect(index.searchParentsForChild(kid, { floor: 0 }).singles.map((s) => s.parentId)).toEqual(['m']);
    expect(index.remove('m')).toBe(true);
    expect(index.remove('s')).toBe(true);
  });
});
