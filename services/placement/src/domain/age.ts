import { parseDate } from './dates.ts';

/**
 * Full years from `from` to `on`: the anniversary itself counts (a child born on 2020-11-28 is
 * 6 on 2026-11-28). Someone born on 29 February reaches the next year on 1 March in a common
 * year. Negative when `on` is before `from`.
 */
export function fullYearsOn(from: string, on: string): number {
  const b = parseDate(from);
  const o = parseDate(on);
  if (!b || !o) throw new RangeError(`not calendar dates: ${from}, ${on}`);
  // A 29 February birthday needs no special case: a common year has no 29 February, so the
  // day before 1 March is before the anniversary and 1 March is not.
  const beforeAnniversary = o.m < b.m || (o.m === b.m && o.d < b.d);
  return o.y - b.y - (beforeAnniversary ? 1 : 0);
}

/** What a child's age is known from. */
export type AgeBasis =
  | { kind: 'stated-birth-date'; birthDate: string }
  | { kind: 'birth-date'; birthDate: string }
  | { kind: 'apparent-age'; apparentAge: number; observedOn: string };

export type AgeResult = { ok: true; age: number; basis: AgeBasis['kind'] } | { ok: false; reason: string };

/**
 * The age on the decision date. A birth date gives it exactly. An apparent age (whole years,
 * judged when an unidentified child was found) is taken as the age on the day it was observed,
 * plus the full years elapsed from that day to the decision date; it is an estimate, so civil
 * affairs may state the established birth date in the decision instead, which takes precedence.
 */
export function ageOnDate(basis: AgeBasis | undefined, decisionDate: string): AgeResult {
  if (!basis) return { ok: false, reason: 'the case records neither a birth date nor an apparent age' };
  if (basis.kind === 'apparent-age') {
    const elapsed = Math.max(0, fullYearsOn(basis.observedOn, decisionDate));
    return { ok: true, age: basis.apparentAge + elapsed, basis: basis.kind };
  }
  const age = fullYearsOn(basis.birthDate, decisionDate);
  if (age < 0) return { ok: false, reason: 'the decision date is before the birth date' };
  return { ok: true, age, basis: basis.kind };
}
