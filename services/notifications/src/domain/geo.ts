/**
 * The mean Earth radius (IUGG), in km. Redis GEO uses 6372.7976 km; the service judges the
 * radius itself with this one, on the indexed coordinates, so the boundary does not depend on
 * Redis' constant (Redis only pre-selects, with a margin).
 */
export const EARTH_RADIUS_KM = 6371.0088;

/** Margin by which the Redis pre-selection is wider than the alert radius. */
export const PRESELECT_MARGIN = 1.01;

export interface LatLon {
  lat: number;
  lon: number;
}

/** Great-circle distance in km (haversine). */
export function haversineKm(a: LatLon, b: LatLon): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Whether a point is inside (or on) the alert's circle. */
export function isInside(center: LatLon, radiusKm: number, point: LatLon): boolean {
  return haversineKm(center, point) <= radiusKm;
}
