import {
  DateOnly,
  Disability,
  FollowupTypes,
  Id,
  LongText,
  literalUnion,
  PlacementTypes,
  RegionCode,
  Role,
  ShortText,
  VictimPlans,
} from '@homeward/events';
import { MAX_PAGE_OFFSET, MAX_PAGE_SIZE } from '@homeward/service-kit';
import { Type } from '@sinclair/typebox';

export const PlacementTypeSchema = literalUnion(PlacementTypes, { description: 'where the child goes' });
export const FollowupTypeSchema = literalUnion(FollowupTypes);
export const VictimPlanSchema = literalUnion(VictimPlans, {
  description:
    'what the victim will live from: return-home (a return-to-family), relief-shelter (a relief station, a civil-affairs-institution), local-employment or employment-elsewhere (16 and over; a minor still lives with a guardian or an institution)',
});

/** A closed copy of the contract's disability (a request body is stored as it comes). */
const DisabilityBody = Type.Object(Disability.properties, {
  additionalProperties: false,
  description: Disability.description,
});
export const FollowupStatusSchema = Type.Union([
  Type.Literal('scheduled'),
  Type.Literal('completed'),
  Type.Literal('cancelled'),
]);

const Guardian = Type.Object(
  {
    name: ShortText,
    idNumber: Type.Optional(ShortText),
    address: ShortText,
    relation: Type.Optional(ShortText),
  },
  { additionalProperties: false, description: 'the person the child is placed with' },
);
const Institution = Type.Object(
  { name: ShortText, address: ShortText },
  { additionalProperties: false, description: 'the civil-affairs institution' },
);

const decisionFields = {
  type: PlacementTypeSchema,
  guardian: Type.Optional(Guardian),
  institution: Type.Optional(Institution),
  decisionDate: DateOnly,
  handoverPlan: LongText,
  birthDate: Type.Optional(
    Type.String({
      format: 'date',
      description:
        "the child's birth date as civil affairs established it; overrides the case's birth date or apparent age",
    }),
  ),
  policeReason: Type.Optional(
    Type.Object(
      { officer: ShortText, reason: LongText },
      {
        additionalProperties: false,
        description:
          'return-to-family to a guardian who is not a parent the confirmed DNA match identified: the police officer who documented why, and the reason',
      },
    ),
  ),
  plan: Type.Optional(VictimPlanSchema),
  disability: Type.Optional(DisabilityBody),
  disabilityConsideration: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 4000,
      description: "how the placement meets the victim's disability; required when the victim has one",
    }),
  ),
};

export const PlacementRequestSchema = Type.Object(
  {
    caseId: Id,
    victimId: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]*$',
        description: 'the victim placed (<caseId>.v<n>); required when the case has more than one',
      }),
    ),
    ...decisionFields,
    reason: Type.Optional(
      Type.String({ minLength: 1, maxLength: 4000, description: 'required when the case is placed already' }),
    ),
  },
  { additionalProperties: false, title: 'PlacementRequest' },
);

export const RevisionRequestSchema = Type.Object(
  { ...decisionFields, reason: LongText },
  { additionalProperties: false, title: 'PlacementRevisionRequest' },
);

export const CompletionRequestSchema = Type.Object(
  {
    school: Type.Optional(ShortText),
    hospital: Type.Optional(ShortText),
    course: Type.Optional(ShortText),
    employer: Type.Optional(ShortText),
    note: Type.Optional(LongText),
  },
  {
    additionalProperties: false,
    title: 'FollowupCompletion',
    description:
      'what was done: the school (compulsory-education), the hospital (medical-psychological-rehabilitation), the course (vocational-training), the employer (employment-services), a note (escorted-handover, relief, legal-aid, disability-assistance)',
  },
);

