import { type CaseKind, type CustodyStep, CustodySteps, FollowupOwners, type Role } from '@homeward/events';
import type { CaseRecord, FollowupRecord, SampleRecord, SupervisedRecord } from './records.ts';

/**
 * The duties coordination supervises. The policy dates none of them (it says 及時, promptly, and
 * 儘快, as soon as possible): the limits are Homeward's, configurable, in {@link DutyLimits}.
 */
export const DUTIES = [
  'report-acted-on',
  'special-team',
  'dna-sampling',
  'custody-step',
  'placement',
  'return-to-family',
  'followup',
] as const;
export type Duty = (typeof DUTIES)[number];

export const DUTY_LABELS: Record<Duty, string> = {
  'report-acted-on': 'report acted on (team, alert, located, rescued or closed)',
  'special-team': 'child case led by a special team',
  'dna-sampling': 'DNA sample of the parents of a missing child, or of a child of unknown origin',
  'custody-step': 'next DNA custody step recorded',
  placement: 'rescued child placed',
  'return-to-family': 'identified child returned to the family',
  followup: 'follow-up done by its due date',
};

/** How long each duty may take, in hours, before it is missed. */
export interface DutyLimits {
  actHours: number;
  teamHours: number;
  samplingHours: number;
  custodyHours: number;
  placementHours: number;
  returnHours: number;
}

/** One duty of one record: who owes it, where, by when, and whether (and when) it was done. */
export interface DutyInstance {
  duty: Duty;
  region: string;
  department: Role;
  record: { kind: 'case' | 'sample' | 'followup'; id: string };
  /** A case the record belongs to, when known (for the link). */
  caseId?: string;
  dueAt: string;
  doneAt?: string;
  /** The record no longer calls for it (a case closed before the duty fell due). */
  void?: boolean;
  /** For custody steps: the step awaited. */
  detail?: string;
}

const H = 3_600_000;
const plus = (at: string, hours: number) => new Date(Date.parse(at) + hours * H).toISOString();
const firstOf = (...times: Array<string | undefined>): string | undefined =>
  times.filter((t): t is string => t !== undefined).sort((a, b) => Date.parse(a) - Date.parse(b))[0];
const laterOf = (a: string, b: string) => new Date(Math.max(Date.parse(a), Date.parse(b))).toISOString();

const CHILD_CASE_KINDS = new Set<CaseKind | undefined>(['missing-child', 'unidentified-child']);

function caseDuties(c: CaseRecord, limits: DutyLimits): DutyInstance[] {
  const out: DutyInstance[] = [];
  const record = { kind: 'case' as const, id: c.caseId };
  const base = { record, caseId: c.caseId };
  if (c.openedAt && c.region) {
    // A duty that falls due after the case closed is not owed: the case no longer calls for it.
    const owed = (dueAt: string, doneAt: string | undefined, duty: Duty): DutyInstance => ({
      ...base,
      duty,
      region: c.region!,
      department: 'police',
      dueAt,
      ...(doneAt ? { doneAt } : {}),
      ...(!doneAt && c.closedAt && Date.parse(c.closedAt) <= Date.parse(dueAt) ? { void: true } : {}),
    });
    out.push(
      owed(
        plus(c.openedAt, limits.actHours),
        firstOf(c.teamAt, c.alertAt, c.locatedAt, c.rescuedAt, c.closedAt),
        'report-acted-on',
      ),
    );
    if (CHILD_CASE_KINDS.has(c.caseKind))
      out.push(owed(plus(c.openedAt, limits.teamHours), c.teamAt, 'special-team'));
    if (c.caseKind === 'missing-child')
      out.push({
        ...owed(plus(c.openedAt, limits.samplingHours), c.parentSampleAt, 'dna-sampling'),
        detail: 'parents',
      });
    if (c.caseKind === 'unidentified-child')
      out.push({
        ...owed(plus(c.openedAt, limits.samplingHours), c.childSampleAt, 'dna-sampling'),
        detail: 'child',
      });
  }
  if (c.rescuedAt) {
    // Civil affairs where the child is (the rescue's region) place it, as placement records it.
    const region = c.rescueRegion ?? c.region;
    if (region) {
      out.push({
        ...base,
        duty: 'placement',
        region,
        department: 'civil-affairs',
        dueAt: plus(c.rescuedAt, limits.placementHours),
        ...(c.placedAt ? { doneAt: c.placedAt } : {}),
      });
      if (c.identifiedAt)
        out.push({
          ...base,
          duty: 'return-to-family',
          region,
          department: 'civil-affairs',
          dueAt: plus(laterOf(c.rescuedAt, c.identifiedAt), limits.returnHours),
          ...(c.returnedAt ? { doneAt: c.returnedAt } : {}),
        });
    }
  }
  return out;
}

/** Steps the collecting agency owes (sealing and shipping what it collected); the lab owes the rest. */
const COLLECTOR_OWES: ReadonlySet<CustodyStep> = new Set(['sealed', 'shipped']);

