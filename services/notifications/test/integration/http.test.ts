import type { AddressInfo } from 'node:net';
import {
  createTestTopics,
  deleteTestTopics,
  devKey,
  SseClient,
  testRedis,
  uniqueName,
  waitFor,
} from '@homeward/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { UnitFeed } from '../../src/store/unit-feed.ts';
import {
  destination,
  dropTestState,
  issued,
  newDbName,
  putUnit,
  Receiver,
  type RunningNotifications,
  startNotifications,
} from '../support.ts';

let prefix: string;
const dbName = newDbName('notif_http');
let svc: RunningNotifications;
let receiver: Receiver;
let base: string;
let redis: Redis;
const UNIT_AGENCY = 'hefei-south-station-police-post';

beforeAll(async () => {
  prefix = await createTestTopics('notif-http');
  receiver = await new Receiver().start();
  // A small bound, so the slow terminal below is dropped after a few hundred kilobytes.
  // Channel limits high enough for the 24 terminals of four units below (the limits have their own test).
  svc = await startNotifications({
    prefix,
    dbName,
    env: { STREAM_MAX_BUFFER_BYTES: '65536', STREAM_MAX_PER_UNIT: '10', STREAM_MAX_PER_KEY: '30' },
  });
  await svc.app.http.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(svc.app.http.server.address() as AddressInfo).port}`;
  redis = testRedis();
});

afterAll(async () => {
  redis.disconnect();
  await svc.stop();
  await receiver.stop();
  await dropTestState(prefix, dbName);
  await deleteTestTopics(prefix);
});

const unitBody = (overrides: Record<string, unknown> = {}) => ({
  name: 'Hefei South Station police post',
  kind: 'rail-station',
  location: { lat: 31.7979, lon: 117.2906 },
  region: '340104',
  webhook: { url: 'http://127.0.0.1:9/hook', secret: 'a-secret-of-24-characters' },
  ...overrides,
});

describe('units (admin)', () => {
  it('registers, updates, reads without the secret, and deletes a unit; the index follows', async () => {
    const id = uniqueName('unit');
    const created = await svc.call('PUT', `/v1/units/${id}`, { body: unitBody() });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      unitId: id,
      kind: 'rail-station',
      agencyId: id,
      webhook: { url: 'http://127.0.0.1:9/hook' },
    });
    expect(JSON.stringify(created.body)).not.toContain('a-secret-of-24');
    const updated = await svc.call('PUT', `/v1/units/${id}`, {
      body: unitBody({ name: 'renamed', agencyId: UNIT_AGENCY }),
    });
    expect(updated.status).toBe(200);
    const read = await svc.call('GET', `/v1/units/${id}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      name: 'renamed',
      agencyId: UNIT_AGENCY,
      createdAt: created.body.createdAt,
    });
    expect(read.body.webhook).toEqual({ url: 'http://127.0.0.1:9/hook' });
    expect(await redis.zscore(`${prefix}notifications:units:geo`, id)).not.toBeNull();
    expect((await svc.call('DELETE', `/v1/units/${id}`)).status).toBe(204);
    expect(await redis.zscore(`${prefix}notifications:units:geo`, id)).toBeNull();
    const gone = await svc.call('GET', `/v1/units/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.code).toBe('NOTIFICATIONS_ERR_UNIT_NOT_FOUND');
    expect((await svc.call('DELETE', `/v1/units/${id}`)).status).toBe(404);
  });

  it('refuses bad input with the field named, and every role but admin', async () => {
    const bad = await svc.call('PUT', '/v1/units/u-1', {
      body: unitBody({
        kind: 'spaceport',
        location: { lat: 91, lon: 0 },
        webhook: { url: 'ftp://x', secret: 'short' },
      }),
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('HOMEWARD_ERR_INVALID_INPUT');
    const fields = bad.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining(['/kind', '/location/lat', '/webhook/url', '/webhook/secret']),
    );
    expect((await svc.call('PUT', '/v1/units/bad id!', { body: unitBody() })).status).toBe(400);
    for (const role of ['police', 'unit', 'operator']) {
      const res = await svc.call('PUT', '/v1/units/u-1', { role, body: unitBody() });
      expect(res.status).toBe(403);
      expect(res.body.type).toBe('urn:homeward:problem:homeward-err-forbidden');
    }
    expect((await svc.call('GET', '/v1/units/u-1', { role: null })).status).toBe(401);
    expect((await svc.call('GET', '/v1/alerts/nope/coverage', { role: 'police' })).body.code).toBe(
      'NOTIFICATIONS_ERR_ALERT_NOT_FOUND',
    );
  });
});

/** Reads SSE events from a response body until `n` have come. */
async function readEvents(
  res: Response,
  n: number,
): Promise<{ events: Array<{ id: string; event: string; data: string }>; heartbeats: number }> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  const events: Array<{ id: string; event: string; data: string }> = [];
  let heartbeats = 0;
  while (events.length < n) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += decoder.decode(value, { stream: true });
    let i = buf.indexOf('\n\n');
    while (i >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      if (block.startsWith(': heartbeat')) heartbeats++;
      else if (!block.startsWith(':')) {
        const f = Object.fromEntries(
          block.split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]),
        );
        events.push({ id: f.id ?? '', event: f.event ?? '', data: f.data ?? '' });
      }
      i = buf.indexOf('\n\n');
    }
  }
  await reader.cancel();
  return { events, heartbeats };
}

describe('the live channel (SSE)', () => {
  it('streams alerts with heartbeats, resumes after Last-Event-ID, and admits only the unit itself', async () => {
    const tag = uniqueName('sse');
    const unitId = `${tag}-post`;
    const center = { lat: 28.2, lon: 112.97 };
    await putUnit(svc, receiver, unitId, destination(center, 1, 0), { agencyId: UNIT_AGENCY });
    await putUnit(svc, receiver, `${tag}-other`, destination(center, 2, 0));
    const headers = { authorization: `Bearer ${devKey('unit')}` };

    const live = await fetch(`${base}/v1/units/${unitId}/stream`, { headers });
    expect(live.status).toBe(200);
    expect(live.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const a1 = issued(`alert-${tag}-1`, { radiusKm: 10, center });
    await svc.publish(a1);
    const first = await readEvents(live, 1);
    expect(first.events[0]).toMatchObject({ event: 'homeward.alert.issued' });
    expect(JSON.parse(first.events[0]!.data).data.alertId).toBe(a1.data.alertId);

    // While the terminal is away, two more alerts come.
    await svc.publish(
      issued(`alert-${tag}-2`, { radiusKm: 10, center }),
      issued(`alert-${tag}-3`, { radiusKm: 10, center }),
    );
    await waitFor(() => receiver.of(unitId).length === 3);
    const resumed = await fetch(`${base}/v1/units/${unitId}/stream`, {
      headers: { ...headers, 'last-event-id': first.events[0]!.id },
    });
    const missed = await readEvents(resumed, 2);
    // Two alerts, two partitions: their order is not defined, only that both come.
    expect(missed.events.map((e) => JSON.parse(e.data).data.alertId).sort()).toEqual([
      `alert-${tag}-2`,
      `alert-${tag}-3`,
    ]);

    const idle = await fetch(`${base}/v1/units/${unitId}/stream`, { headers });
    const reader = idle.body!.getReader();
    let text = '';
    while (!text.includes(': heartbeat')) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();

    const other = await fetch(`${base}/v1/units/${tag}-other/stream`, { headers });
    expect(other.status).toBe(403);
    expect(((await other.json()) as { code: string }).code).toBe('NOTIFICATIONS_ERR_NOT_YOUR_UNIT');
    expect(
      (
        await fetch(`${base}/v1/units/${unitId}/stream`, {
          headers: { authorization: `Bearer ${devKey('police')}` },
        })
      ).status,
    ).toBe(403);
    expect((await fetch(`${base}/v1/units/${unitId}/stream`)).status).toBe(401);
    expect((await fetch(`${base}/v1/units/${tag}-nobody/stream`, { headers })).status).toBe(404);
  });
});

const terminal = (unitId: string) =>
  new SseClient(`${base}/v1/units/${unitId}/stream`, { authorization: `Bearer ${devKey('unit')}` }).open();

describe('the live channel through the shared hub', () => {
  it('serves many terminals of many units from one Redis reader', async () => {
    const tag = uniqueName('many');
    const center = { lat: 30.59, lon: 114.3 };
    const units = [0, 1, 2, 3].map((i) => `${tag}-u${i}`);
    for (const [i, unitId] of units.entries())
      await putUnit(svc, receiver, unitId, destination(center, 1 + i, 90 * i), { agencyId: UNIT_AGENCY });
    // No connection per terminal: the hub's one reader serves them all.
    const duplicate = vi.spyOn(svc.rt.redis.redis, 'duplicate');
    const terminals = await Promise.all(Array.from({ length: 24 }, (_, i) => terminal(units[i % 4]!)));
    await waitFor(() => svc.app.hub.clientCount >= 24, { what: '24 terminals attached' });
    expect(terminals.every((t) => t.status === 200)).toBe(true);

    const alert = issued(`alert-${tag}`, { radiusKm: 20, center });
    await svc.publish(alert);
    for (const t of terminals) await t.waitForEvents(1);
    for (const t of terminals) {
      expect(t.events).toHaveLength(1);
      expect(t.events[0]!.event).toBe('homeward.alert.issued');
      expect(JSON.parse(t.events[0]!.data).data.alertId).toBe(alert.data.alertId);
    }
    expect(duplicate).not.toHaveBeenCalled();
    duplicate.mockRestore();
    const readers = String(await svc.rt.redis.redis.client('LIST'))
      .split('\n')
      .filter((line) => line.includes(` name=${prefix}notifications:sse `));
    expect(readers).toHaveLength(1);
    for (const t of terminals) t.close();
    await waitFor(() => svc.app.hub.clientCount === 0, { what: 'terminals gone' });
  });

  it('sends a terminal that stops reading a notice and drops it, while another gets everything', async () => {
    const unitId = uniqueName('slow-post');
    await putUnit(svc, receiver, unitId, { lat: 31.8, lon: 117.29 }, { agencyId: UNIT_AGENCY });
    const slow = await terminal(unitId);
    const fast = await terminal(unitId);
    await waitFor(() => svc.app.hub.clientCount >= 2, { what: 'both terminals attached' });
    slow.pause();
    // Fill the unit's channel directly (what the fan-out appends), paced so the reading
    // terminal stays within the bound, until the hub gives up on the one that does not read.
    const feedKey = new UnitFeed(svc.rt.redis.redis, `${prefix}notifications:`, 500).key(unitId);
    const big = JSON.stringify({ filler: 'x'.repeat(16_000) });
    let sent = 0;
    while (svc.app.hub.dropped === 0 && sent < 4_000) {
      const p = svc.rt.redis.redis.pipeline();
      for (let i = 0; i < 20; i++) p.xadd(feedKey, '*', 'type', 'homeward.alert.issued', 'data', big);
      await p.exec();
      sent += 20;
      await fast.waitForEvents(sent, 20_000);
    }
    await waitFor(() => svc.app.hub.dropped >= 1, { what: 'the slow terminal dropped' });
    // What comes after the drop goes to the reading terminal only.
    const after = svc.rt.redis.redis.pipeline();
    for (let i = 0; i < 20; i++) after.xadd(feedKey, '*', 'type', 'homeward.alert.issued', 'data', '{}');
    await after.exec();
    sent += 20;
    await fast.waitForEvents(sent, 20_000);
    slow.resume();
    await waitFor(() => slow.ended, { what: 'the slow terminal ended', timeoutMs: 10_000 });
    expect(slow.notices.at(-1)?.reason).toBe('slow-consumer');
    expect(slow.events.length).toBeLessThan(sent);
    expect(fast.events).toHaveLength(sent);
    expect(fast.ended).toBe(false);
    fast.close();
    slow.close();
  });
});
