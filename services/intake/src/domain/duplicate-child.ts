import { createHash } from 'node:crypto';
import type { MissingChildReport } from '@homeward/events';
import { caseIdFor } from './ids.ts';
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
    .replace(/[\s\u00b7\u30fb.]/g, '')
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

/** Whether two times last seen lie within the window of each other, either way round. */
export function withinWindow(previousSeenAt: string, seenAt: string, windowDays: number): boolean {
  return Math.abs(Date.parse(seenAt) - Date.parse(previousSeenAt)) <= windowDays * 86_400_000;
}

/** A claim on a child's key by the report that opened (or is opening) the child's case. */
export interface ChildKeyClaim {
  /** The key, from {@link duplicateChildKey}. */
  _id: string;
  caseId: string;
  openerReportId: string;
  /** The time last seen of the latest report for this child: the duplicate window slides with it. */
  lastSeenAt: string;
  claimedAt: Date;
}

/** The claim a missing-child report makes on its child's key, to open the child's case. */
export function claimFor(report: MissingChildReport, reportId: string, now: Date): ChildKeyClaim {
  return {
    _id: duplicateChildKey(report),
    caseId: caseIdFor(reportId),
    openerReportId: reportId,
    lastSeenAt: report.lastSeen.at,
    claimedAt: now,
  };
}

/** What a report found out about a claim held on its child's key. */
export interface ClaimFacts {
  reportId: string;
  /** The report's time last seen. */
  seenAt: string;
  /** What intake knows of the claim's case: open, closed, or nothing yet. */
  caseStatus: 'open' | 'closed' | undefined;
  /** Whether the report that made the claim is stored (or its case known). */
  openerLanded: boolean;
  windowDays: number;
}

/**
 * What a report does about a claim on its child's key: `mine` (it made the claim, and a crash
 * or a concurrent copy kept it from landing: open the case), `lead` (the claim's case is open
 * and the child was last seen within the window: add a lead to it) or `take-over` (the case is
 * closed, the window has passed, or the claim was left by a crash: replace the claim and open a
 * new case).
 */
export type ClaimVerdict = 'mine' | 'lead' | 'take-over';

/**
 * The duplicate-child rule, judged under the child's decision lease. A report claims the key
 * and stores itself under that lease, so a claim whose opener has not landed was left by a
 * crash, never by a report still on its way.
 */
export function judgeClaim(claim: ChildKeyClaim, facts: ClaimFacts): ClaimVerdict {
  if (claim.openerReportId === facts.reportId) return 'mine';
  if (facts.caseStatus === 'closed' || !facts.openerLanded) return 'take-over';
  return withinWindow(claim.lastSeenAt, facts.seenAt, facts.windowDays) ? 'lead' : 'take-over';
}

/**
 * A later report of the child slides the window on: the claim with the later time last seen,
 * or null when nothing changes (another case holds the key now, or the time is not later).
 */
export function slideWindow(claim: ChildKeyClaim, caseId: string, seenAt: string): ChildKeyClaim | null {
  if (claim.caseId !== caseId || Date.parse(seenAt) <= Date.parse(claim.lastSeenAt)) return null;
  return { ...claim, lastSeenAt: seenAt };
}
