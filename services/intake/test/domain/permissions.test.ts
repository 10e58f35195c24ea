import { Roles } from '@homeward/events';
import { describe, expect, it } from 'vitest';
import { mayReport, REPORT_PERMISSIONS, REPORTING_ROLES } from '../../src/domain/permissions.ts';

const MANDATED = ['unidentified-child', 'suspected-trafficking', 'sighting'];

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
    for (const role of ['dna-lab', 'operator', 'admin', 'coordination-office'] as const)
      expect(REPORT_PERMISSIONS[role]).toEqual([]);
  });

  it('the whole table, role by role, as the policy names the reporters', () => {
    expect(REPORT_PERMISSIONS).toStrictEqual({
      police: ['missing-child', ...MANDATED],
      'civil-affairs': MANDATED,
      health: MANDATED,
      education: MANDATED,
      transport: MANDATED,
      'family-planning': MANDATED,
      'womens-federation': MANDATED,
      hotline: MANDATED,
      volunteer: MANDATED,
      unit: ['sighting'],
      'dna-lab': [],
      operator: [],
      admin: [],
      'coordination-office': [],
    });
    // Every role of the contract has a row: a new role cannot slip through unlisted.
    expect(Object.keys(REPORT_PERMISSIONS).sort()).toEqual([...Roles].sort());
  });

  it('mayReport reads the table, kind by kind', () => {
    expect(mayReport('police', 'missing-child')).toBe(true);
    expect(mayReport('hotline', 'missing-child')).toBe(false);
    expect(mayReport('hotline', 'unidentified-child')).toBe(true);
    expect(mayReport('volunteer', 'suspected-trafficking')).toBe(true);
    expect(mayReport('unit', 'unidentified-child')).toBe(false);
    expect(mayReport('dna-lab', 'sighting')).toBe(false);
  });

  it('the roles that may report at all are those with a kind, in the order of the catalogue', () => {
    expect(REPORTING_ROLES).toStrictEqual([
      'police',
      'civil-affairs',
      'health',
      'education',
      'transport',
      'family-planning',
      'womens-federation',
      'hotline',
      'volunteer',
      'unit',
    ]);
  });
});
