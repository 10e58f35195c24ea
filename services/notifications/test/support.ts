import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CloudEvent, createEvent, type EventData, Topics } from '@homeward/events';
import type { ServiceHost, ServiceRuntime } from '@homeward/service-kit';
import {
  createTestTopics,
  deleteTestTopics,
  startServiceForTest,
  TopicCollector,
  testInfra,
  testRedis,
  uniqueName,
} from '@homeward/testing';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll } from 'vitest';
import { buildApp, type NotificationsApp } from '../src/app.ts';
import { NotificationsConfig } from '../src/config.ts';
import { WebhookSender } from '../src/delivery/webhook-sender.ts';
import type { TargetPolicy } from '../src/domain/webhook-target.ts';

// biome-ignore lint/suspicious/noExplicitAny: test responses are asserted field by field
type Json = any;

/** Quick retries and short deadlines, so failure paths finish in well under a second. */
export const FAST_ENV = {
  WEBHOOK_TIMEOUT_MS: '300',
  WEBHOOK_ATTEMPTS: '3',
  WEBHOOK_BACKOFF_BASE_MS: '20',
  WEBHOOK_BACKOFF_MAX_MS: '100',
  OUTCOME_FLUSH_MS: '20',
  STREAM_HEARTBEAT_MS: '200',
};

/** A sender of its own for a test: 1 s per attempt, three attempts a few ms apart, a circuit opening after ten failures. */
export function testSender(targets: TargetPolicy, connectionsPerOrigin = 2): WebhookSender {
  return new WebhookSender({
    concurrency: 4,
    connectionsPerOrigin,
    timeoutMs: 1_000,
    attempts: 3,
    backoffBaseMs: 5,
    backoffMaxMs: 10,
    breakerThreshold: 10,
    breakerCooldownMs: 1_000,
    targets,
  });
}

export interface RunningNotifications {
  rt: ServiceRuntime;
  app: NotificationsApp;
  host: ServiceHost;
  call: (
    method: 'GET' | 'PUT' | 'POST' | 'DELETE',
    url: string,
    opts?: { role?: string | null; body?: unknown },
  ) => Promise<{ status: number; body: Json }>;
  publish: (...events: CloudEvent[]) => Promise<void>;
  stop: () => Promise<void>;
}

/** Starts notifications on its own topics, database and Redis keys (consumers running). */
export async function startNotifications(opts: {
  prefix: string;
  dbName: string;
  env?: Record<string, string>;
}): Promise<RunningNotifications> {
  const svc = await startServiceForTest({
    name: 'notifications',
    configSchema: NotificationsConfig,
    buildApp,
    prefix: opts.prefix,
    dbName: opts.dbName,
    env: { ...FAST_ENV, ...opts.env },
    defaultRole: 'admin',
  });
  return {
    rt: svc.rt,
    app: svc.app,
    host: svc.host,
    call: (method, url, o = {}) =>
      svc.call(method, url, o.body, o.role === undefined ? {} : { role: o.role }),
    publish: svc.publish,
    stop: svc.stop,
  };
}

/** What an integration file shares: its topics, a receiver, one instance and its outcome events. */
export interface NotificationsStack {
  prefix: string;
  dbName: string;
  svc: RunningNotifications;
  receiver: Receiver;
  outcomes: TopicCollector;
}

/**
 * Starts a file's stack before its tests and removes it after them: topics named after `label`
 * (`partitions` each, or the default), a database named after it, one instance with `env`, and a
 * collector of its outcome events. The receiver stops before the instance, so a request still
 * open to a unit that hangs ends and the instance's stop does not wait for it.
 */
export function notificationsStack(
  label: string,
  opts: { partitions?: number; env?: Record<string, string> } = {},
): NotificationsStack {
  const stack = { dbName: newDbName(label) } as NotificationsStack;
  beforeAll(async () => {
    stack.prefix = await createTestTopics(label, opts.partitions);
    stack.receiver = await new Receiver().start();
    stack.svc = await startNotifications({
      prefix: stack.prefix,
      dbName: stack.dbName,
      ...(opts.env ? { env: opts.env } : {}),
    });
    stack.outcomes = await notificationCollector(stack.prefix);
  });
  afterAll(async () => {
    await stack.outcomes.stop();
    await stack.receiver.stop();
    await stack.svc.stop();
    await dropTestState(stack.prefix, stack.dbName);
    await deleteTestTopics(stack.prefix);
  });
  return stack;
}

export function newDbName(label: string): string {
  return uniqueName(label).replaceAll('-', '_');
}

export function notificationCollector(prefix: string): Promise<TopicCollector> {
  return new TopicCollector(`${prefix}${Topics.notificationEvents}`).start();
}

