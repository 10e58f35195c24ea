import { type Static, type TSchema, Type } from '@sinclair/typebox';
import {
  Actor,
  DateOnly,
  DateTime,
  Id,
  Latitude,
  Longitude,
  LongText,
  Place,
  RegionCode,
  Role,
  Sex,
  ShortText,
  Url,
} from './common.ts';
import { ReportDataSchema } from './reports.ts';
import { type TopicName, Topics } from './topics.ts';
import {
  AssistanceActions,
  CancelReasons,
  CaseKinds,
  CustodySteps,
  FollowupTypes,
  IdentificationMethods,
  literalUnion,
  PlacementTypes,
  ReminderStages,
} from './vocabulary.ts';

const CaseKind = literalUnion(CaseKinds);
const CancelReason = literalUnion(CancelReasons);
const PlacementType = literalUnion(PlacementTypes);
const FollowupType = literalUnion(FollowupTypes);
const CustodyStep = literalUnion(CustodySteps);

const Officer = Type.Object({
  officerId: Id,
  name: ShortText,
  agencyId: Id,
  region: RegionCode,
  contact: Type.Optional(ShortText),
});

/** The coordination office or department behind a submission step. */
const Department = Type.Object({ agencyId: Id, role: Role, region: RegionCode });

/** What only a department knows of its year: the figures it adds to the platform's. */
const OwnFigures = Type.Object({
  publicityCampaigns: Type.Integer({ minimum: 0 }),
  trainingSessions: Type.Integer({ minimum: 0 }),
  peopleScreened: Type.Integer({ minimum: 0 }),
});

/** A submission's identity: the department's report of one year for one region. */
const SubmissionRef = {
  submissionId: Id,
  year: Type.Integer({ minimum: 2000, maximum: 2200 }),
  region: RegionCode,
  agencyId: Id,
  role: Role,
};

const Point = Type.Object({ lat: Latitude, lon: Longitude });

/** How police established who a located or rescued child is, other than by DNA. */
const PoliceIdentification = Type.Object({
  method: literalUnion(IdentificationMethods),
  identifiedBy: ShortText,
  note: Type.Optional(LongText),
});

const BuyerHousehold = Type.Object({
  headName: ShortText,
  address: ShortText,
  idNumber: Type.Optional(ShortText),
});

/**
 * Defines one event type: its topic, the schema of its `data`, the partition key taken from
 * the data, and what it means.
 */
function eventType<S extends TSchema>(def: {
  topic: TopicName;
  data: S;
  key: (data: Static<S>) => string;
  description: string;
}) {
  return def;
}

/**
 * Every event type of the contract. The data schemas are open (unknown fields are kept and
 * ignored): within a topic version producers may add optional fields, and consumers must cope.
 */
/** What a reference sample is to the missing child of its case: a parent or another relative. */
const ReferenceRelation = Type.Union([
  Type.Literal('mother'),
  Type.Literal('father'),
  Type.Literal('full-sibling'),
  Type.Literal('half-sibling'),
  Type.Literal('grandparent'),
  Type.Literal('aunt-uncle'),
]);

/**
 * Optional fields of a match against relatives other than parents: the relation (or `family`
 * for several references of one case scored jointly) and every reference sample with its
 * relation. `parentSampleIds` then holds the first two references, closest relation first.
 */
const RelativesMatch = {
  relationship: Type.Optional(
    Type.Union([
      Type.Literal('full-sibling'),
      Type.Literal('half-sibling'),
      Type.Literal('grandparent'),
      Type.Literal('aunt-uncle'),
      Type.Literal('family'),
    ]),
  ),
  references: Type.Optional(
    Type.Array(Type.Object({ sampleId: Id, relation: ReferenceRelation }), { minItems: 1, maxItems: 16 }),
  ),
};

