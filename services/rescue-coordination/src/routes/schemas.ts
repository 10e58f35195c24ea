import {
  AssistanceActions,
  CaseKinds,
  DateOnly,
  DateTime,
  Disability,
  EventCatalogue,
  Id,
  LongText,
  literalUnion,
  RegionCode,
  Sex,
  ShortText,
} from '@homeward/events';
import { type TObject, Type } from '@sinclair/typebox';
import { CaseStatuses } from '../domain/lifecycle.ts';

const located = EventCatalogue['homeward.case.child-located'].data.properties;
const rescued = EventCatalogue['homeward.case.child-rescued'].data.properties;
const cancelled = EventCatalogue['homeward.alert.cancelled'].data.properties;
const household = EventCatalogue['homeward.case.household-recorded'].data.properties;

/**
 * An event's nested object, closed for an HTTP body. The catalogue leaves event data open (a
 * consumer tolerates fields it does not know), but a request body is stored as it comes: an
 * unknown key such as `$set` inside an officer or a buyer household would reach MongoDB, which
 * refuses it, and answer 500 instead of 400.
 */
function closed<T extends TObject>(schema: T) {
  const { properties, required: _required, type: _type, ...options } = schema;
  return Type.Object(properties as T['properties'], { ...options, additionalProperties: false });
}

export const CaseParams = Type.Object({ caseId: Id });
export const AssistanceParams = Type.Object({ caseId: Id, assistanceId: Id });

export const AssistanceBody = Type.Object(
  {
    region: RegionCode,
    reason: ShortText,
    actions: Type.Array(literalUnion(AssistanceActions), {
      minItems: 1,
      uniqueItems: true,
      description: "what the other region's police may do on this case once they accept",
    }),
  },
  { title: 'AssistanceRequest', additionalProperties: false },
);

export const AssistanceView = Type.Object(
  {
    caseId: Type.String(),
    assistanceId: Type.String(),
    region: Type.String(),
    reason: Type.String(),
    actions: Type.Array(Type.String()),
    status: Type.String(),
    requestedAt: Type.String({ format: 'date-time' }),
    answeredAt: Type.Optional(Type.String({ format: 'date-time' })),
    revokedAt: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { title: 'Assistance' },
);
export const AlertParams = Type.Object({ alertId: Id });

const OfficerId = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]*$',
  description: "an officerId of the deployment's police roster",
});

export const TeamBody = Type.Object(
  {
    chiefId: OfficerId,
    investigationLeadId: OfficerId,
    rescueLeadId: OfficerId,
    familyLiaisonLeadId: OfficerId,
  },
  {
    title: 'Team',
    additionalProperties: false,
    description:
      "One chief and three leads, by their ids on the police roster (their names, agencies and regions come from the roster, never from the request). The chief must head a county, prefecture or province police whose region contains the case's.",
  },
);

const VictimIdsField = Type.Optional(
  Type.Array(Id, {
    minItems: 1,
    maxItems: 100,
    description: 'the victims this is about (default: every victim of the case not past this step yet)',
  }),
);

export const VictimsBody = Type.Object(
  {
    foundAt: Type.Optional(DateTime),
    victims: Type.Array(
      Type.Object(
        {
          sex: Sex,
          birthDate: Type.Optional(DateOnly),
          apparentAge: Type.Optional(Type.Integer({ minimum: 0, maximum: 120 })),
          description: LongText,
          disability: Type.Optional(closed(Disability)),
        },
        { additionalProperties: false, description: 'a birth date or an apparent age is required' },
      ),
      { minItems: 1, maxItems: 100 },
    ),
  },
  {
    title: 'AddVictims',
    additionalProperties: false,
    description:
      'Victims police found (a raid frees several people): each becomes victim n of the case, child or adult by its age when found (foundAt, default now).',
  },
);

export const AddedVictims = Type.Object(
  {
    caseId: Type.String(),
    status: Type.String(),
    version: Type.Integer(),
    victims: Type.Array(
      Type.Object({ victimId: Type.String(), category: Type.String(), sex: Type.String() }),
    ),
  },
  { title: 'AddedVictims' },
);

export const LocatedBody = Type.Object(
  {
    locatedAt: Type.Optional(DateTime),
    place: located.place,
    region: located.region,
    lat: located.lat,
    lon: located.lon,
    identification: Type.Optional(closed(located.identification)),
    victimIds: VictimIdsField,
  },
  { title: 'Located', additionalProperties: false },
);

/** The buying household, closed down to its members. */
const BuyerHouseholdBody = Type.Object(
  {
    ...rescued.buyerHousehold.properties,
    members: Type.Optional(
      Type.Array(closed(rescued.buyerHousehold.properties.members.items), {
        maxItems: 50,
        description: 'the people living in the household besides its head',
      }),
    ),
  },
  { additionalProperties: false },
);

export const RescuedBody = Type.Object(
  {
    rescuedAt: Type.Optional(DateTime),
    place: rescued.place,
    region: rescued.region,
    buyerHousehold: Type.Optional(BuyerHouseholdBody),
    noBuyerHousehold: Type.Optional(closed(rescued.noBuyerHousehold)),
    currentGuardianCleared: Type.Optional(closed(rescued.currentGuardianCleared)),
    identification: Type.Optional(closed(rescued.identification)),
    victimIds: VictimIdsField,
  },
  {
    title: 'Rescued',
    additionalProperties: false,
    description:
      'Where the child was, and the household that bought it, or the statement that there is none (placement warns until one is recorded). currentGuardianCleared: police cleared the current guardian an unidentified-child report named of belonging to that household.',
  },
);

