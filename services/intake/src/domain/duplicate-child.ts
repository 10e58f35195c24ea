import { createHash } from 'node:crypto';
import type { MissingChildReport } from '@homeward/events';
import { prefectureOf } from './regions.ts';

/**
 * The duplicate-child rule. Two missing-child reports name the same child when the normalised
 * name, the birth date and the prefecture of the last-seen place are equal. While that child's
 * case is open, a second report within the window of the last one (by the time last seen) adds
 * a lead to it instead of opening another case; each such report slides the window on. Past the
 * window, or once the case is closed, a report opens a new case.
 *
 * 30 days: reports of one disappearance arrive within hours or days from the family, the
 * school, the station; a report a month after the last one for a still-open case is, in
 * practice, a new disappearance of a child who was found without the case being closed.
 */
export const DEFAULT_DUPLICATE_WINDOW_DAYS = 30;

/** NFKC, trimmed, inner whitespace removed, lower case: "Li  Xiaoming" = "li xiaoming" = "LiXiaoming". */
export function normaliseName(name: string): string {
  return name
    .normalize('NFKC')
    .replace(/[\s\u00b7\u30fb.]+/g, '')
    .toLowerCase();
}

/**
 * The key, as a digest: the dedup store never holds a child's name in clear, and its `_id`
 * is a point lookup on FerretDB.
 */
export function duplicateChildKey(report: MissingChildReport): string {
  const parts = [
    normaliseName(report.child.name),
    report.child.birthDate,
    prefectureOf(report.lastSeen.region),
  ];
  return `child-${createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 40)}`;
}

export function withinWindow(previousSeenAt: string, seenAt: string, windowDays: number): boolean {
  return Math.abs(Date.parse(seenAt) - Date.parse(previousSeenAt)) <= windowDays * 86_400_000;
}