/** One request a receiver got. */
export interface Received {
  unitId: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/**
 * A real HTTP receiver on loopback: units are paths (`/u/<unitId>`); a unit can be told to
 * answer 500 or never to answer, or to answer only after a delay (a slow acknowledgement: it
 * has the request, its answer comes late).
 */
export class Receiver {
  readonly received: Received[] = [];
  readonly behaviour = new Map<string, 'fail' | 'hang'>();
  /** Milliseconds a unit waits before it answers 2xx to what it received. */
  readonly answerAfterMs = new Map<string, number>();
  /** Requests to a hanging unit still open (the sender has not given up on them), by unit. */
  private readonly open = new Map<string, number>();
  /** The most requests ever open at once to a hanging unit, by unit. */
  readonly maxOpen = new Map<string, number>();
  private server: Server | undefined;
  private port = 0;

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const unitId = decodeURIComponent((req.url ?? '').replace(/^\/u\//, ''));
        this.received.push({
          unitId,
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          at: Date.now(),
        });
        const b = this.behaviour.get(unitId);
        if (b === 'hang') {
          const open = (this.open.get(unitId) ?? 0) + 1;
          this.open.set(unitId, open);
          this.maxOpen.set(unitId, Math.max(open, this.maxOpen.get(unitId) ?? 0));
          // The sender gives up at its deadline and closes the connection.
          res.on('close', () => this.open.set(unitId, (this.open.get(unitId) ?? 1) - 1));
          return;
        }
        const delay = this.answerAfterMs.get(unitId);
        if (delay !== undefined) setTimeout(() => res.writeHead(204).end(), delay);
        else res.writeHead(b === 'fail' ? 500 : 204).end();
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  url(unitId: string): string {
    return `http://127.0.0.1:${this.port}/u/${encodeURIComponent(unitId)}`;
  }

  /** Requests for a unit, optionally only those carrying an event of this type. */
  of(unitId: string, type?: string): Received[] {
    return this.received.filter((r) => r.unitId === unitId && (!type || JSON.parse(r.body).type === type));
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }
}

/**
 * An independent implementation of Standard Webhooks verification (node:crypto only): the
 * signature must be v1,base64(HMAC-SHA256(key, "id.timestamp.body")).
 */
export function verifyStandardWebhook(secret: string, r: Received): boolean {
  const id = r.headers['webhook-id'];
  const ts = r.headers['webhook-timestamp'];
  const sig = r.headers['webhook-signature'];
  if (typeof id !== 'string' || typeof ts !== 'string' || typeof sig !== 'string') return false;
  const key = secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret);
  const expected = createHmac('sha256', key).update(`${id}.${ts}.${r.body}`).digest('base64');
  return sig.split(' ').some((s) => s === `v1,${expected}`) && Math.abs(Date.now() / 1000 - Number(ts)) < 300;
}

/** The point at `distanceKm` from `from` on `bearingDeg` (spherical, the test's own formula). */
export function destination(from: { lat: number; lon: number }, distanceKm: number, bearingDeg: number) {
  const R = 6371.0088;
  const rad = Math.PI / 180;
  const d = distanceKm / R;
  const b = bearingDeg * rad;
  const lat1 = from.lat * rad;
  const lon1 = from.lon * rad;
  const lat2 = Math.asin(Math.sin(lat1) * Math.cos(d) + Math.cos(lat1) * Math.sin(d) * Math.cos(b));
  const lon2 =
    lon1 +
    Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(lat1), Math.cos(d) - Math.sin(lat1) * Math.sin(lat2));
  return { lat: lat2 / rad, lon: lon2 / rad };
}

/** The test's own haversine, independent of the service's. */
export function haversine(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const h =
    Math.sin(((b.lat - a.lat) * rad) / 2) ** 2 +
    Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(((b.lon - a.lon) * rad) / 2) ** 2;
  return 2 * 6371.0088 * Math.asin(Math.sqrt(h));
}

export const CENTER = { lat: 31.7979, lon: 117.2906 };

export function issued(
  alertId: string,
  overrides: Partial<EventData<'homeward.alert.issued'>> = {},
  id?: string,
) {
  const data = {
    alertId,
    caseId: `case-${alertId}`,
    issuedAt: new Date().toISOString(),
    lastSeenAt: new Date(Date.now() - 20 * 60_000).toISOString(),
    lastSeenPlace: 'Hefei South Station, east exit',
    center: CENTER,
    region: '340104',
    radiusKm: 100,
    step: 0,
    child: {
      sex: 'male' as const,
      birthDate: '2019-05-01',
      description: 'red jacket, blue backpack',
      photoUrl: 'https://photos.example/c1.jpg',
    },
    ...overrides,
  };
  return createEvent('homeward.alert.issued', data, {
    source: 'homeward/rescue-coordination',
    ...(id ? { id } : {}),
  });
}

export function escalated(
  alertId: string,
  step: number,
  radiusKm: number,
  previousRadiusKm: number,
  center = CENTER,
) {
  return createEvent(
    'homeward.alert.escalated',
    {
      alertId,
      caseId: `case-${alertId}`,
      escalatedAt: new Date().toISOString(),
      center,
      radiusKm,
      previousRadiusKm,
      step,
    },
    { source: 'homeward/rescue-coordination' },
  );
}

export function cancelled(alertId: string) {
  return createEvent(
    'homeward.alert.cancelled',
    {
      alertId,
      caseId: `case-${alertId}`,
      cancelledAt: new Date().toISOString(),
      reason: 'found',
      note: 'found safe at Lu an bus station',
    },
    { source: 'homeward/rescue-coordination' },
  );
}

/** Registers a unit at a point, delivering to a receiver. */
export async function putUnit(
  svc: RunningNotifications,
  receiver: Receiver,
  unitId: string,
  at: { lat: number; lon: number },
  extra: { agencyId?: string; secret?: string } = {},
): Promise<void> {
  const res = await svc.call('PUT', `/v1/units/${unitId}`, {
    body: {
      name: `Unit ${unitId}`,
      kind: 'police-station',
      location: at,
      region: '340104',
      webhook: { url: receiver.url(unitId), secret: extra.secret ?? `secret-of-${unitId}-0123456789` },
      ...(extra.agencyId ? { agencyId: extra.agencyId } : {}),
    },
  });
  if (res.status !== 201 && res.status !== 200)
    throw new Error(`PUT unit ${unitId}: ${res.status} ${JSON.stringify(res.body)}`);
}

/** Drops a test file's database and its Redis keys (everything under its prefix). */
export async function dropTestState(prefix: string, dbName: string): Promise<void> {
  const client = await MongoClient.connect(testInfra().mongoUrl);
  await client
    .db(dbName)
    .dropDatabase()
    .catch(() => {});
  await client.close();
  const redis = testRedis();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
  redis.disconnect();
}
