// What the notifications benchmarks share (notifications-fanout, notifications-burst): loopback
// receivers in a child process, the service started in this process on its own topics, database
// and Redis keys, units written straight into MongoDB, the alert events, and the ceiling (plain
// signed POSTs from one Node process to the same receivers, in the same run).
import { fork } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Session } from 'node:inspector/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { PerformanceObserver, constants as perfConstants } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { allTopics, createEvent } from '@homeward/events';
import { deleteTopics, ensureTopics, repoRoot } from '@homeward/infra-local';
import { EventPublisher, prefixTopics } from '@homeward/messaging';
// The bench has no dependency on the kit of its own: the service's kit, by path (one module instance).
import {
  createLogger,
  createRuntime,
  loadConfig,
  ServiceHost,
} from '../../packages/service-kit/src/index.ts';
import { buildApp } from '../../services/notifications/src/app.ts';
import { NotificationsConfig } from '../../services/notifications/src/config.ts';
import { benchInfra, benchKafka } from './infra.ts';
import { cpuSeconds, pidsNamed } from './proc-cpu.ts';

export const out = (s: string) => process.stdout.write(`${s}\n`);
/** Wall-clock milliseconds, comparable between this process and the receivers' child. */
export const now = () => performance.timeOrigin + performance.now();
export const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

/** The p-th percentile of an ascending array. */
export function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

// ------------------------------------------------------------------------------------------
// Receivers (child process): K node:http servers. A unit path ending in `-fail` answers 503,
// `-hang` never answers; every other request answers 204 and is noted with its arrival time and
// its alert (the webhook-id up to its first dot: `<alertId>.alert.<step>.<unitId>`, or `plain`).
// ------------------------------------------------------------------------------------------
const RECEIVERS_ENV = 'HOMEWARD_BENCH_RECEIVERS';

/** One healthy request a receiver answered. */
export interface Arrival {
  at: number;
  alert: string;
}

if (process.env[RECEIVERS_ENV]) {
  const k = Number(process.env[RECEIVERS_ENV]);
  let healthy: Arrival[] = [];
  let unhealthy = 0;
  /** The healthy count the bench waits for: told once, when it is reached (no polling). */
  let awaited = Number.POSITIVE_INFINITY;
  const ports: number[] = [];
  for (let i = 0; i < k; i++) {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const url = req.url ?? '';
        if (url.endsWith('-hang')) {
          unhealthy++;
          return;
        }
        if (url.endsWith('-fail')) {
          unhealthy++;
          res.writeHead(503).end();
          return;
        }
        const id = String(req.headers['webhook-id'] ?? '');
        healthy.push({ at: now(), alert: id.slice(0, id.indexOf('.')) });
        res.writeHead(204).end();
        if (healthy.length >= awaited) {
          awaited = Number.POSITIVE_INFINITY;
          process.send?.({ reached: healthy.length });
        }
      });
    });
    server.keepAliveTimeout = 60_000;
    // A hanging unit hangs: the server never times its requests out for it.
    server.headersTimeout = 0;
    server.requestTimeout = 0;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    ports.push((server.address() as AddressInfo).port);
  }
  process.on('message', (m: { cmd: string; n?: number }) => {
    if (m.cmd === 'await') {
      if (healthy.length >= m.n!) process.send?.({ reached: healthy.length });
      else awaited = m.n!;
    }
    if (m.cmd === 'count') process.send?.({ count: healthy.length, unhealthy });
    if (m.cmd === 'take') {
      process.send?.({ healthy });
      healthy = [];
    }
    if (m.cmd === 'exit') process.exit(0);
  });
  // The bench gone (killed, crashed): the receivers go too.
  process.on('disconnect', () => process.exit(0));
  process.send?.({ ports });
}

/** The receivers' child process, as the bench talks to it. */
export interface Receivers {
  ports: number[];
  /** The receivers' process id (for its CPU time). */
  pid: number;
  count(): Promise<{ count: number; unhealthy: number }>;
  /** The healthy arrivals since the last take, and forgets them. */
  take(): Promise<Arrival[]>;
  /**
   * Waits until `n` healthy requests have arrived since the last take: the receivers say so when
   * it happens, so the side being measured pays no polling meanwhile.
   */
  waitCount(n: number, timeoutMs: number): Promise<void>;
  /** Waits until no request has arrived for a second (a warm-up's stragglers), then takes. */
  drain(): Promise<void>;
  stop(): void;
}

