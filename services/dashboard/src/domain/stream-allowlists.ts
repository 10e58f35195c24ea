import { type EventType, FollowupOutcomeCodes } from '@homeward/events';

/**
 * What a field of an allowlist keeps: `true` the value as it is (a scalar or an array of
 * scalars), a nested allowlist an object (or each object of an array), a predicate a value it
 * accepts (anything else is left out).
 */
export type Keep = true | Allowlist | ((value: unknown) => boolean);
export interface Allowlist {
  readonly [field: string]: Keep;
}

const place = { at: true, place: true, lat: true, lon: true, region: true } as const;
const actor = { agencyId: true, role: true, region: true } as const;
const point = { lat: true, lon: true } as const;
/** An officer as operators see one: which agency and region, never a name or a contact. */
const officer = { officerId: true, agencyId: true, region: true } as const;
const outcomeCodes = new Set<unknown>(Object.values(FollowupOutcomeCodes));
/** A victim as operators see one: its id, child or adult, sex; never a description or birth date. */
const victim = { victimId: true, category: true, sex: true } as const;
/** A victim of a located or rescued action: as {@link victim}, with the age group on that day. */
const victimTally = { ...victim, ageGroup: true } as const;
/** Whose follow-up it is (the victim, its sex and age group) and the role that answers for it. */
const followupVictim = { victimId: true, owner: true, sex: true, ageGroup: true } as const;
/** A match's references to relatives: which sample, which relation. */
const relatives = { relationship: true, references: { sampleId: true, relation: true } } as const;
/** Both sides of a match: the child's case, and which parent samples matched (no names). */
const matchSides = { childCaseId: true, parents: { sampleId: true, relation: true } } as const;
/** A department's annual submission: which, of what year and region, by whom. */
const submission = { submissionId: true, year: true, region: true, agencyId: true, role: true } as const;
/** Figures by counter name: an object of whole numbers only. */
const counts = (v: unknown) =>
  v !== null &&
  typeof v === 'object' &&
  !Array.isArray(v) &&
  Object.values(v as Record<string, unknown>).every((n) => Number.isInteger(n));

/**
 * What the operators' stream shows of each event type: an allowlist per type, never a
 * denylist, so a field a producer adds stays out until someone decides operators need it. No
 * person's name, contact, identity number or free text about people passes: a raw report
 * shows as its kind only (the board counts reports, it does not show them), a case as its
 * ids, kind and region, a rescue without the buying household, a follow-up's outcome only as a
 * code. Typed by the catalogue, so a new event type does not compile until it has one.
 */
