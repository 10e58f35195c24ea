// Notifications under a burst: ALERTS alerts (200) published within one second, each reaching
// every one of UNITS units (500), so 100,000 deliveries; 1% of the units fail (503) or hang (never
// answer). Measured from outside: when every healthy unit has had every alert (the last healthy
// webhook after the first publish), the first webhook of each alert after its publish (median,
// p99), and whether the failing units held anybody back. Beside it, in the same run, the ceiling:
// the same number of healthy signed POSTs from one Node process to the same receivers. Goal: the
// healthy units' last webhook within 2x the ceiling. Receivers run in a child process.
// Run: npm run bench -- notifications-burst [-- alerts units]
import { fork } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { allTopics, createEvent, encodeHttpStructured } from '@homeward/events';
import { deleteTopics, ensureTopics, repoRoot } from '@homeward/infra-local';
import { EventPublisher, prefixTopics } from '@homeward/messaging';
import {
  createLogger,
  createRuntime,
  loadConfig,
  ServiceHost,
} from '../../packages/service-kit/src/index.ts';
import { buildApp } from '../../services/notifications/src/app.ts';
import { NotificationsConfig } from '../../services/notifications/src/config.ts';
import { benchInfra, benchKafka } from './infra.ts';

const out = (s: string) => process.stdout.write(`${s}\n`);
const now = () => performance.timeOrigin + performance.now();

