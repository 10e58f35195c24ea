/**
 * Administrative division codes (GB/T 2260), as the contract uses them: 6 digits, 2 for the
 * province, 2 for the prefecture, 2 for the county. `340000` is a province, `340100` a
 * prefecture, `340104` a county-level division. One place for the hierarchy every service uses.
 */
export const REGION_PATTERN = /^[1-8][0-9]{5}$/;

/**
 * The whole country, as a credential's region (never a record's): it contains every division.
 * Records always carry a real division code ({@link REGION_PATTERN}).
 */
export const NATIONAL_REGION = '000000';

export type RegionLevel = 'province' | 'prefecture' | 'county';

/**
 * Province-level prefixes (mainland provinces, autonomous regions and municipalities; 71
 * Taiwan, 81 Hong Kong, 82 Macao). A code outside these is a typo.
 */
const PROVINCES = new Set(
  '11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82'.split(
    ' ',
  ),
);

export function isKnownProvince(region: string): boolean {
  return PROVINCES.has(region.slice(0, 2));
}

export function regionLevel(code: string): RegionLevel {
  if (code.endsWith('0000')) return 'province';
  if (code.endsWith('00')) return 'prefecture';
  return 'county';
}

/**
 * The significant prefix of a code: `340000` → `34`, `340100` → `3401`, `340104` → itself,
 * and {@link NATIONAL_REGION} → the empty prefix (every code starts with it).
 */
export function regionPrefix(code: string): string {
  if (code === NATIONAL_REGION) return '';
  switch (regionLevel(code)) {
    case 'province':
      return code.slice(0, 2);
    case 'prefecture':
      return code.slice(0, 4);
    case 'county':
      return code;
  }
}

/**
 * True when `outer` is `inner` itself or a division above it (`000000` ⊇ `340000` ⊇ `340100` ⊇
 * `340104`).
 */
export function regionContains(outer: string, inner: string): boolean {
  return inner.startsWith(regionPrefix(outer)) && (regionLevel(outer) !== 'county' || outer === inner);
}

/** The prefecture a division belongs to (`340104` → `340100`); a province maps to itself. */
export function prefectureOf(code: string): string {
  return regionLevel(code) === 'province' ? code : `${code.slice(0, 4)}00`;
}

/** The province and prefecture a division belongs to, for filtering by any level. */
export function regionAncestors(code: string): { province: string; prefecture: string } {
  return { province: `${code.slice(0, 2)}0000`, prefecture: prefectureOf(code) };
}
