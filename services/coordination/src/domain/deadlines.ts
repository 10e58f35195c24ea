import { type ReminderStage, ReminderStages } from '@homeward/events';

/**
 * The policy's one dated duty: each member department reports its year to the coordination
 * office in January of the following year (次年1月份). Days are the reports' calendar's (a fixed
 * offset from UTC; China has no daylight saving).
 */
export interface Calendar {
  /** Minutes east of UTC of the reports' calendar (+480 in China). */
  utcOffsetMinutes: number;
  /** Days before the deadline when the "due soon" reminder goes out. */
  dueSoonDays: number;
}

const DAY_MS = 86_400_000;

/** A local calendar day at a local hour, as an instant. */
function localInstant(cal: Calendar, year: number, month: number, day: number, hour = 0): Date {
  return new Date(Date.UTC(year, month - 1, day, hour) - cal.utcOffsetMinutes * 60_000);
}

/** The last day to submit the report of `year`: 31 January of the next year. */
export function dueDate(year: number): string {
  return `${year + 1}-01-31`;
}

/** The first instant past the deadline: 1 February of the next year, 00:00 local. */
export function deadline(cal: Calendar, year: number): Date {
  return localInstant(cal, year + 1, 2, 1);
}

/** When the year has ended (1 January of the next year, 00:00 local): from then on it may be reported. */
export function yearEnd(cal: Calendar, year: number): Date {
  return localInstant(cal, year + 1, 1, 1);
}

/** When each reminder of a year's report goes out (09:00 local, a civil servant's morning). */
export function reminderTimes(cal: Calendar, year: number): Record<ReminderStage, Date> {
  return {
    opening: localInstant(cal, year + 1, 1, 1, 9),
    'due-soon': new Date(localInstant(cal, year + 1, 2, 1, 9).getTime() - cal.dueSoonDays * DAY_MS),
    overdue: deadline(cal, year),
  };
}

/**
 * What the reminder pass does for one year's report at `now`: the latest stage whose time has
 * come and that was not raised yet (earlier ones it missed, say while the service was down, are
 * skipped: a department told it is late need not be told the window opened), and when to look
 * again (the next stage's time; undefined once the overdue reminder is out).
 */
export function reminderDue(
  cal: Calendar,
  year: number,
  now: Date,
  raised: ReadonlySet<ReminderStage>,
): { stage?: ReminderStage; next?: Date } {
  const times = reminderTimes(cal, year);
  const passed = ReminderStages.filter((s) => times[s].getTime() <= now.getTime());
  const latest = passed[passed.length - 1];
  const stage = latest !== undefined && !raised.has(latest) ? latest : undefined;
  const upcoming = ReminderStages.find((s) => times[s].getTime() > now.getTime());
  return { ...(stage ? { stage } : {}), ...(upcoming ? { next: times[upcoming] } : {}) };
}

/** The calendar year of an instant in the reports' calendar. */
export function localYear(cal: Pick<Calendar, 'utcOffsetMinutes'>, at: Date): number {
  return new Date(at.getTime() + cal.utcOffsetMinutes * 60_000).getUTCFullYear();
}

/**
 * The years whose report a member still owes reminders for at `now`: last year's until its
 * deadline has passed, and this year's (reported next January).
 */
export function openYears(cal: Calendar, now: Date): number[] {
  const y = localYear(cal, now);
  return now.getTime() < deadline(cal, y - 1).getTime() ? [y - 1, y] : [y];
}

/** Where a member stands for a year once the deadline has passed, if it is late at all. */
export type LateState = 'not-submitted' | 'submitted-late' | 'returned-not-resubmitted';

/**
 * Is a member late for a year at `now`? Before the deadline nobody is. After it: no submission,
 * a first submission after the deadline, or a submission returned and not resubmitted.
 */
export function lateState(
  cal: Calendar,
  year: number,
  now: Date,
  submission: { firstSubmittedAt: string; status: string } | undefined,
): LateState | undefined {
  const due = deadline(cal, year).getTime();
  if (now.getTime() < due) return undefined;
  if (!submission) return 'not-submitted';
  if (submission.status === 'returned') return 'returned-not-resubmitted';
  if (Date.parse(submission.firstSubmittedAt) >= due) return 'submitted-late';
  return undefined;
}