export const EventCatalogue = {
  'homeward.report.submitted': eventType({
    topic: Topics.agencyReports,
    data: ReportDataSchema,
    key: () => '',
    description:
      'An agency system submits a report. Keyed by nothing in particular; ce_source is agency/<agencyId>.',
  }),
  'homeward.case.opened': eventType({
    topic: Topics.caseEvents,
    data: Type.Object({
      caseId: Id,
      kind: CaseKind,
      region: RegionCode,
      openedAt: DateTime,
      reportId: Id,
      reportedBy: Actor,
      report: ReportDataSchema,
    }),
    key: (d) => d.caseId,
    description: 'A report opened a case (missing child, unidentified child, suspected trafficking).',
  }),
  'homeward.case.lead-added': eventType({
    topic: Topics.caseEvents,
    data: Type.Object({
      caseId: Id,
      leadId: Id,
      reportId: Id,
      addedAt: DateTime,
      reportedBy: Actor,
      origin: Type.Union([Type.Literal('sighting'), Type.Literal('duplicate-report')]),
      seenAt: Place,
      description: Type.Optional(LongText),
      photoUrl: Type.Optional(Url),
    }),
    key: (d) => d.caseId,
    description: 'A sighting, or a second report of the same missing child, added a lead to a case.',
  }),
  'homeward.case.team-assigned': eventType({
    topic: Topics.caseEvents,
    data: Type.Object({
      caseId: Id,
      assignedAt: DateTime,
      chief: Officer,
      investigationLead: Officer,
      rescueLead: Officer,
      familyLiaisonLead: Officer,
    }),
    key: (d) => d.caseId,
    description: 'The special team: a county-level (or higher) police chief and the three leads.',
  }),
  'homeward.case.child-located': eventType({
    topic: Topics.caseEvents,
    data: Type.Object({
      caseId: Id,
      locatedAt: DateTime,
      place: ShortText,
      region: Type.Optional(RegionCode),
      lat: Type.Optional(Latitude),
      lon: Type.Optional(Longitude),
      identification: Type.Optional(PoliceIdentification),
    }),
    key: (d) => d.caseId,
    description: 'Police located the child.',
  }),
  'homeward.case.child-rescued': eventType({
    topic: Topics.caseEvents,
    data: Type.Object({
      caseId: Id,
      rescuedAt: DateTime,
      place: ShortText,
      region: RegionCode,
      buyerHousehold: Type.Optional(BuyerHousehold),
      identification: Type.Optional(PoliceIdentification),
    }),
    key: (d) => d.caseId,
    description: 'Police rescued the child; the buying household, if any, is recorded for placement.',
  }),
  'homeward.case.closed': eventType({
    topic: Topics.caseEvents,
    data: Type.Object({ caseId: Id, closedAt: DateTime, reason: ShortText }),
    key: (d) => d.caseId,
    description: 'The case is closed.',
  }),
  'homeward.case.assistance-requested': eventType({
    topic: Topics.caseEvents,
    data: Type.Object({
      caseId: Id,
      assistanceId: Id,
      requestedAt: DateTime,
      region: RegionCode,
      reason: ShortText,
      actions: Type.Array(literalUnion(AssistanceActions), { minItems: 1, uniqueItems: true }),
      requestedBy: Actor,
    }),
    key: (d) => d.caseId,
    description:
      "The case's police ask the police of another region to assist, naming the actions they would be granted on this case.",
  }),
  'homeward.case.assistance-accepted': eventType({
    topic: Topics.caseEvents,
    data: Type.Object({
      caseId: Id,
      assistanceId: Id,
      acceptedAt: DateTime,
      region: RegionCode,
      acceptedBy: Actor,
    }),
    key: (d) => d.caseId,
    description:
      "The other region's police accepted: they may take the named actions on this case until the grant is revoked or the case closes.",
  }),
  'homeward.case.assistance-declined': eventType({
    topic: Topics.caseEvents,
    data: Type.Object({
      caseId: Id,
      assistanceId: Id,
      declinedAt: DateTime,
      region: RegionCode,
      declinedBy: Actor,
    }),
    key: (d) => d.caseId,
    description: "The other region's police declined the request: nothing is granted.",
  }),
  'homeward.case.assistance-revoked': eventType({
    topic: Topics.caseEvents,
    data: Type.Object({
      caseId: Id,
      assistanceId: Id,
      revokedAt: DateTime,
      region: RegionCode,
      revokedBy: Actor,
    }),
    key: (d) => d.caseId,
    description: "The case's police ended an assistance (requested or accepted): its grant ends now.",
  }),
  'homeward.alert.issued': eventType({
    topic: Topics.alertEvents,
    data: Type.Object({
      alertId: Id,
      caseId: Id,
      issuedAt: DateTime,
      lastSeenAt: DateTime,
      lastSeenPlace: ShortText,
      center: Point,
      region: RegionCode,
      radiusKm: Type.Number({ exclusiveMinimum: 0 }),
      step: Type.Integer({ minimum: 0 }),
      child: Type.Object({
        sex: Sex,
        birthDate: Type.Optional(DateOnly),
        description: Type.Optional(LongText),
        photoUrl: Type.Optional(Url),
      }),
    }),
    key: (d) => d.alertId,
    description: 'A rapid search alert: what a searcher needs, never the family contacts or DNA data.',
  }),
  'homeward.alert.escalated': eventType({
    topic: Topics.alertEvents,
    data: Type.Object({
      alertId: Id,
      caseId: Id,
      escalatedAt: DateTime,
      center: Point,
      radiusKm: Type.Number({ exclusiveMinimum: 0 }),
      previousRadiusKm: Type.Number({ exclusiveMinimum: 0 }),
      step: Type.Integer({ minimum: 1 }),
    }),
    key: (d) => d.alertId,
    description: 'The alert widened to the next step of the escalation policy (or its centre moved).',
  }),
  'homeward.alert.cancelled': eventType({
    topic: Topics.alertEvents,
    data: Type.Object({
      alertId: Id,
      caseId: Id,
      cancelledAt: DateTime,
      reason: CancelReason,
      note: Type.Optional(LongText),
    }),
    key: (d) => d.alertId,
    description: 'The alert ended, with the reason every notified unit is told.',
  }),
  'homeward.notification.delivered': eventType({
    topic: Topics.notificationEvents,
    data: Type.Object({
      alertId: Id,
      unitId: Id,
      step: Type.Integer({ minimum: 0 }),
      kind: Type.Optional(Type.Union([Type.Literal('alert'), Type.Literal('cancellation')])),
      deliveredAt: DateTime,
      attempts: Type.Integer({ minimum: 1 }),
      latencyMs: Type.Number({ minimum: 0 }),
    }),
    key: (d) => d.alertId,
    description: 'A unit received an alert step.',
  }),
  'homeward.notification.acknowledged': eventType({
    topic: Topics.notificationEvents,
    data: Type.Object({ alertId: Id, unitId: Id, acknowledgedAt: DateTime }),
    key: (d) => d.alertId,
    description: 'A unit acknowledged an alert.',
  }),
  'homeward.notification.failed': eventType({
    topic: Topics.notificationEvents,
    data: Type.Object({
      alertId: Id,
      unitId: Id,
      step: Type.Integer({ minimum: 0 }),
      kind: Type.Optional(Type.Union([Type.Literal('alert'), Type.Literal('cancellation')])),
      failedAt: DateTime,
      attempts: Type.Integer({ minimum: 1 }),
      reason: ShortText,
    }),
    key: (d) => d.alertId,
    description: 'Delivery to a unit failed after its retries.',
  }),
  'homeward.dna.sample-collected': eventType({
    topic: Topics.dnaEvents,
    data: Type.Object({
      sampleId: Id,
      subject: Type.Object({
        kind: Type.Union([
          Type.Literal('unidentified-child'),
          Type.Literal('rescued-child'),
          Type.Literal('parent'),
          Type.Literal('relative'),
        ]),
        caseId: Type.Optional(Id),
        relation: Type.Optional(ReferenceRelation),
      }),
      kitBarcode: ShortText,
      collectedAt: DateTime,
      collectedBy: Actor,
      region: RegionCode,
    }),
    key: (d) => d.sampleId,
    description: 'A blood sample was collected (ids and custody only, never genotypes).',
  }),
  'homeward.dna.custody-recorded': eventType({
    topic: Topics.dnaEvents,
    data: Type.Object({
      sampleId: Id,
      step: CustodyStep,
      at: DateTime,
      by: ShortText,
      recordHash: ShortText,
    }),
    key: (d) => d.sampleId,
    description: 'A step of the chain of custody was recorded.',
  }),
  'homeward.dna.profile-entered': eventType({
    topic: Topics.dnaEvents,
    data: Type.Object({
      sampleId: Id,
      enteredAt: DateTime,
      lociCount: Type.Integer({ minimum: 0 }),
      matchable: Type.Boolean(),
    }),
    key: (d) => d.sampleId,
    description: 'An STR profile was entered. Ids and counts only: genotypes never leave dna-tracking.',
  }),
  'homeward.dna.match-found': eventType({
    topic: Topics.dnaEvents,
    data: Type.Object({
      matchId: Id,
      childSampleId: Id,
      parentSampleIds: Type.Array(Id, { minItems: 1, maxItems: 2 }),
      caseId: Type.Optional(Id),
      combinedIndex: Type.Number({ minimum: 0 }),
      probability: Type.Number({ minimum: 0, maximum: 1 }),
      inconsistentLoci: Type.Array(ShortText),
      frequencyVersion: ShortText,
      foundAt: DateTime,
      ...RelativesMatch,
    }),
    key: (d) => d.childSampleId,
    description: 'A kinship candidate above the threshold, awaiting a lab review.',
  }),
  'homeward.dna.match-confirmed': eventType({
    topic: Topics.dnaEvents,
    data: Type.Object({
      matchId: Id,
      childSampleId: Id,
      parentSampleIds: Type.Array(Id, { minItems: 1, maxItems: 2 }),
      caseId: Type.Optional(Id),
      confirmedAt: DateTime,
      confirmedBy: ShortText,
      ...RelativesMatch,
    }),
    key: (d) => d.childSampleId,
    description: 'A lab confirmed a match: the child is identified.',
  }),
  'homeward.dna.match-rejected': eventType({
    topic: Topics.dnaEvents,
    data: Type.Object({
      matchId: Id,
      childSampleId: Id,
      parentSampleIds: Type.Array(Id, { minItems: 1, maxItems: 2 }),
      caseId: Type.Optional(Id),
      rejectedAt: DateTime,
      rejectedBy: ShortText,
      ...RelativesMatch,
    }),
    key: (d) => d.childSampleId,
    description: 'A lab rejected a candidate match after review.',
  }),
  'homeward.placement.decided': eventType({
    topic: Topics.placementEvents,
    data: Type.Object({
      placementId: Id,
      caseId: Id,
      type: PlacementType,
      decisionDate: DateOnly,
      decidedAt: DateTime,
      revision: Type.Integer({ minimum: 1 }),
      reason: Type.Optional(LongText),
      region: RegionCode,
    }),
    key: (d) => d.caseId,
    description: 'Civil affairs decided (or revised) where a rescued child goes.',
  }),
  'homeward.followup.scheduled': eventType({
    topic: Topics.placementEvents,
    data: Type.Object({
      followupId: Id,
      caseId: Id,
      placementId: Id,
      type: FollowupType,
      dueDate: DateOnly,
      region: RegionCode,
    }),
    key: (d) => d.caseId,
    description: 'A follow-up was scheduled by the child age on the decision date.',
  }),
  'homeward.followup.completed': eventType({
    topic: Topics.placementEvents,
    data: Type.Object({
      followupId: Id,
      caseId: Id,
      type: FollowupType,
      completedAt: DateTime,
      outcome: LongText,
    }),
    key: (d) => d.caseId,
    description: 'A follow-up was done (the school, the hospital, the course).',
  }),
  'homeward.followup.overdue': eventType({
    topic: Topics.placementEvents,
    data: Type.Object({
      followupId: Id,
      caseId: Id,
      type: FollowupType,
      dueDate: DateOnly,
      detectedAt: DateTime,
    }),
    key: (d) => d.caseId,
    description: 'A follow-up passed its due date without being done (raised once).',
  }),
  'homeward.coordination.submission-submitted': eventType({
    topic: Topics.coordinationEvents,
    data: Type.Object({
      ...SubmissionRef,
      version: Type.Integer({ minimum: 1 }),
      submittedAt: DateTime,
      dueDate: DateOnly,
      late: Type.Boolean(),
      own: OwnFigures,
      platform: Type.Record(Type.String({ maxLength: 64 }), Type.Integer({ minimum: 0 }), {
        description: "the platform's figures for the department's region and year at submission, by counter",
      }),
    }),
    key: (d) => d.submissionId,
    description:
      'A department (or a coordination office, upward) submitted its annual report, or resubmitted it after a return. Figures only: the narrative stays in coordination.',
  }),
  'homeward.coordination.submission-returned': eventType({
    topic: Topics.coordinationEvents,
    data: Type.Object({
      ...SubmissionRef,
      version: Type.Integer({ minimum: 1 }),
      returnedAt: DateTime,
      returnedBy: Department,
      comment: LongText,
    }),
    key: (d) => d.submissionId,
    description: 'A coordination office returned a submission with a comment; the department resubmits.',
  }),
  'homeward.coordination.submission-accepted': eventType({
    topic: Topics.coordinationEvents,
    data: Type.Object({
      ...SubmissionRef,
      version: Type.Integer({ minimum: 1 }),
      acceptedAt: DateTime,
      acceptedBy: Department,
    }),
    key: (d) => d.submissionId,
    description: 'A coordination office accepted a submission as it stands.',
  }),
  'homeward.coordination.submission-reminder': eventType({
    topic: Topics.coordinationEvents,
    data: Type.Object({
      ...SubmissionRef,
      stage: literalUnion(ReminderStages),
      dueDate: DateOnly,
      remindedAt: DateTime,
    }),
    key: (d) => d.submissionId,
    description:
      'A member department has not submitted its annual report: the window opened, the deadline nears, or it passed (raised once per stage).',
  }),
};

export type EventType = keyof typeof EventCatalogue;
export const EventTypes = Object.keys(EventCatalogue) as EventType[];

/** The data of an event type, as a TypeScript type derived from its schema. */
export type EventData<T extends EventType> = Static<(typeof EventCatalogue)[T]['data']>;

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(EventCatalogue, type);
}

export { Role };
