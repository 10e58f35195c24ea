import type { MissingChildReport, ReportData } from '@homeward/events';
import { describe, expect, it } from 'vitest';
import { isKnownProvince, prefectureOf } from '../../src/domain/regions.ts';
import {
  ADULT_AGE,
  ageInYears,
  checkReportRules,
  FUTURE_TOLERANCE_MS,
} from '../../src/domain/report-rules.ts';

const now = new Date('2026-11-28T12:00:00Z');
const report = (birthDate: string, at = '2026-11-28T08:00:00Z', region = '340104'): MissingChildReport => ({
  kind: 'missing-child',
  child: { name: 'Li Xiaoming', sex: 'male', birthDate },
  lastSeen: { at, place: 'station', lat: 31.8, lon: 117.3, region },
});

describe('report rules', () => {
  it('age by the calendar, at the birthday boundary', () => {
    expect(ageInYears('2008-11-28', new Date('2026-11-27T23:59:59Z'))).toBe(17);
    expect(ageInYears('2008-11-28', new Date('2026-11-28T00:00:00Z'))).toBe(18);
    expect(ageInYears('2020-02-29', new Date('2026-02-28T12:00:00Z'))).toBe(5);
  });

  it('a child is under 18 when last seen', () => {
    expect(checkReportRules(report('2008-11-29'), now)).toEqual([]);
    expect(checkReportRules(report('2008-11-28'), now)).toEqual([
      { field: '/data/child/birthDate', message: expect.stringContaining('18 or older') },
    ]);
  });

  it('times in the future are refused beyond five minutes of clock skew', () => {
    expect(checkReportRules(report('2019-01-01', '2026-11-28T12:04:00Z'), now)).toEqual([]);
    expect(checkReportRules(report('2019-01-01', '2026-11-28T12:06:00Z'), now)).toEqual([
      { field: '/data/lastSeen/at', message: 'must not be in the future' },
    ]);
  });

  it('division codes must belong to a province', () => {
    expect(isKnownProvince('340104')).toBe(true);
    expect(isKnownProvince('990104')).toBe(false);
    expect(checkReportRules(report('2019-01-01', undefined, '190104'), now)).toEqual([
      { field: '/data/lastSeen/region', message: expect.stringContaining('province "19"') },
    ]);
    expect(prefectureOf('340104')).toBe('340100');
    expect(prefectureOf('340000')).toBe('340000');
  });

  it('suspected trafficking needs both coordinates or neither', () => {
    const errors = checkReportRules(
      {
        kind: 'suspected-trafficking',
        description: 'x',
        observedAt: '2026-11-01T00:00:00Z',
        location: { place: 'p', region: '340104', lat: 31 },
      },
      now,
    );
    expect(errors).toEqual([
      { field: '/data/location/lon', message: 'is required when the other coordinate is given' },
    ]);
  });
});

// A one-year error in the age would let an adult through as a child, or refuse a 17-year-old.
describe('age in whole years, by the calendar', () => {
  const at = (iso: string) => new Date(`${iso}T12:00:00Z`);

  it('turns on the birthday itself: the day before, on, and after', () => {
    expect(ageInYears('2010-06-15', at('2026-06-14'))).toBe(15);
    expect(ageInYears('2010-06-15', at('2026-06-15'))).toBe(16);
    expect(ageInYears('2010-06-15', at('2026-06-16'))).toBe(16);
  });

  it('in a month before the birthday month, whatever the day', () => {
    expect(ageInYears('2010-06-15', at('2026-05-20'))).toBe(15);
    expect(ageInYears('2010-06-15', at('2026-05-15'))).toBe(15);
    expect(ageInYears('2010-06-15', at('2026-01-31'))).toBe(15);
  });

  it('in a month after the birthday month, whatever the day', () => {
    expect(ageInYears('2010-06-15', at('2026-07-01'))).toBe(16);
    expect(ageInYears('2010-06-15', at('2026-07-15'))).toBe(16);
    expect(ageInYears('2010-06-15', at('2026-12-31'))).toBe(16);
  });

  it('across the turn of the year', () => {
    expect(ageInYears('2010-12-31', at('2026-12-30'))).toBe(15);
    expect(ageInYears('2010-12-31', at('2026-12-31'))).toBe(16);
    expect(ageInYears('2010-01-01', at('2026-01-01'))).toBe(16);
    expect(ageInYears('2010-01-02', at('2026-01-01'))).toBe(15);
    expect(ageInYears('2010-12-31', at('2027-01-01'))).toBe(16);
  });

  it('a child born on 29 February has its birthday on 1 March in common years', () => {
    expect(ageInYears('2012-02-29', at('2026-02-28'))).toBe(13);
    expect(ageInYears('2012-02-29', at('2026-03-01'))).toBe(14);
    expect(ageInYears('2012-02-29', at('2028-02-28'))).toBe(15);
    expect(ageInYears('2012-02-29', at('2028-02-29'))).toBe(16);
  });

  it('is zero before the first birthday, and counts the moment in UTC', () => {
    expect(ageInYears('2026-01-10', at('2026-11-28'))).toBe(0);
    expect(ageInYears('2025-11-28', at('2026-11-27'))).toBe(0);
    expect(ageInYears('2008-11-28', new Date('2026-11-27T23:59:59.999Z'))).toBe(17);
  });
});

