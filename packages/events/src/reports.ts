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
] as const;
export type ReportKind = (typeof ReportKinds)[number];

const Phone = Type.String({ pattern: '^\\+?[0-9][0-9 -]{4,24}$', description: 'a phone number' });

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

export type ReportData =
  | MissingChildReport
  | UnidentifiedChildReport
  | SuspectedTraffickingReport
  | SightingReport;

export const reportSchemas = {
  'missing-child': MissingChildReport,
  'unidentified-child': UnidentifiedChildReport,
  'suspected-trafficking': SuspectedTraffickingReport,
  sighting: SightingReport,
} as const;

/** The union, for documentation (OpenAPI); validation dispatches on `kind` for clear errors. */
export const ReportDataSchema = Type.Union(
  [MissingChildReport, UnidentifiedChildReport, SuspectedTraffickingReport, SightingReport],
  { description: 'the data of homeward.report.submitted, by kind' },
);
