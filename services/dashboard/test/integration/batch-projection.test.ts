import type { HomewardEvent } from '@homeward/events';
import type { BatchItem } from '@homeward/messaging';
import {
  createTestTopics,
  deleteTestTopics,
  devKey,
  testLogger,
  uniqueName,
  waitFor,
} from '@homeward/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectEvents } from '../../src/handlers/project-event.ts';
import {
  alertIssued,
  caseOpened,
  childLocated,
  delivered,
  type RunningDashboard,
  SseClient,
  startDashboard,
} from '../support.ts';

// The projection takes a fetched batch at once: its MongoDB rounds for all of its events, then
// every event's Redis script in one pipeline. A crash can now stop a batch between the stores or
// midway through the pipeline; the batch is then redelivered whole (nothing of it was resolved).

let prefix: string;
let dash: RunningDashboard;

beforeAll(async () => {
  prefix = await createTestTopics('dashboard-batch');
  dash = await startDashboard({ prefix });
});

afterAll(async () => {
  await dash?.stop();
  await deleteTestTopics(prefix);
});

const topicOf = (e: HomewardEvent) =>
  e.type.startsWith('homeward.case.')
    ? 'case.events.v1'
    : e.type.startsWith('homeward.alert.')
      ? 'alert.events.v1'
      : 'notification.events.v1';

const items = (events: HomewardEvent[]): BatchItem[] =>
  events.map((event, i) => ({
    event,
    ctx: {
      log: testLogger(),
      topic: `${prefix}${topicOf(event)}`,
      partition: 0,
      offset: String(i),
      traceparent: '',
    },
  }));

describe('a batch cut short by a crash', () => {
  it('between the stores and midway through the Redis pipeline: the redelivered batch completes it, each event shown and counted once, in order', async () => {
    const project = projectEvents({
      annual: dash.app.annual,
      live: dash.app.live,
      topicPrefix: prefix,
      historyMaxLen: 10_000,
      utcOffsetMinutes: 480,
    });
    const caseId = uniqueName('case');
    const alertId = `al-${caseId}`;
    const batch = [
      caseOpened(caseId, { region: '341502' }),
      alertIssued(alertId, caseId, { region: '341502' }),
      delivered(alertId, 'unit-1'),
      delivered(alertId, 'unit-2'),
      childLocated(caseId, '2026-03-01T13:00:00+08:00'),
    ];
    const statsBefore = (await dash.get('/v1/stats')).body;
    // The crash: every event's facts and contributions stored (MongoDB's rounds done), and the
    // Redis pipeline cut after the first two scripts.
    await dash.app.annual.recordAll(
      batch.map((event) => ({ eventKey: `${event.source}|${event.id}`, event })),
      480,
    );
    expect(await project(items(batch.slice(0, 2)))).toEqual([true, true]);

    // Redelivered through Kafka, as the batch was never resolved: the consumer's guard skips the
    // two applied, the batch handler projects the rest.
    await dash.publish(...batch);
    await waitFor(async () => (await dash.get('/v1/stats')).body.total === statsBefore.total + batch.length, {
      what: 'the rest of the batch projected',
    });
    // And once more past the guard (a second instance that raced): nothing changes.
    expect(await project(items(batch))).toEqual([false, false, false, false, false]);

    const stats = (await dash.get('/v1/stats')).body;
    expect(stats.total).toBe(statsBefore.total + batch.length);
    expect(stats.byType['homeward.notification.delivered'] ?? 0).toBe(
      (statsBefore.byType['homeward.notification.delivered'] ?? 0) + 2,
    );
    // The history: each event once, each key's in their order (the case's on one partition, the
    // alert's and its notifications' on others), the notifications placed through the alert.
    const history = await new SseClient(
      `${dash.baseUrl}/v1/stream?${new URLSearchParams({ caseId, backlog: '100' })}`,
      { authorization: `Bearer ${devKey('operator')}` },
    ).open();
    await history.waitForEvents(batch.length);
    await new Promise((r) => setTimeout(r, 300));
    const shown = history.events.map((e) => e.id as string);
    expect([...shown].sort()).toEqual(batch.map((e) => e.id).sort());
    const at = (e: HomewardEvent) => shown.indexOf(e.id);
    const [opened, issued, first, second, located] = batch as [
      HomewardEvent,
      HomewardEvent,
      HomewardEvent,
      HomewardEvent,
      HomewardEvent,
    ];
    expect(at(opened)).toBeLessThan(at(located));
    expect(at(issued)).toBeLessThan(at(first));
    expect(at(first)).toBeLessThan(at(second));
    expect(history.events.every((e) => e.region === '341502')).toBe(true);
    history.close();
    // The board and the annual report: each once.
    const board = (await dash.get('/v1/board')).body;
    const alert = board.alerts.find((a: { alertId: string }) => a.alertId === alertId);
    expect(alert.notified).toBe(2);
    const report = (await dash.get('/v1/annual-report?year=2026')).body;
    const police = report.lines.find(
      (l: { region: string; department: string }) => l.region === '341502' && l.department === 'police',
    );
    expect(police.counts).toMatchObject({ casesOpened: 1, alertsIssued: 1, childrenLocated: 1 });
  });

  it('keeps one key’s events in their order through a batch: fifty notifications of one alert, published at once', async () => {
    const caseId = uniqueName('case');
    const alertId = `al-${caseId}`;
    await dash.publish(caseOpened(caseId, { region: '340104' }), alertIssued(alertId, caseId));
    // The alert projected first: a notification finds its case through the alert's projected
    // ref, and the alert's topic is another than the notifications' (no order between them; a
    // notification projected before its alert is shown without its case, so this stream, by
    // case, would miss it: what this test is about is the order within one key).
    const alert = await new SseClient(
      `${dash.baseUrl}/v1/stream?${new URLSearchParams({ caseId, type: 'homeward.alert.', backlog: '10' })}`,
      { authorization: `Bearer ${devKey('operator')}` },
    ).open();
    await alert.waitForEvents(1);
    alert.close();
    const notes = Array.from({ length: 50 }, (_, i) => delivered(alertId, `unit-${i}`));
    await dash.publish(...notes);
    const history = await new SseClient(
      `${dash.baseUrl}/v1/stream?${new URLSearchParams({ caseId, type: 'homeward.notification.', backlog: '100' })}`,
      { authorization: `Bearer ${devKey('operator')}` },
    ).open();
    await history.waitForEvents(notes.length);
    await new Promise((r) => setTimeout(r, 300));
    expect(history.events.map((e) => e.id)).toEqual(notes.map((e) => e.id));
    history.close();
  });
});
