/**
 * The province the scenarios play in: Anhui (340000), its sixteen prefecture-level cities with
 * their GB/T 2260 codes, the county-level division of each city's seat, and the approximate
 * coordinates of the seat (WGS84). Places are generic (a city's railway station, its people's
 * hospital): the story needs plausible geography, not a gazetteer.
 */
export interface Prefecture {
  code: string;
  name: string;
  /** The county-level division of the city seat, where its stations and hospitals are. */
  seat: string;
  lat: number;
  lon: number;
}

export const PROVINCE = { code: '340000', name: 'Anhui' } as const;

export const PREFECTURES: readonly Prefecture[] = [
  { code: '340100', name: 'Hefei', seat: '340104', lat: 31.82, lon: 117.23 },
  { code: '340200', name: 'Wuhu', seat: '340202', lat: 31.35, lon: 118.43 },
  { code: '340300', name: 'Bengbu', seat: '340302', lat: 32.92, lon: 117.39 },
  { code: '340400', name: 'Huainan', seat: '340402', lat: 32.63, lon: 117.0 },
  { code: '340500', name: "Ma'anshan", seat: '340503', lat: 31.67, lon: 118.51 },
  { code: '340600', name: 'Huaibei', seat: '340602', lat: 33.96, lon: 116.8 },
  { code: '340700', name: 'Tongling', seat: '340705', lat: 30.94, lon: 117.81 },
  { code: '340800', name: 'Anqing', seat: '340802', lat: 30.53, lon: 117.05 },
  { code: '341000', name: 'Huangshan', seat: '341002', lat: 29.71, lon: 118.34 },
  { code: '341100', name: 'Chuzhou', seat: '341102', lat: 32.3, lon: 118.32 },
  { code: '341200', name: 'Fuyang', seat: '341202', lat: 32.89, lon: 115.81 },
  { code: '341300', name: 'Suzhou', seat: '341302', lat: 33.65, lon: 116.98 },
  { code: '341500', name: "Lu'an", seat: '341502', lat: 31.73, lon: 116.52 },
  { code: '341600', name: 'Bozhou', seat: '341602', lat: 33.84, lon: 115.78 },
  { code: '341700', name: 'Chizhou', seat: '341702', lat: 30.66, lon: 117.49 },
  { code: '341800', name: 'Xuancheng', seat: '341802', lat: 30.94, lon: 118.76 },
];

/** The kinds of unit a city has, with the place names the story gives them. */
export const UNIT_KINDS = [
  { kind: 'police-station', label: 'public security bureau' },
  { kind: 'rail-station', label: 'railway station' },
  { kind: 'bus-station', label: 'long-distance bus station' },
  { kind: 'hospital', label: "people's hospital" },
  { kind: 'airport', label: 'airport' },
] as const;

/** Great-circle distance in km (haversine, mean Earth radius), as Redis GEO measures it. */
export function distanceKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const R = 6372.7976; // Redis GEO's Earth radius (src/geohash_helper.c), so the expected reach agrees with it.
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(h)));
}
