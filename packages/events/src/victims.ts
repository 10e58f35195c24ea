import type { EventData } from './catalogue.ts';
import type { ReportData, ReportedVictim } from './reports.ts';
import { type VictimCategory, victimIdFor } from './vocabulary.ts';

/** A victim on a case, as `homeward.case.opened` and `homeward.case.victims-added` carry it. */
export type Victim = NonNullable<EventData<'homeward.case.opened'>['victims']>[number];

/** Full years from a calendar date to a moment (UTC calendar; the birthday itself counts). */
export function fullYearsAt(birthDate: string, at: string): number {
  const [y, m, d] = birthDate.split('-').map(Number) as [number, number, number];
  const t = new Date(at);
  const before = t.getUTCMonth() + 1 < m || (t.getUTCMonth() + 1 === m && t.getUTCDate() < d);
  return t.getUTCFullYear() - y - (before ? 1 : 0);
}

/**
 * Child or adult when a victim is registered: under 18 at `at` (by the birth date, or else the
 * apparent age) is a child. A victim with neither is taken for a child, the case that needs the
 * stricter care (the reports' rules require one of them, so this happens only to old data).
 */
export function categoryAt(v: { birthDate?: string; apparentAge?: number }, at: string): VictimCategory {
  if (v.birthDate) return fullYearsAt(v.birthDate, at) < 18 ? 'child' : 'adult';
  if (v.apparentAge !== undefined) return v.apparentAge < 18 ? 'child' : 'adult';
  return 'child';
}

/** A reported person as victim n of a case, judged at `at` (when the reporter saw them). */
export function victimFromReport(caseId: string, ordinal: number, p: ReportedVictim, at: string): Victim {
  return {
    victimId: victimIdFor(caseId, ordinal),
    category: categoryAt(p, at),
    sex: p.sex,
    ...(p.birthDate ? { birthDate: p.birthDate } : {}),
    ...(p.apparentAge !== undefined ? { apparentAge: p.apparentAge, ageObservedAt: at } : {}),
    description: p.description,
    ...(p.disability ? { disability: p.disability } : {}),
  };
}

/**
 * The victims a report names, numbered from 1: the child of a missing-child or unidentified-child
 * report (victim 1, as every event from before victims existed implies), the woman of a
 * missing-woman report, and the persons a suspected-trafficking report lists as victims followed
 * by the bride of a marriage-registration finding. A sighting names none; neither do the free-text
 * `persons` of a suspected-trafficking report (they may be the traffickers).
 */
export function victimsOfReport(caseId: string, report: ReportData): Victim[] {
  switch (report.kind) {
    case 'missing-child':
      return [
        {
          victimId: victimIdFor(caseId, 1),
          category: 'child',
          sex: report.child.sex,
          birthDate: report.child.birthDate,
          ...(report.child.description ? { description: report.child.description } : {}),
        },
      ];
    case 'unidentified-child':
      return [
        {
          victimId: victimIdFor(caseId, 1),
          category: 'child',
          sex: report.child.sex,
          apparentAge: report.child.apparentAge,
          ageObservedAt: report.foundAt.at,
          ...(report.child.description ? { description: report.child.description } : {}),
        },
      ];
    case 'missing-woman': {
      const w = report.woman;
      return [
        {
          victimId: victimIdFor(caseId, 1),
          category: 'adult',
          sex: 'female',
          ...(w.birthDate ? { birthDate: w.birthDate } : {}),
          ...(w.apparentAge !== undefined
            ? { apparentAge: w.apparentAge, ageObservedAt: report.lastSeen.at }
            : {}),
          ...(w.description ? { description: w.description } : {}),
          ...(w.disability ? { disability: w.disability } : {}),
        },
      ];
    }
    case 'suspected-trafficking': {
      const persons = [...(report.victims ?? [])];
      if (report.marriageRegistration) persons.push(report.marriageRegistration.bride);
      return persons.map((p, i) => victimFromReport(caseId, i + 1, p, report.observedAt));
    }
    case 'sighting':
      return [];
  }
}

/**
 * The victims of a case as its opening says: the `victims` of the event, or for an event from
 * before victims existed, the child its report describes.
 */
export function victimsOfOpening(d: EventData<'homeward.case.opened'>): Victim[] {
  if (d.victims) return d.victims;
  return d.report.kind === 'missing-child' || d.report.kind === 'unidentified-child'
    ? victimsOfReport(d.caseId, d.report)
    : [];
}

/**
 * A victim's age in whole years at a moment: exact from a birth date; from an apparent age,
 * that age plus the full years since it was judged (an estimate). Undefined when neither is
 * known, or the moment is before the birth date.
 */
export function victimAgeAt(
  v: { birthDate?: string; apparentAge?: number; ageObservedAt?: string },
  at: string,
): number | undefined {
  if (v.birthDate) {
    const age = fullYearsAt(v.birthDate, at);
    return age >= 0 ? age : undefined;
  }
  if (v.apparentAge === undefined) return undefined;
  const since = v.ageObservedAt ? Math.max(0, fullYearsAt(v.ageObservedAt.slice(0, 10), at)) : 0;
  return v.apparentAge + since;
}
