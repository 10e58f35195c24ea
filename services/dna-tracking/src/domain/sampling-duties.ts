/**
 * Sampling duties, without I/O. Every parent of a missing child (both, where living) and every
 * child of unknown origin or rescued child owes a DNA sample (DESIGN, "Identification"). This
 * module keeps what dna-tracking knows of each case (from `case.events.v1`), what the case owes,
 * whether a sample naming the case is allowed, and when an unpaid duty becomes overdue.
 */
import {
  type CaseKind,
  createEvent,
  type EventData,
  type HomewardEvent,
  type SamplingSubject,
} from '@homeward/events';
import { type DnaErrorKey, DnaErrors } from '../errors.ts';
import { SOURCE } from './ids.ts';
import type { Subject } from './sample-rules.ts';

/** One sample a case owes, since when. */
export interface Duty {
  subject: SamplingSubject;
  since: string;
}

/**
 * A case as dna-tracking knows it (`_id` the case id): enough to check that a sample names a
 * case that exists, and to list what the case still owes. Written only by the case consumer.
 */
export interface CaseDutiesDoc {
  _id: string;
  kind: CaseKind;
  region: string;
  openedAt: string;
  status: 'open' | 'closed';
  closedAt?: string;
  owed: Duty[];
}

/** What a case opening makes: a missing child's parents owe (both, unless one died), a child of unknown origin owes. */
export function openedCase(d: EventData<'homeward.case.opened'>): CaseDutiesDoc {
  const owed: Duty[] = [];
  if (d.report.kind === 'missing-child') {
    const parents = d.report.parents ?? [];
    for (const relation of ['mother', 'father'] as const) {
      const dead = parents.some((p) => p.relation === relation && p.living === false);
      if (!dead) owed.push({ subject: relation, since: d.openedAt });
    }
  }
  if (d.kind === 'unidentified-child') owed.push({ subject: 'child', since: d.openedAt });
  return { _id: d.caseId, kind: d.kind, region: d.region, openedAt: d.openedAt, status: 'open', owed };
}

/** A rescued child owes its own sample from the rescue on (once: an unidentified child already owes it). */
export function onRescued(
  doc: CaseDutiesDoc,
  d: EventData<'homeward.case.child-rescued'>,
): CaseDutiesDoc | null {
  if (doc.status === 'closed' || doc.owed.some((x) => x.subject === 'child')) return null;
  return { ...doc, owed: [...doc.owed, { subject: 'child', since: d.rescuedAt }] };
}

/** A closed case retires its duties (the sample records stay). */
export function onClosed(doc: CaseDutiesDoc, d: EventData<'homeward.case.closed'>): CaseDutiesDoc | null {
  if (doc.status === 'closed') return null;
  return { ...doc, status: 'closed', closedAt: d.closedAt };
}

/**
 * The duty a sample pays: a parent's relation, or the child's own; a relative's sample (a
 * sibling, a grandparent) helps the search but pays no duty, as the policy owes the parents'.
 */
export function subjectOfSample(subject: Subject): SamplingSubject | undefined {
  if (subject.kind === 'relative') return undefined;
  if (subject.kind === 'parent')
    return subject.relation === 'mother' || subject.relation === 'father' ? subject.relation : undefined;
  return 'child';
}

/** The `_id` of the fact that a case's duty is paid: `<caseId>:<subject>`. */
export function paidKey(caseId: string, subject: SamplingSubject): string {
  return `${caseId}:${subject}`;
}

/** Why a sample may not name its case. */
export interface CaseRefusal {
  error: Extract<DnaErrorKey, 'caseUnknown' | 'caseMismatch'>;
  code: string;
  detail: string;
}

/**
 * A sample names a case that exists (422 otherwise), and a parent's or a relative's sample
 * names a missing child's case: whose parent or relative else would be sampled?
 */
