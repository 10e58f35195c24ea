import {
  type Actor,
  createEvent,
  type EventData,
  type HomewardEvent,
  victimsOfOpening,
} from '@homeward/events';
import type { RosterOfficer } from '@homeward/service-kit';
import { Errors } from '../errors.ts';
import { actorOf, byOf, type CaseDoc, nextVersion, runningAlert, type Team, timelineEntry } from './case.ts';
import { caseEventId, SOURCE } from './ids.ts';
import { type CaseAction, transition } from './lifecycle.ts';
import { chiefRefusal, regionAncestors } from './regions.ts';

// The case's own lifecycle (opened, team named, closed) and what every case decision shares: the
// decision's shape, the case event it publishes, the lifecycle step it takes. The other decisions
// live beside it, one concern each: case-leads, case-identification, case-alerts, case-recovery
// (located, rescued, victims added) and case-household.

/**
 * The case's decisions, as pure functions: (case, input, now) → the next case document, the
 * events to publish with it, and what the caller gets back. Each is written as ONE write of the
 * case document with its events in the outbox; an alert change rides in the same write as the
 * case change that causes it. A refusal is thrown as one of the catalogue's errors.
 */
export interface Decision<R> {
  doc: CaseDoc;
  events: HomewardEvent[];
  result: R;
}

/** The case events this service publishes. */
export type CaseEventType =
  | 'homeward.case.team-assigned'
  | 'homeward.case.child-located'
  | 'homeward.case.child-rescued'
  | 'homeward.case.household-recorded'
  | 'homeward.case.victims-added'
  | 'homeward.case.victims-located'
  | 'homeward.case.victims-rescued'
  | 'homeward.case.closed';

/** A case event this service publishes, with the id of the case version it makes. */
export function caseEvent<T extends CaseEventType>(type: T, data: EventData<T>, doc: CaseDoc, now: Date) {
  const what = type.slice('homeward.case.'.length);
  return createEvent(type, data, {
    source: SOURCE,
    subject: doc._id,
    time: now,
    id: caseEventId(doc._id, what, doc.version + 1),
  });
}

/** The status `action` leads to, or the 409 that says why it may not happen now. */
export function step(doc: CaseDoc, action: CaseAction) {
  const t = transition(doc.status, action);
  if (!t.ok) throw Errors.invalidTransition.error(t.reason);
  return t.next;
}

/** A case as `homeward.case.opened` reports it: version 1, no alert yet. */
export function openedCase(event: HomewardEvent<'homeward.case.opened'>, now: Date): CaseDoc {
  const d = event.data;
  const { province, prefecture } = regionAncestors(d.region);
  const openedAt = new Date(d.openedAt);
  return {
    _id: d.caseId,
    version: 1,
    kind: d.kind,
    status: 'opened',
    region: d.region,
    province,
    prefecture,
    openedAt,
    updatedAt: now,
    reportId: d.reportId,
    reportedBy: d.reportedBy,
    report: d.report,
    alerts: [],
    activeAlertId: null,
    leadCount: 0,
    recentLeads: [],
    victims: victimsOfOpening(d).map((v) => ({ ...v, addedAt: d.openedAt })),
    timeline: [
      timelineEntry(
        event,
        openedAt,
        { kind: d.kind, region: d.region, reportId: d.reportId, victims: victimsOfOpening(d).length },
        byOf(d.reportedBy),
      ),
    ],
  };
}

/** Whether a new case from a police report has its alert issued at once. */
export function issuesAtOnce(d: EventData<'homeward.case.opened'>): boolean {
  return d.kind === 'missing-child' && d.reportedBy.role === 'police';
}

/** The team as a caller names it: roster ids only, never the officers' particulars. */
export interface TeamRequest {
  chiefId: string;
  investigationLeadId: string;
  rescueLeadId: string;
  familyLiaisonLeadId: string;
}

const TEAM_FIELDS = ['chiefId', 'investigationLeadId', 'rescueLeadId', 'familyLiaisonLeadId'] as const;

/**
 * Names the chief and the three leads from the police roster (`officer` looks an id up in it):
 * every id must be on the roster, and the chief a head of county level or higher whose region
 * contains the case's. The event and the case carry the officers as the roster has them.
 */
export function assignTeam(
  doc: CaseDoc,
  request: TeamRequest,
  officer: (officerId: string) => RosterOfficer | undefined,
  by: Actor,
  now: Date,
): Decision<true> {
  step(doc, 'assign-team');
  const unknown = TEAM_FIELDS.filter((f) => officer(request[f]) === undefined);
  if (unknown.length > 0) {
    throw Errors.officerNotOnRoster.error(
      `${unknown.map((f) => `${f} "${request[f]}"`).join(', ')} not on the police roster`,
      { errors: unknown.map((f) => ({ field: `/${f}`, message: 'is not on the police roster' })) },
    );
  }
  const chief = officer(request.chiefId);
  const refusal = chiefRefusal(chief, doc.region);
  if (refusal === 'not-a-head') {
    throw Errors.chiefNotHead.error(
      `officer ${request.chiefId} heads no county, prefecture or province police: a case is led by a head of county level or higher`,
      { errors: [{ field: '/chiefId', message: 'must head a county, prefecture or province police' }] },
    );
  }
  if (refusal === 'outside-region') {
    throw Errors.chiefRegion.error(
      `the chief's division ${chief!.region} does not contain the case's division ${doc.region}: the chief must be police of county level or higher for the case's region`,
      { errors: [{ field: '/chiefId', message: `must head ${doc.region}, its prefecture or its province` }] },
    );
  }
  const asOfficer = (id: string) => {
    const o = officer(id)!;
    return {
      officerId: o.officerId,
      name: o.name,
      agencyId: o.agencyId,
      region: o.region,
      ...(o.contact ? { contact: o.contact } : {}),
    };
  };
  const team: Team = {
    chief: asOfficer(request.chiefId),
    investigationLead: asOfficer(request.investigationLeadId),
    rescueLead: asOfficer(request.rescueLeadId),
    familyLiaisonLead: asOfficer(request.familyLiaisonLeadId),
  };
  const event = caseEvent(
    'homeward.case.team-assigned',
    { caseId: doc._id, assignedAt: now.toISOString(), ...team },
    doc,
    now,
  );
  const entry = timelineEntry(event, now, { ...team }, byOf(by));
  return {
    doc: nextVersion(doc, now, { team: { assignedAt: now, ...team }, timeline: [...doc.timeline, entry] }),
    events: [event],
    result: true,
  };
}

/** Closes a case. An alert still running must be cancelled first, with its own reason. */
export function close(doc: CaseDoc, reason: string, by: Actor, now: Date): Decision<true> {
  const running = runningAlert(doc);
  if (running) {
    throw Errors.alertActive.error(
      `alert "${running.alertId}" of this case is still running: cancel it (POST /v1/alerts/${running.alertId}/cancel) with its reason first`,
    );
  }
  const status = step(doc, 'close');
  const event = caseEvent(
    'homeward.case.closed',
    { caseId: doc._id, closedAt: now.toISOString(), reason },
    doc,
    now,
  );
  return {
    doc: nextVersion(doc, now, {
      status,
      closed: { closedAt: now, reason, by: actorOf(by) },
      timeline: [...doc.timeline, timelineEntry(event, now, { reason }, byOf(by))],
    }),
    events: [event],
    result: true,
  };
}
