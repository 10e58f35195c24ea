import { regionContains } from '@homeward/events';

// The division-code hierarchy is the contract's: one implementation in @homeward/events.
export { REGION_PATTERN, regionPrefix } from '@homeward/events';

/**
 * Region filters follow the hierarchy: `340000` (a province) matches every division in it,
 * `340100` (a prefecture) every division in it, a county code only itself.
 */
export function regionMatches(filter: string, region: string | undefined): boolean {
  return region !== undefined && regionContains(filter, region);
}
