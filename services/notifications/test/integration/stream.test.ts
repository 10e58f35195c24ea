import type { AddressInfo } from 'node:net';
import {
  createTestTopics,
  deleteTestTopics,
  devKey,
  SseClient,
  uniqueName,
  waitFor,
} from '@homeward/testing';
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
const dbName = newDbName('notif_stream');
let svc: RunningNotifications;
let receiver: Receiver;
let base: string;
const UNIT_AGENCY = 'hefei-south-station-police-post';
const headers = { authorization: `Bearer ${devKey('unit')}` };

beforeAll(async () => {
  prefix = await createTestTopics('notif-stream');
  receiver = await new Receiver().start();
  svc = await startNotifications({ prefix, dbName, env: { STREAM_MAX_BUFFER_BYTES: '65536' } });
  await svc.app.http.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(svc.app.http.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await svc.stop();
  await receiver.stop();
  await dropTestState(prefix, dbName);
  await deleteTestTopics(prefix);
});

const terminal = (unitId: string) => new SseClient(`${base}/v1/units/${unitId}/stream`, headers).open();

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
