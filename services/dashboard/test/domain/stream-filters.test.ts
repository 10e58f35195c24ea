import { describe, expect, it } from 'vitest';
import { isOpenFilter, matchesFilter, parseFilter } from '../../src/domain/filters.ts';
import { regionMatches } from '../../src/domain/regions.ts';
import { compareStreamIds, isStreamId } from '../../src/domain/stream-ids.ts';

describe('parsing a stream filter', () => {
  it('an empty query lets everything through', () => {
    for (const query of [{}, { type: '', region: '', caseId: '' }, { type: ' , ,' }]) {
      const { filter, errors } = parseFilter(query);
      expect(errors).toEqual([]);
      expect(filter).toEqual({ types: [] });
      expect(isOpenFilter(filter)).toBe(true);
    }
  });

  it('takes type prefixes trimmed, a division code and a case id', () => {
    const { filter, errors } = parseFilter({
      type: ' homeward.dna. ,homeward.case.opened',
      region: '340100',
      caseId: 'case-1.a_b:c',
    });
    expect(errors).toEqual([]);
    expect(filter).toEqual({
      types: ['homeward.dna.', 'homeward.case.opened'],
      region: '340100',
      caseId: 'case-1.a_b:c',
    });
    expect(isOpenFilter(filter)).toBe(false);
    expect(isOpenFilter({ types: ['homeward.'] })).toBe(false);
    expect(isOpenFilter({ types: [], region: '340000' })).toBe(false);
    expect(isOpenFilter({ types: [], caseId: 'c1' })).toBe(false);
  });

  it('names each prefix that is not one, and the region and case id that are malformed', () => {
    const { filter, errors } = parseFilter({
      type: 'homeward.alert.,Alert!,x y',
      region: '3401',
      caseId: '-starts-with-dash',
    });
    expect(errors).toEqual([
      { field: '/querystring/type', message: '"Alert!" is not an event type prefix' },
      { field: '/querystring/type', message: '"x y" is not an event type prefix' },
      { field: '/querystring/region', message: 'must be a 6-digit division code' },
      { field: '/querystring/caseId', message: 'is not a case id' },
    ]);
    expect(filter).toEqual({ types: ['homeward.alert.', 'Alert!', 'x y'] });
  });

  it('bounds the prefixes: at most 20, each at most 100 characters', () => {
    const twenty = Array.from({ length: 20 }, (_, i) => `homeward.t${i}`).join(',');
    expect(parseFilter({ type: twenty }).errors).toEqual([]);
    expect(parseFilter({ type: `${twenty},homeward.more` }).errors).toEqual([
      { field: '/querystring/type', message: 'at most 20 type prefixes' },
    ]);
    expect(parseFilter({ type: 'a'.repeat(100) }).errors).toEqual([]);
    expect(parseFilter({ type: 'a'.repeat(101) }).errors).toHaveLength(1);
  });

  it('bounds a case id at 128 characters, anchored at both ends', () => {
    expect(parseFilter({ caseId: `c${'x'.repeat(127)}` }).errors).toEqual([]);
    expect(parseFilter({ caseId: `c${'x'.repeat(128)}` }).errors).toHaveLength(1);
    expect(parseFilter({ caseId: 'case/1' }).errors).toHaveLength(1);
    expect(parseFilter({ caseId: 'case 1' }).errors).toHaveLength(1);
    expect(parseFilter({ type: 'homeward.case.opened/x' }).errors).toHaveLength(1);
  });
});

describe('matching an entry against a filter', () => {
  it('a type matches by prefix, any of the given ones', () => {
    const f = { types: ['homeward.dna.', 'homeward.case.opened'] };
    expect(matchesFilter(f, { type: 'homeward.dna.match-found' })).toBe(true);
    expect(matchesFilter(f, { type: 'homeward.case.opened' })).toBe(true);
    expect(matchesFilter(f, { type: 'homeward.case.closed' })).toBe(false);
    expect(matchesFilter(f, { type: 'x.homeward.dna.match-found' })).toBe(false);
  });

  it('a region filter lets through what lies within it, and nothing unplaced', () => {
    const f = { types: [], region: '340100' };
    expect(matchesFilter(f, { type: 't', region: '340104' })).toBe(true);
    expect(matchesFilter(f, { type: 't', region: '341502' })).toBe(false);
    expect(matchesFilter(f, { type: 't' })).toBe(false);
  });

  it('without a case filter, entries of every case and of none pass', () => {
    expect(matchesFilter({ types: [] }, { type: 't', caseId: 'c1' })).toBe(true);
    expect(
      matchesFilter({ types: [], region: '340000' }, { type: 't', region: '340104', caseId: 'c1' }),
    ).toBe(true);
  });

  it('a case filter lets through that case only', () => {
    const f = { types: [], caseId: 'c1' };
    expect(matchesFilter(f, { type: 't', caseId: 'c1' })).toBe(true);
    expect(matchesFilter(f, { type: 't', caseId: 'c2' })).toBe(false);
    expect(matchesFilter(f, { type: 't' })).toBe(false);
  });
});

describe('regions', () => {
  it('a filter matches a division within it, never an unplaced entry', () => {
    expect(regionMatches('340000', '341502')).toBe(true);
    expect(regionMatches('340000', '350102')).toBe(false);
    expect(regionMatches('340104', undefined)).toBe(false);
  });
});

describe('stream ids', () => {
  it('are milliseconds and a sequence, digits only, each at most 15 digits', () => {
    expect(isStreamId('0-0')).toBe(true);
    expect(isStreamId('123456789012345-123456789012345')).toBe(true);
    expect(isStreamId('1234567890123456-0')).toBe(false);
    expect(isStreamId('1-1234567890123456')).toBe(false);
    expect(isStreamId('1700000000000')).toBe(false);
    expect(isStreamId('x1-0')).toBe(false);
    expect(isStreamId('1-0x')).toBe(false);
    expect(isStreamId('-1-0')).toBe(false);
  });

  it('order by milliseconds numerically, then by sequence', () => {
    expect(compareStreamIds('10-0', '9-5')).toBe(1);
    expect(compareStreamIds('9-5', '10-0')).toBe(-1);
    expect(compareStreamIds('10-10', '10-2')).toBe(1);
    expect(compareStreamIds('10-2', '10-10')).toBe(-1);
    expect(compareStreamIds('10-2', '10-2')).toBe(0);
    expect(compareStreamIds('10', '10-0')).toBe(0);
    expect(compareStreamIds('10-1', '10')).toBe(1);
    expect(compareStreamIds('', '0-0')).toBe(0);
  });
});
