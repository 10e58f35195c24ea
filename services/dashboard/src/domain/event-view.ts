import type { HomewardEvent } from '@homeward/events';

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

/**
 * Fields no operator screen needs: the family's and guardians' contacts and a buyer's id
 * number. Children's names stay (the stream is operator-only; operators need them); DNA
 * genotypes never travel on the bus, and any field that looks like one is dropped anyway.
 */
const REDACTED_KEYS = new Set(['phone', 'contact', 'address', 'idNumber']);
const DROPPED_KEYS = new Set(['genotype', 'genotypes', 'alleles', 'loci', 'profile']);

export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (DROPPED_KEYS.has(k)) continue;
    out[k] = REDACTED_KEYS.has(k) && typeof v === 'string' ? '[redacted]' : redact(v);
  }
  return out;
}

/** One line for the log, naming ids and places but no person. */
export function summarize(event: HomewardEvent): string {
  // biome-ignore lint/suspicious/noExplicitAny: each branch reads the fields its type's schema guarantees
  const d = event.data as Record<string, any>;
  switch (event.type) {
    case 'homeward.report.submitted':
      return `${d.kind} report from ${event.source}`;
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
    case 'homeward.dna.sample-collected':
      return `sample ${d.sampleId} collected (${d.subject?.kind})`;
    case 'homeward.dna.custody-recorded':
      return `sample ${d.sampleId}: ${d.step}`;
    case 'homeward.dna.profile-entered':
      return `profile of sample ${d.sampleId} entered (${d.lociCount} loci)`;
    case 'homeward.dna.match-found':
      return `match ${d.matchId} found for sample ${d.childSampleId}, awaiting review`;
    case 'homeward.dna.match-confirmed':
      return `match ${d.matchId} confirmed`;
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
  return {
    id: event.id,
    source: event.source,
    type: event.type,
    ...(event.time ? { time: event.time } : {}),
    topic,
    ...place,
    summary: summarize(event),
    data: redact(event.data),
  };
}
