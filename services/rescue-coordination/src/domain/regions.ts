/**
 * Administrative levels of a GB/T 2260 division code: `340000` is a province, `340100` a
 * prefecture, `340104` a county-level division.
 */
export type RegionLevel = 'province' | 'prefecture' | 'county';

export function regionLevel(code: string): RegionLevel {
  if (code.endsWith('0000')) return 'province';
  if (code.endsWith('00')) return 'prefecture';
  return 'county';
}

/** True when `outer` is `inner` itself or a division above it (`340000` ⊇ `340100` ⊇ `340104`). */
export function regionContains(outer: string, inner: string): boolean {
  switch (regionLevel(outer)) {
    case 'province':
      return outer.slice(0, 2) === inner.slice(0, 2);
    case 'prefecture':
      return outer.slice(0, 4) === inner.slice(0, 4);
    case 'county':
      return outer === inner;
  }
}

/** The province and prefecture a division belongs to, for filtering cases by any level. */
export function regionAncestors(code: string): { province: string; prefecture: string } {
  return {
    province: `${code.slice(0, 2)}0000`,
    prefecture: regionLevel(code) === 'province' ? code : `${code.slice(0, 4)}00`,
  };
}

/**
 * The chief rule: a case is led by police of county level or higher for its region, i.e. a
 * chief whose division (county, prefecture or province) contains the case's division. A chief
 * of a sibling county, or of another prefecture, is refused.
 */
export function chiefMayLead(chiefRegion: string, caseRegion: string): boolean {
  return regionContains(chiefRegion, caseRegion);
}
