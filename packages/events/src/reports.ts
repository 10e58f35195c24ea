import { type Static, Type } from '@sinclair/typebox';
import {
  DateOnly,
  DateTime,
  Id,
  Latitude,
  Longitude,
  LongText,
  Place,
  RegionCode,
  Sex,
  ShortText,
  Url,
} from './common.ts';

/** The report kinds of the contract (`data.kind` of `homeward.report.submitted`). */
export const ReportKinds = [
  'missing-child',
  'suspected-trafficking',
  'unidentified-child',
  'sighting',
  'missing-woman',
] as const;
export type ReportKind = (typeof ReportKinds)[number];

const Phone = Type.String({ pattern: '^\\+?[0-9][0-9 -]{4,24}$', description: 'a phone number' });

/**
 * A disability of a victim, as far as it is known: the disabled persons' federation takes part
 * in the placement and assistance of victims with disabilities.
 */
export const Disability = Type.Object(
  {
    kinds: Type.Array(
      Type.Union([
        Type.Literal('physical'),
        Type.Literal('visual'),
        Type.Literal('hearing'),
        Type.Literal('speech'),
        Type.Literal('intellectual'),
        Type.Literal('mental'),
        Type.Literal('multiple'),
        Type.Literal('unknown'),
      ]),
      { minItems: 1, maxItems: 8, description: 'the categories of the national disability classification' },
    ),
    note: Type.Optional(LongText),
  },
  { description: 'a disability the victim has (any category); absent when none is known' },
);
export type Disability = Static<typeof Disability>;

/**
 * A person a report names as a victim: sex, a birth date or an apparent age (at least one), a
 * description. Adult or child follows from the age.
 */
export const ReportedVictim = Type.Object(
  {
    sex: Sex,
    birthDate: Type.Optional(DateOnly),
    apparentAge: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 120, description: 'apparent age in whole years' }),
    ),
    description: LongText,
    disability: Type.Optional(Disability),
  },
  { description: 'a victim named by a report: a birth date or an apparent age is required' },
);
export type ReportedVictim = Static<typeof ReportedVictim>;

/** What a marriage-registration clerk may have seen that points to a bought bride. */
export const MarriageRegistrationSigns = [
  'bride-cannot-state-own-details',
  'bride-does-not-speak-local-language',
  'bride-appears-under-age',
  'bride-accompanied-and-controlled',
  'bride-distressed-or-afraid',
  'documents-inconsistent-or-forged',
  'payment-or-price-mentioned',
  'intermediary-present',
  'bride-asked-for-help',
] as const;
export type MarriageRegistrationSign = (typeof MarriageRegistrationSigns)[number];

/**
 * The clerk's form for a suspected bought bride at marriage registration: where and when, what
 * the clerk saw (closed signs and a note), the bride (a victim), the groom's household (the
 * suspected buyer) and the intermediary if one came along.
 */
export const MarriageRegistrationFinding = Type.Object(
  {
    registryOffice: ShortText,
    applicationDate: DateOnly,
    signs: Type.Array(Type.Union(MarriageRegistrationSigns.map((v) => Type.Literal(v))), {
      minItems: 1,
      maxItems: MarriageRegistrationSigns.length,
      uniqueItems: true,
    }),
    bride: ReportedVictim,
    groom: Type.Object({
      name: ShortText,
      address: ShortText,
      idNumber: Type.Optional(ShortText),
    }),
    intermediary: Type.Optional(Type.Object({ description: LongText, phone: Type.Optional(Phone) })),
    applicationRefused: Type.Optional(Type.Boolean({ description: 'the registration was refused' })),
  },
  { description: 'a marriage-registration clerk suspects the bride was bought (civil affairs only)' },
);
export type MarriageRegistrationFinding = Static<typeof MarriageRegistrationFinding>;

export const MissingChildReport = Type.Object(
  {
    kind: Type.Literal('missing-child'),
    child: Type.Object({
      name: ShortText,
      sex: Sex,
      birthDate: DateOnly,
      description: Type.Optional(LongText),
      photoUrl: Type.Optional(Url),
    }),
    lastSeen: Place,
    reporter: Type.Optional(Type.Object({ name: ShortText, phone: Phone })),
    parents: Type.Optional(
      Type.Array(
        Type.Object({
          relation: Type.Union([Type.Literal('mother'), Type.Literal('father')]),
          name: ShortText,
          idNumber: Type.Optional(ShortText),
          living: Type.Optional(
            Type.Boolean({ description: 'false for a parent who has died (no sample owed)' }),
          ),
        }),
        {
          maxItems: 2,
          description:
            "the child's parents as police recorded them: who owes a DNA sample, and who a return to the family may go to",
        },
      ),
    ),
  },
  { title: 'MissingChildReport', description: 'a child reported missing (police)' },
);
export type MissingChildReport = Static<typeof MissingChildReport>;

