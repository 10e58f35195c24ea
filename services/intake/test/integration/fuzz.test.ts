import {
  createTestTopics,
  deleteTestTopics,
  describeFuzzFailure,
  type FuzzOperation,
  fc,
  fuzzService,
  schemaShaped,
  summarizeFuzz,
} from '@homeward/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  missingChild,
  type RunningIntake,
  sighting,
  startIntake,
  suspectedTrafficking,
  unidentifiedChild,
} from '../support.ts';

let prefix: string;
let intake: RunningIntake;

beforeAll(async () => {
  prefix = await createTestTopics('intake-fuzz');
  // A rate limit out of reach: 429s would hide what the requests behind them would do.
  intake = await startIntake({ prefix, env: { RATE_LIMIT_PER_MINUTE: '1000000' } });
});

afterAll(async () => {
  await intake?.stop();
  await deleteTestTopics(prefix);
});

/** Header values must be visible ASCII, or the request cannot even be built. */
const headerSafe = (v: unknown) =>
  String(v)
    .replace(/[^\x20-\x7e]/g, '?')
    .slice(0, 2_000);

/** A report's data: the shapes agencies send, as the schema describes them, or anything at all. */
function reportData(op: FuzzOperation): fc.Arbitrary<unknown> {
  const data = op.content['application/cloudevents+json']?.properties?.data;
  return fc.oneof(
    fc.constantFrom(missingChild(), unidentifiedChild(), suspectedTrafficking(), sighting('case-fuzz')),
    schemaShaped(data, false),
    schemaShaped(data, true),
    fc.jsonValue({ maxDepth: 3 }),
  );
}

/** A CloudEvent envelope around the data, each attribute right most of the time. */
function envelope(op: FuzzOperation): fc.Arbitrary<Record<string, unknown>> {
  const right = <T>(good: fc.Arbitrary<T>) =>
    fc.oneof({ weight: 8, arbitrary: good }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) });
  const attributes = {
    specversion: right(fc.constant('1.0')),
    id: right(fc.uuid()),
    source: right(fc.constantFrom('agency/hefei-psb', 'agency/anhui-12355-hotline', 'agency/elsewhere')),
    type: right(fc.constant('homeward.report.submitted')),
    time: right(
      fc
        .date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true })
        .map((d) => d.toISOString()),
    ),
    datacontenttype: right(fc.constant('application/json')),
    data: reportData(op),
  };
  // Mostly complete envelopes, so that the reports behind them are read; sometimes any subset.
  return fc
    .oneof(
      {
        weight: 4,
        arbitrary: fc.record(attributes, { requiredKeys: ['specversion', 'id', 'source', 'type', 'data'] }),
      },
      { weight: 1, arbitrary: fc.record(attributes, { requiredKeys: [] }) },
    )
    .map((e) => e as Record<string, unknown>);
}

/** Intake's three CloudEvents modes: binary (ce-* headers), structured and batch. */
function cloudEvents(op: FuzzOperation) {
  if (op.path !== '/v1/reports') return undefined;
  const binary = envelope(op).map(({ data, ...attrs }) => ({
    headers: {
      'content-type': 'application/json',
      ...Object.fromEntries(Object.entries(attrs).map(([k, v]) => [`ce-${k}`, headerSafe(v)])),
    },
    payload: data === undefined ? undefined : JSON.stringify(data),
  }));
  const structured = envelope(op).map((e) => ({
    headers: { 'content-type': 'application/cloudevents+json' },
    payload: JSON.stringify(e),
  }));
  const batch = fc
    .oneof(
      { weight: 4, arbitrary: fc.array(envelope(op), { maxLength: 6 }) },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    )
    .map((events) => ({
      headers: { 'content-type': 'application/cloudevents-batch+json' },
      payload: JSON.stringify(events),
    }));
  return fc.oneof(binary, structured, batch);
}

it('no POST answers 5xx to 1,000 requests generated from the OpenAPI document, in all three CloudEvents modes', async () => {
  const report = await fuzzService(intake.app, {
    cases: 1_000,
    roles: ['police', 'hotline'],
    extra: cloudEvents,
  });
  process.stdout.write(summarizeFuzz('intake', report));
  expect(report.cases).toBeGreaterThanOrEqual(1_000);
  expect(report.failures.map(describeFuzzFailure)).toEqual([]);
}, 120_000);
