import { describe, expect, it } from 'vitest';
import {
  isKnownProvince,
  NATIONAL_REGION,
  prefectureOf,
  regionAncestors,
  regionContains,
  regionLevel,
  regionPrefix,
} from '../../src/index.ts';

describe('division codes', () => {
  it('know their level and significant prefix', () => {
    expect(['340000', '340100', '340104'].map(regionLevel)).toEqual(['province', 'prefecture', 'county']);
    expect(['340000', '340100', '340104'].map(regionPrefix)).toEqual(['34', '3401', '340104']);
  });

  it('contain themselves and what lies below them, nothing beside', () => {
    expect(regionContains('340000', '340104')).toBe(true);
    expect(regionContains('340100', '340104')).toBe(true);
    expect(regionContains('340104', '340104')).toBe(true);
    expect(regionContains('340102', '340104')).toBe(false);
    expect(regionContains('340200', '340104')).toBe(false);
    expect(regionContains('320000', '340104')).toBe(false);
    expect(regionContains('340104', '340100')).toBe(false);
  });

  it('national (000000) contains every division and lies in none', () => {
    expect(regionPrefix(NATIONAL_REGION)).toBe('');
    expect(regionContains(NATIONAL_REGION, '340104')).toBe(true);
    expect(regionContains(NATIONAL_REGION, '110000')).toBe(true);
    expect(regionContains('340000', NATIONAL_REGION)).toBe(false);
  });

  it('name their prefecture and province, and only real provinces', () => {
    expect(prefectureOf('340104')).toBe('340100');
    expect(prefectureOf('340000')).toBe('340000');
    expect(regionAncestors('340104')).toEqual({ province: '340000', prefecture: '340100' });
    expect(isKnownProvince('820000')).toBe(true);
    expect(isKnownProvince('190000')).toBe(false);
  });
});