function sampleDuties(s: SampleRecord, limits: DutyLimits): DutyInstance[] {
  if (!s.region) return [];
  const chain = CustodySteps.filter((step) => step !== 'destroyed' && s.steps[step] !== undefined);
  const out: DutyInstance[] = [];
  const ended = s.steps.destroyed;
  // Each recorded step owes the next one within the limit; the last one still owes it, unless it
  // settled the sample (stored or destroyed: those two are past the steps walked here).
  CustodySteps.slice(0, CustodySteps.indexOf('stored')).forEach((step, i) => {
    const at = s.steps[step];
    if (!at) return;
    const next = CustodySteps[i + 1]!;
    const doneAt = s.steps[next] ?? (ended && Date.parse(ended) >= Date.parse(at) ? ended : undefined);
    if (!doneAt && chain[chain.length - 1] !== step) return;
    out.push({
      duty: 'custody-step',
      region: s.region!,
      department: COLLECTOR_OWES.has(next) ? (s.collectorRole ?? 'police') : 'dna-lab',
      record: { kind: 'sample', id: s.sampleId },
      ...(s.caseId ? { caseId: s.caseId } : {}),
      dueAt: plus(at, limits.custodyHours),
      ...(doneAt ? { doneAt } : {}),
      detail: next,
    });
  });
  return out;
}

/**
 * A follow-up is owed from its due date (the end of that day, in the reports' calendar); only
 * follow-ups placement raised overdue or that were completed count, because a revision that
 * cancels a follow-up publishes no event and a cancelled one is owed by nobody.
 */
function followupDuties(f: FollowupRecord, utcOffsetMinutes: number): DutyInstance[] {
  if (!f.region || !f.dueDate || !f.type || (!f.overdueAt && !f.completedAt)) return [];
  const endOfDue = new Date(Date.parse(`${f.dueDate}T00:00:00Z`) + 86_400_000 - utcOffsetMinutes * 60_000);
  return [
    {
      duty: 'followup',
      region: f.region,
      department: FollowupOwners[f.type] ?? 'civil-affairs',
      record: { kind: 'followup', id: f.followupId },
      ...(f.caseId ? { caseId: f.caseId } : {}),
      dueAt: endOfDue.toISOString(),
      ...(f.completedAt ? { doneAt: f.completedAt } : {}),
      detail: f.type,
    },
  ];
}

/** Every duty a record carries, done or not. */
export function dutiesOf(r: SupervisedRecord, limits: DutyLimits, utcOffsetMinutes: number): DutyInstance[] {
  switch (r.kind) {
    case 'case':
      return caseDuties(r, limits);
    case 'sample':
      return sampleDuties(r, limits);
    case 'followup':
      return followupDuties(r, utcOffsetMinutes);
  }
}

/** A duty missed now: due, not done, still owed, and its case not closed. */
export function isMissed(d: DutyInstance, now: Date, closedCases: ReadonlySet<string>): boolean {
  if (d.void || d.doneAt || Date.parse(d.dueAt) > now.getTime()) return false;
  // A closed case owes its police duties no more; placement, return and follow-ups outlive it.
  // A case's own duties name the case as their record.
  return !(d.record.kind === 'case' && d.department === 'police' && closedCases.has(d.record.id));
}

/** Where a missed duty's record is read, in the service that owns it. */
export function recordHref(d: DutyInstance): string {
  switch (d.record.kind) {
    case 'case':
      return d.duty === 'placement' || d.duty === 'return-to-family'
        ? `/v1/cases/${d.record.id}/placement`
        : `/v1/cases/${d.record.id}`;
    case 'sample':
      return `/v1/samples/${d.record.id}`;
    case 'followup':
      return `/v1/cases/${d.caseId ?? ''}/placement#${d.record.id}`;
  }
}

/** One line of the live supervision list. */
export interface MissedDuty {
  duty: Duty;
  label: string;
  region: string;
  department: Role;
  record: { kind: 'case' | 'sample' | 'followup'; id: string; href: string; service: string };
  caseId?: string;
  dueAt: string;
  overdueHours: number;
  detail?: string;
}

const SERVICE_OF: Record<Duty, string> = {
  'report-acted-on': 'rescue-coordination',
  'special-team': 'rescue-coordination',
  'dna-sampling': 'rescue-coordination',
  'custody-step': 'dna-tracking',
  placement: 'placement',
  'return-to-family': 'placement',
  followup: 'placement',
};

/**
 * The duties being missed now within a scope, oldest first: each names its record and where
 * it is read.
 */
export function missedDuties(
  records: readonly SupervisedRecord[],
  now: Date,
  limits: DutyLimits,
  utcOffsetMinutes: number,
  inScope: (region: string) => boolean,
): MissedDuty[] {
  const closed = new Set(records.flatMap((r) => (r.kind === 'case' && r.closedAt ? [r.caseId] : [])));
  const out: MissedDuty[] = [];
  for (const r of records)
    for (const d of dutiesOf(r, limits, utcOffsetMinutes)) {
      if (!inScope(d.region) || !isMissed(d, now, closed)) continue;
      out.push({
        duty: d.duty,
        label: DUTY_LABELS[d.duty],
        region: d.region,
        department: d.department,
        record: { ...d.record, href: recordHref(d), service: SERVICE_OF[d.duty] },
        ...(d.caseId ? { caseId: d.caseId } : {}),
        dueAt: d.dueAt,
        overdueHours: Math.floor((now.getTime() - Date.parse(d.dueAt)) / H),
        ...(d.detail ? { detail: d.detail } : {}),
      });
    }
  return out.sort(
    (a, b) =>
      a.dueAt.localeCompare(b.dueAt) ||
      a.record.id.localeCompare(b.record.id) ||
      a.duty.localeCompare(b.duty),
  );
}