export const UnidentifiedChildReport = Type.Object(
  {
    kind: Type.Literal('unidentified-child'),
    child: Type.Object({
      sex: Sex,
      apparentAge: Type.Integer({ minimum: 0, maximum: 17, description: 'apparent age in whole years' }),
      description: Type.Optional(LongText),
      photoUrl: Type.Optional(Url),
    }),
    foundAt: Place,
    currentGuardian: Type.Optional(Type.Object({ name: ShortText, relation: ShortText, address: ShortText })),
  },
  { title: 'UnidentifiedChildReport', description: 'a child of unknown origin, e.g. found in screening' },
);
export type UnidentifiedChildReport = Static<typeof UnidentifiedChildReport>;

export const SuspectedTraffickingReport = Type.Object(
  {
    kind: Type.Literal('suspected-trafficking'),
    description: LongText,
    observedAt: DateTime,
    location: Type.Object({
      place: ShortText,
      region: RegionCode,
      lat: Type.Optional(Latitude),
      lon: Type.Optional(Longitude),
    }),
    persons: Type.Optional(
      Type.Array(
        Type.Object({
          description: LongText,
          sex: Type.Optional(Sex),
          apparentAge: Type.Optional(Type.Integer({ minimum: 0, maximum: 120 })),
        }),
        { maxItems: 50 },
      ),
    ),
    victims: Type.Optional(
      Type.Array(ReportedVictim, {
        maxItems: 50,
        description: 'the persons the reporter takes for victims; each becomes a victim of the case',
      }),
    ),
    marriageRegistration: Type.Optional(MarriageRegistrationFinding),
  },
  { title: 'SuspectedTraffickingReport', description: 'a mandated reporter suspects trafficking' },
);
export type SuspectedTraffickingReport = Static<typeof SuspectedTraffickingReport>;

export const SightingReport = Type.Object(
  {
    kind: Type.Literal('sighting'),
    caseId: Id,
    seenAt: Place,
    description: LongText,
    photoUrl: Type.Optional(Url),
  },
  { title: 'SightingReport', description: 'a lead on an existing case' },
);
export type SightingReport = Static<typeof SightingReport>;

export const MissingWomanReport = Type.Object(
  {
    kind: Type.Literal('missing-woman'),
    woman: Type.Object({
      name: ShortText,
      birthDate: Type.Optional(DateOnly),
      apparentAge: Type.Optional(
        Type.Integer({ minimum: 18, maximum: 120, description: 'age in whole years' }),
      ),
      description: Type.Optional(LongText),
      photoUrl: Type.Optional(Url),
      disability: Type.Optional(Disability),
    }),
    lastSeen: Place,
    trafficked: Type.Boolean({
      description:
        'true when the reporter believes she was trafficked (sold, abducted for marriage or labour)',
    }),
    circumstances: Type.Optional(LongText),
    reporter: Type.Optional(
      Type.Object({
        name: ShortText,
        phone: Phone,
        relation: Type.Optional(ShortText),
      }),
    ),
  },
  {
    title: 'MissingWomanReport',
    description:
      "a woman (18 or over) missing or believed trafficked, reported by police, the women's federation or a hotline (a family reports through them); a birth date or an age is required",
  },
);
export type MissingWomanReport = Static<typeof MissingWomanReport>;

export type ReportData =
  | MissingWomanReport
  | MissingChildReport
  | UnidentifiedChildReport
  | SuspectedTraffickingReport
  | SightingReport;

export const reportSchemas = {
  'missing-child': MissingChildReport,
  'unidentified-child': UnidentifiedChildReport,
  'suspected-trafficking': SuspectedTraffickingReport,
  sighting: SightingReport,
  'missing-woman': MissingWomanReport,
} as const;

/** The union, for documentation (OpenAPI); validation dispatches on `kind` for clear errors. */
export const ReportDataSchema = Type.Union(
  [
    MissingChildReport,
    UnidentifiedChildReport,
    SuspectedTraffickingReport,
    SightingReport,
    MissingWomanReport,
  ],
  { description: 'the data of homeward.report.submitted, by kind' },
);
