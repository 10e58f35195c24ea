// Notifications fan-out: 10,000 units on loopback receivers, from `homeward.alert.issued`
// published on the broker to the last webhook received: time to 50%, 99% and 100%, deliveries
// per second; beside it, in the same run, plain signed HTTP POSTs from one Node process to the
// same receivers (the ceiling). Receivers run in a child process; everything shares the cores.
// Run: node_modules/.bin/tsx bench/src/notifications-fanout.bench.ts [units] [receivers]
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

const out = (s: string) => process.stdout.write(`${s}\n`);
const now = () => performance.timeOrigin + performance.now();

// ------------------------------------------------------------------------------------------
// Receiver mode (child process): K node:http servers that answer 204 and note arrival times.
// ------------------------------------------------------------------------------------------
if (process.argv[2] === '--receivers') {
  const k = Number(process.argv[3] ?? 4);
  let arrivals: number[] = [];
  const ports: number[] = [];
  for (let i = 0; i < k; i++) {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        arrivals.push(now());
        res.writeHead(204).end();
      });
    });
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    ports.push((server.address() as AddressInfo).port);
  }
  process.on('message', (m: { cmd: string }) => {
    if (m.cmd === 'count') process.send?.({ count: arrivals.length });
    if (m.cmd === 'take') {
      process.send?.({ arrivals });
      arrivals = [];
    }
    if (m.cmd === 'exit') process.exit(0);
  });
  process.send?.({ ports });
} else {
  await main();
}

