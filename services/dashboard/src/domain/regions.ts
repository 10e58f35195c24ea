/**
 * Region filters follow the administrative hierarchy of the 6-digit code: `340000` (a
 * province) matches every code starting `34`, `340100` (a prefecture) every code starting
 * `3401`, and a county code only itself.
 */
export function regionPrefix(filter: string): string {
  return filter.replace(/(00)+$/, '');
}

/** Whether `region` lies within the division named by `filter`. */
export function regionMatches(filter: string, region: string | undefined): boolean {
  if (region === undefined) return false;
  const prefix = regionPrefix(filter);
  return prefix === filter ? region === filter : region.startsWith(prefix);
}

/** A 6-digit division code, as the contract defines it (first digit 1–8). */
export const REGION_PATTERN = /^[1-8][0-9]{5}$/;
