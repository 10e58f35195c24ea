/**
 * Calendar arithmetic on RFC 3339 full-dates (`YYYY-MM-DD`). Dates are civil dates, not
 * instants: they are computed on the proleptic Gregorian calendar with UTC arithmetic, and an
 * instant is turned into a date only at a fixed UTC offset (China Standard Time by default,
 * which has no daylight saving), so a follow-up's "day" is the same day everywhere.
 */

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export interface CivilDate {
  y: number;
  m: number;
  d: number;
}

/** Parses a full-date; undefined when it is not one (including 2026-02-30). */
export function parseDate(text: string): CivilDate | undefined {
  const m = DATE.exec(text);
  if (!m) return undefined;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const t = new Date(Date.UTC(y, mo - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) return undefined;
  return { y, m: mo, d };
}

function mustParse(text: string): CivilDate {
  const parsed = parseDate(text);
  if (!parsed) throw new RangeError(`not a calendar date: ${text}`);
  return parsed;
}

function format(t: Date): string {
  return t.toISOString().slice(0, 10);
}

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** The date `days` days after `date` (negative goes back). */
export function addDays(date: string, days: number): string {
  const { y, m, d } = mustParse(date);
  return format(new Date(Date.UTC(y, m - 1, d + days)));
}

/** The civil date of an instant at a UTC offset in minutes (+480 is UTC+08:00). */
export function dateAt(instant: Date, utcOffsetMinutes: number): string {
  return format(new Date(instant.getTime() + utcOffsetMinutes * 60_000));
}

/** The instant a civil date begins at a UTC offset. */
export function startOfDate(date: string, utcOffsetMinutes: number): Date {
  const { y, m, d } = mustParse(date);
  return new Date(Date.UTC(y, m - 1, d) - utcOffsetMinutes * 60_000);
}

/**
 * When a follow-up due on `dueDate` becomes overdue: the first moment of the next day. The due
 * date itself is still on time, the day after it is not.
 */
export function overdueFrom(dueDate: string, utcOffsetMinutes: number): Date {
  return startOfDate(addDays(dueDate, 1), utcOffsetMinutes);
}

export function isOverdueAt(dueDate: string, now: Date, utcOffsetMinutes: number): boolean {
  return now.getTime() >= overdueFrom(dueDate, utcOffsetMinutes).getTime();
}
