import { type ReportKind, type Role, Roles } from '@homeward/events';

/**
 * Who may send which report kind. Police file missing-child reports and everything else;
 * the mandated reporters (teachers, medical, transport, civil-affairs and marriage-registration
 * clerks, family planning, women's federation), hotlines and volunteers report suspected
 * trafficking and children of unknown origin; anyone who reports, and the units that search,
 * may send a sighting on an open case. Labs, operators, admins and coordination offices send no reports.
 */
export const REPORT_PERMISSIONS: Readonly<Record<Role, readonly ReportKind[]>> = {
  police: ['missing-child', 'unidentified-child', 'suspected-trafficking', 'sighting'],
  'civil-affairs': ['unidentified-child', 'suspected-trafficking', 'sighting'],
  health: ['unidentified-child', 'suspected-trafficking', 'sighting'],
  education: ['unidentified-child', 'suspected-trafficking', 'sighting'],
  transport: ['unidentified-child', 'suspected-trafficking', 'sighting'],
  'family-planning': ['unidentified-child', 'suspected-trafficking', 'sighting'],
  'womens-federation': ['unidentified-child', 'suspected-trafficking', 'sighting'],
  hotline: ['unidentified-child', 'suspected-trafficking', 'sighting'],
  volunteer: ['unidentified-child', 'suspected-trafficking', 'sighting'],
  unit: ['sighting'],
  'dna-lab': [],
  operator: [],
  admin: [],
  'coordination-office': [],
};

export function mayReport(role: Role, kind: ReportKind): boolean {
  return REPORT_PERMISSIONS[role].includes(kind);
}

/** The roles that may send anything at all (for the route's role check). */
export const REPORTING_ROLES: readonly Role[] = Roles.filter((r) => REPORT_PERMISSIONS[r].length > 0);