export function caseRefusal(subject: Subject, doc: CaseDutiesDoc | null): CaseRefusal | undefined {
  if (!subject.caseId) return undefined;
  if (!doc)
    return {
      error: 'caseUnknown',
      code: DnaErrors.caseUnknown.code,
      detail: `no case "${subject.caseId}" is known to dna-tracking (it learns of cases from case.events.v1; a case reported a moment ago may take a moment to arrive)`,
    };
  if ((subject.kind === 'parent' || subject.kind === 'relative') && doc.kind !== 'missing-child')
    return {
      error: 'caseMismatch',
      code: DnaErrors.caseMismatch.code,
      detail: `a ${subject.kind}'s sample names the missing child's case; case "${doc._id}" is "${doc.kind}"`,
    };
  return undefined;
}

/** One line of GET /v1/sampling-duties. */
export interface DutyRow {
  caseId: string;
  caseKind: CaseKind;
  region: string;
  subject: SamplingSubject;
  owedSince: string;
  owedHours: number;
  overdue: boolean;
}

const HOUR = 3_600_000;

/** When a duty owed since `since` becomes overdue. */
export function deadlineOf(since: string, limitHours: number): Date {
  return new Date(Date.parse(since) + limitHours * HOUR);
}

/** What an open case still owes at `now` (`paid` holds `<caseId>:<subject>` keys). */
export function unpaid(doc: CaseDutiesDoc, paid: (key: string) => boolean): Duty[] {
  if (doc.status !== 'open') return [];
  return doc.owed.filter((d) => !paid(paidKey(doc._id, d.subject)));
}

/** What the cases owe at `now`, longest owed first. */
export function dutyRows(
  cases: readonly CaseDutiesDoc[],
  paid: (key: string) => boolean,
  now: Date,
  limitHours: number,
): DutyRow[] {
  const rows: DutyRow[] = [];
  for (const doc of cases)
    for (const d of unpaid(doc, paid)) {
      const owedMs = now.getTime() - Date.parse(d.since);
      rows.push({
        caseId: doc._id,
        caseKind: doc.kind,
        region: doc.region,
        subject: d.subject,
        owedSince: d.since,
        owedHours: Math.max(0, Math.floor((owedMs / HOUR) * 10) / 10),
        overdue: now.getTime() >= deadlineOf(d.since, limitHours).getTime(),
      });
    }
  return rows.sort(
    (a, b) =>
      Date.parse(a.owedSince) - Date.parse(b.owedSince) ||
      a.caseId.localeCompare(b.caseId) ||
      a.subject.localeCompare(b.subject),
  );
}

/** The unpaid duties of a case that are overdue at `now`, and when the next one becomes overdue. */
export function overdueDuties(
  doc: CaseDutiesDoc,
  paid: (key: string) => boolean,
  now: Date,
  limitHours: number,
): { due: Duty[]; next: Date | undefined } {
  const due: Duty[] = [];
  let next: Date | undefined;
  for (const d of unpaid(doc, paid)) {
    const at = deadlineOf(d.since, limitHours);
    if (at.getTime() <= now.getTime()) due.push(d);
    else if (!next || at < next) next = at;
  }
  return { due, next };
}

/** The earliest moment one of the case's unpaid duties becomes overdue (the index's entry). */
export function firstDeadline(
  doc: CaseDutiesDoc,
  paid: (key: string) => boolean,
  limitHours: number,
): Date | undefined {
  let first: Date | undefined;
  for (const d of unpaid(doc, paid)) {
    const at = deadlineOf(d.since, limitHours);
    if (!first || at < first) first = at;
  }
  return first;
}

/** `homeward.dna.sampling-overdue` for one duty, its id derived from the case and the subject (raised once). */
export function samplingOverdueEvent(
  doc: CaseDutiesDoc,
  duty: Duty,
  now: Date,
  limitHours: number,
): HomewardEvent {
  return createEvent(
    'homeward.dna.sampling-overdue',
    {
      caseId: doc._id,
      subject: duty.subject,
      region: doc.region,
      owedSince: duty.since,
      limitHours,
      detectedAt: now.toISOString(),
    },
    { source: SOURCE, subject: doc._id, time: now, id: `${doc._id}.sampling-overdue.${duty.subject}` },
  ) as HomewardEvent;
}
