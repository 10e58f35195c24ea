import { type Role, regionContains } from '@homeward/events';

/**
 * Who may see what in coordination, in one place so that the kit's region scope (helper
 * "scope", issue 13) can replace the containment test without touching the rules: a caller's
 * credential region contains the regions inside it (340000 ⊃ 340100 ⊃ 340104), and a record
 * outside the caller's scope is answered 404, as if it did not exist.
 */
export interface Caller {
  agencyId: string;
  role: Role;
  region: string;
}

/** The coordination office of a level. */
export const OFFICE_ROLE: Role = 'coordination-office';

/**
 * The member departments of a coordination body that report their year (the policy's 成員單位
 * as the platform's roles name them). Hotlines, volunteers, units, operators and admins are
 * not member departments.
 */
export const MEMBER_ROLES: readonly Role[] = [
  'police',
  'civil-affairs',
  'health',
  'education',
  'transport',
  'family-planning',
  'womens-federation',
  'dna-lab',
];

/** Is `region` within the caller's scope? The one containment test of the service. */
export function inScope(callerRegion: string, region: string): boolean {
  return regionContains(callerRegion, region);
}

/** A submission's owner as the access rules need it. */
export interface Owned {
  region: string;
  agencyId: string;
}

/**
 * Reads a submission: the department that made it, or the office of a region that contains it
 * (its own level's office, and every office above). Nobody else, not even a neighbour's office.
 */
export function mayReadSubmission(caller: Caller, s: Owned): boolean {
  if (caller.agencyId === s.agencyId) return true;
  return caller.role === OFFICE_ROLE && inScope(caller.region, s.region);
}

/**
 * Returns or accepts a submission: an office whose region contains it, never on its own
 * submission (an office's own report is judged by the office above).
 */
export function mayReview(caller: Caller, s: Owned): boolean {
  return caller.role === OFFICE_ROLE && caller.agencyId !== s.agencyId && inScope(caller.region, s.region);
}
