import {
  type Actor,
  type AssistanceAction,
  createEvent,
  type EventData,
  regionContains,
} from '@homeward/events';
import { Errors } from '../errors.ts';
import { type Assistance, actorOf, byOf, type CaseDoc, nextVersion, timelineEntry } from './case.ts';
import type { Decision } from './case-plan.ts';
import { caseEventId, SOURCE } from './ids.ts';

/** The regions the accepted assistances grant `read`: what a list filters on. */
export function readGrantsOf(assistance: readonly Assistance[]): string[] {
  return [
    ...new Set(
      assistance.filter((a) => a.status === 'accepted' && a.actions.includes('read')).map((a) => a.region),
    ),
  ];
}

/** What the case's police send to ask for assistance. */
export interface AssistanceRequest {
  region: string;
  reason: string;
  actions: AssistanceAction[];
}

type AssistanceEventType =
  | 'homeward.case.assistance-requested'
  | 'homeward.case.assistance-accepted'
  | 'homeward.case.assistance-declined'
  | 'homeward.case.assistance-revoked';

function assistanceEvent<T extends AssistanceEventType>(
  type: T,
  data: EventData<T>,
  doc: CaseDoc,
  now: Date,
) {
  return createEvent(type, data, {
    source: SOURCE,
    subject: doc._id,
    time: now,
    id: caseEventId(doc._id, type.slice('homeward.case.'.length), doc.version + 1),
  });
}

function closedConflict(doc: CaseDoc): void {
  if (doc.status === 'closed')
    throw Errors.invalidTransition.error('the case is closed: assistance ends with it');
}

function find(doc: CaseDoc, assistanceId: string): Assistance {
  const a = doc.assistance?.find((x) => x.assistanceId === assistanceId);
  if (!a) throw Errors.assistanceNotFound.error(`no assistance "${assistanceId}" on case "${doc._id}"`);
  return a;
}

/** The case's own police: their region contains the case's (a grant does not make one). */
export function isCasePolice(doc: Pick<CaseDoc, 'region'>, who: Actor): boolean {
  return who.role === 'police' && regionContains(who.region, doc.region);
}

/** The police an assistance is addressed to: their region lies in the region it names. */
export function isAddressee(a: Pick<Assistance, 'region'>, who: Actor): boolean {
  return who.role === 'police' && regionContains(a.region, who.region);
}

/**
 * The case's police ask another region's police for assistance, naming the actions to grant.
 * The region must lie outside the case's (its own police need no grant) and outside the
 * requester's.
 */
export function requestAssistance(
  doc: CaseDoc,
  input: AssistanceRequest,
  by: Actor,
  now: Date,
): Decision<Assistance> {
  closedConflict(doc);
  if (regionContains(input.region, doc.region) || regionContains(doc.region, input.region))
    throw Errors.assistanceRegion.error(
      `region ${input.region} contains or lies within the case's region ${doc.region}: its police reach the case without assistance, or are the case's own`,
      { errors: [{ field: '/region', message: "must lie outside the case's region" }] },
    );
  const assistance = doc.assistance ?? [];
  const a: Assistance = {
    assistanceId: `${doc._id}.assist-${assistance.length + 1}`,
    region: input.region,
    reason: input.reason,
    actions: [...new Set(input.actions)],
    status: 'requested',
    requestedAt: now,
    requestedBy: actorOf(by),
  };
  const event = assistanceEvent(
    'homeward.case.assistance-requested',
    {
      caseId: doc._id,
      assistanceId: a.assistanceId,
      requestedAt: now.toISOString(),
      region: a.region,
      reason: a.reason,
      actions: a.actions,
      requestedBy: actorOf(by),
    },
    doc,
    now,
  );
  const entry = timelineEntry(
    event,
    now,
    { assistanceId: a.assistanceId, region: a.region, reason: a.reason, actions: a.actions },
    byOf(by),
  );
  return {
    doc: nextVersion(doc, now, { assistance: [...assistance, a], timeline: [...doc.timeline, entry] }),
    events: [event],
    result: a,
  };
}

/** The addressed region's police accept or decline a pending request; a second answer is 409. */
export function answerAssistance(
  doc: CaseDoc,
  assistanceId: string,
  answer: 'accepted' | 'declined',
  by: Actor,
  now: Date,
): Decision<Assistance> {
  const a = find(doc, assistanceId);
  // Only the addressee may learn of the request at all: anyone else gets 404.
  if (!isAddressee(a, by))
    throw Errors.assistanceNotFound.error(`no assistance "${assistanceId}" on case "${doc._id}"`);
  closedConflict(doc);
  if (a.status !== 'requested')
    throw Errors.assistanceAnswered.error(`the assistance is ${a.status} already`);
  const next: Assistance = { ...a, status: answer, answeredAt: now, answeredBy: actorOf(by) };
  const event =
    answer === 'accepted'
      ? assistanceEvent(
          'homeward.case.assistance-accepted',
          {
            caseId: doc._id,
            assistanceId,
            acceptedAt: now.toISOString(),
            region: a.region,
            acceptedBy: actorOf(by),
          },
          doc,
          now,
        )
      : assistanceEvent(
          'homeward.case.assistance-declined',
          {
            caseId: doc._id,
            assistanceId,
            declinedAt: now.toISOString(),
            region: a.region,
            declinedBy: actorOf(by),
          },
          doc,
          now,
        );
  const entry = timelineEntry(event, now, { assistanceId, region: a.region }, byOf(by));
  return {
    doc: withAssistance(doc, now, next, entry),
    events: [event],
    result: next,
  };
}

/** The case's police end a requested or accepted assistance; its grant ends at once. */
export function revokeAssistance(
  doc: CaseDoc,
  assistanceId: string,
  by: Actor,
  now: Date,
): Decision<Assistance> {
  const a = find(doc, assistanceId);
  if (a.status !== 'requested' && a.status !== 'accepted')
    throw Errors.assistanceAnswered.error(`the assistance is ${a.status}: nothing to revoke`);
  const next: Assistance = { ...a, status: 'revoked', revokedAt: now, revokedBy: actorOf(by) };
  const event = assistanceEvent(
    'homeward.case.assistance-revoked',
    { caseId: doc._id, assistanceId, revokedAt: now.toISOString(), region: a.region, revokedBy: actorOf(by) },
    doc,
    now,
  );
  const entry = timelineEntry(event, now, { assistanceId, region: a.region }, byOf(by));
  return {
    doc: withAssistance(doc, now, next, entry),
    events: [event],
    result: next,
  };
}

function withAssistance(
  doc: CaseDoc,
  now: Date,
  next: Assistance,
  entry: CaseDoc['timeline'][number],
): CaseDoc {
  const assistance = (doc.assistance ?? []).map((x) => (x.assistanceId === next.assistanceId ? next : x));
  return nextVersion(doc, now, {
    assistance,
    readGrants: readGrantsOf(assistance),
    timeline: [...doc.timeline, entry],
  });
}

/**
 * Does an accepted assistance grant `who` this action on the case? Police whose region lies in
 * the assisted region, for the named actions, while the case is open.
 */
export function granted(
  doc: Pick<CaseDoc, 'status' | 'assistance'>,
  who: Actor,
  action: AssistanceAction,
): boolean {
  // Only police are addressees (isAddressee), so no other role is granted anything.
  if (doc.status === 'closed') return false;
  return (
    doc.assistance?.some(
      (a) => a.status === 'accepted' && a.actions.includes(action) && isAddressee(a, who),
    ) ?? false
  );
}
