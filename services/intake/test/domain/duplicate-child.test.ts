import type { MissingChildReport } from '@homeward/events';
import { describe, expect, it } from 'vitest';
import {
  type ChildKeyClaim,
  type ClaimFacts,
  claimFor,
  DEFAULT_DUPLICATE_WINDOW_DAYS,
  duplicateChildKey,
  judgeClaim,
  normaliseName,
  slideWindow,
  withinWindow,
} from '../../src/domain/duplicate-child.ts';
import { caseIdFor } from '../../src/domain/ids.ts';

const report = (
  birthDate: string,
  region = '340104',
  name = 'Li Xiaoming',
  at = '2026-11-28T08:00:00Z',
): MissingChildReport => ({
  kind: 'missing-child',
  child: { name, sex: 'male', birthDate },
  lastSeen: { at, place: 'station', lat: 31.8, lon: 117.3, region },
});

describe('the duplicate-child key', () => {
  it('normalises names: case, width and spacing do not matter', () => {
    expect(normaliseName('  Li   Xiaoming ')).toBe('lixiaoming');
    expect(normaliseName('ＬＩ Xiaoming')).toBe('lixiaoming');
    expect(normaliseName('李 小明')).toBe(normaliseName('李小明'));
  });

  it('drops the name separators of transliterated names (middle dots, full stops)', () => {
    expect(normaliseName('Ai·Li')).toBe('aili');
    expect(normaliseName('Ai・Li')).toBe('aili');
    expect(normaliseName('Ai.Li')).toBe('aili');
    expect(normaliseName('Ai-Li')).toBe('ai-li');
  });

  it('is equal for the same child in the same prefecture, different otherwise', () => {
    const a = duplicateChildKey(report('2019-05-01', '340104'));
    expect(duplicateChildKey(report('2019-05-01', '340102'))).toBe(a);
    expect(duplicateChildKey(report('2019-05-01', '340204'))).not.toBe(a);
    expect(duplicateChildKey(report('2019-05-02'))).not.toBe(a);
    expect(a).not.toContain('xiaoming');
  });

  it('depends on the normalised name, not on how it was typed', () => {
    const a = duplicateChildKey(report('2019-05-01', '340104', 'Li Xiaoming'));
    expect(duplicateChildKey(report('2019-05-01', '340104', 'LI  XIAOMING'))).toBe(a);
    expect(duplicateChildKey(report('2019-05-01', '340104', 'Li Xiaohong'))).not.toBe(a);
  });

  // Stored as `_id`s of live claims: a changed derivation would let a second case open for a
  // child whose case is open during a deploy.
  it('is the same across versions of the code', () => {
    expect(duplicateChildKey(report('2019-05-01'))).toBe('child-2099fb216daa11f8b90018fcf16dac8aeb3a4319');
  });

  it('the window is inclusive and symmetric', () => {
    const d = DEFAULT_DUPLICATE_WINDOW_DAYS;
    expect(d).toBe(30);
    expect(withinWindow('2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z', d)).toBe(true);
    expect(withinWindow('2026-11-01T00:00:00Z', '2026-12-01T00:00:01Z', d)).toBe(false);
    expect(withinWindow('2026-12-01T00:00:00Z', '2026-11-01T00:00:00Z', d)).toBe(true);
    expect(withinWindow('2026-12-01T00:00:01Z', '2026-11-01T00:00:00Z', d)).toBe(false);
    expect(withinWindow('2026-11-01T00:00:00Z', '2026-11-02T00:00:00Z', 1)).toBe(true);
    expect(withinWindow('2026-11-01T00:00:00Z', '2026-11-02T00:00:01Z', 1)).toBe(false);
  });
});

const now = new Date('2026-11-28T12:00:00Z');
const claim = (over: Partial<ChildKeyClaim> = {}): ChildKeyClaim => ({
  _id: 'child-1',
  caseId: 'case-1',
  openerReportId: 'rpt-opener',
  lastSeenAt: '2026-11-28T08:00:00Z',
  claimedAt: new Date(now.getTime() - 1_000),
  ...over,
});
const facts = (over: Partial<ClaimFacts> = {}): ClaimFacts => ({
  reportId: 'rpt-second',
  seenAt: '2026-11-28T09:00:00Z',
  caseStatus: 'open',
  openerLanded: true,
  windowDays: 30,
  ...over,
});

describe('claims on a child key', () => {
  it('a report claims the key for the case it would open', () => {
    const r = report('2019-05-01');
    expect(claimFor(r, 'rpt-1', now)).toStrictEqual({
      _id: duplicateChildKey(r),
      caseId: caseIdFor('rpt-1'),
      openerReportId: 'rpt-1',
      lastSeenAt: '2026-11-28T08:00:00Z',
      claimedAt: now,
    });
  });

  it('a claim of its own (a retry after a crash) is its own, whatever else is known', () => {
    expect(judgeClaim(claim({ openerReportId: 'rpt-second' }), facts({ caseStatus: 'closed' }))).toBe('mine');
    expect(judgeClaim(claim({ openerReportId: 'rpt-second' }), facts({ openerLanded: false }))).toBe('mine');
  });

  it('an open case of the child last seen within the window gets a lead', () => {
    expect(judgeClaim(claim(), facts())).toBe('lead');
    expect(judgeClaim(claim(), facts({ seenAt: '2026-12-28T08:00:00Z' }))).toBe('lead');
  });

  it('past the window, a new case: the claim is taken over', () => {
    expect(judgeClaim(claim(), facts({ seenAt: '2026-12-28T08:00:01Z' }))).toBe('take-over');
    expect(judgeClaim(claim(), facts({ seenAt: '2026-11-29T08:00:01Z', windowDays: 1 }))).toBe('take-over');
  });

  it('a closed case frees the child: the claim is taken over, even within the window', () => {
    expect(judgeClaim(claim(), facts({ caseStatus: 'closed' }))).toBe('take-over');
    expect(judgeClaim(claim(), facts({ caseStatus: 'closed', openerLanded: false }))).toBe('take-over');
  });

  it('an opener stored but its case not yet recorded counts as landed', () => {
    expect(judgeClaim(claim(), facts({ caseStatus: undefined, openerLanded: true }))).toBe('lead');
  });

  it('a claim whose opener never landed was left by a crash: taken over', () => {
    // Under the child's decision lease a report claims and stores itself together, so no
    // report can be "on its way": a claim without its report or case is a crash's leftover.
    expect(judgeClaim(claim(), facts({ caseStatus: undefined, openerLanded: false }))).toBe('take-over');
  });
});

describe('the sliding window', () => {
  it('a later report of the child moves the time last seen on', () => {
    const before = claim();
    expect(slideWindow(before, 'case-1', '2026-11-29T08:00:00Z')).toStrictEqual({
      ...before,
      lastSeenAt: '2026-11-29T08:00:00Z',
    });
    expect(before.lastSeenAt).toBe('2026-11-28T08:00:00Z');
  });

  it('an earlier or equal time, or a key that now belongs to another case, changes nothing', () => {
    expect(slideWindow(claim(), 'case-1', '2026-11-28T08:00:00Z')).toBeNull();
    expect(slideWindow(claim(), 'case-1', '2026-11-27T08:00:00Z')).toBeNull();
    expect(slideWindow(claim(), 'case-2', '2026-11-29T08:00:00Z')).toBeNull();
  });

  it('compares instants, not text', () => {
    expect(slideWindow(claim(), 'case-1', '2026-11-28T15:00:00+08:00')).toBeNull();
    expect(slideWindow(claim(), 'case-1', '2026-11-28T16:00:01+08:00')).not.toBeNull();
  });
});