/** Starts K receivers in a child process (same loader flags as this one). */
export async function startReceivers(k: number): Promise<Receivers> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    execArgv: process.execArgv,
    env: { ...process.env, [RECEIVERS_ENV]: String(k) },
    stdio: 'inherit',
  });
  const ask = <T>(cmd: string): Promise<T> =>
    new Promise((resolve) => {
      child.once('message', (m) => resolve(m as T));
      child.send({ cmd });
    });
  const { ports } = await new Promise<{ ports: number[] }>((r) =>
    child.once('message', (m) => r(m as { ports: number[] })),
  );
  const count = () => ask<{ count: number; unhealthy: number }>('count');
  const take = async () => (await ask<{ healthy: Arrival[] }>('take')).healthy;
  return {
    ports,
    pid: child.pid!,
    count,
    take,
    async waitCount(n, timeoutMs) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(async () => {
          child.off('message', onMessage);
          const { count: c } = await count();
          reject(new Error(`only ${c} of ${n} healthy deliveries arrived`));
        }, timeoutMs);
        const onMessage = (m: { reached?: number }) => {
          if (m.reached === undefined) return;
          clearTimeout(timer);
          child.off('message', onMessage);
          resolve();
        };
        child.on('message', onMessage);
        child.send({ cmd: 'await', n });
      });
    },
    async drain() {
      for (let last = -1; ; ) {
        const { count: c } = await count();
        if (c === last && c > 0) break;
        last = c;
        await sleep(1000);
      }
      await take();
    },
    stop: () => child.send({ cmd: 'exit' }),
  };
}

// ------------------------------------------------------------------------------------------
// CPU: where a phase's CPU went (this process, the receivers, Redis, FerretDB, Kafka), so a
// figure taken on a loaded machine still says what each delivery cost, and a profile of this
// process (the service) over one phase.
// ------------------------------------------------------------------------------------------

/** CPU seconds so far, by process: this one (service or ceiling), the receivers, the stores. */
export interface CpuSnapshot {
  bench: number;
  /** This process's main thread alone (JavaScript; the rest of `bench` is V8's and libuv's helper threads). */
  main: number;
  receivers: number;
  redis: number;
  ferretdb: number;
  kafka: number;
}

export function cpuSnapshot(receiversPid: number): CpuSnapshot {
  const own = process.cpuUsage();
  const sum = (name: string) => pidsNamed(name).reduce((a, p) => a + cpuSeconds(p), 0);
  return {
    bench: (own.user + own.system) / 1e6,
    main: mainThreadSeconds(),
    receivers: cpuSeconds(receiversPid),
    redis: sum('redis-server'),
    ferretdb: sum('ferretdb'),
    kafka: sum('java'),
  };
}

/** CPU seconds of this process's main thread (Linux /proc, in clock ticks of 10 ms). */
function mainThreadSeconds(): number {
  try {
    const stat = readFileSync(`/proc/${process.pid}/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** CPU ms per `per` units of work between two snapshots, one line (the shared stores include anything else using them). */
export function cpuLine(a: CpuSnapshot, b: CpuSnapshot, units: number, per = 1000): string {
  const f = (k: keyof CpuSnapshot) => (((b[k] - a[k]) * 1000 * per) / units).toFixed(0);
  return `this process ${f('bench')} (main thread ${f('main')}), receivers ${f('receivers')}, Redis ${f('redis')}, FerretDB ${f('ferretdb')}, Kafka ${f('kafka')}`;
}

/** This process's garbage-collection pauses so far: count and milliseconds, minor and major. */
export interface GcSnapshot {
  minor: number;
  minorMs: number;
  major: number;
  majorMs: number;
}

const gcTotals: GcSnapshot = { minor: 0, minorMs: 0, major: 0, majorMs: 0 };
let gcObserver: PerformanceObserver | undefined;

/**
 * GC pauses of this process since it was first asked (an observer of V8's GC entries, started on
 * the first call): what a run's slower deliveries may owe to the collector rather than to load.
 */
export function gcSnapshot(): GcSnapshot {
  if (!gcObserver) {
    gcObserver = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
        if (kind === perfConstants.NODE_PERFORMANCE_GC_MINOR) {
          gcTotals.minor++;
          gcTotals.minorMs += e.duration;
        } else {
          gcTotals.major++;
          gcTotals.majorMs += e.duration;
        }
      }
    });
    gcObserver.observe({ entryTypes: ['gc'] });
  }
  return { ...gcTotals };
}

/** The GC pauses between two snapshots, one line. */
export function gcLine(a: GcSnapshot, b: GcSnapshot): string {
  return (
    `${b.minor - a.minor} minor ${(b.minorMs - a.minorMs).toFixed(1)} ms, ` +
    `${b.major - a.major} major or incremental ${(b.majorMs - a.majorMs).toFixed(1)} ms`
  );
}

/**
 * A CPU profile of this process while `fn` runs, written to `dir` (BENCH_PROFILE) as
 * `<label>.cpuprofile`; without a dir, just `fn`.
 */
export async function profiled<T>(dir: string | undefined, label: string, fn: () => Promise<T>): Promise<T> {
  if (!dir) return fn();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  // V8's default (1 ms) gives a few hundred samples per fan-out on a loaded machine.
  const interval = Number(process.env.BENCH_PROFILE_INTERVAL_US ?? 0);
  if (interval > 0) await session.post('Profiler.setSamplingInterval', { interval });
  await session.post('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(`${dir}/${label}.cpuprofile`, JSON.stringify(profile));
    session.disconnect();
  }
}

// ------------------------------------------------------------------------------------------
// Units and events
// ------------------------------------------------------------------------------------------

export const CENTER = { lat: 31.7979, lon: 117.2906 };

/** The point at `km` from `from` on `bearingDeg`, on the mean sphere. */
export function destinationPoint(from: { lat: number; lon: number }, km: number, bearingDeg: number) {
  const rad = Math.PI / 180;
  const d = km / 6371.0088;
  const b = bearingDeg * rad;
  const lat1 = from.lat * rad;
  const lat2 = Math.asin(Math.sin(lat1) * Math.cos(d) + Math.cos(lat1) * Math.sin(d) * Math.cos(b));
  const lon2 =
    from.lon * rad +
    Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(lat1), Math.cos(d) - Math.sin(lat1) * Math.sin(lat2));
  return { lat: lat2 / rad, lon: lon2 / rad };
}

/** A unit as the registry stores it, webhook on receiver `i % K`. */
export function unitDoc(unitId: string, at: { lat: number; lon: number }, port: number) {
  return {
    _id: unitId,
    name: `Unit ${unitId}`,
    kind: 'police-station' as const,
    location: at,
    region: '340104',
    agencyId: unitId,
    webhook: {
      url: `http://127.0.0.1:${port}/u/${unitId}`,
      secret: `whsec_${randomBytes(24).toString('base64')}`,
    },
    createdAt: new Date(),
    updatedAt: new Date(),
  };
}
export type UnitDocument = ReturnType<typeof unitDoc>;

