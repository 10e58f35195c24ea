import { regionContains } from '@homeward/events';

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
