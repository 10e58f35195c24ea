import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { testRedis, uniqueName } from '@homeward/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryResult, WebhookSender } from '../../src/delivery/webhook-sender.ts';
import { parseAllowedNets } from '../../src/domain/webhook-target.ts';
import { ClaimLedger } from '../../src/store/claim-ledger.ts';
import { parseFeedEntry, UnitFeed } from '../../src/store/unit-feed.ts';
import { INDEX_LOST } from '../../src/store/unit-index.ts';
import { testSender } from '../support.ts';

let redis: Redis;
let prefix: string;

beforeAll(() => {
  redis = testRedis();
  prefix = `${uniqueName('notif-ledger')}:`;
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe('ClaimLedger.claim: the unit ids and the answer cross as newline-joined lists', () => {
  it('claims, waits and skips unit by unit, each claimed unit with its target or none, whatever its id', async () => {
    const ledger = new ClaimLedger(redis, prefix);
    const index = { targetsKey: `${prefix}units:targets`, metaKey: `${prefix}units:meta` };
    const { targetsKey } = index;
    // Every character a unit id may hold, and a unit with no target (removed since the search).
    const ids = ['a', 'u:b-c.d_e', 'Z9', 'gone'];
    const target = (id: string) => JSON.stringify({ url: `http://127.0.0.1:9/u/${id}`, secret: 's' });
    await redis.hset(targetsKey, 'a', target('a'), 'u:b-c.d_e', target('u:b-c.d_e'), 'Z9', target('Z9'));
    await redis.hset(index.metaKey, 'generation', 3, 'count', 3);
    await ledger.initialise('alert-1', 'alert');
    const first = await ledger.claim('alert-1', 'alert', 0, 'one', 30_000, ids, index);
    expect(first).toEqual({
      claimed: ids,
      waiting: [],
      targets: [target('a'), target('u:b-c.d_e'), target('Z9'), ''],
    });
    // Another instance meanwhile: every unit is under a live lease.
    const other = await ledger.claim('alert-1', 'alert', 0, 'two', 30_000, ids, index);
    expect(other).toEqual({ claimed: [], waiting: ids, targets: [] });
    // Settled, or claimed by an earlier step: skipped; a new unit is claimed.
    await ledger.settle([
      { alertId: 'alert-1', kind: 'alert', unitId: 'a', status: 'delivered', step: 0, attempts: 1, at: 1 },
    ]);
    const next = await ledger.claim('alert-1', 'alert', 1, 'one', 30_000, ['a', 'Z9', 'new'], index);
    expect(next).toEqual({ claimed: ['new'], waiting: [], targets: [''] });
  });

  it('a lone claimed unit without a target is one empty target, not none', async () => {
    const ledger = new ClaimLedger(redis, prefix);
    await ledger.initialise('alert-2', 'alert');
    const index = { targetsKey: `${prefix}none`, metaKey: `${prefix}none:meta` };
    await redis.hset(index.metaKey, 'generation', 1, 'count', 0);
    const only = await ledger.claim('alert-2', 'alert', 0, 'one', 30_000, ['gone'], index);
    expect(only).toEqual({ claimed: ['gone'], waiting: [], targets: [''] });
  });

  it('claims nothing and says so when Redis lost the index since the search: its targets or its count gone', async () => {
    const ledger = new ClaimLedger(redis, prefix);
    await ledger.initialise('alert-3', 'alert');
    const index = { targetsKey: `${prefix}lost:targets`, metaKey: `${prefix}lost:meta` };
    const target = JSON.stringify({ url: 'http://127.0.0.1:9/u/a', secret: 's' });
    // The count says two units; the targets hash lost them (one written since, alone in it).
    await redis.hset(index.metaKey, 'generation', 2, 'count', 2);
    await redis.hset(index.targetsKey, 'late', target);
    expect(await ledger.claim('alert-3', 'alert', 0, 'one', 30_000, ['a', 'b'], index)).toBe(INDEX_LOST);
    // The meta hash gone too.
    await redis.del(index.metaKey);
    expect(await ledger.claim('alert-3', 'alert', 0, 'one', 30_000, ['a', 'b'], index)).toBe(INDEX_LOST);
    expect([...(await ledger.claims('alert-3', 'alert')).keys()]).toEqual([]);
    // Rebuilt: the same claim goes through.
    await redis.hset(index.targetsKey, 'a', target, 'b', target);
    await redis.hset(index.metaKey, 'generation', 3, 'count', 3);
    expect(await ledger.claim('alert-3', 'alert', 0, 'one', 30_000, ['a', 'b'], index)).toEqual({
      claimed: ['a', 'b'],
      waiting: [],
      targets: [target, target],
    });
  });
});

describe('UnitFeed.append: the unit ids as one newline-joined argument', () => {
  it('appends the event once to each named unit’s own stream, whatever its id', async () => {
    const feed = new UnitFeed(redis, prefix, 3);
    // An id holding n: the script splits on newlines only (a pattern written with one escape too
    // few would split on the letter).
    const ids = ['a', 'u:b-c.d_e', 'Z9', 'n.n-1'];
    await feed.append(ids, 'homeward.alert.issued', '{"n":1}');
    for (const id of ids) {
      const entries = await redis.xrange(feed.key(id), '-', '+');
      expect(entries.map(([entryId, fields]) => parseFeedEntry(entryId, fields))).toEqual([
        { id: entries[0]![0], type: 'homeward.alert.issued', data: '{"n":1}' },
      ]);
    }
    // Only those streams: no key made of a joined list or of part of an id.
    expect((await redis.keys(`${prefix}unit:*`)).sort()).toEqual(ids.map((id) => feed.key(id)).sort());
  });
});

describe('WebhookSender.send: one callback per delivery, without a promise', () => {
  let server: Server;
  let port: number;
  /** Webhook ids received, with whether each signature was right; paths ending in -flaky fail once. */
  const received: Array<{ id: string; signed: boolean }> = [];
  const failedOnce = new Set<string>();
  const connections = { count: 0 };
  const SECRET = 'a-secret-of-24-characters-or-more';

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const id = String(req.headers['webhook-id']);
        const ts = String(req.headers['webhook-timestamp']);
        const body = Buffer.concat(chunks).toString('utf8');
        const mac = createHmac('sha256', SECRET).update(`${id}.${ts}.${body}`).digest('base64');
        received.push({ id, signed: req.headers['webhook-signature'] === `v1,${mac}` });
        if (req.url?.endsWith('-flaky') && !failedOnce.has(id)) {
          failedOnce.add(id);
          res.writeHead(503).end();
          return;
        }
        res.writeHead(204).end();
      });
    });
    server.on('connection', () => connections.count++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });

  /** A sender to the loopback receiver; `allowed` '' refuses every target. */
  const sender = (connectionsPerOrigin: number, allowed = '127.0.0.0/8') =>
    testSender({ requireHttps: false, allowed: parseAllowedNets(allowed) }, connectionsPerOrigin);

  /** Sends each unit one webhook; resolves with each callback's arguments, by unit. */
  const sendAll = (s: WebhookSender, units: string[], prefixId: string) =>
    new Promise<Map<string, Array<[unknown, DeliveryResult | undefined]>>>((resolve) => {
      const calls = new Map<string, Array<[unknown, DeliveryResult | undefined]>>();
      let left = units.length;
      for (const u of units) {
        calls.set(u, []);
        s.send(
          u,
          { url: `http://127.0.0.1:${port}/u/${u}`, secret: SECRET },
          `${prefixId}.${u}`,
          Buffer.from(`{"unit":"${u}"}`),
          'application/json',
          'lane',
          (err, r) => {
            calls.get(u)!.push([err, r]);
            if (--left === 0) setTimeout(() => resolve(calls), 50);
          },
        );
      }
    });

  it('tells each delivery once: at once on a 2xx, after a retry on a 503; 40 webhooks over one connection, each signed', async () => {
    const s = sender(1);
    try {
      const units = Array.from({ length: 40 }, (_, i) => (i % 10 === 0 ? `u${i}-flaky` : `u${i}`));
      const calls = await sendAll(s, units, 'evt');
      for (const u of units) {
        const c = calls.get(u)!;
        expect(c, u).toHaveLength(1);
        const [err, r] = c[0]!;
        expect(err).toBeUndefined();
        expect(r).toMatchObject({ ok: true, attempts: u.endsWith('-flaky') ? 2 : 1 });
      }
      // 40 first attempts and 4 retries, each signed for its own id; the pool kept its one connection.
      expect(received).toHaveLength(44);
      expect(received.every((x) => x.signed)).toBe(true);
      expect(new Set(received.map((x) => x.id)).size).toBe(40);
      expect(connections.count).toBe(1);
    } finally {
      await s.close();
    }
  });

  it('a refused target is told before send returns, with no request', async () => {
    const s = sender(1, '');
    const before = received.length;
    let told: DeliveryResult | undefined;
    s.send(
      'u',
      { url: `http://127.0.0.1:${port}/u/refused`, secret: SECRET },
      'evt.refused',
      '{}',
      'application/json',
      'lane',
      (_err, r) => {
        told = r;
      },
    );
    expect(told).toMatchObject({ ok: false, attempts: 1, reason: 'target-refused' });
    await s.close();
    expect(received.length).toBe(before);
  });
});
