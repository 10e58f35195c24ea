import type { Actor, AssistanceAction, CaseKind, EventData, ReportData } from '@homeward/events';
import type { AlertState } from './alert-plan.ts';
import type { CaseStatus } from './lifecycle.ts';
import type { VictimRecord } from './victims.ts';

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

/**
 * A lead (sighting or duplicate report), kept in its own collection (`case_leads`), one row
 * each with `_id` `<caseId>:<seq>` (its number on the case, from 1): a case may gather
 * thousands, one document may not grow without bound (FerretDB rewrites the whole document on
 * every update), and a page of leads is then a set of exact `_id` reads, the one lookup
 * FerretDB does not answer by reading the whole collection.
 */
export interface LeadRecord {
  _id: string;
  caseId: string;
  /** The lead's number on its case: 1 for the first. */
  seq: number;
  leadId: string;
  addedAt: Date;
  origin: 'sighting' | 'duplicate-report';
  seenAt: { at: string; place: string; lat: number; lon: number; region: string };
  description?: string;
  photoUrl?: string;
  reportedBy: Actor;
}

/** Another case tied to this one by a confirmed DNA match. */
export interface CaseLink {
  caseId: string;
  /** What the other case is to this one. */
  as: 'parents-case' | 'child-case';
  matchId: string;
  at: string;
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
  /** How many leads the case has (the rows of `case_leads` with its id). */
  leadCount: number;
  /**
   * The newest leads, at most {@link RECENT_LEADS}, oldest first: what the case view shows at
   * once, and what tells a repeated lead from a new one.
   */
  recentLeads: LeadRecord[];
  /**
   * The victims of the case, each with its own path (see victims.ts); absent on a case stored
   * before victims existed, whose one victim its report describes (`victimsOf`).
   */
  victims?: VictimRecord[];
  located?: EventData<'homeward.case.child-located'> & { by: Actor };
  rescued?: EventData<'homeward.case.child-rescued'> & { by: Actor };
  identified?: {
    matchId: string;
    childSampleId: string;
    parentSampleIds: string[];
    /** The parents' case (the missing child's) and the child's own, as the match named them. */
    parentsCaseId?: string;
    childCaseId?: string;
    confirmedAt: string;
    confirmedBy: string;
  };
  /** Cases a confirmed match tied to this one: the parents' case of a found child, or the found child's case. */
  links?: CaseLink[];
  /** What police recorded after the rescue about the buying household (oldest first). */
  householdRecords?: Array<EventData<'homeward.case.household-recorded'> & { by: Actor }>;
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

/** Leads kept on the case document itself; the rest are paged from `case_leads`. */
export const RECENT_LEADS = 20;

/** A lead as an event brings it, before the case numbers it. */
export type NewLead = Omit<LeadRecord, '_id' | 'seq'>;

/** The `_id` of the row of a case's lead number `seq`. */
export const leadRowId = (caseId: string, seq: number) => `${caseId}:${String(seq).padStart(9, '0')}`;

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
