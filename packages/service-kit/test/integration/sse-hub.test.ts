import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SseClient, testLogger, testRedis, uniqueName, waitFor } from '@homeward/testing';
import type { Redis } from 'ioredis';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SseHub, type SseHubOptions, sseFrame } from '../../src/index.ts';

interface Entry {
  id: string;
  type: string;
  data: string;
}

let redis: Redis;
let running: Array<{ hub: SseHub<Entry>; server: Server }> = [];

beforeAll(() => {
  redis = testRedis();
  return async () => {
    await redis.quit();
  };
});

afterEach(async () => {
  for (const { hub, server } of running) {
    await hub.stop();
    await new Promise((r) => server.close(r));
  }
  running = [];
});

/**
 * A hub behind a plain HTTP server: `/<key>?after=<id>&backlog=<n>&type=<t>&share=1` streams a
 * key, resumed after an id or with a backlog, filtered to one entry type (with the type as the
 * filter's share key when `share` is given).
 */
async function serve(options: Partial<SseHubOptions<Entry>> = {}) {
  const prefix = `${uniqueName('sse-hub')}:`;
  const hub = new SseHub<Entry>({
    redis,
    readerName: `${prefix}reader`,
    parse: (id, f) => ({ id, type: f[1] ?? '', data: f[3] ?? '' }),
    frame: (e) => sseFrame({ id: e.id, event: e.type, data: e.data }),
    heartbeatMs: 60_000,
    maxBufferBytes: 1_048_576,
    logger: testLogger(),
    ...options,
  });
  await hub.start();
  /**
   * Writes to each response: its own `write`s and the hub's writes of framed chunks straight to
   * its socket (not the socket writes node:http makes for the response's own calls).
   */
  const writes: number[] = [];
  /** Calls of the clients' filters. */
  const filtered = { calls: 0 };
  const server = createServer((req, res) => {
    const n = writes.push(0) - 1;
    let inResponse = false;
    type Write = (...a: unknown[]) => boolean;
    const write = res.write.bind(res) as Write;
    (res as { write: Write }).write = (...a) => {
      writes[n]!++;
      inResponse = true;
      try {
        return write(...a);
      } finally {
        inResponse = false;
      }
    };
    const socket = res.socket as unknown as { write: Write };
    const socketWrite = socket.write.bind(socket);
    socket.write = (...a) => {
      if (!inResponse) writes[n]!++;
      return socketWrite(...a);
    };
    const url = new URL(req.url ?? '/', 'http://x');
    const after = url.searchParams.get('after');
    const backlog = url.searchParams.get('backlog');
    const type = url.searchParams.get('type');
    void hub.attach(res, {
      key: `${prefix}${url.pathname.slice(1)}`,
      filter: type ? (e) => filtered.calls++ >= 0 && e.type === type : undefined,
      ...(type && url.searchParams.has('share') ? { shareKey: type } : {}),
      resume: after ? { after } : backlog ? { backlog: Number(backlog) } : undefined,
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  running.push({ hub, server });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    hub,
    prefix,
    writes,
    filtered,
    open: (path: string) => new SseClient(`${base}/${path}`).open(),
    add: (key: string, type: string, data: string) =>
      redis.xadd(`${prefix}${key}`, '*', 'type', type, 'data', data),
    readers: async () =>
      String(await redis.client('LIST'))
        .split('\n')
        .filter((l) => l.includes(` name=${prefix}reader `)).length,
  };
}

const payloads = (c: SseClient) => c.events.map((e) => e.data);

describe('SseHub', () => {
  it('serves many clients of many streams from one Redis reader, each only its own stream', async () => {
    const s = await serve();
    const fanOut: number[] = [];
    s.hub.onFanOut((seconds) => fanOut.push(seconds));
    const clients = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        s.open(`unit-${i % 3}`).then((c) => ({ c, key: `unit-${i % 3}` })),
      ),
    );
    await waitFor(() => s.hub.clientCount === 30, { what: '30 clients attached' });
    for (const key of ['unit-0', 'unit-1', 'unit-2']) await s.add(key, 'alert', `for ${key}`);
    for (const { c, key } of clients) {
      await c.waitForEvents(1);
      expect(c.status).toBe(200);
      expect(c.events).toEqual([
        { id: expect.stringMatching(/^\d+-\d+$/), event: 'alert', data: `for ${key}` },
      ]);
    }
    expect(await s.readers()).toBe(1);
    // Each entry's fan-out timed once (from its append to its write to the stream's last client).
    expect(fanOut).toHaveLength(3);
    for (const seconds of fanOut) expect(seconds).toBeGreaterThanOrEqual(0);
    for (const seconds of fanOut) expect(seconds).toBeLessThan(5);
    for (const { c } of clients) c.close();
    await waitFor(() => s.hub.clientCount === 0, { what: 'clients gone' });
  });

  it('reads a stream whose first client comes while the reader blocks on others, at once', async () => {
    const s = await serve({ blockMs: 20_000 });
    const first = await s.open('a');
    await s.add('a', 'alert', 'a-1');
    await first.waitForEvents(1);
    // The reader now blocks on `a` alone, for up to 20 s; `b` must not wait for that.
    const second = await s.open('b');
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    await s.add('b', 'alert', 'b-1');
    await second.waitForEvents(1, 5_000);
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(payloads(second)).toEqual(['b-1']);
    first.close();
    second.close();
  });

  it('resumes after an id (backlog, then live, nothing twice), and says when history was trimmed', async () => {
    const s = await serve();
    const ids: string[] = [];
    for (let i = 1; i <= 5; i++) ids.push((await s.add('feed', 'alert', `e${i}`))!);
    const resumed = await s.open(`feed?after=${ids[1]}`);
    await resumed.waitForEvents(3);
    await s.add('feed', 'alert', 'e6');
    await resumed.waitForEvents(4);
    await new Promise((r) => setTimeout(r, 100));
    expect(payloads(resumed)).toEqual(['e3', 'e4', 'e5', 'e6']);
    expect(resumed.notices).toEqual([]);

    await redis.xtrim(`${s.prefix}feed`, 'MAXLEN', 2);
    const late = await s.open(`feed?after=${ids[0]}`);
    await late.waitForEvents(2);
    expect(late.notices[0]).toMatchObject({ reason: 'history-truncated' });
    expect(payloads(late)).toEqual(['e5', 'e6']);
    resumed.close();
    late.close();
  });

  it('starts with the last N matching entries when asked for a backlog', async () => {
    const s = await serve();
    for (const [type, data] of [
      ['alert', 'a1'],
      ['ack', 'k1'],
      ['alert', 'a2'],
      ['alert', 'a3'],
      ['ack', 'k2'],
    ] as const)
      await s.add('feed', type, data);
    const c = await s.open('feed?backlog=2&type=alert');
    await c.waitForEvents(2);
    await s.add('feed', 'ack', 'k3');
    await s.add('feed', 'alert', 'a4');
    await c.waitForEvents(3);
    expect(payloads(c)).toEqual(['a2', 'a3', 'a4']);
    c.close();
  });

  it('coalesces what arrives within the flush interval into one write per client, every entry once and in order', async () => {
    const s = await serve({ flushIntervalMs: 1_000 });
    const open = await s.open('feed');
    const filtered = await s.open('feed?type=alert');
    await waitFor(() => s.hub.clientCount === 2, { what: 'both attached' });
    await s.add('feed', 'alert', 'first');
    await open.waitForEvents(1);
    // One at a time, within the window the first entry opened: without coalescing, each would
    // be a read and a write of its own.
    for (let i = 0; i < 40; i++) await s.add('feed', i % 2 ? 'ack' : 'alert', `e${i}`);
    await open.waitForEvents(41);
    await filtered.waitForEvents(21);
    const all = await redis.xrange(`${s.prefix}feed`, '-', '+');
    expect(open.events.map((e) => e.id)).toEqual(all.map(([id]) => id));
    expect(payloads(open)).toEqual(['first', ...Array.from({ length: 40 }, (_, i) => `e${i}`)]);
    expect(payloads(filtered)).toEqual(['first', ...Array.from({ length: 20 }, (_, i) => `e${2 * i}`)]);
    // `connected`, then `first`, then the 40 in a write or two (the adds may straddle a window).
    for (const n of s.writes) expect(n).toBeLessThanOrEqual(4);
    for (const n of s.writes) expect(n).toBeGreaterThanOrEqual(3);
    // A client that saw part of a coalesced write resumes after its last id, nothing twice.
    const resumed = await s.open(`feed?after=${all[20]![0]}`);
    await resumed.waitForEvents(20);
    await new Promise((r) => setTimeout(r, 100));
    expect(resumed.events.map((e) => e.id)).toEqual(all.slice(21).map(([id]) => id));
    open.close();
    filtered.close();
    resumed.close();
  });

  it('sends the entries one pipeline appends in one write per client, not its first entry alone', async () => {
    const s = await serve();
    const c = await s.open('feed');
    await waitFor(() => s.hub.clientCount === 1, { what: 'attached' });
    // Received once the reader has read the stream: it then blocks on it again.
    await s.add('feed', 'alert', 'first');
    await c.waitForEvents(1);
    // Redis answers the blocked read after the pipeline's first XADD, before the others run.
    const p = redis.pipeline();
    for (let i = 0; i < 20; i++) p.xadd(`${s.prefix}feed`, '*', 'type', 'alert', 'data', `e${i}`);
    await p.exec();
    await c.waitForEvents(21);
    await new Promise((r) => setTimeout(r, 100));
    expect(payloads(c)).toEqual(['first', ...Array.from({ length: 20 }, (_, i) => `e${i}`)]);
    // `connected`, `first`, then the twenty together.
    expect(s.writes).toEqual([3]);
    c.close();
  });

  it('filters and encodes a batch once per share key: clients of one key get the same frames, others their own', async () => {
    const s = await serve();
    const alerts = await Promise.all(Array.from({ length: 20 }, () => s.open('k?type=alert&share=1')));
    const acks = await Promise.all(Array.from({ length: 20 }, () => s.open('k?type=ack&share=1')));
    const own = await s.open('k?type=ack');
    await waitFor(() => s.hub.clientCount === 41, { what: '41 clients attached' });
    const before = s.filtered.calls;
    for (const [type, data] of [
      ['alert', 'a-1'],
      ['ack', 'k-1'],
      ['alert', 'a-2'],
    ] as const) {
      await s.add('k', type, data);
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const c of alerts) await c.waitForEvents(2);
    for (const c of [...acks, own]) await c.waitForEvents(1);
    await new Promise((r) => setTimeout(r, 200));
    for (const c of alerts) expect(payloads(c)).toEqual(['a-1', 'a-2']);
    for (const c of [...acks, own]) expect(payloads(c)).toEqual(['k-1']);
    expect(alerts.every((c) => c.events[0]!.id === alerts[0]!.events[0]!.id)).toBe(true);
    // Each entry through each key's filter once (2 keys), and through the unshared client's own:
    // not once per client (41 each).
    expect(s.filtered.calls - before).toBe(3 * 3);
    for (const c of [...alerts, ...acks, own]) c.close();
  });

  it('drops a client that stops reading with a notice, and nobody waits for it', async () => {
    const s = await serve({ maxBufferBytes: 65_536 });
    const slow = await s.open('feed');
    const fast = await s.open('feed');
    await waitFor(() => s.hub.clientCount === 2, { what: 'both attached' });
    slow.pause();
    const big = 'x'.repeat(16_000);
    let sent = 0;
    while (s.hub.dropped === 0 && sent < 4_000) {
      const p = redis.pipeline();
      for (let i = 0; i < 20; i++) p.xadd(`${s.prefix}feed`, '*', 'type', 'load', 'data', big);
      await p.exec();
      sent += 20;
      await fast.waitForEvents(sent, 20_000);
    }
    expect(s.hub.dropped).toBe(1);
    await s.add('feed', 'alert', 'after');
    sent++;
    slow.resume();
    await waitFor(() => slow.ended, { what: 'the slow client ended', timeoutMs: 10_000 });
    expect(slow.notices.at(-1)?.reason).toBe('slow-consumer');
    expect(slow.events.length).toBeLessThan(sent);
    await fast.waitForEvents(sent, 20_000);
    expect(fast.ended).toBe(false);
    expect(s.hub.clientCount).toBe(1);
    fast.close();
  });

  it('sends heartbeats, and on stop ends every stream with a notice and closes its reader', async () => {
    const s = await serve({ heartbeatMs: 50, retryMs: 3_000 });
    const c = await s.open('feed');
    await waitFor(() => c.comments >= 3, { what: 'connected and two heartbeats' });
    expect(await s.readers()).toBe(1);
    await s.hub.stop();
    await waitFor(() => c.ended, { what: 'the stream ended' });
    expect(c.notices).toEqual([{ reason: 'shutting-down' }]);
    await waitFor(async () => (await s.readers()) === 0, { what: 'the reader closed' });
  });
});
