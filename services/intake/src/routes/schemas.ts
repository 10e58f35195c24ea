import { literalUnion, MissingChildReport, ReportDataSchema } from '@homeward/events';
import { Type } from '@sinclair/typebox';
import { Outcomes } from '../domain/report-outcome.ts';

const Outcome = literalUnion(Outcomes, {
  description:
    'case-opened: a new case; lead-added: a sighting, or a second report of a child whose case is open',
});

export const ReportAccepted = Type.Object(
  {
    reportId: Type.String({ examples: ['rpt-3kTq9xWc1fP0aLm2ZbNe7s'] }),
    caseId: Type.String({ examples: ['case-Vb8x2QpL0sKd9fTz1mYwHa'] }),
    outcome: Outcome,
  },
  {
    title: 'ReportAccepted',
    description: 'The answer to a report; a retry with the same CloudEvent id gets the same answer',
  },
);

export const BatchResult = Type.Object(
  {
    results: Type.Array(
      Type.Object({
        id: Type.Union([Type.String(), Type.Null()], { description: 'the CloudEvent id of the item' }),
        status: Type.Integer({ description: '202 accepted, or the status of the item problem' }),
        reportId: Type.Optional(Type.String()),
        caseId: Type.Optional(Type.String()),
        outcome: Type.Optional(Outcome),
        problem: Type.Optional(Type.Ref('Problem')),
      }),
    ),
  },
  {
    title: 'BatchResult',
    description: 'One result per event, in order; 202 when all were accepted, 207 otherwise',
  },
);

export const ReportStatus = Type.Object(
  {
    reportId: Type.String(),
    eventId: Type.String({ description: 'the CloudEvent id the agency sent' }),
    kind: Type.String(),
    status: Type.Literal('accepted'),
    caseId: Type.String(),
    outcome: Outcome,
    channel: Type.Union([Type.Literal('http'), Type.Literal('kafka')]),
    receivedAt: Type.String({ format: 'date-time' }),
  },
  { title: 'ReportStatus' },
);

export const ReportContacts = Type.Object(
  {
    reportId: Type.String(),
    caseId: Type.String(),
    kind: Type.String(),
    region: Type.String({ description: 'the division the report happened in' }),
    reporter: Type.Optional(
      Type.Object({ name: Type.String(), phone: Type.String() }, { description: 'missing-child reports' }),
    ),
    currentGuardian: Type.Optional(
      Type.Object(
        { name: Type.String(), relation: Type.String(), address: Type.String() },
        { description: 'unidentified-child reports' },
      ),
    ),
  },
  {
    title: 'ReportContacts',
    description:
      "A report's contacts, which case events never carry: the reporter of a missing child, the current guardian of an unidentified one",
  },
);

const example = {
  specversion: '1.0',
  id: 'hefei-psb-2026-000123',
  source: 'agency/hefei-psb',
  type: 'homeward.report.submitted',
  time: '2026-11-28T09:30:00+08:00',
  datacontenttype: 'application/json',
  data: {
    kind: 'missing-child',
    child: {
      name: 'Li Xiaoming',
      sex: 'male',
      birthDate: '2019-05-01',
      description: 'red jacket, blue backpack',
    },
    lastSeen: {
      at: '2026-11-28T08:50:00+08:00',
      place: 'Hefei South Station, east exit',
      lat: 31.7979,
      lon: 117.2906,
      region: '340104',
    },
  },
};

const StructuredEvent = Type.Object(
  {
    specversion: Type.Literal('1.0'),
    id: Type.String({ description: 'unique per report within the agency: the idempotency key' }),
    source: Type.String({ description: 'agency/<agencyId>' }),
    type: Type.Literal('homeward.report.submitted'),
    time: Type.Optional(Type.String({ format: 'date-time' })),
    data: ReportDataSchema,
  },
  { title: 'ReportEvent', examples: [example] },
);

/** The request body in its three CloudEvents modes, for the OpenAPI document. */
export const ReportRequestBody = {
  description:
    'A homeward.report.submitted CloudEvent, in binary mode (application/json body with ce-* headers), structured mode, or batch mode (at most 500).',
  content: {
    'application/cloudevents+json': {
      schema: StructuredEvent,
      examples: { missingChild: { value: example } },
    },
    'application/cloudevents-batch+json': { schema: Type.Array(StructuredEvent, { maxItems: 500 }) },
    'application/json': {
      schema: MissingChildReport,
      description: 'binary mode: the data, with ce-specversion, ce-id, ce-source, ce-type headers',
    },
  },
};
