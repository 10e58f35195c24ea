/**
 * One missing-child report is one trace (issue 21): intake, rescue coordination and
 * notifications started together on one set of test topics with tracing on (the kit's
 * `startTracing`, an in-memory exporter instead of OTLP). A police desk's report over real HTTP
 * opens a case, the case's alert goes out, and every unit's webhook is delivered; every span of
 * that path, from the HTTP request through `case.opened`, `alert.issued` and each webhook
 * delivery (and the MongoDB and Redis calls between), carries the report's trace id, and each
 * hangs under the one before it.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CloudEvent, encodeHttpStructured } from '@homeward/events';
import { type ServiceParts, startTracing, type Tracing } from '@homeward/service-kit';
import {
  createTestTopics,
  deleteTestTopics,
  devKey,
  type ServiceUnderTest,
  startServiceForTest,
  uniqueName,
  waitFor,
} from '@homeward/testing';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp as buildIntake } from '../../services/intake/src/app.ts';
import { IntakeConfig } from '../../services/intake/src/config.ts';
import { buildApp as buildNotifications } from '../../services/notifications/src/app.ts';
import { NotificationsConfig } from '../../services/notifications/src/config.ts';
import { buildApp as buildRescue } from '../../services/rescue-coordination/src/app.ts';
import { RescueConfig } from '../../services/rescue-coordination/src/config.ts';

const exporter = new InMemorySpanExporter();
let tracing: Tracing;
let prefix: string;
let intake: ServiceUnderTest<ServiceParts>;
let rescue: ServiceUnderTest<ServiceParts>;
let notifications: ServiceUnderTest<ServiceParts>;
let receiver: Server;
let receiverUrl: string;
const received: Array<{ unitId: string; headers: IncomingHttpHeaders }> = [];
const UNITS = [0, 1, 2].map((i) => uniqueName(`trace-unit-${i}`));
const CENTER = { lat: 31.7979, lon: 117.2906 };

beforeAll(async () => {
  // Before any service connects: its clients are instrumented as they are made.
  tracing = await startTracing({ serviceName: 'homeward-journey', exporter });
  receiver = createServer((req, res) => {
    received.push({ unitId: (req.url ?? '').replace(/^\/u\//, ''), headers: req.headers });
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  prefix = await createTestTopics('journey-trace');
  const common = { prefix, dropDatabaseOnStop: true };
  [intake, rescue, notifications] = await Promise.all([
    startServiceForTest({
      ...common,
      name: 'intake',
      configSchema: IntakeConfig,
      buildApp: buildIntake,
      defaultRole: 'police',
      // A real port: the trace starts at the HTTP server, as an agency's request does.
      listen: 0,
    }),
    startServiceForTest({
      ...common,
      name: 'rescue-coordination',
      configSchema: RescueConfig,
      buildApp: buildRescue,
      defaultRole: 'police',
      env: { SCHEDULER_TICK_MS: '3600000', TEAM_CHECK_INTERVAL_MS: '3600000' },
    }),
    startServiceForTest({
      ...common,
      name: 'notifications',
      configSchema: NotificationsConfig,
      buildApp: buildNotifications,
      defaultRole: 'admin',
      env: { OUTCOME_FLUSH_MS: '20' },
    }),
  ]);
  for (const [i, unitId] of UNITS.entries()) {
    const res = await notifications.call('PUT', `/v1/units/${unitId}`, {
      name: `Hefei post ${i}`,
      kind: 'police-station',
      location: { lat: CENTER.lat + i * 0.01, lon: CENTER.lon },
      region: '340104',
      webhook: { url: `${receiverUrl}/u/${unitId}`, secret: 'a-secret-of-24-characters' },
    });
    expect(res.status).toBeLessThan(300);
  }
}, 180_000);

afterAll(async () => {
  await Promise.all([intake, rescue, notifications].map((s) => s?.stop()));
  await deleteTestTopics(prefix);
  await new Promise<void>((r) => receiver?.close(() => r()) ?? r());
  await tracing?.shutdown();
});

describe('traces', () => {
  it('follows one missing-child report from the HTTP request to every webhook delivery', async () => {
    const event: CloudEvent = {
      specversion: '1.0',
      id: uniqueName('ce'),
      source: 'agency/hefei-psb',
      type: 'homeward.report.submitted',
      time: new Date().toISOString(),
      datacontenttype: 'application/json',
      data: {
        kind: 'missing-child',
        child: { name: 'Li Xiaoyu', sex: 'female', birthDate: '2019-05-01' },
        lastSeen: {
          at: new Date(Date.now() - 10 * 60_000).toISOString(),
          place: 'Hefei South Station',
          ...CENTER,
          region: '340104',
        },
      },
    };
    const encoded = encodeHttpStructured(event);
    const res = await fetch(`${intake.baseUrl}/v1/reports`, {
      method: 'POST',
      headers: { ...encoded.headers, authorization: `Bearer ${devKey('police')}` },
      body: encoded.body,
    });
    expect(res.status).toBe(202);
    const { caseId } = (await res.json()) as { caseId: string };

    // Every unit got the alert, and the fan-out's handler finished (its span ends with it).
    await waitFor(
      async () =>
        UNITS.every((u) => received.some((r) => r.unitId === u)) &&
        exporter.getFinishedSpans().some((s) => s.name === 'process alert.events.v1'),
      { what: 'every unit notified', timeoutMs: 45_000 },
    );
    await tracing.forceFlush();
    const spans = exporter.getFinishedSpans();
    const server = spans.find((s) => s.kind === SpanKind.SERVER && s.name === 'POST /v1/reports');
    expect(server, 'the HTTP server span of the report').toBeDefined();
    const traceId = server!.spanContext().traceId;
    const inTrace = spans.filter((s) => s.spanContext().traceId === traceId);
    const byId = new Map(inTrace.map((s) => [s.spanContext().spanId, s]));
    /** Whether `span` hangs (through its parents) under `ancestor`. */
    const under = (span: ReadableSpan, ancestor: ReadableSpan): boolean => {
      for (let p = span.parentSpanContext?.spanId; p; p = byId.get(p)?.parentSpanContext?.spanId)
        if (p === ancestor.spanContext().spanId) return true;
      return false;
    };
    const one = (name: string, kind: SpanKind, type: string) => {
      const found = inTrace.filter(
        (s) => s.name === name && s.kind === kind && s.attributes['cloudevents.event_type'] === type,
      );
      expect(
        found.map((s) => s.name),
        `${name} of ${type}`,
      ).toHaveLength(1);
      return found[0]!;
    };

    // intake → case.opened → rescue coordination → alert.issued → notifications.
    const sendOpened = one('send case.events.v1', SpanKind.PRODUCER, 'homeward.case.opened');
    // Two groups read case.events.v1 here (rescue coordination's, and intake's own case view):
    // the alert comes from rescue coordination's.
    const processOpened = inTrace.find(
      (s) =>
        s.name === 'process case.events.v1' &&
        s.kind === SpanKind.CONSUMER &&
        String(s.attributes['messaging.consumer.group.name']).endsWith('rescue-coordination.events'),
    );
    expect(processOpened, "rescue coordination's consumer span of case.opened").toBeDefined();
    const sendIssued = one('send alert.events.v1', SpanKind.PRODUCER, 'homeward.alert.issued');
    const processIssued = one('process alert.events.v1', SpanKind.CONSUMER, 'homeward.alert.issued');
    expect(under(sendOpened, server!)).toBe(true);
    expect(under(processOpened!, server!)).toBe(true);
    expect(under(sendIssued, processOpened!)).toBe(true);
    expect(under(processIssued, processOpened!)).toBe(true);
    expect(processIssued.attributes['cloudevents.event_source']).toBe('homeward/rescue-coordination');

    // Every webhook delivery is a client span under the alert's consumer span, and the unit's
    // request carries the same trace.
    const deliveries = inTrace.filter(
      (s) =>
        s.kind === SpanKind.CLIENT &&
        s.instrumentationScope.name.includes('undici') &&
        under(s, processIssued),
    );
    expect(deliveries.length).toBeGreaterThanOrEqual(UNITS.length);
    for (const unitId of UNITS) {
      const request = received.find((r) => r.unitId === unitId)!;
      expect(String(request.headers.traceparent)).toContain(traceId);
    }
    // The stores on the way: MongoDB and Redis calls in the same trace.
    expect(inTrace.some((s) => s.instrumentationScope.name.includes('mongodb'))).toBe(true);
    expect(inTrace.some((s) => s.instrumentationScope.name.includes('ioredis'))).toBe(true);
    // And the case the answer named is the one the trace opened.
    expect(String(sendOpened.attributes['messaging.message.id'])).toBeTruthy();
    expect(caseId).toMatch(/./);
  }, 90_000);
});
