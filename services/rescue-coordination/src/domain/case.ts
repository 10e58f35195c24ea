import type { Actor, AssistanceAction, CaseKind, EventData, ReportData } from '@homeward/events';
import type { AlertState } from './alert-plan.ts';
import type { CaseStatus } from './lifecycle.ts';

type Officer = EventData<'homeward.case.team-assigned'>['chief'];

/** Who did something, as the timeline shows it (no region: that is on the case). */
export interface By {
  agencyId: string;
  role: string;
}

/** One line of a case's history, as GET /v1/cases/{caseId} shows it. */
export interface TimelineEntry {
  at: Date;
  type: string;
  /** The event that recorded it, when there is one (dedupes a redelivery). */
  eventId?: string;
  by?: By;
  details?: Record<string, unknown>;
}

export interface LeadRecord {
  leadId: string;
  addedAt: Date;
  origin: 'sighting' | 'duplicate-report';
  seenAt: { at: string; place: string; lat: number; lon: number; region: string };
  description?: string;
  photoUrl?: string;
  reportedBy: Actor;
}

export interface Team {
  chief: Officer;
  investigationLead: Officer;
  rescueLead: Officer;
  familyLiaisonLead: Officer;
}

/**
 * A case as rescue coordination keeps it: ONE document, its alerts inside it. A case has few
 * alerts, and a write of one document is the one thing FerretDB makes atomic, so every change
 * (the case's and its alerts') is one write of this document with its events in its outbox,
 * under the case's lease. `version` counts those writes.
 */
export interface CaseDoc {
  _id: string;
  version: number;
  kind: CaseKind;
  status: CaseStatus;
  region: string;
  /** The province and prefecture codes of `region`, so a list filters any level by equality. */
  province: string;
  prefecture: string;
  openedAt: Date;
  updatedAt: Date;
  reportId: string;
  reportedBy: Actor;
  report: ReportData;
  team?: Team & { assignedAt: Date };
  /** Every alert this case ever had, oldest first; alert n has the id `<caseId>.alert-<n>`. */
  alerts: AlertState[];
  /** The alert the case is searching with (it is `active`), or null. */
  activeAlertId: string | null;
  leads: LeadRecord[];
  located?: EventData<'homeward.case.child-located'> & { by: Actor };
  rescued?: EventData<'homeward.case.child-rescued'> & { by: Actor };
  identified?: {
    matchId: string;
    childSampleId: string;
    parentSampleIds: string[];
    confirmedAt: string;
    confirmedBy: string;
  };
  closed?: { closedAt: Date; reason: string; by: Actor };
  timeline: TimelineEntry[];
  /** Assistance asked of other regions' police, oldest first (absent on older cases). */
  assistance?: Assistance[];
  /**
   * The regions an accepted assistance grants `read` now (derived from `assistance`, kept so a
   * list filters on it with an equality: FerretDB 1.24 runs no `$elemMatch` on fields).
   */
  readGrants?: string[];
}

/** One assistance: asked by the case's police of another region's, answered, maybe revoked. */
export interface Assistance {
  assistanceId: string;
  region: string;
  reason: string;
  actions: AssistanceAction[];
  status: 'requested' | 'accepted' | 'declined' | 'revoked';
  requestedAt: Date;
  requestedBy: Actor;
  answeredAt?: Date;
  answeredBy?: Actor;
  revokedAt?: Date;
  revokedBy?: Actor;
}

/** The caller of an action, as events record it. */
export const actorOf = (p: Actor): Actor => ({ agencyId: p.agencyId, role: p.role, region: p.region });

/** The caller of an action, as the timeline records it. */
export const byOf = (p: { agencyId: string; role: string }): By => ({ agencyId: p.agencyId, role: p.role });

/** A line of the case's timeline for an event this service recorded. */
export function timelineEntry(
  event: { type: string; id: string },
  at: Date,
  details: Record<string, unknown>,
  by?: By,
): TimelineEntry {
  return { at, type: event.type, eventId: event.id, ...(by ? { by } : {}), details };
}

/** The next version of a case: the given changes, one more write, touched now. */
export function nextVersion(doc: CaseDoc, now: Date, changes: Partial<CaseDoc>): CaseDoc {
  return { ...doc, ...changes, version: doc.version + 1, updatedAt: now };
}

/** The alert the case is searching with, if it still runs. */
export function runningAlert(doc: CaseDoc): AlertState | undefined {
  const alert = doc.alerts.find((a) => a.alertId === doc.activeAlertId);
  return alert?.status === 'active' ? alert : undefined;
}
