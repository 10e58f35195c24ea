import type { MissingChildReport } from '@homeward/events';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DUPLICATE_WINDOW_DAYS,
  duplicateChildKey,
  normaliseName,
  withinWindow,
} from '../../src/domain/duplicate-child.ts';
import { caseIdFor, fingerprint, reportIdFor } from '../../src/domain/ids.ts';
import { mayReport, REPORT_PERMISSIONS } from '../../src/domain/permissions.ts';
import { isKnownProvince, prefectureOf } from '../../src/domain/regions.ts';
import { ageInYears, checkReportRules } from '../../src/domain/report-rules.ts';

const now = new Date('2026-11-28T12:00:00Z');
const report = (birthDate: string, at = '2026-11-28T08:00:00Z', region = '340104'): MissingChildReport => ({
  kind: 'missing-child',
  child: { name: 'Li Xiaoming', sex: 'male', birthDate },
  lastSeen: { at, place: 'station', lat: 31.8, lon: 117.3, region },
});

describe('who may send what', () => {
  it('only police file missing-child reports; everyone who reports may send a sighting', () => {
    const senders = Object.entries(REPORT_PERMISSIONS)
      .filter(([, kinds]) => kinds.includes('missing-child'))
      .map(([r]) => r);
    expect(senders).toEqual(['police']);
    for (const role of [
      'police',
      'health',
      'education',
      'transport',
      'hotline',
      'volunteer',
      'unit',
    ] as const)
      expect(mayReport(role, 'sighting')).toBe(true);
    expect(mayReport('unit', 'suspected-trafficking')).toBe(false);
    for (const role of ['dna-lab', 'operator', 'admin'] as const)
      expect(REPORT_PERMISSIONS[role]).toEqual([]);
  });
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

describe('the duplicate-child key', () => {
  it('normalises names: case, width and spacing do not matter', () => {
    expect(normaliseName('  Li   Xiaoming ')).toBe('lixiaoming');
    expect(normaliseName('ＬＩ Xiaoming')).toBe('lixiaoming');
    expect(normaliseName('李 小明')).toBe(normaliseName('李小明'));
  });

  it('is equal for the same child in the same prefecture, different otherwise', () => {
    const a = duplicateChildKey(report('2019-05-01', undefined, '340104'));
    expect(duplicateChildKey(report('2019-05-01', undefined, '340102'))).toBe(a);
    expect(duplicateChildKey(report('2019-05-01', undefined, '340204'))).not.toBe(a);
    expect(duplicateChildKey(report('2019-05-02'))).not.toBe(a);
    expect(a).not.toContain('xiaoming');
  });

  it('the window is inclusive and symmetric', () => {
    const d = DEFAULT_DUPLICATE_WINDOW_DAYS;
    expect(withinWindow('2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z', d)).toBe(true);
    expect(withinWindow('2026-11-01T00:00:00Z', '2026-12-01T00:00:01Z', d)).toBe(false);
    expect(withinWindow('2026-12-01T00:00:00Z', '2026-11-01T00:00:00Z', d)).toBe(true);
  });
});

describe('derived ids', () => {
  it('are stable per agency and event id, and differ across agencies', () => {
    expect(reportIdFor('a', '1')).toBe(reportIdFor('a', '1'));
    expect(reportIdFor('a', '1')).not.toBe(reportIdFor('b', '1'));
    expect(caseIdFor(reportIdFor('a', '1'))).toMatch(/^case-[A-Za-z0-9]{22}$/);
  });

  it('fingerprints ignore key order but not content', () => {
    expect(fingerprint('t', { a: 1, b: { c: 2, d: 3 } })).toBe(fingerprint('t', { b: { d: 3, c: 2 }, a: 1 }));
    expect(fingerprint('t', { a: 1 })).not.toBe(fingerprint('t', { a: 2 }));
  });
});
