import { describe, expect, it } from 'vitest';
import { haversineKm, isInside } from '../../src/domain/geo.ts';

describe('haversine and the radius', () => {
  it('gives known distances', () => {
    // One degree of latitude on the mean sphere: 2πR/360.
    expect(haversineKm({ lat: 0, lon: 0 }, { lat: 1, lon: 0 })).toBeCloseTo(
      (2 * Math.PI * 6371.0088) / 360,
      6,
    );
    expect(haversineKm({ lat: 31.7979, lon: 117.2906 }, { lat: 31.7979, lon: 117.2906 })).toBe(0);
    // Hefei to Nanjing, about 140 km.
    expect(haversineKm({ lat: 31.8206, lon: 117.2272 }, { lat: 32.0603, lon: 118.7969 })).toBeGreaterThan(
      145,
    );
    expect(haversineKm({ lat: 31.8206, lon: 117.2272 }, { lat: 32.0603, lon: 118.7969 })).toBeLessThan(152);
  });

  it('counts the circle itself as inside', () => {
    const c = { lat: 0, lon: 0 };
    const p = { lat: 1, lon: 0 };
    const d = haversineKm(c, p);
    expect(isInside(c, d, p)).toBe(true);
    expect(isInside(c, d - 0.001, p)).toBe(false);
  });
});
