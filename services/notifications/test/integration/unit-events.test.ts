import { Topics } from '@homeward/events';
import {
  createTestTopics,
  deleteTestTopics,
  type TopicCollector,
  uniqueName,
  waitFor,
} from '@homeward/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dropTestState,
  newDbName,
  notificationCollector,
  type RunningNotifications,
  startNotifications,
} from '../support.ts';

let prefix: string;
const dbName = newDbName('notif_unit_events');
let svc: RunningNotifications;
let events: TopicCollector;

beforeAll(async () => {
  prefix = await createTestTopics('notif-unit-events');
  svc = await startNotifications({ prefix, dbName });
  events = await notificationCollector(prefix);
});

afterAll(async () => {
  await events?.stop();
  await svc?.stop();
  await dropTestState(prefix, dbName);
  await deleteTestTopics(prefix);
});

const SECRET = 'a-secret-of-24-characters';
const body = (overrides: Record<string, unknown> = {}) => ({
  name: 'Hefei South Station police post',
  kind: 'rail-station',
  location: { lat: 31.7979, lon: 117.2906 },
  region: '340104',
  webhook: { url: 'http://127.0.0.1:9/hook', secret: SECRET },
  ...overrides,
});

describe('the unit events on notification.events.v1', () => {
  it('one per registration, change of place and removal, keyed by the unit; repeats publish none', async () => {
    const id = uniqueName('unit');
    const put = (b: Record<string, unknown>) => svc.call('PUT', `/v1/units/${id}`, { body: b });
    expect((await put(body())).status).toBe(201);
    // The same registration again, then a new name and webhook: nothing a map needs changed.
    expect((await put(body())).status).toBe(200);
    expect(
      (await put(body({ name: 'renamed', webhook: { url: 'http://127.0.0.1:9/other', secret: SECRET } })))
        .status,
    ).toBe(200);
    // Moved: one update with the whole new place.
    expect((await put(body({ kind: 'police-station', location: { lat: 31.8, lon: 117.3 } }))).status).toBe(
      200,
    );
    expect((await svc.call('DELETE', `/v1/units/${id}`)).status).toBe(204);
    expect((await svc.call('DELETE', `/v1/units/${id}`)).status).toBe(404);
    expect((await svc.call('GET', `/v1/units/${id}`)).status).toBe(404);
    // Registered again after its removal: a new registration.
    expect((await put(body())).status).toBe(201);
    // A bad registration publishes nothing.
    expect((await put(body({ location: { lat: 91, lon: 0 } }))).status).toBe(400);

    // Each write resolves once its event is on Kafka; wait for the collector, then for stragglers.
    const ofUnit = () =>
      events.messages.filter(
        (m) => m.event?.subject === id || (m.event?.data as { unitId?: string })?.unitId === id,
      );
    await waitFor(() => ofUnit().length >= 4, { what: 'four unit events', timeoutMs: 20_000 });
    await new Promise((r) => setTimeout(r, 1500));
    const mine = ofUnit();
    expect(mine.map((m) => m.event?.type)).toEqual([
      'homeward.notification.unit-registered',
      'homeward.notification.unit-updated',
      'homeward.notification.unit-removed',
      'homeward.notification.unit-registered',
    ]);
    expect(mine.every((m) => m.message.key?.toString() === id)).toBe(true);
    expect(mine.map((m) => m.event?.data)).toEqual([
      {
        unitId: id,
        kind: 'rail-station',
        region: '340104',
        location: { lat: 31.7979, lon: 117.2906 },
        registeredAt: expect.any(String),
      },
      {
        unitId: id,
        kind: 'police-station',
        region: '340104',
        location: { lat: 31.8, lon: 117.3 },
        updatedAt: expect.any(String),
      },
      { unitId: id, region: '340104', removedAt: expect.any(String) },
      {
        unitId: id,
        kind: 'rail-station',
        region: '340104',
        location: { lat: 31.7979, lon: 117.2906 },
        registeredAt: expect.any(String),
      },
    ]);
    // No name, webhook, secret or agency on the bus.
    const wire = mine.map((m) => m.message.value?.toString() ?? '').join('\n');
    expect(wire).not.toMatch(/Hefei South|renamed|127\.0\.0\.1|a-secret|webhook|agencyId/);
    expect(mine[0]!.event?.source).toBe('homeward/notifications');
    expect(Topics.notificationEvents).toBe('notification.events.v1');
  });
});
