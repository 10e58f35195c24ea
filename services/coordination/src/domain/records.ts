import type { CaseKind, CustodyStep, FollowupType, HomewardEvent, Role } from '@homeward/events';

/**
 * What coordination remembers of each record whose duties it supervises: the moments that
 * discharge a duty, nothing personal (no names, no places). One document per record, keyed
 * `case:<id>`, `sample:<id>` or `followup:<id>`; each event sets the moments it establishes, so
 * a repeated event changes nothing and events of one record may arrive in any order.
 */
export interface CaseRecord {
  _id: string;
  kind: 'case';
  caseId: string;
  caseKind?: CaseKind;
  region?: string;
  openedAt?: string;
  teamAt?: string;
  alertAt?: string;
  locatedAt?: string;
  rescuedAt?: string;
  rescueRegion?: string;
  /** Police identification at located or rescue, or a confirmed DNA match naming the case. */
  identifiedAt?: string;
  placedAt?: string;
  returnedAt?: string;
  closedAt?: string;
  parentSampleAt?: string;
  childSampleAt?: string;
}

export interface SampleRecord {
  _id: string;
  kind: 'sample';
  sampleId: string;
  caseId?: string;
  region?: string;
  collectorRole?: Role;
  /** When each custody step was recorded. */
  steps: Partial<Record<CustodyStep, string>>;
}

export interface FollowupRecord {
  _id: string;
  kind: 'followup';
  followupId: string;
  caseId?: string;
  type?: FollowupType;
  region?: string;
  dueDate?: string;
  overdueAt?: string;
  completedAt?: string;
}

export type SupervisedRecord = CaseRecord | SampleRecord | FollowupRecord;

/** One change a single event makes to one record. */
export interface RecordStep {
  id: string;
  apply: (current: SupervisedRecord | null) => SupervisedRecord;
}

const earliest = (a: string | undefined, b: string): string =>
  a === undefined || Date.parse(b) < Date.parse(a) ? b : a;

const caseStep =
  (caseId: string, set: (c: CaseRecord) => CaseRecord): RecordStep['apply'] =>
  (current) =>
    set(current?.kind === 'case' ? current : { _id: `case:${caseId}`, kind: 'case', caseId });

/** The record changes an event makes (none for events that discharge no duty). */
export function recordSteps(event: HomewardEvent): RecordStep[] {
  // biome-ignore lint/suspicious/noExplicitAny: each branch reads the fields its type's schema guarantees
  const d = event.data as Record<string, any>;
  const onCase = (caseId: string | undefined, set: (c: CaseRecord) => CaseRecord): RecordStep[] =>
    caseId ? [{ id: `case:${caseId}`, apply: caseStep(caseId, set) }] : [];
  switch (event.type) {
    case 'homeward.case.opened':
      return onCase(d.caseId, (c) => ({ ...c, caseKind: d.kind, region: d.region, openedAt: d.openedAt }));
    case 'homeward.case.team-assigned':
      return onCase(d.caseId, (c) => ({ ...c, teamAt: earliest(c.teamAt, d.assignedAt) }));
    case 'homeward.case.child-located':
      return onCase(d.caseId, (c) => ({
        ...c,
        locatedAt: earliest(c.locatedAt, d.locatedAt),
        ...(d.identification ? { identifiedAt: earliest(c.identifiedAt, d.locatedAt) } : {}),
      }));
    case 'homeward.case.child-rescued':
      return onCase(d.caseId, (c) => ({
        ...c,
        rescuedAt: earliest(c.rescuedAt, d.rescuedAt),
        rescueRegion: c.rescueRegion ?? d.region,
        ...(d.identification ? { identifiedAt: earliest(c.identifiedAt, d.rescuedAt) } : {}),
      }));
    case 'homeward.case.closed':
      return onCase(d.caseId, (c) => ({ ...c, closedAt: earliest(c.closedAt, d.closedAt) }));
    case 'homeward.alert.issued':
      return onCase(d.caseId, (c) => ({ ...c, alertAt: earliest(c.alertAt, d.issuedAt) }));
    case 'homeward.dna.match-confirmed':
      return onCase(d.caseId, (c) => ({ ...c, identifiedAt: earliest(c.identifiedAt, d.confirmedAt) }));
    case 'homeward.placement.decided':
      return onCase(d.caseId, (c) => ({
        ...c,
        placedAt: earliest(c.placedAt, d.decidedAt),
        ...(d.type === 'return-to-family' ? { returnedAt: earliest(c.returnedAt, d.decidedAt) } : {}),
      }));
    case 'homeward.dna.sample-collected': {
      const sample: RecordStep = {
        id: `sample:${d.sampleId}`,
        apply: (current) => {
          const s: SampleRecord =
            current?.kind === 'sample'
              ? current
              : { _id: `sample:${d.sampleId}`, kind: 'sample', sampleId: d.sampleId, steps: {} };
          return {
            ...s,
            region: d.region,
            collectorRole: d.collectedBy.role,
            ...(d.subject.caseId ? { caseId: d.subject.caseId } : {}),
            steps: { ...s.steps, collected: s.steps.collected ?? d.collectedAt },
          };
        },
      };
      const field = d.subject.kind === 'parent' ? 'parentSampleAt' : 'childSampleAt';
      return [
        sample,
        ...onCase(d.subject.caseId, (c) => ({ ...c, [field]: earliest(c[field], d.collectedAt) })),
      ];
    }
    case 'homeward.dna.custody-recorded':
      return [
        {
          id: `sample:${d.sampleId}`,
          apply: (current) => {
            const s: SampleRecord =
              current?.kind === 'sample'
                ? current
                : { _id: `sample:${d.sampleId}`, kind: 'sample', sampleId: d.sampleId, steps: {} };
            const step = d.step as CustodyStep;
            return { ...s, steps: { ...s.steps, [step]: s.steps[step] ?? d.at } };
          },
        },
      ];
    case 'homeward.followup.scheduled':
    case 'homeward.followup.completed':
    case 'homeward.followup.overdue':
      return [
        {
          id: `followup:${d.followupId}`,
          apply: (current) => {
            const f: FollowupRecord =
              current?.kind === 'followup'
                ? current
                : { _id: `followup:${d.followupId}`, kind: 'followup', followupId: d.followupId };
            const next: FollowupRecord = { ...f, caseId: d.caseId, type: d.type };
            if (event.type === 'homeward.followup.scheduled')
              return { ...next, region: d.region, dueDate: d.dueDate };
            if (event.type === 'homeward.followup.completed')
              return { ...next, completedAt: earliest(f.completedAt, d.completedAt) };
            return {
              ...next,
              dueDate: f.dueDate ?? d.dueDate,
              overdueAt: earliest(f.overdueAt, d.detectedAt),
            };
          },
        },
      ];
    default:
      return [];
  }
}

/** Whether a step changed anything (so an unchanged record is not written again). */
export function sameRecord(a: SupervisedRecord | null, b: SupervisedRecord): boolean {
  return a !== null && JSON.stringify(a) === JSON.stringify(b);
}