export const STREAM_ALLOWLISTS: Record<EventType, Allowlist> = {
  'homeward.report.submitted': { kind: true },
  'homeward.case.opened': {
    caseId: true,
    kind: true,
    region: true,
    openedAt: true,
    reportId: true,
    reportedBy: actor,
    victims: victim,
  },
  'homeward.case.victims-added': { caseId: true, addedAt: true, addedBy: actor, victims: victim },
  'homeward.case.victims-located': {
    caseId: true,
    locatedAt: true,
    place: true,
    region: true,
    victims: victimTally,
    identification: { method: true },
  },
  // As child-rescued: never the buying household, nor the reason of a statement that there is none.
  'homeward.case.victims-rescued': {
    caseId: true,
    rescuedAt: true,
    place: true,
    region: true,
    victims: victimTally,
    identification: { method: true },
  },
  'homeward.case.lead-added': {
    caseId: true,
    leadId: true,
    reportId: true,
    addedAt: true,
    reportedBy: actor,
    origin: true,
    seenAt: place,
  },
  'homeward.case.team-assigned': {
    caseId: true,
    assignedAt: true,
    chief: officer,
    investigationLead: officer,
    rescueLead: officer,
    familyLiaisonLead: officer,
  },
  'homeward.case.child-located': {
    caseId: true,
    locatedAt: true,
    place: true,
    region: true,
    lat: true,
    lon: true,
    identification: { method: true },
    victimIds: true,
  },
  'homeward.case.child-rescued': {
    caseId: true,
    rescuedAt: true,
    place: true,
    region: true,
    identification: { method: true },
    victimIds: true,
  },
  // Whether a household was recorded or stated as none, never who is in it nor the reason text.
  'homeward.case.household-recorded': { caseId: true, recordedAt: true, noBuyerHousehold: {} },
  'homeward.case.team-overdue': {
    caseId: true,
    kind: true,
    region: true,
    openedAt: true,
    limitHours: true,
    detectedAt: true,
  },
  // Cross-region assistance: who asked whom, for which actions; never the free-text reason.
  'homeward.case.assistance-requested': {
    caseId: true,
    assistanceId: true,
    requestedAt: true,
    region: true,
    actions: true,
    requestedBy: actor,
  },
  'homeward.case.assistance-accepted': {
    caseId: true,
    assistanceId: true,
    acceptedAt: true,
    region: true,
    acceptedBy: actor,
  },
  'homeward.case.assistance-declined': {
    caseId: true,
    assistanceId: true,
    declinedAt: true,
    region: true,
    declinedBy: actor,
  },
  'homeward.case.assistance-revoked': {
    caseId: true,
    assistanceId: true,
    revokedAt: true,
    region: true,
    revokedBy: actor,
  },
  'homeward.case.closed': { caseId: true, closedAt: true, reason: true },
  'homeward.alert.issued': {
    alertId: true,
    caseId: true,
    issuedAt: true,
    lastSeenAt: true,
    lastSeenPlace: true,
    center: point,
    region: true,
    radiusKm: true,
    step: true,
    child: { sex: true },
    sought: true,
  },
  'homeward.alert.escalated': {
    alertId: true,
    caseId: true,
    escalatedAt: true,
    center: point,
    radiusKm: true,
    previousRadiusKm: true,
    step: true,
  },
  'homeward.alert.cancelled': { alertId: true, caseId: true, cancelledAt: true, reason: true },
  'homeward.notification.delivered': {
    alertId: true,
    unitId: true,
    step: true,
    kind: true,
    deliveredAt: true,
    attempts: true,
    latencyMs: true,
  },
  'homeward.notification.acknowledged': { alertId: true, unitId: true, acknowledgedAt: true },
  'homeward.notification.failed': {
    alertId: true,
    unitId: true,
    step: true,
    kind: true,
    failedAt: true,
    attempts: true,
    reason: true,
  },
  // A unit on the map: its id, kind, region and place (the events carry nothing else).
  'homeward.notification.unit-registered': {
    unitId: true,
    kind: true,
    region: true,
    location: point,
    registeredAt: true,
  },
  'homeward.notification.unit-updated': {
    unitId: true,
    kind: true,
    region: true,
    location: point,
    updatedAt: true,
  },
  'homeward.notification.unit-removed': { unitId: true, region: true, removedAt: true },
  'homeward.dna.sample-collected': {
    sampleId: true,
    subject: { kind: true, caseId: true, relation: true },
    collectedAt: true,
    collectedBy: actor,
    region: true,
  },
  'homeward.dna.sampling-overdue': {
    caseId: true,
    subject: true,
    region: true,
    owedSince: true,
    limitHours: true,
    detectedAt: true,
  },
  'homeward.dna.custody-recorded': { sampleId: true, step: true, at: true, recordHash: true },
  'homeward.dna.profile-entered': { sampleId: true, enteredAt: true, lociCount: true, matchable: true },
  'homeward.dna.match-found': {
    matchId: true,
    childSampleId: true,
    parentSampleIds: true,
    caseId: true,
    combinedIndex: true,
    probability: true,
    frequencyVersion: true,
    foundAt: true,
    ...relatives,
    ...matchSides,
    foldedMatchIds: true,
  },
  'homeward.dna.match-confirmed': {
    matchId: true,
    childSampleId: true,
    parentSampleIds: true,
    caseId: true,
    confirmedAt: true,
    ...relatives,
    ...matchSides,
  },
  'homeward.dna.match-rejected': {
    matchId: true,
    childSampleId: true,
    parentSampleIds: true,
    caseId: true,
    rejectedAt: true,
    ...relatives,
    ...matchSides,
  },
  'homeward.placement.overdue': {
    caseId: true,
    clock: true,
    since: true,
    limitDays: true,
    detectedAt: true,
    region: true,
  },
  'homeward.placement.decided': {
    placementId: true,
    caseId: true,
    type: true,
    decisionDate: true,
    decidedAt: true,
    revision: true,
    region: true,
    victimId: true,
    category: true,
    plan: true,
    sex: true,
    ageGroup: true,
    disability: true,
  },
  'homeward.followup.scheduled': {
    followupId: true,
    caseId: true,
    placementId: true,
    type: true,
    dueDate: true,
    region: true,
    ...followupVictim,
  },
  'homeward.followup.completed': {
    followupId: true,
    caseId: true,
    type: true,
    completedAt: true,
    // Older producers wrote the school or hospital here: only a code passes.
    outcome: (v) => outcomeCodes.has(v),
    ...followupVictim,
  },
  'homeward.followup.overdue': {
    followupId: true,
    caseId: true,
    type: true,
    dueDate: true,
    detectedAt: true,
    ...followupVictim,
  },
  'homeward.coordination.submission-submitted': {
    ...submission,
    version: true,
    submittedAt: true,
    dueDate: true,
    late: true,
    own: counts,
    platform: counts,
  },
  // The return's comment is free text: it stays out.
  'homeward.coordination.submission-returned': {
    ...submission,
    version: true,
    returnedAt: true,
    returnedBy: actor,
  },
  'homeward.coordination.submission-accepted': {
    ...submission,
    version: true,
    acceptedAt: true,
    acceptedBy: actor,
  },
  'homeward.coordination.submission-reminder': {
    ...submission,
    stage: true,
    dueDate: true,
    remindedAt: true,
  },
};

/**
 * The view type of a report that intake refused. Not an event of the catalogue: nobody
 * publishes it; the dashboard makes it from intake's dead letter of the report
 * (`refused-report.ts`), so that a refused report is shown as refused, not as received.
 */
export const REPORT_REFUSED = 'homeward.report.refused';

/**
 * What the operators' stream shows of the views made from dead letters, allowlisted as the
 * events are. A refused report: which report (its CloudEvent id; the agency that sent it is
 * the view's source), its kind, the refusal's code, the paths of the fields at fault, when it
 * was sent and refused. Never the report's data (a malformed report may carry anything in any
 * field, a reporter's contacts among them) nor the reason's text (a validator's message may
 * quote what was sent).
 */
export const DEAD_LETTER_ALLOWLISTS: Readonly<Record<typeof REPORT_REFUSED, Allowlist>> = {
  [REPORT_REFUSED]: { reportId: true, kind: true, code: true, fields: true, sentAt: true, refusedAt: true },
};
