/**
 * Province-level prefixes of GB/T 2260 division codes (mainland provinces, autonomous regions
 * and municipalities; 71 Taiwan, 81 Hong Kong, 82 Macao). A code outside these is a typo.
 */
const PROVINCES = new Set([
  '11',
  '12',
  '13',
  '14',
  '15',
  '21',
  '22',
  '23',
  '31',
  '32',
  '33',
  '34',
  '35',
  '36',
  '37',
  '41',
  '42',
  '43',
  '44',
  '45',
  '46',
  '50',
  '51',
  '52',
  '53',
  '54',
  '61',
  '62',
  '63',
  '64',
  '65',
  '71',
  '81',
  '82',
]);

export function isKnownProvince(region: string): boolean {
  return PROVINCES.has(region.slice(0, 2));
}

/** The prefecture a division belongs to (`340104` → `340100`); a province maps to itself. */
export function prefectureOf(region: string): string {
  return region.slice(2, 4) === '00' ? region : `${region.slice(0, 4)}00`;
}
