import { regionContains } from '@homeward/events';
import type { RosterOfficer } from '@homeward/service-kit';

// The division-code hierarchy is the contract's: one implementation in @homeward/events.
export { type RegionLevel, regionAncestors, regionContains, regionLevel } from '@homeward/events';

/**
 * The chief rule: a case is led by police of county level or higher for its region, i.e. a
 * chief whose division (county, prefecture or province) contains the case's division. A chief
 * of a sibling county, or of another prefecture, is refused.
 */
export function chiefMayLead(chiefRegion: string, caseRegion: string): boolean {
  return regionContains(chiefRegion, caseRegion);
}

/** Why a roster entry may not lead a case: not on the roster, not a head, or of another region. */
export type ChiefRefusal = 'unknown-officer' | 'not-a-head' | 'outside-region';

/**
 * The chief rule against the roster: the chief is a head of county level or higher (rank
 * county, prefecture or province) whose region contains the case's. Null when it may lead.
 */
export function chiefRefusal(officer: RosterOfficer | undefined, caseRegion: string): ChiefRefusal | null {
  if (!officer) return 'unknown-officer';
  if (officer.rank === 'officer') return 'not-a-head';
  if (!chiefMayLead(officer.region, caseRegion)) return 'outside-region';
  return null;
}
