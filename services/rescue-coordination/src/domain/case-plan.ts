import {
  type Actor,
  type CancelReason,
  createEvent,
  type EventData,
  type HomewardEvent,
  victimsOfOpening,
} from '@homeward/events';
import type { RosterOfficer } from '@homeward/service-kit';
import { Errors } from '../errors.ts';
import {
  type AlertChange,
  type AlertState,
  cancelAlert,
  type EscalationDecision,
  escalateIfDue,
  issueAlert,
  moveCentre,
} from './alert-plan.ts';
import {
  actorOf,
  byOf,
  type CaseDoc,
  type LeadRecord,
  leadRowId,
  type NewLead,
  nextVersion,
  RECENT_LEADS,
  runningAlert,
  type Team,
  timelineEntry,
} from './case.ts';
import type { EscalationPolicy } from './escalation-policy.ts';
import { caseEventId, SOURCE } from './ids.ts';
import { type CaseAction, transition } from './lifecycle.ts';
import { chiefRefusal, regionAncestors } from './regions.ts';
import {
  markVictims,
  type NewVictim,
  newVictimErrors,
  newVictims,
  policeIdentified,
  tallyOf,
  type VictimRecord,
  type VictimStep,
  victimsFor,
  victimsOf,
} from './victims.ts';

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

export type LocatedInput = Omit<EventData<'homeward.case.child-located'>, 'caseId' | 'locatedAt'> & {
  locatedAt?: string;
};
export type RescuedInput = Omit<EventData<'homeward.case.child-rescued'>, 'caseId' | 'rescuedAt'> & {
  rescuedAt?: string;
};

type CaseEventType =
  | 'homeward.case.team-assigned'
  | 'homeward.case.child-located'
  | 'homeward.case.child-rescued'
  | 'homeward.case.household-recorded'
  | 'homeward.case.victims-added'
  | 'homeward.case.victims-located'
  | 'homeward.case.victims-rescued'
  | 'homeward.case.closed';

export type HouseholdInput = Omit<EventData<'homeward.case.household-recorded'>, 'caseId' | 'recordedAt'>;

/** A case event this service publishes, with the id of the case version it makes. */
function caseEvent<T extends CaseEventType>(type: T, data: EventData<T>, doc: CaseDoc, now: Date) {
  const what = type.slice('homeward.case.'.length);
  return createEvent(type, data, {
    source: SOURCE,
    subject: doc._id,
    time: now,
    id: caseEventId(doc._id, what, doc.version + 1),
  });
}