describe('the rules of each kind', () => {
  const here = { place: 'p', lat: 31.8, lon: 117.3, region: '340104' };
  const tooLate = new Date(now.getTime() + FUTURE_TOLERANCE_MS + 1).toISOString();
  const atLimit = new Date(now.getTime() + FUTURE_TOLERANCE_MS).toISOString();
  const badRegion = (field: string, code: string) => ({
    field,
    message: `is not a known division code (province "${code.slice(0, 2)}" does not exist)`,
  });

  it('the tolerances are those the contract names', () => {
    expect(FUTURE_TOLERANCE_MS).toBe(300_000);
    expect(ADULT_AGE).toBe(18);
  });

  it('missing child: every violation is returned, each with its field and message', () => {
    const data: ReportData = {
      kind: 'missing-child',
      child: { name: 'n', sex: 'female', birthDate: '2019-01-01' },
      lastSeen: { ...here, at: tooLate, region: '990104' },
    };
    expect(checkReportRules(data, now)).toStrictEqual([
      { field: '/data/lastSeen/at', message: 'must not be in the future' },
      badRegion('/data/lastSeen/region', '990104'),
    ]);
    expect(checkReportRules({ ...data, lastSeen: { ...here, at: atLimit } }, now)).toStrictEqual([]);
  });

  it('missing child: a birth date in the future, or after the time last seen, is refused as such', () => {
    const seenAt = (birthDate: string, at: string): ReportData => ({
      kind: 'missing-child',
      child: { name: 'n', sex: 'male', birthDate },
      lastSeen: { ...here, at },
    });
    expect(checkReportRules(seenAt('2026-11-29', '2026-11-28T08:00:00Z'), now)).toStrictEqual([
      { field: '/data/child/birthDate', message: 'must not be in the future' },
    ]);
    expect(checkReportRules(seenAt('2026-11-28', '2026-11-27T08:00:00Z'), now)).toStrictEqual([
      { field: '/data/child/birthDate', message: 'must be before the time last seen' },
    ]);
    // Born today, at the start of the day: not in the future.
    const midnight = new Date('2026-11-28T00:00:00Z');
    expect(checkReportRules(seenAt('2026-11-28', '2026-11-28T00:00:00Z'), midnight)).toStrictEqual([]);
    // Born the day the child was last seen (a newborn taken from a hospital): a child.
    expect(checkReportRules(seenAt('2026-11-28', '2026-11-28T00:00:00Z'), now)).toStrictEqual([]);
    expect(checkReportRules(seenAt('2026-11-28', '2026-11-28T08:00:00Z'), now)).toStrictEqual([]);
  });

  it('missing child: the age counts at the time last seen, not at the time of the report', () => {
    // 17 when last seen a year ago, 18 now: still a missing child.
    const lastYear: ReportData = {
      kind: 'missing-child',
      child: { name: 'n', sex: 'male', birthDate: '2008-06-15' },
      lastSeen: { ...here, at: '2025-12-01T00:00:00Z' },
    };
    expect(ageInYears('2008-06-15', now)).toBe(18);
    expect(checkReportRules(lastYear, now)).toStrictEqual([]);
    expect(
      checkReportRules({ ...lastYear, lastSeen: { ...here, at: '2026-06-15T00:00:00Z' } }, now),
    ).toStrictEqual([
      {
        field: '/data/child/birthDate',
        message: 'makes the person 18 or older when last seen; a missing-child report is for a child',
      },
    ]);
  });

  it('unidentified child: time found and its division', () => {
    const data: ReportData = {
      kind: 'unidentified-child',
      child: { sex: 'female', apparentAge: 4 },
      foundAt: { ...here, at: tooLate, region: '190101' },
    };
    expect(checkReportRules(data, now)).toStrictEqual([
      { field: '/data/foundAt/at', message: 'must not be in the future' },
      badRegion('/data/foundAt/region', '190101'),
    ]);
    expect(checkReportRules({ ...data, foundAt: { ...here, at: atLimit } }, now)).toStrictEqual([]);
  });

  it('suspected trafficking: time observed, its division, and both coordinates or neither', () => {
    const data = (location: Record<string, unknown>, observedAt = '2026-11-01T00:00:00Z'): ReportData =>
      ({
        kind: 'suspected-trafficking',
        description: 'x',
        observedAt,
        location: { place: 'p', region: '340104', ...location },
      }) as ReportData;
    expect(checkReportRules(data({ region: '190101' }, tooLate), now)).toStrictEqual([
      { field: '/data/observedAt', message: 'must not be in the future' },
      badRegion('/data/location/region', '190101'),
    ]);
    expect(checkReportRules(data({ lon: 117 }), now)).toStrictEqual([
      { field: '/data/location/lat', message: 'is required when the other coordinate is given' },
    ]);
    expect(checkReportRules(data({ lat: 31 }), now)).toStrictEqual([
      { field: '/data/location/lon', message: 'is required when the other coordinate is given' },
    ]);
    expect(checkReportRules(data({ lat: 0, lon: 0 }), now)).toStrictEqual([]);
    expect(checkReportRules(data({}, atLimit), now)).toStrictEqual([]);
  });

  it('sighting: time seen and its division', () => {
    const data: ReportData = {
      kind: 'sighting',
      caseId: 'case-1',
      description: 'd',
      seenAt: { ...here, at: tooLate, region: '190101' },
    };
    expect(checkReportRules(data, now)).toStrictEqual([
      { field: '/data/seenAt/at', message: 'must not be in the future' },
      badRegion('/data/seenAt/region', '190101'),
    ]);
    expect(checkReportRules({ ...data, seenAt: { ...here, at: atLimit } }, now)).toStrictEqual([]);
  });
});