export const HouseholdBody = Type.Object(
  {
    buyerHousehold: Type.Optional(BuyerHouseholdBody),
    noBuyerHousehold: Type.Optional(closed(household.noBuyerHousehold)),
    currentGuardianCleared: Type.Optional(closed(household.currentGuardianCleared)),
  },
  {
    title: 'Household',
    additionalProperties: false,
    minProperties: 1,
    description:
      'After the rescue: the buying household, or the statement that there is none, and/or the clearance of the current guardian.',
  },
);

export const CloseBody = Type.Object({ reason: ShortText }, { title: 'Close', additionalProperties: false });

export const CancelBody = Type.Object(
  { reason: cancelled.reason, note: Type.Optional(LongText) },
  { title: 'CancelAlert', additionalProperties: false },
);

export const CentreBody = Type.Object(
  { leadId: Id },
  {
    title: 'MoveCentre',
    additionalProperties: false,
    description: 'the lead whose place becomes the centre',
  },
);

export const CaseListQuery = Type.Object({
  status: Type.Optional(Type.Union(CaseStatuses.map((s) => Type.Literal(s)))),
  kind: Type.Optional(literalUnion(CaseKinds)),
  region: Type.Optional(RegionCode),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
  offset: Type.Integer({ minimum: 0, maximum: 100_000, default: 0 }),
});

const Point = Type.Object({ lat: Type.Number(), lon: Type.Number() });

export const AlertView = Type.Object(
  {
    alertId: Type.String(),
    caseId: Type.String(),
    status: Type.Union([Type.Literal('active'), Type.Literal('cancelled')]),
    issuedAt: Type.String({ format: 'date-time' }),
    center: Point,
    radiusKm: Type.Number(),
    step: Type.Integer(),
    nextEscalationAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    acknowledgements: Type.Integer(),
    cancelled: Type.Optional(
      Type.Object({
        at: Type.String({ format: 'date-time' }),
        reason: Type.String(),
        note: Type.Optional(Type.String()),
      }),
    ),
  },
  { title: 'Alert' },
);

export const CaseSummary = Type.Object(
  {
    caseId: Type.String(),
    kind: Type.String(),
    status: Type.String(),
    region: Type.String(),
    openedAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    activeAlertId: Type.Union([Type.String(), Type.Null()]),
    chief: Type.Optional(
      Type.Object({ officerId: Type.String(), agencyId: Type.String(), region: Type.String() }),
    ),
    identified: Type.Boolean(),
    victims: Type.Integer({ description: 'how many victims the case has' }),
  },
  { title: 'CaseSummary' },
);

export const CaseList = Type.Object(
  { items: Type.Array(CaseSummary), total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer() },
  { title: 'CaseList' },
);

export const CaseState = Type.Object(
  { caseId: Type.String(), status: Type.String(), version: Type.Integer() },
  { title: 'CaseState' },
);

export const LeadView = Type.Object(
  {
    caseId: Type.String(),
    seq: Type.Integer({ minimum: 1, description: "the lead's number on its case, from 1" }),
    leadId: Type.String(),
    addedAt: Type.String({ format: 'date-time' }),
    origin: Type.Union([Type.Literal('sighting'), Type.Literal('duplicate-report')]),
    seenAt: Type.Object({
      at: Type.String(),
      place: Type.String(),
      lat: Type.Number(),
      lon: Type.Number(),
      region: Type.String(),
    }),
    description: Type.Optional(Type.String()),
    photoUrl: Type.Optional(Type.String()),
    reportedBy: Type.Object({ agencyId: Type.String(), role: Type.String(), region: Type.String() }),
  },
  { title: 'Lead' },
);

export const LeadListQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
});

export const LeadList = Type.Object(
  { items: Type.Array(LeadView), total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer() },
  { title: 'LeadList' },
);

/** The full case: documented loosely, since it carries the original report of any kind. */
export const CaseDetail = Type.Object(
  {
    caseId: Type.String(),
    kind: Type.String(),
    status: Type.String(),
    region: Type.String(),
    openedAt: Type.String({ format: 'date-time' }),
    report: Type.Object({}, { additionalProperties: true }),
    team: Type.Optional(Type.Object({}, { additionalProperties: true })),
    alerts: Type.Array(AlertView),
    leadCount: Type.Integer({ description: 'how many leads the case has' }),
    leads: Type.Array(LeadView, {
      description: 'the newest leads, at most 20, oldest first; all of them: GET /v1/cases/{caseId}/leads',
    }),
    victims: Type.Array(
      Type.Object(
        { victimId: Type.String(), category: Type.String(), sex: Type.String() },
        {
          additionalProperties: true,
          description:
            'a victim and its path: located, rescued, identified (police see it whole; anyone else without its description or disability note)',
        },
      ),
    ),
    located: Type.Optional(Type.Object({}, { additionalProperties: true })),
    rescued: Type.Optional(Type.Object({}, { additionalProperties: true })),
    identified: Type.Optional(Type.Object({}, { additionalProperties: true })),
    links: Type.Optional(
      Type.Array(
        Type.Object({
          caseId: Type.String(),
          as: Type.Union([Type.Literal('parents-case'), Type.Literal('child-case')]),
          matchId: Type.String(),
          at: Type.String(),
        }),
      ),
    ),
    buyerRecord: Type.Optional(
      Type.Union([Type.Literal('recorded'), Type.Literal('none-stated'), Type.Literal('missing')], {
        description:
          'for a rescued child: whether police recorded the buying household or stated there is none',
      }),
    ),
    householdRecords: Type.Optional(Type.Array(Type.Object({}, { additionalProperties: true }))),
    closed: Type.Optional(Type.Object({}, { additionalProperties: true })),
    timeline: Type.Array(
      Type.Object(
        { at: Type.String({ format: 'date-time' }), type: Type.String() },
        { additionalProperties: true },
      ),
    ),
  },
  { title: 'Case', additionalProperties: true },
);
