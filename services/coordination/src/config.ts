import { serviceConfig } from '@homeward/service-kit';
import { type Static, Type } from '@sinclair/typebox';
import type { Calendar } from './domain/deadlines.ts';
import type { DutyLimits } from './domain/duties.ts';

/**
 * Hours a duty may take before supervision lists it as missed. The policy dates none of them
 * (及時, 儘快): these are Homeward's defaults, for each deployment to set.
 */
const hours = (def: number, what: string) =>
  Type.Integer({ default: def, minimum: 1, maximum: 24 * 365, description: `hours allowed for ${what}` });

export const CoordinationConfig = serviceConfig({
  PORT: Type.Integer({ default: 8086, minimum: 0, maximum: 65535 }),
  MONGO_DB: Type.String({ default: 'coordination' }),
  /** The calendar years and deadlines are counted in (minutes east of UTC; China: +480, no DST). */
  UTC_OFFSET_MINUTES: Type.Integer({ default: 480, minimum: -720, maximum: 840 }),
  /** Days before the end of January when the "due soon" reminder goes out. */
  DUE_SOON_DAYS: Type.Integer({ default: 7, minimum: 1, maximum: 30 }),
  REMINDER_CHECK_INTERVAL_MS: Type.Integer({ default: 60_000, minimum: 100 }),
  REMINDER_CHECK_BATCH: Type.Integer({ default: 500, minimum: 1, maximum: 10_000 }),
  DUTY_ACT_HOURS: hours(24, 'a report to be acted on (a team, an alert, located, rescued or closed)'),
  DUTY_TEAM_HOURS: hours(24, 'a child case to get its special team'),
  DUTY_SAMPLING_HOURS: hours(
    72,
    'the DNA sample of a missing child’s parents or of a child of unknown origin',
  ),
  DUTY_CUSTODY_HOURS: hours(72, 'each next custody step of a DNA sample'),
  DUTY_PLACEMENT_HOURS: hours(7 * 24, 'a rescued child to be placed'),
  DUTY_RETURN_HOURS: hours(7 * 24, 'an identified child to be returned to the family'),
  /** A TrueType/OpenType font for the PDF (a CJK font renders Chinese); Helvetica (Latin-1) otherwise. */
  PDF_FONT_FILE: Type.String({ default: '' }),
});

export type CoordinationSettings = Static<typeof CoordinationConfig>;

export function dutyLimits(c: CoordinationSettings): DutyLimits {
  return {
    actHours: c.DUTY_ACT_HOURS,
    teamHours: c.DUTY_TEAM_HOURS,
    samplingHours: c.DUTY_SAMPLING_HOURS,
    custodyHours: c.DUTY_CUSTODY_HOURS,
    placementHours: c.DUTY_PLACEMENT_HOURS,
    returnHours: c.DUTY_RETURN_HOURS,
  };
}

export function calendar(c: CoordinationSettings): Calendar {
  return { utcOffsetMinutes: c.UTC_OFFSET_MINUTES, dueSoonDays: c.DUE_SOON_DAYS };
}
