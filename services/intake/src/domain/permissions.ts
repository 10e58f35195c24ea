import { type ReportData, type ReportKind, type Role, Roles } from '@homeward/events';

/**
 * Who may send which report kind. Police file missing-child reports and everything else;
 * a missing or trafficked woman is reported by police, the women's federation and hotlines (a
 * family reports through one of them, and is recorded as the reporter);
 * the mandated reporters (teachers, medical, transport, civil-affairs and marriage-registration
 * clerks, family planning, women's federation), hotlines and volunteers report suspected
 * trafficking and children of unknown origin; anyone who reports, and the units that search,
 * may send a sighting on an open case. Labs, operators, admins and coordination offices send no reports.
 */
export const REPORT_PERMISSIONS: Readonly<Record<Role, readonly ReportKind[]>> = {
  police: ['missing-child', 'unidentified-child', 'suspected-trafficking', 'sighting', 'missing-woman'],
  'civil-affairs': ['unidentified-child', 'suspected-trafficking', 'sighting'],
  health: ['unidentified-child', 'suspected-trafficking', 'sighting'],
  education: ['unidentified-child', 'suspected-trafficking', 'sighting'],
  transport: ['unidentified-child', 'suspected-trafficking', 'sighting'],
  'family-planning': ['unidentified-child', 'suspected-trafficking', 'sighting'],
  'womens-federation': ['unidentified-child', 'suspected-trafficking', 'sighting', 'missing-woman'],
  hotline: ['unidentified-child', 'suspected-trafficking', 'sighting', 'missing-woman'],
  volunteer: ['unidentified-child', 'suspected-trafficking', 'sighting'],
  unit: ['sighting'],
  'dna-lab': [],
  operator: [],
  admin: [],
  // Job centres and labour-market inspection meet trafficked workers; the federation meets
  // disabled victims: both report what they suspect, like the other mandated reporters.
  'human-resources-social-security': ['suspected-trafficking', 'sighting'],
  'disabled-persons-federation': ['unidentified-child', 'suspected-trafficking', 'sighting'],
  'coordination-office': [],
};

/** The roles that may send a marriage-registration finding: the registry belongs to civil affairs. */
export const MARRIAGE_REGISTRATION_ROLES: readonly Role[] = ['civil-affairs'];

export function mayReport(role: Role, kind: ReportKind): boolean {
  return REPORT_PERMISSIONS[role].includes(kind);
}

/**
 * Why a role may not send this report's parts, if it may not: a marriage-registration finding
 * is the registry clerk's form, so only civil affairs send one.
 */
export function partNotAllowed(role: Role, data: ReportData): string | undefined {
  if (
    data.kind === 'suspected-trafficking' &&
    data.marriageRegistration &&
    !MARRIAGE_REGISTRATION_ROLES.includes(role)
  )
    return `the role "${role}" may not send a marriage-registration finding (civil affairs' registry clerks do)`;
  return undefined;
}

/** The roles that may send anything at all (for the route's role check). */
export const REPORTING_ROLES: readonly Role[] = Roles.filter((r) => REPORT_PERMISSIONS[r].length > 0);
