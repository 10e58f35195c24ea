import type { FieldError, ReportData } from '@homeward/events';
import { isKnownProvince } from './regions.ts';

/** Clock skew we forgive between an agency's system and ours before a time is "in the future". */
export const FUTURE_TOLERANCE_MS = 5 * 60_000;
/** A child, in PRC law: under 18. */
export const ADULT_AGE = 18;

/**
 * The rules a schema cannot say: times not in the future, a birth date that makes the person
 * a child when last seen, division codes of a real province. Returns every violation.
 */
export function checkReportRules(report: ReportData, now: Date): FieldError[] {
  const errors: FieldError[] = [];
  const latest = now.getTime() + FUTURE_TOLERANCE_MS;
  const notFuture = (field: string, value: string) => {
    if (Date.parse(value) > latest) errors.push({ field, message: 'must not be in the future' });
  };
  const region = (field: string, value: string) => {
    if (!isKnownProvince(value))
      errors.push({
        field,
        message: `is not a known division code (province "${value.slice(0, 2)}" does not exist)`,
      });
  };
  switch (report.kind) {
    case 'missing-child': {
      notFuture('/data/lastSeen/at', report.lastSeen.at);
      region('/data/lastSeen/region', report.lastSeen.region);
      const birth = Date.parse(`${report.child.birthDate}T00:00:00Z`);
      const seen = Date.parse(report.lastSeen.at);
      if (birth > now.getTime())
        errors.push({ field: '/data/child/birthDate', message: 'must not be in the future' });
      else if (birth > seen)
        errors.push({ field: '/data/child/birthDate', message: 'must be before the time last seen' });
      else if (ageInYears(report.child.birthDate, new Date(seen)) >= ADULT_AGE) {
        errors.push({
          field: '/data/child/birthDate',
          message: `makes the person ${ADULT_AGE} or older when last seen; a missing-child report is for a child`,
        });
      }
      break;
    }
    case 'unidentified-child':
      notFuture('/data/foundAt/at', report.foundAt.at);
      region('/data/foundAt/region', report.foundAt.region);
      break;
    case 'suspected-trafficking':
      notFuture('/data/observedAt', report.observedAt);
      region('/data/location/region', report.location.region);
      if ((report.location.lat === undefined) !== (report.location.lon === undefined)) {
        errors.push({
          field: report.location.lat === undefined ? '/data/location/lat' : '/data/location/lon',
          message: 'is required when the other coordinate is given',
        });
      }
      break;
    case 'sighting':
      notFuture('/data/seenAt/at', report.seenAt.at);
      region('/data/seenAt/region', report.seenAt.region);
      break;
    case 'missing-woman': {
      notFuture('/data/lastSeen/at', report.lastSeen.at);
      region('/data/lastSeen/region', report.lastSeen.region);
      const w = report.woman;
      if (w.birthDate === undefined && w.apparentAge === undefined)
        errors.push({ field: '/data/woman', message: 'needs a birthDate or an apparentAge' });
      if (w.birthDate !== undefined) {
        const birth = Date.parse(`${w.birthDate}T00:00:00Z`);
        if (birth > Date.parse(report.lastSeen.at))
          errors.push({ field: '/data/woman/birthDate', message: 'must be before the time last seen' });
        else if (ageInYears(w.birthDate, new Date(report.lastSeen.at)) < ADULT_AGE)
          errors.push({
            field: '/data/woman/birthDate',
            message: `makes her younger than ${ADULT_AGE} when last seen; report a missing child instead`,
          });
      }
      break;
    }
  }
  if (report.kind === 'suspected-trafficking') {
    for (const [i, v] of (report.victims ?? []).entries())
      victimRules(`/data/victims/${i}`, v, report.observedAt, errors);
    const m = report.marriageRegistration;
    if (m) {
      if (Date.parse(`${m.applicationDate}T00:00:00Z`) > latest)
        errors.push({
          field: '/data/marriageRegistration/applicationDate',
          message: 'must not be in the future',
        });
      victimRules('/data/marriageRegistration/bride', m.bride, report.observedAt, errors);
    }
  }
  return errors;
}

/** A reported victim needs an age (a birth date or an apparent one), and a birth date before the sighting. */
function victimRules(
  at: string,
  v: { birthDate?: string; apparentAge?: number },
  observedAt: string,
  errors: FieldError[],
): void {
  if (v.birthDate === undefined && v.apparentAge === undefined)
    errors.push({ field: at, message: 'needs a birthDate or an apparentAge' });
  if (v.birthDate !== undefined && Date.parse(`${v.birthDate}T00:00:00Z`) > Date.parse(observedAt))
    errors.push({ field: `${at}/birthDate`, message: 'must be before the time observed' });
}

/** Whole years between a birth date (YYYY-MM-DD) and a moment, by the calendar. */
export function ageInYears(birthDate: string, at: Date): number {
  const [y, m, d] = birthDate.split('-').map(Number) as [number, number, number];
  let age = at.getUTCFullYear() - y;
  const beforeBirthday = at.getUTCMonth() + 1 < m || (at.getUTCMonth() + 1 === m && at.getUTCDate() < d);
  if (beforeBirthday) age--;
  return age;
}
