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
import { Disability, ReportDataSchema } from './reports.ts';
import { type TopicName, Topics } from './topics.ts';
import {
  AgeGroups,
  AssistanceActions,
  CancelReasons,
  CaseKinds,
  CustodySteps,
  FollowupTypes,
  IdentificationMethods,
  literalUnion,
  type PersonalDataKind,
  PlacementClocks,
  PlacementTypes,
  ReminderStages,
  SamplingSubjects,
  VictimCategories,
  VictimPlans,
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

/**
 * Where a notification belongs: its alert's case and the alert's region (where the child was last
 * seen), repeated from the alert so that a consumer places a notification without having seen
 * the alert first (the two topics have no order between them). Optional: added within v1, and
 * absent from notifications published before.
 */
const AlertPlace = {
  caseId: Type.Optional(
    Type.String({
      ...Id,
      description:
        "the alert's case (absent from events published before it was added: place those through the alert)",
    }),
  ),
  region: Type.Optional(
    Type.String({
      ...RegionCode,
      description:
        "the alert's region (where the child was last seen), a 6-digit division code (GB/T 2260); absent from events published before it was added",
    }),
  ),
};

/**
 * The widest alert radius the contract allows: the top rung of the national missing-child
 * alert platform's policy. A policy may stop below it, never go beyond; a consumer refuses
 * (dead-letters) an alert event that claims more, whoever sent it.
 */
export const ALERT_RADIUS_MAX_KM = 500;
const RadiusKm = Type.Number({ exclusiveMinimum: 0, maximum: ALERT_RADIUS_MAX_KM });

/** How police established who a located or rescued child is, other than by DNA. */
const PoliceIdentification = Type.Object({
  method: literalUnion(IdentificationMethods),
  identifiedBy: ShortText,
  note: Type.Optional(LongText),
});

const VictimCategory = literalUnion(VictimCategories);
const AgeGroup = literalUnion(AgeGroups, { description: 'under-14, 14-17 or 18-and-over' });
const VictimIds = Type.Array(Id, { minItems: 1, maxItems: 100 });

/**
 * A victim on a case (child or adult): its own id (`<caseId>.v<n>`), sex, a birth date or an
 * apparent age (judged at `ageObservedAt`), a description, a disability if known. `category`
 * is fixed when the victim is registered (a child is under 18 then).
 */
const Victim = Type.Object(
  {
    victimId: Id,
    category: VictimCategory,
    sex: Sex,
    birthDate: Type.Optional(DateOnly),
    apparentAge: Type.Optional(Type.Integer({ minimum: 0, maximum: 120 })),
    ageObservedAt: Type.Optional(DateTime),
    description: Type.Optional(LongText),
    disability: Type.Optional(Disability),
  },
  { title: 'Victim' },
);

/** A victim as a count needs it: no description, no birth date. */
const VictimTally = Type.Object({
  victimId: Id,
  category: VictimCategory,
  sex: Sex,
  ageGroup: Type.Optional(AgeGroup),
});

/** Optional on follow-up events: whose follow-up it is and who answers for it (see FollowupOwners). */
const followupVictimFields = {
  victimId: Type.Optional(Id),
  owner: Type.Optional(Role),
  sex: Type.Optional(Sex),
  ageGroup: Type.Optional(AgeGroup),
};

const BuyerHousehold = Type.Object({
  headName: ShortText,
  address: ShortText,
  idNumber: Type.Optional(ShortText),
  /** The people living in the buying household besides its head (none of them may take the child). */
  members: Type.Optional(
    Type.Array(
      Type.Object({
        name: ShortText,
        idNumber: Type.Optional(ShortText),
        relation: Type.Optional(ShortText),
      }),
      { maxItems: 50 },
    ),
  ),
});

/** Police state that a rescued child has no buying household (taken in transit, say), and why. */
const NoBuyerHousehold = Type.Object({ reason: LongText });

/** Police cleared the current guardian an unidentified-child report named of belonging to the buying household. */
const GuardianCleared = Type.Object({ clearedBy: ShortText, reason: LongText });

/** A parent sample a match names, with the relation its sample recorded. */
const MatchedParent = Type.Object({
  sampleId: Id,
  relation: Type.Union([Type.Literal('mother'), Type.Literal('father')]),
});

/**
 * Defines one event type: its topic, the schema of its `data`, the partition key taken from
 * the data, what it means, and the personal data it may carry with the reason a consumer
 * needs it (none when absent: the PII canary test fails if any shows up).
 */
function eventType<S extends TSchema>(def: {
  topic: TopicName;
  data: S;
  key: (data: Static<S>) => string;
  description: string;
  personalData?: Partial<Record<PersonalDataKind, string>>;
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

/** What kind of place a unit is (notifications' registry keeps the same list). */
export const UnitKinds = [
  'police-station',
  'rail-station',
  'bus-station',
  'airport',
  'hospital',
  'other',
] as const;

/** A unit's public place as the unit events carry it: never its name, webhook or contact. */
const UnitPlace = {
  unitId: Id,
  kind: Type.Union(UnitKinds.map((k) => Type.Literal(k))),
  region: RegionCode,
  location: Point,
};

export const EventCatalogue = {
  'homeward.report.submitted': eventType({
    topic: Topics.agencyReports,
    data: ReportDataSchema,
    key: () => '',
    description:
      'An agency system submits a report. Keyed by nothing in particular; ce_source is agency/<agencyId>.',
    personalData: {
      'child-name':
        'the report as the agency sent it; intake keeps it and republishes only what consumers need',
      'reporter-contact':
        'the report as the agency sent it; read back only through intake (GET /v1/reports/{reportId}/contacts)',
      'guardian-contact':
        'the report as the agency sent it; read back only through intake (GET /v1/reports/{reportId}/contacts)',
    },
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
      report: Type.Union(ReportDataSchema.anyOf, {
        description:
          "the report without the reporter's contacts: intake never publishes `reporter` (read by the case police and operators through GET /v1/reports/{reportId}/contacts), a missing woman's `circumstances` nor a marriage-registration intermediary; a missing child's `parents`, an unidentified child's `currentGuardian` and a marriage-registration finding's `groom` ride for dna-tracking and placement (see personalData)",
      }),
      victims: Type.Optional(
        Type.Array(Victim, {
          maxItems: 100,
          description:
            'the victims the report names, victim n with the id <caseId>.v<n>; absent in events from before victims existed, where a missing-child or unidentified-child case has one victim, <caseId>.v1, the child of the report',
        }),
      ),
    }),
    key: (d) => d.caseId,
    description:
      'A report opened a case (missing child, unidentified child, suspected trafficking, missing woman). The report rides without its contacts.',
    personalData: {
      'child-name':
        "rescue-coordination shows the case's police the missing child's name (`report.child.name`) and the missing woman's name (`report.woman.name`) on the case (GET /v1/cases/{caseId}); no other consumer reads them",
      'guardian-identity':
        "a missing child's parents (`report.parents`: name, identity number, living): dna-tracking owes a sample per living parent, and placement admits a return to the family only to a matched parent, by identity number or name",
      'guardian-contact':
        "an unidentified child's current guardian (`report.currentGuardian`: name, relation, address, no phone): placement treats them as part of the buying household until police clear them",
      'buyer-identity':
        'the groom of a marriage-registration finding (`report.marriageRegistration.groom`: name, address, identity number): placement records his household as the buyer, so the bride is never placed with it',
    },
  }),
  'homeward.case.victims-added': eventType({
    topic: Topics.caseEvents,
    data: Type.Object({
      caseId: Id,
      addedAt: DateTime,
      addedBy: Actor,
      victims: Type.Array(Victim, { minItems: 1, maxItems: 100 }),
    }),
    key: (d) => d.caseId,
    description:
      'Police added victims found later to a case (a raid frees several people: one action, several victims).',
  }),
  'homeward.case.victims-located': eventType({
    topic: Topics.caseEvents,
    data: Type.Object({
      caseId: Id,
      locatedAt: DateTime,
      place: ShortText,
      region: Type.Optional(RegionCode),
      victims: Type.Array(VictimTally, { minItems: 1, maxItems: 100 }),
      identification: Type.Optional(PoliceIdentification),
    }),
    key: (d) => d.caseId,
    description:
      'Police located victims of a case, children or adults. When children are among them, homeward.case.child-located is published too (with victimIds) for consumers that know only children.',
  }),
  'homeward.case.victims-rescued': eventType({
    topic: Topics.caseEvents,
    data: Type.Object({
      caseId: Id,
      rescuedAt: DateTime,
      place: ShortText,
      region: RegionCode,
      victims: Type.Array(VictimTally, { minItems: 1, maxItems: 100 }),
      buyerHousehold: Type.Optional(BuyerHousehold),
      noBuyerHousehold: Type.Optional(NoBuyerHousehold),
      currentGuardianCleared: Type.Optional(GuardianCleared),
      identification: Type.Optional(PoliceIdentification),
    }),
    key: (d) => d.caseId,
    description:
      'Police rescued victims of a case, children or adults, in one action (the age group is the age on the rescue day). When children are among them, homeward.case.child-rescued is published too (with victimIds) for consumers that know only children.',
    personalData: {
      'buyer-identity':
        "placement refuses anyone of the buying household as guardian, matching the head's and members' identity numbers as well as names and address (`buyerHousehold.idNumber`, `members[].idNumber`)",
    },
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
      victimIds: Type.Optional(VictimIds),
    }),
    key: (d) => d.caseId,
    description:
      'Police located the child. With victimIds: the child victims of a homeward.case.victims-located published with it (a consumer that reads that event ignores this one).',
  }),
  'homeward.case.child-rescued': eventType({
    topic: Topics.caseEvents,
    data: Type.Object({
      caseId: Id,
      rescuedAt: DateTime,
      place: ShortText,
      region: RegionCode,
      buyerHousehold: Type.Optional(BuyerHousehold),
      noBuyerHousehold: Type.Optional(NoBuyerHousehold),
      currentGuardianCleared: Type.Optional(GuardianCleared),
      identification: Type.Optional(PoliceIdentification),
      victimIds: Type.Optional(VictimIds),
    }),
    key: (d) => d.caseId,
    description:
      'Police rescued the child; the buying household (or the statement that there is none) is recorded for placement. With victimIds: the child victims of a homeward.case.victims-rescued published with it (a consumer that reads that event ignores this one).',
    personalData: {
      'buyer-identity':
        "placement refuses anyone of the buying household as guardian, matching the head's and members' identity numbers as well as names and address (`buyerHousehold.idNumber`, `members[].idNumber`)",
    },
  }),
  'homeward.case.household-recorded': eventType({
    topic: Topics.caseEvents,
    data: Type.Object({
      caseId: Id,
      recordedAt: DateTime,
      buyerHousehold: Type.Optional(BuyerHousehold),
      noBuyerHousehold: Type.Optional(NoBuyerHousehold),
      currentGuardianCleared: Type.Optional(GuardianCleared),
    }),
    key: (d) => d.caseId,
    description:
      'After a rescue, police recorded the buying household, the statement that there is none, or cleared the current guardian.',
    personalData: {
      'buyer-identity':
        "placement refuses anyone of the buying household as guardian, matching the head's and members' identity numbers as well as names and address (`buyerHousehold.idNumber`, `members[].idNumber`)",
    },
  }),
  'homeward.case.team-overdue': eventType({
    topic: Topics.caseEvents,
    data: Type.Object({
      caseId: Id,
      kind: CaseKind,
      region: RegionCode,
      openedAt: DateTime,
      limitHours: Type.Number({ exclusiveMinimum: 0 }),
      detectedAt: DateTime,
    }),
    key: (d) => d.caseId,
    description:
      'A child-trafficking case still has no special team after the configured hours (raised once).',
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
      radiusKm: RadiusKm,
      step: Type.Integer({ minimum: 0 }),
      child: Type.Object({
        sex: Sex,
        birthDate: Type.Optional(DateOnly),
        description: Type.Optional(LongText),
        photoUrl: Type.Optional(Url),
      }),
      sought: Type.Optional(VictimCategory),
    }),
    key: (d) => d.alertId,
    description:
      'A rapid search alert: what a searcher needs, never the family contacts or DNA data. `sought` is adult for a missing woman (an alert police chose to issue; `child` then describes her, its name kept for consumers that know only children).',
  }),
  'homeward.alert.escalated': eventType({
    topic: Topics.alertEvents,
    data: Type.Object({
      alertId: Id,
      caseId: Id,
      escalatedAt: DateTime,
      center: Point,
      radiusKm: RadiusKm,
      previousRadiusKm: RadiusKm,
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
      ...AlertPlace,
    }),
    key: (d) => d.alertId,
    description: 'A unit received an alert step.',
  }),
  'homeward.notification.acknowledged': eventType({
    topic: Topics.notificationEvents,
    data: Type.Object({ alertId: Id, unitId: Id, acknowledgedAt: DateTime, ...AlertPlace }),
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
      reason: Type.String({
        ...ShortText,
        description:
          'a generic code (http-3xx, http-4xx, http-5xx, timeout, connection-refused, connection-failed, circuit-open, target-refused, unit-removed): never an address or a message from the target',
      }),
      ...AlertPlace,
    }),
    key: (d) => d.alertId,
    description: 'Delivery to a unit failed after its retries.',
  }),
  'homeward.notification.unit-registered': eventType({
    topic: Topics.notificationEvents,
    data: Type.Object({ ...UnitPlace, registeredAt: DateTime }),
    key: (d) => d.unitId,
    description:
      "An admin registered a unit (a station, a hospital, a police post) that receives alerts: its id, kind, region and place, for maps. Keyed by the unit id. Carries no personal data: never the unit's name, webhook URL, secret or contact.",
  }),
  'homeward.notification.unit-updated': eventType({
    topic: Topics.notificationEvents,
    data: Type.Object({ ...UnitPlace, updatedAt: DateTime }),
    key: (d) => d.unitId,
    description:
      "A registered unit's kind, region or place changed (the whole new state; a change of its name or webhook alone publishes nothing). Keyed by the unit id. Carries no personal data: never the unit's name, webhook URL, secret or contact.",
  }),
  'homeward.notification.unit-removed': eventType({
    topic: Topics.notificationEvents,
    data: Type.Object({ unitId: Id, region: RegionCode, removedAt: DateTime }),
    key: (d) => d.unitId,
    description:
      'An admin removed a unit: it receives no more alerts. Keyed by the unit id. Carries no personal data.',
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
      childCaseId: Type.Optional(Id),
      parents: Type.Optional(Type.Array(MatchedParent, { maxItems: 2 })),
      combinedIndex: Type.Number({ minimum: 0 }),
      probability: Type.Number({ minimum: 0, maximum: 1 }),
      inconsistentLoci: Type.Array(ShortText),
      frequencyVersion: ShortText,
      foundAt: DateTime,
      foldedMatchIds: Type.Optional(Type.Array(Id, { maxItems: 2 })),
      ...RelativesMatch,
    }),
    key: (d) => d.childSampleId,
    description:
      "A kinship candidate above the threshold, awaiting a lab review. caseId is the parents' case, childCaseId the child's own; a parent pair's match lists the single-parent matches it folds in (foldedMatchIds), which are no longer reviewed on their own.",
  }),
  'homeward.dna.match-confirmed': eventType({
    topic: Topics.dnaEvents,
    data: Type.Object({
      matchId: Id,
      childSampleId: Id,
      parentSampleIds: Type.Array(Id, { minItems: 1, maxItems: 2 }),
      caseId: Type.Optional(Id),
      childCaseId: Type.Optional(Id),
      parents: Type.Optional(Type.Array(MatchedParent, { maxItems: 2 })),
      confirmedAt: DateTime,
      confirmedBy: ShortText,
      ...RelativesMatch,
    }),
    key: (d) => d.childSampleId,
    description:
      "A lab confirmed a match: the child is identified. Names both the parents' case (caseId) and the child's own (childCaseId), so the two can be linked, and the matched parents.",
  }),
  'homeward.dna.sampling-overdue': eventType({
    topic: Topics.dnaEvents,
    data: Type.Object({
      caseId: Id,
      subject: literalUnion(SamplingSubjects),
      region: RegionCode,
      owedSince: DateTime,
      limitHours: Type.Number({ exclusiveMinimum: 0 }),
      detectedAt: DateTime,
    }),
    key: (d) => d.caseId,
    description:
      "A case's DNA sample (a parent's of a missing child, or the child's own) is still not taken after the configured hours (raised once per case and subject). Keyed by the case: there is no sample yet.",
  }),
  'homeward.dna.match-rejected': eventType({
    topic: Topics.dnaEvents,
    data: Type.Object({
      matchId: Id,
      childSampleId: Id,
      parentSampleIds: Type.Array(Id, { minItems: 1, maxItems: 2 }),
      caseId: Type.Optional(Id),
      childCaseId: Type.Optional(Id),
      parents: Type.Optional(Type.Array(MatchedParent, { maxItems: 2 })),
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
      victimId: Type.Optional(Id),
      category: Type.Optional(VictimCategory),
      plan: Type.Optional(literalUnion(VictimPlans)),
      sex: Type.Optional(Sex),
      ageGroup: Type.Optional(AgeGroup),
      disability: Type.Optional(Type.Boolean({ description: 'the victim has a disability' })),
    }),
    key: (d) => d.caseId,
    description:
      'Civil affairs decided (or revised) where a rescued victim goes and, with plan, what the victim will live from; victimId names the victim (absent: the single child of a case from before victims existed).',
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
      ...followupVictimFields,
    }),
    key: (d) => d.caseId,
    description:
      "A follow-up was scheduled by the victim's age on the decision date, the plan and a disability; owner is the role that completes it.",
  }),
  'homeward.followup.completed': eventType({
    topic: Topics.placementEvents,
    data: Type.Object({
      followupId: Id,
      caseId: Id,
      type: FollowupType,
      completedAt: DateTime,
      outcome: Type.String({
        ...LongText,
        description:
          'a code of FollowupOutcomeCodes for the type (school-enrolled, care-given, training-enrolled, handed-over, relief-given, legal-aid-given, employment-services-given, assistance-given); the school, hospital or course stays in placement',
      }),
      ...followupVictimFields,
    }),
    key: (d) => d.caseId,
    description: 'A follow-up was done; its outcome is a code, the details stay in placement.',
  }),
  'homeward.followup.overdue': eventType({
    topic: Topics.placementEvents,
    data: Type.Object({
      followupId: Id,
      caseId: Id,
      type: FollowupType,
      dueDate: DateOnly,
      detectedAt: DateTime,
      ...followupVictimFields,
    }),
    key: (d) => d.caseId,
    description: 'A follow-up passed its due date without being done (raised once).',
  }),
  'homeward.placement.overdue': eventType({
    topic: Topics.placementEvents,
    data: Type.Object({
      caseId: Id,
      clock: literalUnion(PlacementClocks),
      since: DateTime,
      limitDays: Type.Number({ exclusiveMinimum: 0 }),
      detectedAt: DateTime,
      region: RegionCode,
    }),
    key: (d) => d.caseId,
    description:
      'A rescued child is not placed, or an identified child is not returned to its family, after the configured days (raised once per case and clock).',
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

/**
 * Whether the catalogue lets an event type carry a kind of personal data (its `personalData`
 * names it, with the reason a consumer needs it). Unknown types carry none.
 */
export function mayCarry(type: string, kind: PersonalDataKind): boolean {
  if (!isEventType(type)) return false;
  const allowed = (EventCatalogue[type] as { personalData?: Partial<Record<PersonalDataKind, string>> })
    .personalData;
  return allowed !== undefined && Object.hasOwn(allowed, kind);
}

export { Role };
