import { type Static, Type } from '@sinclair/typebox';

/** RFC 3339 date-time with an offset, as the contract requires for every time. */
export const DateTime = Type.String({
  format: 'date-time',
  description: 'RFC 3339 date-time',
  examples: ['2026-11-28T09:30:00+08:00'],
});

/** A calendar date (RFC 3339 full-date). */
export const DateOnly = Type.String({
  format: 'date',
  description: 'RFC 3339 full-date',
  examples: ['2019-05-01'],
});

/**
 * A 6-digit administrative division code (GB/T 2260): 2 digits province, 2 prefecture,
 * 2 county. The first digit is 1–8 in the national scheme, so `000000` is refused.
 */
export const RegionCode = Type.String({
  pattern: '^[1-8][0-9]{5}$',
  description: 'administrative division code, 6 digits (GB/T 2260)',
  examples: ['340104'],
});

export const Latitude = Type.Number({ minimum: -90, maximum: 90, description: 'WGS84 degrees' });
export const Longitude = Type.Number({ minimum: -180, maximum: 180, description: 'WGS84 degrees' });

/** Identifiers we mint or accept: opaque, URL-safe, bounded. */
export const Id = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]*$' });

export const ShortText = Type.String({ minLength: 1, maxLength: 200 });
export const LongText = Type.String({ minLength: 1, maxLength: 4000 });
export const Url = Type.String({ format: 'uri', maxLength: 2000, pattern: '^https?://' });

export const Sex = Type.Union([Type.Literal('female'), Type.Literal('male'), Type.Literal('unknown')]);
export type Sex = Static<typeof Sex>;

export const Place = Type.Object(
  {
    at: DateTime,
    place: ShortText,
    lat: Latitude,
    lon: Longitude,
    region: RegionCode,
  },
  { description: 'where and when: a time, a named place, WGS84 coordinates and the division code' },
);
export type Place = Static<typeof Place>;

export const Roles = [
  'police',
  'civil-affairs',
  'health',
  'education',
  'transport',
  'family-planning',
  'womens-federation',
  'hotline',
  'volunteer',
  'dna-lab',
  'unit',
  'operator',
  'admin',
  // The anti-trafficking coordination office of a level; the credential's region says which.
  'coordination-office',
] as const;
export type Role = (typeof Roles)[number];
export const Role = Type.Union(Roles.map((r) => Type.Literal(r)));

/** Who did something: the agency, its role, its region. */
export const Actor = Type.Object({ agencyId: Id, role: Role, region: RegionCode });
export type Actor = Static<typeof Actor>;
