import { describe, expect, it } from 'vitest';
import {
  ensureInScope,
  inScope,
  NATIONAL_REGION,
  NotFoundError,
  pageOf,
  pageWindow,
  regionContains,
  regionFilter,
  scopeFilter,
  withScope,
} from '../../src/index.ts';

describe('region scope', () => {
  it('contains what lies inside: 000000 ⊃ 340000 ⊃ 340100 ⊃ 340104, nothing beside', () => {
    expect(regionContains(NATIONAL_REGION, '340104')).toBe(true);
    expect(regionContains('340000', '340100')).toBe(true);
    expect(regionContains('340100', '340104')).toBe(true);
    expect(regionContains('340104', '340104')).toBe(true);
    expect(regionContains('340100', '341502')).toBe(false);
    expect(regionContains('340104', '340100')).toBe(false);
    expect(regionContains('340000', NATIONAL_REGION)).toBe(false);
    expect(inScope({ region: '341500' }, '341502')).toBe(true);
    expect(inScope({ region: '341500' }, '340104')).toBe(false);
  });

  it('builds store filters: none for national, equality for a county, an anchored prefix above', () => {
    expect(regionFilter('region', NATIONAL_REGION)).toEqual({});
    expect(regionFilter('region', '340104')).toEqual({ region: '340104' });
    expect(regionFilter('region', '340100')).toEqual({ region: { $regex: '^3401' } });
    expect(regionFilter('lastSeen.region', '340000')).toEqual({ 'lastSeen.region': { $regex: '^34' } });
    expect(regionFilter('region', ['340100', '341500', '340100'])).toEqual({
      $or: [{ region: { $regex: '^3401' } }, { region: { $regex: '^3415' } }],
    });
    expect(regionFilter('region', ['340100', NATIONAL_REGION])).toEqual({});
    expect(regionFilter('region', [])).toEqual({ _id: { $in: [] } });
    expect(scopeFilter({ region: '341500' }, 'region')).toEqual({ region: { $regex: '^3415' } });
  });

  it('narrows a filter with a scope, leaving either alone when the other is empty', () => {
    expect(withScope({}, {})).toEqual({});
    expect(withScope({ status: 'open' }, {})).toEqual({ status: 'open' });
    expect(withScope({}, { region: '340104' })).toEqual({ region: '340104' });
    expect(withScope({ status: 'open' }, { region: '340104' })).toEqual({
      $and: [{ status: 'open' }, { region: '340104' }],
    });
  });

  it('answers a record outside scope exactly as a missing one (404)', () => {
    const notFound = () => new NotFoundError('no case "c-1"', 'TEST_ERR_CASE_NOT_FOUND');
    const record = { id: 'c-1', region: '340104' };
    expect(ensureInScope({ region: '340100' }, record, (r) => r.region, notFound)).toBe(record);
    expect(() => ensureInScope({ region: '341500' }, record, (r) => r.region, notFound)).toThrow(
      expect.objectContaining({ status: 404, code: 'TEST_ERR_CASE_NOT_FOUND' }),
    );
    expect(() => ensureInScope({ region: '341500' }, null, (r: typeof record) => r.region, notFound)).toThrow(
      expect.objectContaining({ status: 404, code: 'TEST_ERR_CASE_NOT_FOUND' }),
    );
    // Any of several regions (the case's own, a region granted assistance) admits the caller.
    expect(ensureInScope({ region: '341500' }, record, () => ['340104', '341502'], notFound)).toBe(record);
    expect(() => ensureInScope({ region: '341500' }, record, (r) => r.region)).toThrow(NotFoundError);
  });
});

describe('paging', () => {
  it('defaults to 50, never more than 200, and knows whether a next page follows', () => {
    expect(pageWindow({})).toEqual({ limit: 50, offset: 0 });
    expect(pageWindow({ limit: 500, offset: 20_000 })).toEqual({ limit: 200, offset: 10_000 });
    expect(pageOf([1, 2, 3], { limit: 2, offset: 4 })).toEqual({ items: [1, 2], nextOffset: 6 });
    expect(pageOf([1, 2], { limit: 2 })).toEqual({ items: [1, 2], nextOffset: null });
  });
});