/** The status `action` leads to, or the 409 that says why it may not happen now. */
function step(doc: CaseDoc, action: CaseAction) {
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

/** A lead (sighting or duplicate report) as the event brings it. */
export function newLead(event: HomewardEvent<'homeward.case.lead-added'>): NewLead {
  const d = event.data;
  return {
    caseId: d.caseId,
    leadId: d.leadId,
    addedAt: new Date(d.addedAt),
    origin: d.origin,
    seenAt: d.seenAt,
    reportedBy: d.reportedBy,
    ...(d.description ? { description: d.description } : {}),
    ...(d.photoUrl ? { photoUrl: d.photoUrl } : {}),
  };
}

/**
 * Numbers a lead on its case (the next `seq`), counts it and keeps it among the newest; a lead
 * among them already changes nothing (a redelivery). The lead itself is a row of `case_leads`
 * (the caller writes it), and no timeline entry is written per lead: the case document stays
 * the same size however many sightings come in.
 */
export function addLead(doc: CaseDoc, lead: NewLead, now: Date): Decision<LeadRecord> | null {
  if (doc.recentLeads.some((l) => l.leadId === lead.leadId)) return null;
  const seq = doc.leadCount + 1;
  const row: LeadRecord = { _id: leadRowId(doc._id, seq), seq, ...lead, caseId: doc._id };
  return {
    doc: nextVersion(doc, now, {
      leadCount: seq,
      recentLeads: [...doc.recentLeads, row].slice(-RECENT_LEADS),
    }),
    events: [],
    result: row,
  };
}

/**
 * The other case a confirmed match ties to this one, if the match names two: the child's own
 * case sees the parents' case, and the parents' case sees the child's.
 */
export function linkedCaseOf(
  caseId: string,
  d: Pick<EventData<'homeward.dna.match-confirmed'>, 'caseId' | 'childCaseId'>,
): { caseId: string; as: 'parents-case' | 'child-case' } | undefined {
  if (!d.caseId || !d.childCaseId || d.caseId === d.childCaseId) return undefined;
  if (caseId === d.childCaseId) return { caseId: d.caseId, as: 'parents-case' };
  if (caseId === d.caseId) return { caseId: d.childCaseId, as: 'child-case' };
  return undefined;
}

/** The cases a confirmed match identifies: the parents' case and the child's own, each once. */
export function casesOfMatch(d: Pick<EventData<'homeward.dna.match-confirmed'>, 'caseId' | 'childCaseId'>) {
  return [...new Set([d.childCaseId, d.caseId].filter((c): c is string => c !== undefined))];
}

/**
 * A confirmed DNA match identifies the child, on the parents' case and on the child's own, and
 * links the two: each timeline names the other. The same match again changes nothing.
 */
export function markIdentified(
  doc: CaseDoc,
  event: HomewardEvent<'homeward.dna.match-confirmed'>,
  now: Date,
): Decision<true> | null {
  const d = event.data;
  if (doc.identified?.matchId === d.matchId) return null;
  const identified = {
    matchId: d.matchId,
    childSampleId: d.childSampleId,
    parentSampleIds: d.parentSampleIds,
    ...(d.caseId ? { parentsCaseId: d.caseId } : {}),
    ...(d.childCaseId ? { childCaseId: d.childCaseId } : {}),
    confirmedAt: d.confirmedAt,
    confirmedBy: d.confirmedBy,
  };
  const other = linkedCaseOf(doc._id, d);
  const links = other
    ? [...(doc.links ?? []), { caseId: other.caseId, as: other.as, matchId: d.matchId, at: d.confirmedAt }]
    : doc.links;
  const entry = timelineEntry(event, new Date(d.confirmedAt), {
    matchId: d.matchId,
    confirmedBy: d.confirmedBy,
    ...(other ? { linkedCaseId: other.caseId, linkedAs: other.as } : {}),
  });
  // The match does not name a victim: it identifies the case's child when the case has one.
  const all = victimsOf(doc);
  const children = all.filter((v) => v.category === 'child');
  const victims =
    children.length === 1
      ? markVictims(all, children, (v) =>
          v.identified ? v : { ...v, identified: { at: d.confirmedAt, via: 'dna', matchId: d.matchId } },
        )
      : all;
  return {
    doc: nextVersion(doc, now, {
      identified,
      victims,
      ...(links ? { links } : {}),
      timeline: [...doc.timeline, entry],
    }),
    events: [],
    result: true,
  };
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

/**
 * Issues the case's rapid search alert (a missing child, or a missing woman; one running at a
 * time). A missing woman's alert exists only when police issue it (this action), never at
 * opening (see {@link issuesAtOnce}).
 */
export function issueCaseAlert(doc: CaseDoc, policy: EscalationPolicy, now: Date): Decision<AlertState> {
  const report = doc.report;
  if ((report.kind !== 'missing-child' && report.kind !== 'missing-woman') || doc.kind !== report.kind) {
    throw Errors.alertNotApplicable.error(
      `a rapid search alert is for a missing child or a missing woman; this case is "${doc.kind}"`,
    );
  }
  const running = runningAlert(doc);
  if (running) throw Errors.alertActive.error(`alert "${running.alertId}" of this case is already running`);
  const status = step(doc, 'issue-alert');
  const { alert, event } = issueAlert({
    caseId: doc._id,
    ordinal: doc.alerts.length + 1,
    report,
    policy,
    now,
  });
  return {
    doc: nextVersion(doc, now, { status, activeAlertId: alert.alertId, alerts: [...doc.alerts, alert] }),
    events: [event],
    result: alert,
  };
}

/** The case's alerts with one of them replaced by its next state. */
function withAlert(doc: CaseDoc, alert: AlertState): AlertState[] {
  return doc.alerts.map((a) => (a.alertId === alert.alertId ? alert : a));
}

/** The running alert cancelled with reason `found`, when the child was located or rescued. */
function endSearch(doc: CaseDoc, now: Date): { alerts: AlertState[]; events: HomewardEvent[] } {
  const running = runningAlert(doc);
  if (!running) return { alerts: doc.alerts, events: [] };
  const { alert, event } = cancelAlert(running, { reason: 'found' }, now);
  return { alerts: withAlert(doc, alert), events: [event] };
}

/**
 * The status an action on victims leads to, and the victims it is about. The first locate or
 * rescue moves the case as before; later ones, for victims not yet past the step (several
 * victims, each on its own path), leave a located or rescued case where it is, or move a
 * located one to rescued.
 */
function victimStep(
  doc: CaseDoc,
  action: 'locate' | 'rescue',
  ids: readonly string[] | undefined,
): { status: CaseDoc['status']; chosen: VictimRecord[] } {
  const s: VictimStep = action === 'locate' ? 'located' : 'rescued';
  const chosen = victimsFor(doc, s, ids);
  const t = transition(doc.status, action);
  if (t.ok) return { status: t.next, chosen };
  const later = action === 'locate' ? ['located', 'rescued'] : ['rescued'];
  if (later.includes(doc.status) && chosen.length > 0) return { status: doc.status, chosen };
  throw Errors.invalidTransition.error(t.reason);
}

/** The ids of the children among victims, for the events of consumers that know only children. */
const childIds = (vs: readonly VictimRecord[]) =>
  vs.filter((v) => v.category === 'child').map((v) => v.victimId);

/**
 * Victims were located (by default every one not located yet): `victims-located` names them;
 * when children are among them, `child-located` says so too (with their ids) for consumers that
 * know only children; a case without victims publishes `child-located` alone, as before. The
 * running alert ends (found) in the same write.
 */
export function locate(
  doc: CaseDoc,
  input: LocatedInput & { victimIds?: string[] },
  by: Actor,
  now: Date,
): Decision<true> {
  const { victimIds, ...rest } = input;
  const { status, chosen } = victimStep(doc, 'locate', victimIds);
  const locatedAt = rest.locatedAt ?? now.toISOString();
  const children = childIds(chosen);
  const events: HomewardEvent[] = [];
  if (chosen.length > 0)
    events.push(
      caseEvent(
        'homeward.case.victims-located',
        {
          caseId: doc._id,
          locatedAt,
          place: rest.place,
          ...(rest.region ? { region: rest.region } : {}),
          victims: chosen.map((v) => tallyOf(v, locatedAt)),
          ...(rest.identification ? { identification: rest.identification } : {}),
        },
        doc,
        now,
      ),
    );
  const data: EventData<'homeward.case.child-located'> = {
    ...rest,
    caseId: doc._id,
    locatedAt,
    ...(children.length > 0 ? { victimIds: children } : {}),
  };
  if (chosen.length === 0 || children.length > 0)
    events.push(caseEvent('homeward.case.child-located', data, doc, now));
  const details = {
    place: data.place,
    locatedAt,
    identified: data.identification !== undefined,
    ...(chosen.length > 0 ? { victimIds: chosen.map((v) => v.victimId) } : {}),
  };
  const search = endSearch(doc, now);
  const victims = markVictims(victimsOf(doc), chosen, (v) =>
    policeIdentified({ ...v, located: { at: locatedAt, place: rest.place } }, rest.identification, locatedAt),
  );
  return {
    doc: nextVersion(doc, now, {
      status,
      activeAlertId: null,
      alerts: search.alerts,
      victims,
      located: doc.located ?? { ...data, by: actorOf(by) },
      timeline: [...doc.timeline, timelineEntry(events[0]!, now, details, byOf(by))],
    }),
    events: [...events, ...search.events],
    result: true,
  };
}

/**
 * Victims were rescued (by default every one not rescued yet), located before or not: as
 * {@link locate}, with `victims-rescued` (each victim's age group on the rescue day) and
 * `child-rescued` for the children; the buying household (or the statement that there is none,
 * or the current guardian's clearance) rides on both. A later rescue of further victims keeps
 * what it records about households beside the first rescue's (`householdRecords`).
 */
export function rescue(
  doc: CaseDoc,
  input: RescuedInput & { victimIds?: string[] },
  by: Actor,
  now: Date,
): Decision<true> {
  const { victimIds, ...rest } = input;
  const { status, chosen } = victimStep(doc, 'rescue', victimIds);
  if (rest.buyerHousehold && rest.noBuyerHousehold)
    throw Errors.householdConflict.error(
      'a rescue records the buying household or states that there is none, not both',
      { errors: [{ field: '/noBuyerHousehold', message: 'excludes buyerHousehold' }] },
    );
  const rescuedAt = rest.rescuedAt ?? now.toISOString();
  const children = childIds(chosen);
  const events: HomewardEvent[] = [];
  if (chosen.length > 0)
    events.push(
      caseEvent(
        'homeward.case.victims-rescued',
        {
          caseId: doc._id,
          rescuedAt,
          place: rest.place,
          region: rest.region,
          victims: chosen.map((v) => tallyOf(v, rescuedAt)),
          ...(rest.buyerHousehold ? { buyerHousehold: rest.buyerHousehold } : {}),
          ...(rest.noBuyerHousehold ? { noBuyerHousehold: rest.noBuyerHousehold } : {}),
          ...(rest.currentGuardianCleared ? { currentGuardianCleared: rest.currentGuardianCleared } : {}),
          ...(rest.identification ? { identification: rest.identification } : {}),
        },
        doc,
        now,
      ),
    );
  const data: EventData<'homeward.case.child-rescued'> = {
    ...rest,
    caseId: doc._id,
    rescuedAt,
    ...(children.length > 0 ? { victimIds: children } : {}),
  };
  if (chosen.length === 0 || children.length > 0)
    events.push(caseEvent('homeward.case.child-rescued', data, doc, now));
  const details = {
    place: data.place,
    region: data.region,
    rescuedAt,
    buyerHouseholdRecorded: data.buyerHousehold !== undefined,
    noBuyerHouseholdStated: data.noBuyerHousehold !== undefined,
    currentGuardianCleared: data.currentGuardianCleared !== undefined,
    identified: data.identification !== undefined,
    ...(chosen.length > 0 ? { victimIds: chosen.map((v) => v.victimId) } : {}),
  };
  const search = endSearch(doc, now);
  const victims = markVictims(victimsOf(doc), chosen, (v) =>
    policeIdentified(
      { ...v, rescued: { at: rescuedAt, place: rest.place, region: rest.region } },
      rest.identification,
      rescuedAt,
    ),
  );
  return {
    doc: nextVersion(doc, now, {
      status,
      activeAlertId: null,
      alerts: search.alerts,
      victims,
      rescued: doc.rescued ?? { ...data, by: actorOf(by) },
      ...(doc.rescued && (data.buyerHousehold || data.noBuyerHousehold || data.currentGuardianCleared)
        ? { householdRecords: [...(doc.householdRecords ?? []), laterRescueRecord(data, by)] }
        : {}),
      timeline: [...doc.timeline, timelineEntry(events[0]!, now, details, byOf(by))],
    }),
    events: [...events, ...search.events],
    result: true,
  };
}

/** What a later rescue records about households, kept as a household record of the case. */
function laterRescueRecord(
  data: EventData<'homeward.case.child-rescued'>,
  by: Actor,
): NonNullable<CaseDoc['householdRecords']>[number] {
  return {
    caseId: data.caseId,
    recordedAt: data.rescuedAt,
    ...(data.buyerHousehold ? { buyerHousehold: data.buyerHousehold } : {}),
    ...(data.noBuyerHousehold ? { noBuyerHousehold: data.noBuyerHousehold } : {}),
    ...(data.currentGuardianCleared ? { currentGuardianCleared: data.currentGuardianCleared } : {}),
    by: actorOf(by),
  };
}

/** Whether police recorded the buying household of a rescued child, or stated there is none. */
export function buyerRecordOf(doc: CaseDoc): 'recorded' | 'none-stated' | 'missing' | undefined {
  if (!doc.rescued) return undefined;
  const records = [doc.rescued, ...(doc.householdRecords ?? [])];
  if (records.some((r) => r.buyerHousehold)) return 'recorded';
  if (records.some((r) => r.noBuyerHousehold)) return 'none-stated';
  return 'missing';
}

/**
 * After the rescue, police record the buying household, state that there is none, or clear
 * the current guardian an unidentified-child report named (placement then lets them be a
 * guardian). A household and "none" exclude each other, in one request and across records.
 */
export function recordHousehold(doc: CaseDoc, input: HouseholdInput, by: Actor, now: Date): Decision<true> {
  step(doc, 'record-household');
  const recorded = buyerRecordOf(doc);
  if (
    (input.buyerHousehold && input.noBuyerHousehold) ||
    (input.noBuyerHousehold && recorded === 'recorded') ||
    (input.buyerHousehold && recorded === 'none-stated')
  )
    throw Errors.householdConflict.error(
      recorded === 'missing'
        ? 'the buying household and the statement that there is none exclude each other'
        : `the case has ${recorded === 'recorded' ? 'a buying household recorded' : 'a statement that there is no buying household'}; the other cannot be recorded too`,
      {
        errors: [
          { field: input.noBuyerHousehold ? '/noBuyerHousehold' : '/buyerHousehold', message: 'conflicts' },
        ],
      },
    );
  const data: EventData<'homeward.case.household-recorded'> = {
    ...input,
    caseId: doc._id,
    recordedAt: now.toISOString(),
  };
  const event = caseEvent('homeward.case.household-recorded', data, doc, now);
  const details = {
    buyerHouseholdRecorded: data.buyerHousehold !== undefined,
    noBuyerHouseholdStated: data.noBuyerHousehold !== undefined,
    currentGuardianCleared: data.currentGuardianCleared !== undefined,
  };
  return {
    doc: nextVersion(doc, now, {
      householdRecords: [...(doc.householdRecords ?? []), { ...data, by: actorOf(by) }],
      timeline: [...doc.timeline, timelineEntry(event, now, details, byOf(by))],
    }),
    events: [event],
    result: true,
  };
}

/**
 * Police add victims found later, several in one action (a raid frees several people), each
 * numbered after the case's victims and judged child or adult on the day found. Not on a closed
 * case.
 */
export function addVictims(
  doc: CaseDoc,
  input: { victims: NewVictim[]; foundAt?: string },
  by: Actor,
  now: Date,
): Decision<VictimRecord[]> {
  step(doc, 'record-victims');
  const foundAt = input.foundAt ?? now.toISOString();
  const errors = newVictimErrors(input.victims, foundAt);
  if (errors.length > 0) throw Errors.victimsNotApplicable.error('a victim needs an age', { errors });
  const added = newVictims(doc, input.victims, foundAt, actorOf(by));
  const event = caseEvent(
    'homeward.case.victims-added',
    {
      caseId: doc._id,
      addedAt: foundAt,
      addedBy: actorOf(by),
      victims: added.map(({ addedAt: _a, addedBy: _b, ...v }) => v),
    },
    doc,
    now,
  );
  const details = { victimIds: added.map((v) => v.victimId) };
  return {
    doc: nextVersion(doc, now, {
      victims: [...victimsOf(doc), ...added],
      timeline: [...doc.timeline, timelineEntry(event, now, details, byOf(by))],
    }),
    events: [event],
    result: added,
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

/** One of the case's alerts, or the 404 that says there is none. */
export function alertOf(doc: CaseDoc, alertId: string): AlertState {
  const alert = doc.alerts.find((a) => a.alertId === alertId);
  if (!alert) throw Errors.alertNotFound.error(`no alert "${alertId}"`);
  return alert;
}

/** Writes an alert's change into its case (and the case stops searching with an ended alert). */
function applyAlert(
  doc: CaseDoc,
  change: AlertChange<'homeward.alert.escalated'> | AlertChange<'homeward.alert.cancelled'>,
  now: Date,
): Decision<AlertState> {
  // Only the running alert changes, so an alert that ended here is the one the case searched with.
  const ended = change.alert.status !== 'active';
  return {
    doc: nextVersion(doc, now, {
      alerts: withAlert(doc, change.alert),
      ...(ended ? { activeAlertId: null } : {}),
    }),
    events: [change.event],
    result: change.alert,
  };
}

/** Police cancel an alert with a reason every notified unit is told. */
export function cancelCaseAlert(
  doc: CaseDoc,
  alertId: string,
  cancel: { reason: CancelReason; note?: string | undefined },
  by: Actor,
  now: Date,
): Decision<AlertState> {
  const change = cancelAlert(alertOf(doc, alertId), { ...cancel, by: byOf(by) }, now);
  return applyAlert(doc, change, now);
}

/** Police move a running alert's centre to one of the case's leads. */
export function moveAlertCentre(
  doc: CaseDoc,
  alertId: string,
  leadId: string,
  lead: LeadRecord | null,
  by: Actor,
  now: Date,
): Decision<AlertState> {
  const alert = alertOf(doc, alertId);
  if (alert.status !== 'active') throw Errors.alertEnded.error(`alert "${alertId}" has ended`);
  if (!lead || lead.caseId !== doc._id || lead.leadId !== leadId)
    throw Errors.leadNotFound.error(`case "${doc._id}" has no lead "${leadId}"`);
  return applyAlert(doc, moveCentre(alert, lead, byOf(by), now), now);
}

/** What a look at a due alert decided, and the write it needs (null: nothing to write). */
export interface EscalationPlan {
  outcome: EscalationDecision['outcome'];
  /** When the alert next comes due (null: never; the index drops it). */
  nextDueAt: Date | null;
  decision: Decision<AlertState> | null;
}

/** Looks at a case's alert that the schedule says is due; see `escalateIfDue`. */
export function escalateCaseAlert(
  doc: CaseDoc,
  alertId: string,
  policy: EscalationPolicy,
  now: Date,
): EscalationPlan {
  const alert = doc.alerts.find((a) => a.alertId === alertId);
  if (!alert) return { outcome: 'ended', nextDueAt: null, decision: null };
  const d = escalateIfDue(alert, policy, now);
  switch (d.outcome) {
    case 'ended':
    case 'final':
      return { outcome: d.outcome, nextDueAt: null, decision: null };
    case 'not-due':
      return { outcome: d.outcome, nextDueAt: d.nextDueAt, decision: null };
    case 'rescheduled':
      return {
        outcome: d.outcome,
        nextDueAt: d.alert.nextDueAt,
        decision: {
          doc: nextVersion(doc, now, { alerts: withAlert(doc, d.alert) }),
          events: [],
          result: d.alert,
        },
      };
    case 'escalated':
      return {
        outcome: d.outcome,
        nextDueAt: d.change.alert.nextDueAt,
        decision: applyAlert(doc, d.change, now),
      };
  }
}