/** `homeward.alert.issued` as rescue-coordination publishes it. */
export function issued(alertId: string, center: { lat: number; lon: number }, radiusKm: number) {
  return createEvent(
    'homeward.alert.issued',
    {
      alertId,
      caseId: `case-${alertId}`,
      issuedAt: new Date().toISOString(),
      lastSeenAt: new Date(Date.now() - 600_000).toISOString(),
      lastSeenPlace: 'Hefei South Station, east exit',
      center,
      region: '340104',
      radiusKm,
      step: 0,
      child: {
        sex: 'female',
        birthDate: '2019-05-01',
        description: 'yellow coat, white shoes',
        photoUrl: 'https://photos.example/c.jpg',
      },
    },
    { source: 'homeward/rescue-coordination' },
  );
}

// ------------------------------------------------------------------------------------------
// The service under test
// ------------------------------------------------------------------------------------------

export interface BenchService {
  app: Awaited<ReturnType<typeof buildApp>>;
  config: ReturnType<typeof loadConfig<typeof NotificationsConfig>>;
  /** Publishes alerts as their owner, rescue-coordination (the service may not write that topic). */
  alerts: EventPublisher;
  /** The service's Redis connection (for what the bench reads of its keys). */
  redis: Awaited<ReturnType<typeof createRuntime>>['redis']['redis'];
  /** Stops the service and drops its topics, database and Redis keys. */
  stop(): Promise<void>;
}

/**
 * Starts notifications on its own topics (3 partitions), database and Redis keys, with `docs`
 * written straight into MongoDB and the index rebuilt from them (the service's start-up path).
 * The service's tuning variables (WEBHOOK_*, OUTCOME_*, ALERT_CONCURRENCY) may be set in the
 * environment.
 */
