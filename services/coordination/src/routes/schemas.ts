import { DateOnly, DateTime, Id, literalUnion, RegionCode, Role, SubmissionStatuses } from '@homeward/events';
import { Type } from '@sinclair/typebox';

export const Year = Type.Integer({ minimum: 2000, maximum: 2200, description: 'the calendar year reported' });

const Count = Type.Integer({ minimum: 0, maximum: 100_000_000 });

export const OwnFiguresSchema = Type.Object(
  {
    publicityCampaigns: Count,
    trainingSessions: Count,
    peopleScreened: Count,
  },
  { additionalProperties: false, description: 'what only the department knows of its year' },
);

export const SubmitBody = Type.Object(
  {
    own: OwnFiguresSchema,
    narrative: Type.String({
      minLength: 1,
      maxLength: 20_000,
      description: 'the year’s work in the department’s words',
    }),
  },
  { additionalProperties: false },
);

export const ReviewBody = Type.Object(
  { comment: Type.String({ minLength: 1, maxLength: 4000, description: 'what the department must change' }) },
  { additionalProperties: false },
);

export const AcceptBody = Type.Object(
  { comment: Type.Optional(Type.String({ minLength: 1, maxLength: 4000 })) },
  { additionalProperties: false },
);

const Counts = Type.Record(Type.String(), Type.Integer({ minimum: 0 }), {
  description: "the platform's figures by counter (see the service README)",
});

const Caller = Type.Object({ agencyId: Id, role: Role, region: RegionCode });

export const SubmissionView = Type.Object({
  submissionId: Type.String(),
  year: Year,
  region: RegionCode,
  agencyId: Id,
  role: Role,
  status: literalUnion(SubmissionStatuses),
  dueDate: DateOnly,
  current: Type.Object({
    version: Type.Integer({ minimum: 1 }),
    submittedAt: DateTime,
    late: Type.Boolean(),
    own: OwnFiguresSchema,
    narrative: Type.String(),
    platform: Counts,
  }),
  versions: Type.Array(
    Type.Object({
      version: Type.Integer(),
      submittedAt: DateTime,
      late: Type.Boolean(),
      own: OwnFiguresSchema,
    }),
  ),
  reviews: Type.Array(
    Type.Object({
      kind: Type.Union([Type.Literal('returned'), Type.Literal('accepted')]),
      version: Type.Integer(),
      at: DateTime,
      by: Caller,
      comment: Type.Optional(Type.String()),
    }),
  ),
});

export const SubmissionList = Type.Object({
  year: Year,
  limit: Type.Integer(),
  offset: Type.Integer(),
  nextOffset: Type.Union([Type.Integer(), Type.Null()]),
  items: Type.Array(
    Type.Object({
      submissionId: Type.String(),
      region: RegionCode,
      agencyId: Id,
      role: Role,
      status: literalUnion(SubmissionStatuses),
      version: Type.Integer(),
      submittedAt: DateTime,
      late: Type.Boolean(),
    }),
  ),
});

export const Prefill = Type.Object({
  year: Year,
  region: RegionCode,
  department: Role,
  dueDate: DateOnly,
  platform: Counts,
});

export const YearQuery = Type.Object({ year: Year }, { additionalProperties: false });

export const ReportFormat = Type.Union(
  [Type.Literal('json'), Type.Literal('csv'), Type.Literal('html'), Type.Literal('pdf')],
  { description: 'the output; or by Accept (text/csv, text/html, application/pdf)' },
);

export const TableFormat = Type.Union([Type.Literal('json'), Type.Literal('csv')], {
  description: 'the output; or Accept: text/csv',
});

export const MemberView = Type.Object({
  agencyId: Id,
  role: Role,
  region: RegionCode,
  enrolledAt: DateTime,
  enrolledBy: Id,
  active: Type.Boolean(),
});

export const MemberBody = Type.Object({ role: Role }, { additionalProperties: false });
export const MemberParams = Type.Object({ region: RegionCode, agencyId: Id });
