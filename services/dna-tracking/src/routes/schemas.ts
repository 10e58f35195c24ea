import {
  Actor,
  CaseKinds,
  CustodySteps,
  DateTime,
  Id,
  LongText,
  literalUnion,
  RegionCode,
  SamplingSubjects,
  ShortText,
} from '@homeward/events';
import { MAX_PAGE_OFFSET, MAX_PAGE_SIZE, PageQuery } from '@homeward/service-kit';
import { Type } from '@sinclair/typebox';
import { RelativeRelations } from '../domain/kinship-relatives.ts';
import { MatchStatuses } from '../domain/match-plan.ts';
import { SubjectKinds } from '../domain/sample-rules.ts';

export const SampleIdParams = Type.Object({ sampleId: Type.String({ maxLength: 64 }) });
export const MatchIdParams = Type.Object({ matchId: Type.String({ maxLength: 64 }) });

const SubjectKind = literalUnion(SubjectKinds);
const Relation = literalUnion(['mother', 'father', ...RelativeRelations] as const);
const MatchKind = literalUnion(['single', 'pair', 'relative', 'family'] as const);
const MatchReference = Type.Object({ sampleId: Type.String(), relation: Relation });
const Step = literalUnion(CustodySteps);

export const NewSampleBody = Type.Object(
  {
    subject: Type.Object(
      {
        kind: SubjectKind,
        caseId: Type.Optional(Id),
        relation: Type.Optional(Relation),
      },
      {
        additionalProperties: false,
        description:
          "a parent (mother, father) or a relative (full-sibling, half-sibling, grandparent, aunt-uncle) names the relation and the missing child's case; a child may name its own case",
      },
    ),
    kitBarcode: Type.String({
      pattern: '^[A-Za-z0-9][A-Za-z0-9-]{3,63}$',
      description: 'the collection kit: used once',
    }),
    collectedAt: DateTime,
    place: ShortText,
    region: RegionCode,
    collector: Type.String({
      minLength: 1,
      maxLength: 100,
      description: 'staff or officer id of who took the sample',
    }),
  },
  {
    additionalProperties: false,
    examples: [
      {
        subject: { kind: 'parent', relation: 'mother', caseId: 'case-Vb8x2QpL0sKd9fTz1mYwHa' },
        kitBarcode: 'HW-2026-000123',
        collectedAt: '2026-11-28T10:00:00+08:00',
        place: 'Hefei PSB forensic centre',
        region: '340104',
        collector: 'officer-3401-0457',
      },
    ],
  },
);

export const NewCustodyBody = Type.Object(
  {
    step: Step,
    at: DateTime,
    by: Type.String({ minLength: 1, maxLength: 100, description: 'staff or officer id of who did it' }),
    place: ShortText,
    region: Type.Optional(RegionCode),
    trackingNumber: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: 'required for shipped' }),
    ),
    note: Type.Optional(LongText),
  },
  { additionalProperties: false },
);

export const CustodyRecordSchema = Type.Object({
  seq: Type.Integer(),
  step: Step,
  at: Type.String(),
  by: Type.String(),
  agencyId: Type.String(),
  role: Type.String(),
  place: Type.String(),
  region: Type.Optional(Type.String()),
  trackingNumber: Type.Optional(Type.String()),
  note: Type.Optional(Type.String()),
  recordedAt: Type.String(),
  prevHash: Type.String({ description: 'SHA-256 (hex) of the record before; 64 zeros for the first' }),
  hash: Type.String({ description: 'SHA-256 (hex) of this record with its link' }),
});

export const SampleView = Type.Object(
  {
    sampleId: Type.String(),
    subject: Type.Object({
      kind: SubjectKind,
      caseId: Type.Optional(Type.String()),
      relation: Type.Optional(Relation),
    }),
    kitBarcode: Type.String(),
    collectedAt: Type.String(),
    place: Type.String(),
    region: Type.String(),
    collectedBy: Actor,
    step: Step,
    stepAt: Type.String({ format: 'date-time' }),
    profile: Type.Optional(
      Type.Object({
        lociTyped: Type.Integer(),
        matchable: Type.Boolean(),
        enteredAt: Type.String({ format: 'date-time' }),
      }),
    ),
  },
  { title: 'Sample', description: 'A sample, without genotypes' },
);

export const OverdueSample = Type.Object({
  sampleId: Type.String(),
  step: Step,
  stepAt: Type.String({ format: 'date-time' }),
  limitHours: Type.Number(),
  overdueHours: Type.Number(),
  subjectKind: SubjectKind,
  caseId: Type.Optional(Type.String()),
  kitBarcode: Type.String(),
  region: Type.String(),
});

export const CustodyChain = Type.Object(
  {
    sampleId: Type.String(),
    step: Step,
    records: Type.Array(CustodyRecordSchema),
    verification: Type.Object({
      valid: Type.Boolean(),
      length: Type.Integer(),
      head: Type.Optional(Type.String()),
      failedAt: Type.Optional(Type.Integer({ description: 'position of the first record that fails' })),
      reason: Type.Optional(Type.String()),
    }),
  },
  { title: 'CustodyChain' },
);

const Alleles = Type.Array(Type.Union([Type.Integer(), Type.Number(), Type.String()]), { maxItems: 2 });