export async function startService(label: string, docs: UnitDocument[]): Promise<BenchService> {
  const runId = randomBytes(3).toString('hex');
  const prefix = `bench-${label}-${runId}.`;
  const dbName = `bench_${label}_${runId}`;
  const infra = await benchInfra();
  await ensureTopics(infra.kafkaBrokers, allTopics, { prefix, partitions: 3, security: infra.security });
  const config = loadConfig(NotificationsConfig, {
    ...process.env,
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    KAFKA_SASL: infra.security.sasl,
    MONGO_URL: infra.mongoUrl,
    REDIS_URL: infra.redisUrl,
    TOPIC_PREFIX: prefix,
    MONGO_DB: dbName,
    LOG_LEVEL: 'warn',
    CREDENTIALS_FILE: `${repoRoot}/infra/local/dev-credentials.json`,
  });
  const logger = createLogger({ name: `notifications-${label}-bench`, level: 'warn' });
  const rt = await createRuntime({ name: 'notifications', config, logger, dbName });
  const app = await buildApp(rt, config);
  const host = new ServiceHost(rt, app);
  const alerts = new EventPublisher({
    kafka: benchKafka(infra, 'bench-alerts', 'rescue-coordination'),
    topics: prefixTopics(prefix),
    logger,
  });
  const stop = async () => {
    await alerts.disconnect().catch(() => {});
    await host.stop().catch(() => {});
    const cleanup = await createRuntime({ name: 'notifications', config, logger, dbName });
    await cleanup.mongo.db.dropDatabase();
    const keys = await cleanup.redis.redis.keys(`${prefix}*`);
    for (let i = 0; i < keys.length; i += 500) await cleanup.redis.redis.del(...keys.slice(i, i + 500));
    await cleanup.publisher.disconnect();
    await cleanup.mongo.close();
    await cleanup.redis.close();
    await deleteTopics(infra.kafkaBrokers, prefix, infra.security);
  };
  try {
    const units = rt.mongo.db.collection<UnitDocument>('units');
    for (let i = 0; i < docs.length; i += 1000) await units.insertMany(docs.slice(i, i + 1000));
    await rt.mongo.db
      .collection('registry_meta')
      .insertOne({ _id: 'units' as never, generation: 1, count: docs.length });
    for (const c of app.consumers) await c.start();
    rt.relay.start();
    for (const w of app.workers ?? []) await w.start();
    rt.lifecycle.accepting = true;
    await alerts.connect();
  } catch (err) {
    await stop();
    throw err;
  }
  return { app, config, alerts, redis: rt.redis.redis, stop };
}

/** Counts the settled claims of a ledger hash in Redis (the bench process parses one number). */
const COUNT_SETTLED = `
local n = 0
local all = redis.call('HVALS', KEYS[1])
for i = 1, #all do
  local t = string.sub(all[i], 1, 2)
  if t == 'd|' or t == 'f|' then n = n + 1 end
end
return n
`;

/**
 * Waits until `n` claims of the alert are settled (outcomes published and recorded); when. The
 * count is made in Redis: reading the 10,000-field ledger into this process every 50 ms cost the
 * service's process more CPU than some of what it measured.
 */
export async function waitSettled(svc: BenchService, alertId: string, n: number): Promise<number> {
  const redis = svc.redis;
  const key = svc.app.ledger.key(alertId, 'alert');
  for (;;) {
    if (Number(await redis.eval(COUNT_SETTLED, 1, key)) >= n) return now();
    await sleep(50);
  }
}

// ------------------------------------------------------------------------------------------
// The ceiling
// ------------------------------------------------------------------------------------------

/** The undici the service uses (the bench has no dependency of its own on it). */
type Undici = typeof import('../../services/notifications/node_modules/undici/index.js');
type CeilingAgent = InstanceType<Undici['Agent']>;

/**
 * The ceiling's connection pool: an undici Agent of the service's pool size. Passed to
 * {@link plainPosts} again and again, it keeps its connections warm between runs, as the
 * service's own pool does between alerts; the caller closes it.
 */
export function ceilingAgent(config: { WEBHOOK_CONNECTIONS_PER_ORIGIN: number }): CeilingAgent {
  const require = createRequire(new URL('../../services/notifications/package.json', import.meta.url));
  const { Agent } = require('undici') as Undici;
  return new Agent({ connections: config.WEBHOOK_CONNECTIONS_PER_ORIGIN, keepAliveTimeout: 30_000 });
}

/**
 * The ceiling: `rounds` signed POSTs of `body` to every unit of `docs`, from this process with
 * an undici Agent of the service's pool size (`agent`, kept open, or a new one closed at the
 * end) and the same bound on requests in flight, an HMAC per request, nothing else.
 */
export async function plainPosts(
  docs: Array<{ _id: string; webhook: { url: string; secret: string } }>,
  rounds: number,
  body: string,
  config: { WEBHOOK_CONCURRENCY: number; WEBHOOK_CONNECTIONS_PER_ORIGIN: number },
  shared?: CeilingAgent,
): Promise<{ start: number }> {
  const agent = shared ?? ceilingAgent(config);
  const total = docs.length * rounds;
  const start = now();
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const n = next++;
      const d = docs[n % docs.length]!;
      const url = new URL(d.webhook.url);
      const id = `plain.${n}.${d._id}`;
      const ts = Math.floor(Date.now() / 1000);
      const key = Buffer.from(d.webhook.secret.slice(6), 'base64');
      const sig = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64');
      const res = await agent.request({
        origin: url.origin,
        path: url.pathname,
        method: 'POST',
        headers: {
          'content-type': 'application/cloudevents+json; charset=utf-8',
          'webhook-id': id,
          'webhook-timestamp': String(ts),
          'webhook-signature': `v1,${sig}`,
        },
        body,
      });
      await res.body.dump();
    }
  };
  await Promise.all(Array.from({ length: config.WEBHOOK_CONCURRENCY }, worker));
  if (!shared) await agent.close();
  return { start };
}
