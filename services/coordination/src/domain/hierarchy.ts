import { NATIONAL_REGION, prefectureOf, regionLevel } from '@homeward/events';
import { inScope } from './scope.ts';

/**
 * The division directly below `parent` that holds `region` (the country's province, a
 * province's prefecture, a prefecture's county), `parent` itself when the region is the parent's own code, or undefined
 * when it lies outside. A county has nothing below it.
 */
export function childOf(parent: string, region: string): string | undefined {
  if (!inScope(parent, region)) return undefined;
  if (region === parent) return parent;
  // A national credential's divisions one level down are the provinces.
  if (parent === NATIONAL_REGION) return `${region.slice(0, 2)}0000`;
  switch (regionLevel(parent)) {
    case 'province':
      return prefectureOf(region);
    case 'prefecture':
      return region;
    case 'county':
      return undefined;
  }
}