/** The point at `km` from `from` on `bearingDeg`, on the mean sphere. */
function destinationPoint(from: { lat: number; lon: number }, km: number, bearingDeg: number) {
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

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function main(): Promise<void> {
  const N = Number(process.argv[2] ?? 10_000);
  const K = Number(process.argv[3] ?? 4);
  const runId = randomBytes(3).toString('hex');
  const prefix = `bench-notif-${runId}.`;
  const dbName = `bench_notif_${runId}`;
  const center = { lat: 31.7979, lon: 117.2906 };

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
  const waitCount = async (n: number, timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { count } = await ask<{ count: number }>('count');
      if (count >= n) return;
      if (Date.now() > deadline) throw new Error(`only ${count} of ${n} arrived`);
      await sleep(2);
    }
  };

  const infra = await benchInfra();
  await ensureTopics(infra.kafkaBrokers, allTopics, { prefix, partitions: 3, security: infra.security });
  // The service's tuning variables (WEBHOOK_*, OUTCOME_*) may be set in the environment.
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
  const logger = createLogger({ name: 'notifications-bench', level: 'warn' });
  const rt = await createRuntime({ name: 'notifications', config, logger, dbName });
  const app = await buildApp(rt, config);
  const host = new ServiceHost(rt, app);

  try {
    // 10,000 units within 100 km, written straight into MongoDB, then the index rebuilt from it
    // (the service's own start-up path).
    const t0 = performance.now();
    const docs = Array.from({ length: N }, (_, i) => {
      const unitId = `u${i}`;
      const at = destinationPoint(center, 0.5 + ((i * 7919) % 9950) / 100, (i * 137.508) % 360);
      return {
        _id: unitId,
        name: `Unit ${i}`,
        kind: 'police-station' as const,
        location: at,
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
    const units = rt.mongo.db.collection<(typeof docs)[number]>('units');
    for (let i = 0; i < N; i += 1000) await units.insertMany(docs.slice(i, i + 1000));
    await rt.mongo.db
      .collection('registry_meta')
      .insertOne({ _id: 'units' as never, generation: 1, count: N });
    for (const c of app.consumers) await c.start();
    rt.relay.start();
    for (const w of app.workers ?? []) await w.start();
    rt.lifecycle.accepting = true;
    // Alerts come from their owner, rescue-coordination, logged in as itself: the service under
    // test may not write the alert topic.
    const alerts = new EventPublisher({
      kafka: benchKafka(infra, 'bench-alerts', 'rescue-coordination'),
      topics: prefixTopics(prefix),
      logger,
    });
    await alerts.connect();
    out(
      `setup: ${N} units, ${K} receivers, index built in ${Math.round(performance.now() - t0)} ms; load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );

    // Warm-up: a small alert (about 1% of the units), so both sides are past JIT and connect.
    await alerts.publish(issued(`warm-${runId}`, center, 9));
    await sleep(3000);
    // On a loaded machine the warm-up's webhooks may still be arriving: wait until none has come
    // for a second, or they would be counted in the measured alert.
    for (let last = -1; ; ) {
      const { count } = await ask<{ count: number }>('count');
      if (count === last && count > 0) break;
      last = count;
      await sleep(1000);
    }
    await ask('take');

    const alertId = `alert-${runId}`;
    const start = now();
    await alerts.publish(issued(alertId, center, 100));
    await waitCount(N);
    const arrivals = (await ask<{ arrivals: number[] }>('take')).arrivals
      .map((a) => a - start)
      .sort((a, b) => a - b);
    const settledAt = await waitSettled(app, alertId, N);
    const last = arrivals[arrivals.length - 1]!;
    out('\nfan-out (issued on Kafka → webhook received), the service');
    out(`  deliveries   ${arrivals.length}`);
    out(`  t50          ${pct(arrivals, 50).toFixed(0)} ms`);
    out(`  t99          ${pct(arrivals, 99).toFixed(0)} ms`);
    out(`  t100         ${last.toFixed(0)} ms`);
    out(`  rate         ${Math.round((arrivals.length / last) * 1000)} deliveries/s (from publish)`);
    out(`  first        ${arrivals[0]!.toFixed(0)} ms (Kafka + claim + first request)`);
    out(`  settled      ${(settledAt - start).toFixed(0)} ms (outcomes published and recorded)`);

    // The ceiling: plain signed POSTs of the same body from this process, same pool settings.
    const ceiling = await plainPosts(docs, encodeHttpStructured(sampleEvent(alertId, center)).body, config);
    await waitCount(N);
    const plain = (await ask<{ arrivals: number[] }>('take')).arrivals
      .map((a) => a - ceiling.start)
      .sort((a, b) => a - b);
    const plainLast = plain[plain.length - 1]!;
    out('\nceiling: plain signed HTTP POSTs, one Node process, same receivers, same run');
    out(`  t50          ${pct(plain, 50).toFixed(0)} ms`);
    out(`  t99          ${pct(plain, 99).toFixed(0)} ms`);
    out(`  t100         ${plainLast.toFixed(0)} ms`);
    out(`  rate         ${Math.round((plain.length / plainLast) * 1000)} POSTs/s`);
    out(
      `\nratio: service rate / ceiling rate = ${(arrivals.length / last / (plain.length / plainLast)).toFixed(2)}`,
    );
    out(`goal: all ${N} within 1000 ms → ${last <= 1000 ? 'met' : 'not met'} (${last.toFixed(0)} ms)`);
    out(
      `load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
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

function sampleEvent(alertId: string, center: { lat: number; lon: number }) {
  return issued(`${alertId}-plain`, center, 100);
}

async function waitSettled(
  app: Awaited<ReturnType<typeof buildApp>>,
  alertId: string,
  n: number,
): Promise<number> {
  for (;;) {
    const claims = await app.ledger.claims(alertId, 'alert');
    if ([...claims.values()].filter((c) => c.status !== 'pending').length >= n) return now();
    await sleep(20);
  }
}

/** The ceiling: undici Agent, the same concurrency bound, HMAC per request, nothing else. */
async function plainPosts(
  docs: Array<{ _id: string; webhook: { url: string; secret: string } }>,
  body: string,
  config: { WEBHOOK_CONCURRENCY: number; WEBHOOK_CONNECTIONS_PER_ORIGIN: number },
): Promise<{ start: number }> {
  const require = createRequire(new URL('../../services/notifications/package.json', import.meta.url));
  const { Agent } =
    require('undici') as typeof import('../../services/notifications/node_modules/undici/index.js');
  const agent = new Agent({ connections: config.WEBHOOK_CONNECTIONS_PER_ORIGIN, keepAliveTimeout: 30_000 });
  const start = now();
  let next = 0;
  const worker = async () => {
    while (next < docs.length) {
      const d = docs[next++]!;
      const url = new URL(d.webhook.url);
      const id = `plain.${d._id}`;
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
