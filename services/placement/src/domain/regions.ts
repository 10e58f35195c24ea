/** The significant prefix of a division code: `340000` → `34`, `340100` → `3401`, `340104` → itself. */
export function regionPrefix(region: string): string {
  if (region.endsWith('0000')) return region.slice(0, 2);
  if (region.endsWith('00')) return region.slice(0, 4);
  return region;
}
