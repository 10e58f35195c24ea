import { type HomewardEvent, isEventType } from '@homeward/events';
import { type Allowlist, type Keep, STREAM_ALLOWLISTS } from './stream-allowlists.ts';

/** An event as the operators' stream shows it: the envelope, where it belongs, a summary. */
export interface EventView {
  id: string;
  source: string;
  type: string;
  time?: string;
  topic: string;
  region?: string;
  caseId?: string;
  summary: string;
  data: unknown;
}

const isScalar = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);

/** `value` cut down to what `keep` allows; undefined when nothing of it is allowed. */
function keepOf(value: unknown, keep: Keep): unknown {
  if (typeof keep === 'function') return keep(value) ? value : undefined;
  if (keep === true) {
    if (isScalar(value)) return value;
    return Array.isArray(value) && value.every(isScalar) ? value : undefined;
  }
  if (Array.isArray(value)) return value.map((v) => project(v, keep) ?? {});
  return project(value, keep);
}

/** An object cut down to the fields of an allowlist (an own data field only; nothing else). */
export function project(value: unknown, allow: Allowlist): Record<string, unknown> | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const out: Record<string, unknown> = {};
  for (const [field, keep] of Object.entries(allow)) {
    if (!Object.hasOwn(value, field)) continue;
    const kept = keepOf((value as Record<string, unknown>)[field], keep);
    if (kept !== undefined) out[field] = kept;
  }
  return out;
}

/** The data of an event as operators see it: its type's allowlist; an unknown type shows none. */
export function projectData(type: string, data: unknown): Record<string, unknown> {
  const allow = isEventType(type) ? STREAM_ALLOWLISTS[type] : undefined;
  return (allow && project(data, allow)) ?? {};
}

/**
 * One line for the log, naming ids and places but no person: made from the projected data
 * (see {@link toView}), so it can only say what the allowlist let through.
 */
export function summarize(event: HomewardEvent): string {
  // biome-ignore lint/suspicious/noExplicitAny: each branch reads the fields its type's schema guarantees
  const d = event.data as Record<string, any>;
  switch (event.type) {
    case 'homeward.report.submitted':
      return `${d.kind} report received from ${event.source}`;
    case 'homeward.case.opened':
      return `${d.kind} case ${d.caseId} opened in ${d.region} (${d.reportedBy?.role})`;
    case 'homeward.case.lead-added':
      return `lead ${d.leadId} (${d.origin}) on case ${d.caseId} at ${d.seenAt?.place}`;
    case 'homeward.case.team-assigned':
      return `special team assigned to case ${d.caseId}`;
    case 'homeward.case.child-located':
      return `child of case ${d.caseId} located at ${d.place}`;
    case 'homeward.case.child-rescued':
      return `child of case ${d.caseId} rescued at ${d.place}`;
    case 'homeward.case.household-recorded':
      return `buying household of case ${d.caseId} ${d.noBuyerHousehold ? 'stated as none' : 'recorded'}`;
    case 'homeward.case.team-overdue':
      return `case ${d.caseId} has no special team after ${d.limitHours} h`;
    case 'homeward.case.closed':
      return `case ${d.caseId} closed (${d.reason})`;
    case 'homeward.alert.issued':
      return `alert ${d.alertId} issued: ${d.radiusKm} km around ${d.lastSeenPlace}`;
    case 'homeward.alert.escalated':
      return `alert ${d.alertId} widened ${d.previousRadiusKm} → ${d.radiusKm} km`;
    case 'homeward.alert.cancelled':
      return `alert ${d.alertId} cancelled (${d.reason})`;
    case 'homeward.notification.delivered':
      return `unit ${d.unitId} notified of alert ${d.alertId} (step ${d.step})`;
    case 'homeward.notification.acknowledged':
      return `unit ${d.unitId} acknowledged alert ${d.alertId}`;
    case 'homeward.notification.failed':
      return `delivery to unit ${d.unitId} failed for alert ${d.alertId}`;
    case 'homeward.notification.unit-registered':
      return `unit ${d.unitId} (${d.kind}) registered in ${d.region}`;
    case 'homeward.notification.unit-updated':
      return `unit ${d.unitId} (${d.kind}) moved or changed, now in ${d.region}`;
    case 'homeward.notification.unit-removed':
      return `unit ${d.unitId} removed from ${d.region}`;
    case 'homeward.dna.sample-collected':
      return `sample ${d.sampleId} collected (${d.subject?.kind})`;
    case 'homeward.dna.custody-recorded':
      return `sample ${d.sampleId}: ${d.step}`;
    case 'homeward.dna.profile-entered':
      return `profile of sample ${d.sampleId} entered (${d.lociCount} loci)`;
    case 'homeward.dna.match-found':
      return `match ${d.matchId} found for sample ${d.childSampleId}, awaiting review`;
    case 'homeward.dna.match-confirmed':
      return d.childCaseId && d.caseId && d.childCaseId !== d.caseId
        ? `match ${d.matchId} confirmed: case ${d.childCaseId} identified as the child of case ${d.caseId}`
        : `match ${d.matchId} confirmed`;
    case 'homeward.dna.sampling-overdue':
      return `case ${d.caseId}: the ${d.subject}'s DNA sample not taken after ${d.limitHours} h`;
    case 'homeward.dna.match-rejected':
      return `match ${d.matchId} rejected`;
    case 'homeward.placement.decided':
      return `placement ${d.type} decided for case ${d.caseId}`;
    case 'homeward.followup.scheduled':
      return `follow-up ${d.type} scheduled for case ${d.caseId}, due ${d.dueDate}`;
    case 'homeward.followup.completed':
      return `follow-up ${d.followupId} completed`;
    case 'homeward.followup.overdue':
      return `follow-up ${d.followupId} overdue since ${d.dueDate}`;
    case 'homeward.placement.overdue':
      return `case ${d.caseId}: ${d.clock === 'rescued-not-placed' ? 'rescued, not placed' : 'identified, not returned home'} after ${d.limitDays} days`;
    case 'homeward.coordination.submission-submitted':
      return `annual report ${d.year} of ${d.agencyId} (${d.region}) submitted, version ${d.version}`;
    case 'homeward.coordination.submission-returned':
      return `annual report ${d.year} of ${d.agencyId} (${d.region}) returned by ${d.returnedBy?.agencyId}`;
    case 'homeward.coordination.submission-accepted':
      return `annual report ${d.year} of ${d.agencyId} (${d.region}) accepted`;
    case 'homeward.coordination.submission-reminder':
      return `annual report ${d.year} of ${d.agencyId} (${d.region}): reminder (${d.stage}), due ${d.dueDate}`;
    default:
      return event.type;
  }
}

export function toView(
  event: HomewardEvent,
  topic: string,
  place: { region?: string; caseId?: string },
): EventView {
  const data = projectData(event.type, event.data);
  return {
    id: event.id,
    source: event.source,
    type: event.type,
    ...(event.time ? { time: event.time } : {}),
    topic,
    ...place,
    summary: summarize({ ...event, data } as HomewardEvent),
    data,
  };
}
