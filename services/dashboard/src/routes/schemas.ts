import { AGE_BUCKETS, VICTIM_MEASURES } from '@homeward/figures';
import { Type } from '@sinclair/typebox';
import { COUNTERS } from '../domain/annual.ts';

const RegionQuery = Type.String({ pattern: '^[1-8][0-9]{5}$', description: 'a 6-digit division code' });
const Token = Type.Optional(
  Type.String({ maxLength: 200, description: 'a session token from POST /v1/session' }),
);

export const StreamQuery = Type.Object({
  type: Type.Optional(
    Type.String({
      maxLength: 1000,
      description: 'comma-separated event type prefixes, e.g. homeward.alert.',
    }),
  ),
  region: Type.Optional(RegionQuery),
  caseId: Type.Optional(Type.String({ maxLength: 128 })),
  lastEventId: Type.Optional(
    Type.String({ maxLength: 40, description: 'resume after this event id (as the Last-Event-ID header)' }),
  ),
  backlog: Type.Optional(
    Type.Integer({ minimum: 0, maximum: 1000, description: 'send the last N matching events first' }),
  ),
  token: Token,
});

export const SessionCreated = Type.Object({
  token: Type.String(),
  expiresAt: Type.String({ format: 'date-time' }),
  agencyId: Type.String(),
  role: Type.String(),
  region: Type.String(),
  timeZone: Type.String({ description: "the deployment's time zone (IANA), in which the page shows times" }),
});

export const Stats = Type.Object({
  total: Type.Integer({ description: 'events projected (each event id once, redeliveries not counted)' }),
  byTopic: Type.Record(Type.String(), Type.Integer()),
  byType: Type.Record(Type.String(), Type.Integer()),
  streamClients: Type.Integer({ description: 'SSE clients of this instance' }),
  droppedClients: Type.Integer({ description: 'SSE clients this instance dropped as too slow' }),
});

export const AnnualQuery = Type.Object({
  year: Type.Integer({ minimum: 2000, maximum: 2100 }),
  region: Type.Optional(RegionQuery),
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv'), Type.Literal('html')])),
  token: Token,
});

const Counts = Type.Object(Object.fromEntries(COUNTERS.map((c) => [c, Type.Integer()])));
const Median = Type.Union([Type.Number(), Type.Null()], { description: 'hours' });

export const AnnualReportSchema = Type.Object({
  year: Type.Integer(),
  region: Type.Union([Type.String(), Type.Null()]),
  lines: Type.Array(
    Type.Object({
      region: Type.String(),
      department: Type.String({ description: "the answering agency's role" }),
      counts: Counts,
      medianReportToLocatedHours: Median,
    }),
  ),
  totals: Type.Object({ counts: Counts, medianReportToLocatedHours: Median }),
  victims: VictimTableSchema(),
});

/** Victims by measure → sex → age group (under-14, 14-17, 18-and-over, age-unknown). */
export function VictimTableSchema() {
  const byAge = Type.Object(Object.fromEntries(AGE_BUCKETS.map((a) => [a, Type.Integer()])));
  const bySex = Type.Object({ female: byAge, male: byAge, unknown: byAge });
  return Type.Object(Object.fromEntries(VICTIM_MEASURES.map((m) => [m, bySex])), {
    description:
      'victims rescued, returned home, placed, in training and employed, by sex and age group; a woman counts as a woman (female, 18-and-over), never as a child',
  });
}

export const HealthSummary = Type.Object({
  services: Type.Array(
    Type.Object({
      name: Type.String(),
      url: Type.String(),
      status: Type.String(),
      httpStatus: Type.Union([Type.Integer(), Type.Null()]),
      latencyMs: Type.Union([Type.Number(), Type.Null()]),
      checkedAt: Type.Union([Type.String(), Type.Null()]),
      checks: Type.Union([Type.Record(Type.String(), Type.Boolean()), Type.Null()]),
    }),
  ),
});

export const TokenOnly = Type.Object({ token: Token });