// ------------------------------------------------------------------------------------------
// Receiver mode (child process): node:http servers; a unit path ending in `-fail` answers 503,
// `-hang` never answers; healthy arrivals are noted with their alert (from the webhook-id).
// ------------------------------------------------------------------------------------------
if (process.argv[2] === '--receivers') {
  const k = Number(process.argv[3] ?? 4);
  let healthy: Array<{ at: number; alert: string }> = [];
  let unhealthy = 0;
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
        // webhook-id: <alertId>.alert.<step>.<unitId>, or plain.<n>.<unitId> for the ceiling.
        const id = String(req.headers['webhook-id'] ?? '');
        healthy.push({ at: now(), alert: id.slice(0, id.indexOf('.')) });
        res.writeHead(204).end();
      });
    });
    server.keepAliveTimeout = 60_000;
    server.headersTimeout = 0;
    server.requestTimeout = 0;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    ports.push((server.address() as AddressInfo).port);
  }
  process.on('message', (m: { cmd: string }) => {
    if (m.cmd === 'count') process.send?.({ count: healthy.length, unhealthy });
    if (m.cmd === 'take') {
      process.send?.({ healthy });
      healthy = [];
    }
    if (m.cmd === 'exit') process.exit(0);
  });
  process.send?.({ ports });
} else {
  await main();
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function main(): Promise<void> {
  const ALERTS = Number(process.argv[2] ?? 200);
  const UNITS = Number(process.argv[3] ?? 500);
  const K = 4;
  const bad = Math.max(1, Math.round(UNITS / 100));
  const runId = randomBytes(3).toString('hex');
  const prefix = `bench-burst-${runId}.`;
  const dbName = `bench_burst_${runId}`;
  const center = { lat: 31.7979, lon: 117.2906 };
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(1))
      .join(' ');

  const child = fork(process.argv[1]!, ['--receivers', String(K)], {
    execArgv: process.execArgv,
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
  const waitCount = async (n: number, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { count } = await ask<{ count: number }>('count');
      if (count >= n) return;
      if (Date.now() > deadline) throw new Error(`only ${count} of ${n} healthy deliveries arrived`);
      await sleep(20);
    }
  };

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
  const logger = createLogger({ name: 'notifications-burst-bench', level: 'warn' });
  const rt = await createRuntime({ name: 'notifications', config, logger, dbName });
  const app = await buildApp(rt, config);
  const host = new ServiceHost(rt, app);

  try {
    // UNITS units within 10 km; the last 1% fail (half of them) or hang (the other half).
    const docs = Array.from({ length: UNITS }, (_, i) => {
      const kind = i >= UNITS - bad ? (i % 2 === 0 ? '-fail' : '-hang') : '';
      const unitId = `u${i}${kind}`;
      const d = (0.5 + (i % 95) / 10) / 6371.0088;
      const b = ((i * 137.508) % 360) * (Math.PI / 180);
      const lat1 = (center.lat * Math.PI) / 180;
      const lat2 = Math.asin(Math.sin(lat1) * Math.cos(d) + Math.cos(lat1) * Math.sin(d) * Math.cos(b));
      const lon2 =
        (center.lon * Math.PI) / 180 +
        Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(lat1), Math.cos(d) - Math.sin(lat1) * Math.sin(lat2));
      return {
        _id: unitId,
        name: `Unit ${i}`,
        kind: 'police-station' as const,
        location: { lat: (lat2 * 180) / Math.PI, lon: (lon2 * 180) / Math.PI },
        region: '340104',
        agencyId: unitId,
        webhook: {
          url: `http://127.0.0.1:${ports[i % K]}/u/${unitId}`,
          secret: `whsec_${randomBytes(24).toString('base64')}`,
        },
        createdAt: new Date(),
        updatedAt: new Date(),
      };
    });
    const healthyUnits = UNITS - bad;
    await rt.mongo.db.collection<(typeof docs)[number]>('units').insertMany(docs);
    await rt.mongo.db
      .collection('registry_meta')
      .insertOne({ _id: 'units' as never, generation: 1, count: UNITS });
    for (const c of app.consumers) await c.start();
    rt.relay.start();
    for (const w of app.workers ?? []) await w.start();
    rt.lifecycle.accepting = true;
    const alerts = new EventPublisher({
      kafka: benchKafka(infra, 'bench-alerts', 'rescue-coordination'),
      topics: prefixTopics(prefix),
      logger,
    });
    await alerts.connect();
    out(`setup: ${UNITS} units (${bad} failing or hanging), ${K} receivers; load average ${load()}`);

    // Warm-up: one alert to every unit, so both sides are past JIT and connected.
    await alerts.publish(issued(`warm-${runId}`, center, 20));
    await waitCount(healthyUnits, 120_000);
    await ask('take');

    // The burst: ALERTS alerts in four batches over one second (0, 250, 500, 750 ms), each batch
    // one send, none waiting for the one before (a publisher that awaited each alert in turn
    // would spread them over as long as the broker takes to answer on a loaded machine).
    const published = new Map<string, number>();
    const start = now();
    const sends: Promise<void>[] = [];
    const BATCHES = 4;
    for (let j = 0; j < BATCHES; j++) {
      const due = start + (j * 1000) / BATCHES;
      if (due > now()) await sleep(due - now());
      const batch = Array.from(
        { length: Math.ceil(ALERTS / BATCHES) },
        (_, i) => j * Math.ceil(ALERTS / BATCHES) + i,
      )
        .filter((n) => n < ALERTS)
        .map((n) => issued(`b${n}-${runId}`, center, 20));
      for (const e of batch) published.set(e.data.alertId, now());
      sends.push(alerts.publish(...batch));
    }
    await Promise.all(sends);
    const publishedIn = now() - start;
    const expected = ALERTS * healthyUnits;
    await waitCount(expected, 600_000);
    const { healthy } = await ask<{ healthy: Array<{ at: number; alert: string }> }>('take');
    const { unhealthy } = await ask<{ unhealthy: number }>('count');
    const last = Math.max(...healthy.map((h) => h.at)) - start;
    const firstOf = new Map<string, number>();
    for (const h of healthy) firstOf.set(h.alert, Math.min(firstOf.get(h.alert) ?? Infinity, h.at));
    const firstLatency = [...published]
      .map(([id, at]) => (firstOf.get(id) ?? Number.NaN) - at)
      .sort((a, b) => a - b);
    out(
      `\nburst: ${ALERTS} alerts published (acknowledged by the broker) in ${publishedIn.toFixed(0)} ms, ${UNITS} units each`,
    );
    out(`  healthy deliveries   ${healthy.length} of ${expected}`);
    out(`  last healthy         ${last.toFixed(0)} ms after the first publish`);
    out(`  rate                 ${Math.round((healthy.length / last) * 1000)} healthy deliveries/s`);
    out(
      `  first webhook/alert  median ${pct(firstLatency, 50).toFixed(0)} ms, p99 ${pct(firstLatency, 99).toFixed(0)} ms after its publish`,
    );
    out(`  requests to the ${bad} failing/hanging units so far: ${unhealthy}`);
    out(`  load average         ${load()}`);

    // The ceiling: as many plain signed POSTs to the healthy units, same pool settings.
    const healthyDocs = docs.slice(0, healthyUnits);
    const body = encodeHttpStructured(issued(`plain-${runId}`, center, 20)).body;
    const ceiling = await plainPosts(healthyDocs, ALERTS, body, config);
    await waitCount(expected, 600_000);
    const plain = (await ask<{ healthy: Array<{ at: number }> }>('take')).healthy.map(
      (h) => h.at - ceiling.start,
    );
    const plainLast = Math.max(...plain);
    out(`\nceiling: ${expected} plain signed POSTs, one Node process, same receivers, same run`);
    out(
      `  t100                 ${plainLast.toFixed(0)} ms (${Math.round((plain.length / plainLast) * 1000)} POSTs/s)`,
    );
    out(`\nratio: last healthy / ceiling t100 = ${(last / plainLast).toFixed(2)} (goal ≤ 2)`);
    out(`load average ${load()}`);
    await alerts.disconnect();
  } finally {
    await host.stop().catch(() => {});
    const cleanup = await createRuntime({ name: 'notifications', config, logger, dbName });
    await cleanup.mongo.db.dropDatabase();
    const keys = await cleanup.redis.redis.keys(`${prefix}*`);
    for (let i = 0; i < keys.length; i += 500) await cleanup.redis.redis.del(...keys.slice(i, i + 500));
    await cleanup.publisher.disconnect();
    await cleanup.mongo.close();
    await cleanup.redis.close();
    await deleteTopics(infra.kafkaBrokers, prefix, infra.security);
    child.send({ cmd: 'exit' });
  }
}

function issued(alertId: string, center: { lat: number; lon: number }, radiusKm: number) {
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

/** The ceiling: undici Agent, the same concurrency bound, HMAC per request, nothing else. */
async function plainPosts(
  docs: Array<{ _id: string; webhook: { url: string; secret: string } }>,
  rounds: number,
  body: string,
  config: { WEBHOOK_CONCURRENCY: number; WEBHOOK_CONNECTIONS_PER_ORIGIN: number },
): Promise<{ start: number }> {
  const require = createRequire(new URL('../../services/notifications/package.json', import.meta.url));
  const { Agent } =
    require('undici') as typeof import('../../services/notifications/node_modules/undici/index.js');
  const agent = new Agent({ connections: config.WEBHOOK_CONNECTIONS_PER_ORIGIN, keepAliveTimeout: 30_000 });
  const start = now();
  const total = docs.length * rounds;
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
  await agent.close();
  return { start };
}