export const ProfileBody = Type.Object(
  {
    loci: Type.Record(Type.String(), Alleles, {
      description:
        'locus → one or two alleles (integers or microvariants such as 9.3 or "9.3"); the 20 CODIS core loci, Penta D, Penta E, D6S1043, SE33',
    }),
  },
  {
    examples: [{ loci: { D8S1179: [12, 13], TH01: ['9.3', 9], FGA: [22, 24], 'Penta E': [11, 16.4] } }],
  },
);

export const MatchSummarySchema = Type.Object({
  matchId: Type.String(),
  kind: MatchKind,
  childSampleId: Type.String(),
  parentSampleIds: Type.Array(Type.String()),
  combinedIndex: Type.Number(),
  status: Type.String(),
});

export const ProfileEntered = Type.Object({
  sampleId: Type.String(),
  lociTyped: Type.Integer(),
  matchable: Type.Boolean(),
  enteredAt: Type.String({ format: 'date-time' }),
  matches: Type.Array(MatchSummarySchema, {
    description: 'candidates at or above the inconclusive threshold',
  }),
});

export const ProfileView = Type.Object(
  {
    sampleId: Type.String(),
    loci: Type.Record(Type.String(), Type.Array(Type.String())),
    lociTyped: Type.Integer(),
    matchable: Type.Boolean(),
    enteredAt: Type.String({ format: 'date-time' }),
    enteredBy: Actor,
  },
  { title: 'Profile', description: 'STR genotypes: dna-lab only' },
);

const FrequencyMeta = Type.Object({
  source: Type.String(),
  version: Type.String(),
  population: Type.String(),
  minimumFrequencyRule: Type.String(),
});

export const MatchView = Type.Object(
  {
    matchId: Type.String(),
    kind: MatchKind,
    childSampleId: Type.String(),
    parentSampleIds: Type.Array(Type.String()),
    relationship: Type.Optional(
      Type.String({
        description: "a relative's relation, or `family` for several references scored jointly",
      }),
    ),
    references: Type.Optional(
      Type.Array(MatchReference, {
        description: 'the reference samples of a relatives match, with their relation',
      }),
    ),
    caseId: Type.Optional(Type.String()),
    childCaseId: Type.Optional(Type.String()),
    parents: Type.Optional(Type.Array(Type.Object({ sampleId: Type.String(), relation: Relation }))),
    foldedInto: Type.Optional(
      Type.String({ description: "a folded single parent's match: the parent pair's match to review" }),
    ),
    combinedIndex: Type.Number(),
    probability: Type.Number({ description: 'probability of parentage at prior ½: CI / (CI + 1)' }),
    inconsistentLoci: Type.Array(Type.String()),
    lociCompared: Type.Integer(),
    status: literalUnion(MatchStatuses),
    frequencyTable: FrequencyMeta,
    foundAt: Type.String({ format: 'date-time' }),
    review: Type.Optional(
      Type.Object({
        decision: Type.String(),
        reviewer: Type.String(),
        note: Type.String(),
        at: Type.String({ format: 'date-time' }),
        agencyId: Type.String(),
      }),
    ),
  },
  { title: 'Match', description: 'A kinship candidate: scores and ids, never genotypes' },
);

export const MatchQuery = Type.Object({
  status: Type.Optional(literalUnion(MatchStatuses)),
  caseId: Type.Optional(Id),
  limit: Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 100 }),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_PAGE_OFFSET })),
});

export const ReviewBody = Type.Object(
  { reviewer: ShortText, note: LongText },
  { additionalProperties: false, description: 'who reviewed (staff id) and why' },
);

export const FrequencyTableView = Type.Object(
  {
    ...FrequencyMeta.properties,
    sampleSizeUnit: Type.String(),
    note: Type.String(),
    populationsInFile: Type.Array(Type.String()),
    loci: Type.Array(
      Type.Object({
        locus: Type.String(),
        sampleSize: Type.Integer({ description: 'as the table gives it (see sampleSizeUnit)' }),
        individuals: Type.Number(),
        minimumFrequency: Type.Number({ description: '5/(2n), n people typed (NRC II)' }),
        frequencies: Type.Record(Type.String(), Type.Number()),
      }),
    ),
  },
  { title: 'AlleleFrequencies' },
);

export const DutyView = Type.Object(
  {
    caseId: Type.String(),
    caseKind: literalUnion(CaseKinds),
    region: Type.String(),
    subject: literalUnion(SamplingSubjects),
    owedSince: Type.String({ format: 'date-time' }),
    owedHours: Type.Number({ description: 'hours owed so far, to a tenth' }),
    overdue: Type.Boolean({ description: 'owed for SAMPLING_OVERDUE_HOURS or longer' }),
  },
  { title: 'SamplingDuty', description: 'A DNA sample a case owes and has not had taken' },
);

export const DutyQuery = Type.Composite([
  Type.Object({
    region: Type.Optional(RegionCode),
    caseId: Type.Optional(Id),
    overdue: Type.Optional(Type.Boolean()),
  }),
  PageQuery,
]);

export const OverdueClockView = Type.Object(
  {
    clock: Type.Literal('sampling'),
    caseId: Type.String(),
    region: Type.String(),
    subject: literalUnion(SamplingSubjects),
    since: Type.String({ format: 'date-time', description: 'owed since' }),
    dueAt: Type.String({ format: 'date-time', description: 'overdue from' }),
  },
  { title: 'OverdueClock' },
);
