/**
 * What tracing costs per event, off and on, in the same run.
 *
 * The publisher's real `send` (validation against the catalogue, CloudEvents encoding, the
 * producer span) is timed against a producer that returns at once, so the figure is the
 * per-event CPU a service spends before the broker; beside it, the span steps alone that the
 * consumer runner and the publisher add to every event (start a span under the event's
 * traceparent, make it active, end it). First with tracing off (no SDK loaded: the API's no-op
 * tracer), then, in the same process, on (the SDK with an in-memory exporter, so export costs
 * no network). The ratio that matters: off's span steps against the send they ride on.
 *
 * Run: npm run bench -- tracing-overhead   (or node_modules/.bin/tsx bench/src/tracing-overhead.bench.ts [events])
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { contextOfTraceparent, createEvent, newTraceparent } from '@homeward/events';
import { EventPublisher, type Kafka } from '@homeward/messaging';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import pino from 'pino';
import { startTracing } from '../../packages/service-kit/src/tracing.ts';

// With tracing on the in-memory exporter keeps every span: 20,000 × 5 rounds × 2 is 200,000 spans.
const EVENTS = Number(process.argv[2] ?? 20_000);
const ROUNDS = 5;
const out = (line = '') => process.stdout.write(`${line}\n`);

const producer = { connect: async () => {}, disconnect: async () => {}, sendBatch: async () => [] };
const publisher = new EventPublisher({
  kafka: { producer: () => producer } as unknown as Kafka,
  topics: (t) => t,
  logger: pino({ level: 'silent' }),
});
const events = Array.from({ length: 1_000 }, (_, i) =>
  createEvent(
    'homeward.case.lead-added',
    {
      caseId: `case-${i}`,
      leadId: `lead-${i}`,
      reportId: `report-${i}`,
      addedAt: new Date().toISOString(),
      reportedBy: { agencyId: 'hefei-psb', role: 'police', region: '340100' },
      origin: 'sighting',
      seenAt: {
        at: new Date().toISOString(),
        place: 'Hefei South Station',
        lat: 31.79,
        lon: 117.29,
        region: '340104',
      },
      description: 'seen near the east exit',
    },
    { source: 'homeward/intake', traceparent: newTraceparent() },
  ),
);

/** ns per event, the best of ROUNDS (the least disturbed by the machine's other work). */
async function time(what: (i: number) => Promise<void> | void): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < EVENTS; i++) await what(i);
    best = Math.min(best, ((performance.now() - t0) * 1e6) / EVENTS);
  }
  return best;
}

const tracer = trace.getTracer('bench');
/** The span steps the consumer runner adds to one event, around a handler that does nothing. */
const spanSteps = (i: number) => {
  const span = tracer.startSpan(
    'process case.events.v1',
    { kind: SpanKind.CONSUMER, attributes: { 'messaging.system': 'kafka', 'cloudevents.event_id': `e${i}` } },
    contextOfTraceparent(events[i % events.length]!.traceparent),
  );
  return context.with(trace.setSpan(context.active(), span), async () => {
    span.isRecording();
    span.end();
  });
};
const bare = async (_i: number) => {};
const send = (i: number) =>
  publisher.send([{ topic: 'case.events.v1', key: `case-${i}`, event: events[i % events.length]! }]);

async function measure() {
  const baseline = await time(bare);
  const steps = await time(spanSteps);
  const sent = await time(send);
  return { baseline, steps: steps - baseline, send: sent - baseline };
}

out(
  `tracing overhead: ${EVENTS.toLocaleString()} events × ${ROUNDS} rounds, best round; load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
const sdkBefore = (trace.getTracerProvider() as { getDelegate?: () => unknown }).getDelegate?.();
const off = await measure();
const exporter = new InMemorySpanExporter();
const tracing = await startTracing({ serviceName: 'bench', exporter });
let exported = 0;
const on = await (async () => {
  const r = await measure();
  exported = exporter.getFinishedSpans().length;
  exporter.reset();
  return r;
})();
await tracing.shutdown();
const ns = (n: number) => `${n.toFixed(0).padStart(6)} ns`;
out(
  `  SDK registered while off: ${sdkBefore && (sdkBefore as object).constructor.name !== 'NoopTracerProvider' ? 'yes' : 'no'}`,
);
out('                               off          on');
out(`  span steps per event     ${ns(off.steps)}   ${ns(on.steps)}`);
out(`  publisher.send per event ${ns(off.send)}   ${ns(on.send)}   (span included)`);
out(
  `  off: span steps / send = ${((off.steps / off.send) * 100).toFixed(1)}%   on/off send = ${(on.send / off.send).toFixed(2)}×`,
);
out(
  `  spans exported while on: ${exported.toLocaleString()}; load average after ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