export const FollowupView = Type.Object(
  {
    followupId: Type.String(),
    caseId: Type.String(),
    placementId: Type.String(),
    victimId: Type.Optional(Type.String()),
    type: FollowupTypeSchema,
    owner: Role,
    status: FollowupStatusSchema,
    dueDate: Type.String({ format: 'date' }),
    overdue: Type.Boolean({ description: 'scheduled and past its due date now' }),
    region: Type.String(),
    scheduledAt: Type.String({ format: 'date-time' }),
    scheduledByRevision: Type.Integer(),
    overdueRaisedAt: Type.Optional(Type.String({ format: 'date-time' })),
    completedAt: Type.Optional(Type.String({ format: 'date-time' })),
    completedBy: Type.Optional(Type.Object({ agencyId: Type.String(), role: Type.Optional(Type.String()) })),
    outcome: Type.Optional(CompletionRequestSchema),
    cancelledAt: Type.Optional(Type.String({ format: 'date-time' })),
    cancelledByRevision: Type.Optional(Type.Integer()),
  },
  { title: 'Followup' },
);

export const RevisionView = Type.Object(
  {
    revision: Type.Integer(),
    type: PlacementTypeSchema,
    guardian: Type.Optional(Guardian),
    institution: Type.Optional(Institution),
    decisionDate: Type.String({ format: 'date' }),
    handoverPlan: Type.String(),
    reason: Type.Optional(Type.String()),
    birthDate: Type.Optional(Type.String()),
    policeReason: Type.Optional(Type.Object({ officer: Type.String(), reason: Type.String() })),
    plan: Type.Optional(VictimPlanSchema),
    disabilityConsideration: Type.Optional(Type.String()),
    decidedAt: Type.String({ format: 'date-time' }),
    decidedBy: Type.Object({ agencyId: Type.String() }),
    ageOnDecisionDate: Type.Integer(),
    ageBasis: Type.Union([
      Type.Literal('stated-birth-date'),
      Type.Literal('birth-date'),
      Type.Literal('apparent-age'),
    ]),
    followupsScheduled: Type.Array(Type.String()),
    followupsCancelled: Type.Array(Type.String()),
  },
  { title: 'PlacementRevision' },
);

export const PlacementView = Type.Object(
  {
    placementId: Type.String(),
    caseId: Type.String(),
    victimId: Type.Optional(Type.String()),
    region: Type.String(),
    revision: Type.Integer({ description: 'the current revision' }),
    current: RevisionView,
    history: Type.Array(RevisionView, { description: 'every revision, oldest first' }),
    followups: Type.Array(FollowupView),
    warnings: Type.Array(Type.Object({ code: Type.String(), detail: Type.String() }), {
      description:
        'what civil affairs should know and police still owe: PLACEMENT_WARN_BUYER_RECORD_MISSING until police record the buying household or state there is none',
    }),
  },
  { title: 'Placement' },
);

export const FollowupListQuery = Type.Object(
  {
    status: Type.Optional(FollowupStatusSchema),
    type: Type.Optional(FollowupTypeSchema),
    region: Type.Optional(RegionCode),
    overdue: Type.Optional(Type.Boolean()),
    caseId: Type.Optional(Id),
    owner: Type.Optional(Role),
    limit: Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 100 }),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_PAGE_OFFSET })),
  },
  { additionalProperties: false },
);

export const PlacementQuery = Type.Object(
  {
    victimId: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: "whose placement (default: the case's first)",
      }),
    ),
  },
  { additionalProperties: false },
);

export const VictimView = Type.Object(
  {
    victimId: Type.String(),
    category: Type.String(),
    sex: Type.String(),
    ageGroup: Type.Optional(Type.String({ description: 'on the decision date of its placement' })),
    disability: Type.Boolean(),
    located: Type.Boolean(),
    rescued: Type.Optional(Type.Object({ rescuedAt: Type.String(), region: Type.String() })),
    identified: Type.Boolean({ description: 'by police or DNA, as return-to-family requires of a child' }),
    placement: Type.Optional(PlacementView),
    followups: Type.Array(FollowupView),
  },
  { title: 'Victim', description: "a victim's path: located, rescued, identified, placed, followed up" },
);

export const VictimList = Type.Object(
  { caseId: Type.String(), victims: Type.Array(VictimView) },
  { title: 'CaseVictims' },
);

export const FollowupList = Type.Object(
  {
    items: Type.Array(FollowupView),
    total: Type.Integer({ description: 'how many matched (items holds at most limit, earliest due first)' }),
  },
  { title: 'FollowupList' },
);
