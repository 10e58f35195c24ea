// Intake throughput: reports per second from `POST /v1/reports` to `homeward.case.opened` on
// Kafka, with p50/p95/p99 latency, beside a same-run baseline: plain kafkajs producing and
// consuming the same number of messages of the same size. Then the latency at half of intake's
// peak rate (open loop: reports sent on a clock, not after each answer), beside plain kafkajs
// paced at the same rate once intake has stopped (what the broker and a client alone give on
// this machine in the same run), and what a report costs the document store (intake's own
// command metrics: commands and writes per report, by collection, and their round trips).
// Beside them, the document store alone at the same concurrency: the ceiling it sets. The
// baseline gets the same warm-up as intake and runs twice, before intake (after a run that warms
// the broker) and after it stopped; intake's peak is compared with their mean (the machine's
// speed moves within a run). Last, the floor of any intake on this stack: the same load through
// fastify and a durable Kafka send alone (bare-intake.ts), nothing else; and the same server with
// sketches of another design
// (the decision in Redis: see bare-intake.ts), to measure that design before anyone builds it:
// with Kafka the durable record, then with the report also in the document store before the
// 202, then doing intake's own work on a new report's path (its key check, its screening, its
// report and case records, the publisher's send, an index of unpublished reports, a consumer of
// its own events).
// Run: npm run bench -- intake-throughput [-- N [SECONDS]] (N reports for the peak, SECONDS of
// paced load; MONGO_URL with KAFKA_BROKERS picks the store; BENCH_PACED_RATE=R paces at R
// reports/s instead of half the peak, so that paired runs of two builds compare one rate: each
// run's own peak moves by a third between runs on this machine.)
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { allTopics, createEvent, encodeHttpStructured, Topics } from '@homeward/events';
import { deleteTopics, ensureTopics, repoRoot, serviceCommand } from '@homeward/infra-local';
import { GroupCommit } from '@homeward/persistence';
import type { Kafka } from 'kafkajs';
import { MongoClient } from 'mongodb';
import { Pool } from 'undici';
import { benchInfra, benchKafka } from './infra.ts';
import { contextSwitches, cpuSeconds, peakRssMiB, pidsNamed } from './proc-cpu.ts';

const N = Number(process.argv[2] ?? 3000);
/** How long the paced run at half the peak rate lasts. */
const PACED_SECONDS = Number(process.argv[3] ?? 15);
const CONCURRENCY = 32;
/** Requests sent before each measured peak (intake's and the baseline's alike), not measured. */
const WARM_UP = 200;
const PORT = 18081;
const out = (s: string) => process.stdout.write(`${s}\n`);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function policeKey(): string {
  const creds = JSON.parse(
    readFileSync(join(repoRoot, 'infra/local/dev-credentials.json'), 'utf8'),
  ) as Array<{ key: string; role: string }>;
  return creds.find((c) => c.role === 'police')!.key;
}

function report(i: number, runId: string) {
  return createEvent(
    'homeward.report.submitted',
    {
      kind: 'missing-child',
      child: {
        name: `Bench Child ${runId} ${i}`,
        sex: i % 2 ? 'male' : 'female',
        birthDate: '2018-03-14',
        description: 'blue coat, white shoes',
      },
      lastSeen: {
        at: '2026-11-28T08:00:00+08:00',
        place: 'Hefei South Station, east exit',
        lat: 31.7979,
        lon: 117.2906,
        region: '340104',
      },
    },
    { source: 'agency/hefei-psb', id: `bench-${runId}-${i}` },
  );
}

/**
 * Open loop: `send(i, due)` for i < n, each at its due time on a clock of `rate` per second,
 * whatever the earlier ones' answers do (so a slow answer cannot hide the queue behind it:
 * coordinated omission); resolves once every send has.
 */
async function onClock(rate: number, n: number, send: (i: number, due: number) => Promise<unknown>) {
  const start = performance.now();
  const sends: Array<Promise<unknown>> = [];
  for (let i = 0; i < n; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    sends.push(send(i, due));
  }
  await Promise.all(sends);
}

/**
 * Closed loop: CONCURRENCY senders, `send(i)` for i < n, each sender's next one once its last has
 * answered (the load shape of every peak here: intake's, the baseline's, the floor's, the store's).
 */
async function closedLoop(n: number, send: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) await send(next++);
    }),
  );
}

/**
 * What arrived on a watched topic, by id, and a wait for a number of arrivals: a fresh wait for
 * each phase (a later phase must wait for its own stragglers, not find an earlier wait over).
 */
function arrivalLog() {
  const arrivedAt = new Map<string, number>();
  let waiting: { expected: number; resolve: () => void } | undefined;
  return {
    arrivedAt,
    note(id: string): void {
      arrivedAt.set(id, performance.now());
      if (waiting && arrivedAt.size >= waiting.expected) waiting.resolve();
    },
    /** Resolves once `expected` ids have arrived, or after `ms`. */
    wait(expected: number, ms: number): Promise<unknown> {
      return Promise.race([
        new Promise<void>((resolve) => {
          waiting = { expected, resolve };
          if (arrivedAt.size >= expected) resolve();
        }),
        sleep(ms),
      ]);
    },
  };
}

/**
 * The latencies (sorted) of what was sent (id → start) and has arrived, and the seconds from `t0`
 * to the last arrival of what was sent.
 */
function sentToArrived(sentAt: Map<string, number>, arrivedAt: Map<string, number>, t0: number) {
  const latencies = [...sentAt].flatMap(([id, t]) => (arrivedAt.has(id) ? [arrivedAt.get(id)! - t] : []));
  latencies.sort((a, b) => a - b);
  const last = Math.max(...[...sentAt.keys()].map((id) => arrivedAt.get(id) ?? Number.NaN));
  return { latencies, seconds: (last - t0) / 1000 };
}

/** The baselines' plain kafkajs producer and consumer of one topic, connected and subscribed. */
async function plainPair(kafka: Kafka, topic: string, group: string, fromBeginning: boolean) {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const consumer = kafka.consumer({ groupId: `${topic}-${group}`, maxWaitTimeInMs: 10 });
  await Promise.all([producer.connect(), consumer.connect()]);
  await consumer.subscribe({ topic, fromBeginning });
  return { producer, consumer };
}

/**
 * Baseline: the same number of messages of the same size through plain kafkajs, after a warm-up
 * of WARM_UP messages as intake gets (not measured: the client's JIT, its connections and the
 * topic's first fetches). Until 2026-12-03 the baseline ran cold while intake was warmed, which
 * flattered intake's ratio. Each call uses a topic of its own (`topic`), read from its start.
 */
async function baseline(kafka: Kafka, topic: string, size: number) {
  const { producer, consumer } = await plainPair(kafka, topic, 'g', true);
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let counted: { n: number; done: () => void } | undefined;
  await consumer.run({
    eachMessage: async ({ message }) => {
      const id = message.key!.toString();
      const sent = sentAt.get(id);
      if (sent === undefined) return;
      latencies.push(performance.now() - sent);
      if (counted && latencies.length === counted.n) counted.done();
    },
  });
  await sleep(1000);
  const payload = Buffer.alloc(size, 'x');
  // Same shape of load as the HTTP side: CONCURRENCY senders, one message per request.
  const round = async (n: number, tag: string) => {
    latencies.length = 0;
    const all = new Promise<void>((done) => {
      counted = { n, done };
    });
    await closedLoop(n, (i) => {
      const key = `${tag}${i}`;
      sentAt.set(key, performance.now());
      return producer.send({ topic, acks: -1, messages: [{ key, value: payload }] });
    });
    await all;
  };
  await round(WARM_UP, 'w');
  const t0 = performance.now();
  await round(N, 'm');
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all([producer.disconnect(), consumer.disconnect()]);
  latencies.sort((a, b) => a - b);
  return {
    rate: N / seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    seconds,
  };
}

/**
 * The floor of any intake on this stack (bare-intake.ts, in a process of its own on intake's
 * port once intake has stopped): fastify, the CloudEvents decode and a durable Kafka send
 * before the 202, nothing else; the same load as intake's peak (WARM_UP reports not measured,
 * then N from CONCURRENCY clients), HTTP → the message consumed, and its server's CPU per report
 * until the last 202.
 */
async function bareFloor(
  kafka: Kafka,
  topic: string,
  runId: string,
  key: string,
  decide?: 'redis' | 'redis+store' | 'full',
  mongoDb?: string,
) {
  const server = spawn(join(repoRoot, 'node_modules/.bin/tsx'), ['bench/src/bare-intake.ts'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      BARE_PORT: String(PORT),
      BARE_TOPIC: topic,
      ...(decide ? { BARE_DECIDE: decide } : {}),
      ...(mongoDb ? { BARE_MONGO_DB: mongoDb } : {}),
    },
    // Its stdin is our pipe: it stops when we do (see bare-intake.ts).
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise((r) => server.once('exit', r));
  await new Promise<void>((resolve, reject) => {
    server.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve();
    });
    server.once('exit', (code) => reject(new Error(`the bare intake exited (${code})`)));
  });
  const consumer = kafka.consumer({ groupId: `${topic}-watch`, maxWaitTimeInMs: 10 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const sentAt = new Map<string, number>();
  const arrived = arrivalLog();
  await consumer.run({
    eachMessage: async ({ message }) =>
      arrived.note(JSON.parse(message.value!.toString()).reportId as string),
  });
  await sleep(1000);
  await closedLoop(WARM_UP, (i) => post(report(i, `${runId}bw`), key));
  await arrived.wait(WARM_UP, 60_000);
  const cpu0 = cpuSeconds(server.pid!);
  const ferret0 = ferretCpu();
  const t0 = performance.now();
  await closedLoop(N, async (i) => {
    const start = performance.now();
    const res = await post(report(i, `${runId}b`), key);
    if (res.status === 202) sentAt.set(res.reportId, start);
  });
  const cpuPerReport = ((cpuSeconds(server.pid!) - cpu0) / N) * 1000;
  const ferretPerReport = ((ferretCpu() - ferret0) / N) * 1000;
  await arrived.wait(WARM_UP + N, 60_000);
  const { latencies, seconds } = sentToArrived(sentAt, arrived.arrivedAt, t0);
  await pool?.close();
  pool = undefined;
  await consumer.disconnect();
  server.kill('SIGTERM');
  await exited;
  return {
    delivered: latencies.length,
    rate: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    seconds,
    cpuPerReport,
    ferretPerReport,
  };
}

/** FerretDB's CPU seconds so far (every FerretDB process on the machine). */
function ferretCpu(): number {
  return pidsNamed('ferretdb').reduce((a, p) => a + cpuSeconds(p), 0);
}

/**
 * The latency floor of the paced run, measured after it on the same topic setup: plain kafkajs
 * producing messages of the same size at the same rate (open loop, see {@link onClock}) to a
 * consumer, timed from each message's due time to its arrival. Intake's paced latency cannot be
 * lower than what the broker and client alone give on this machine now.
 */
async function pacedBaseline(kafka: Kafka, topic: string, size: number, rate: number, seconds: number) {
  const { producer, consumer } = await plainPair(kafka, topic, 'paced', false);
  const dueAt = new Map<string, number>();
  const latencies: number[] = [];
  await consumer.run({
    eachMessage: async ({ message }) => {
      const due = dueAt.get(message.key!.toString());
      if (due !== undefined) latencies.push(performance.now() - due);
    },
  });
  await sleep(2000);
  const payload = Buffer.alloc(size, 'x');
  const n = Math.max(1, Math.round(rate * seconds));
  await onClock(rate, n, (i, due) => {
    dueAt.set(`p${i}`, due);
    return producer.send({ topic, acks: -1, messages: [{ key: `p${i}`, value: payload }] });
  });
  for (let i = 0; i < 100 && latencies.length < n; i++) await sleep(100);
  await Promise.all([producer.disconnect(), consumer.disconnect()]);
  latencies.sort((a, b) => a - b);
  return {
    delivered: latencies.length,
    sent: n,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
  };
}

/**
 * The ceiling the document store sets, measured beside the baseline: N documents of the
 * report's size by CONCURRENCY writers, (1) one `insertOne` each (one transaction per document,
 * as a store without group commit sees a report's write), (2) the same through the persistence
 * package's `GroupCommit` (what one group-committed write per report can reach at best), and
 * (3) one `findOne` by `_id` each (a read: no batch carries it). What intake can reach is below
 * (2) divided by its writes per report, and below (3) divided by its reads per report.
 */
async function storeCeiling(mongoUrl: string, db: string, size: number) {
  const client = await new MongoClient(mongoUrl).connect();
  const d = client.db(db);
  const doc = (i: number, tag: string) => ({ _id: `${tag}-${i}`, payload: 'x'.repeat(size), n: i });
  const loop = async (fn: (i: number) => Promise<unknown>): Promise<number> => {
    const t0 = performance.now();
    await closedLoop(N, fn);
    return N / ((performance.now() - t0) / 1000);
  };
  const single = d.collection<{ _id: string }>('single');
  const grouped = d.collection<{ _id: string }>('grouped');
  const commit = new GroupCommit<{ _id: string }, true>(async (docs) => {
    await grouped.insertMany(docs, { ordered: false });
    return docs.map(() => true as const);
  });
  try {
    const insertOne = await loop((i) => single.insertOne(doc(i, 's')));
    const groupCommit = await loop((i) => commit.run(doc(i, 'g')));
    const findOne = await loop((i) => single.findOne({ _id: `s-${i}` }));
    return { insertOne, groupCommit, findOne };
  } finally {
    await d.dropDatabase().catch(() => undefined);
    await client.close();
  }
}

/** intake's document-store counters: `command|collection|write` → count, and time per command. */
async function storeCounters(): Promise<{
  counts: Map<string, number>;
  seconds: Map<string, [number, number]>;
}> {
  const text = await (await fetch(`http://127.0.0.1:${PORT}/metrics`)).text();
  const counts = new Map<string, number>();
  const seconds = new Map<string, [number, number]>();
  for (const line of text.split('\n')) {
    const c = /^homeward_store_commands_total\{([^}]*)\} (\S+)$/.exec(line);
    if (c) {
      const l = Object.fromEntries([...c[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
      const key = `${l.command}|${l.collection}|${l.write}`;
      counts.set(key, (counts.get(key) ?? 0) + Number(c[2]));
    }
    const h = /^homeward_store_command_seconds_(sum|count)\{([^}]*)\} (\S+)$/.exec(line);
    if (h) {
      const command = /command="([^"]*)"/.exec(h[2]!)?.[1] ?? '';
      const v = seconds.get(command) ?? [0, 0];
      v[h[1] === 'sum' ? 0 : 1] += Number(h[3]);
      seconds.set(command, v);
    }
  }
  return { counts, seconds };
}

/**
 * What intake's own metrics say of a stretch of time: the event loop's delay (prom-client
 * samples it and starts over at each scrape, so a scrape before the stretch and one after give
 * the stretch's p99 and max) and the time its garbage collector took (a running total).
 */
async function loopAndGc(): Promise<{ lagP99: number; lagMax: number; gcSeconds: number }> {
  const text = await (await fetch(`http://127.0.0.1:${PORT}/metrics`)).text();
  const value = (re: RegExp) => Number(re.exec(text)?.[1] ?? Number.NaN);
  let gcSeconds = 0;
  for (const m of text.matchAll(/^homeward_nodejs_gc_duration_seconds_sum\{[^}]*\} (\S+)$/gm))
    gcSeconds += Number(m[1]);
  return {
    lagP99: value(/^homeward_nodejs_eventloop_lag_p99_seconds(?:\{[^}]*\})? (\S+)$/m),
    lagMax: value(/^homeward_nodejs_eventloop_lag_max_seconds(?:\{[^}]*\})? (\S+)$/m),
    gcSeconds,
  };
}

// Up to two minutes to become ready: a loaded machine compiles the service slowly.
async function startIntake(prefix: string, db: string): Promise<ChildProcess> {
  // As the launcher starts it (its V8 flags too). INTAKE_CPU_PROF=<dir>: under node's
  // --cpu-prof, its profile written there on exit.
  const profDir = process.env.INTAKE_CPU_PROF;
  const { command, args } = serviceCommand(
    'intake',
    profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [],
  );
  const child = spawn(command, args, {
    cwd: repoRoot,
    env: {
      ...process.env,
      PORT: String(PORT),
      TOPIC_PREFIX: prefix,
      MONGO_DB: db,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_MINUTE: '1000000',
      // The kit's per-agency limit (3,000/min) would refuse a default run's reports: the bench
      // measures the pipeline, not the limit.
      HTTP_RATE_LIMIT_PER_MINUTE: '1000000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 600; i++) {
    const ok = await fetch(`http://127.0.0.1:${PORT}/health/ready`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return child;
    await sleep(200);
  }
  throw new Error('intake did not become ready');
}

async function main(): Promise<void> {
  const infra = await benchInfra();
  const runId = Date.now().toString(36);
  const prefix = `bench-${runId}.`;
  const kafka = benchKafka(infra, 'bench');
  // The contract's topics under the run's prefix, with the ACL table for it (intake logs in as
  // itself); the baseline's topic besides.
  await ensureTopics(infra.kafkaBrokers, allTopics, { prefix, security: infra.security });
  // The launcher's topic creation waits for leaders itself (kafkajs' own wait can give up early).
  await ensureTopics(
    infra.kafkaBrokers,
    [
      'baseline-warm',
      'baseline',
      'baseline-after',
      'bare',
      'bare-decided',
      'bare-decided-records',
      'bare-stored',
      'bare-stored-records',
      'bare-full',
    ],
    {
      prefix,
      partitions: 6,
      security: infra.security,
    },
  );
  const sample = encodeHttpStructured(report(0, runId)).body.length;
  out(
    `intake benchmark: ${N} missing-child reports, ${CONCURRENCY} concurrent clients, event size ~${sample} B`,
  );

  // The broker warmed before the first baseline, as it is for the second (after intake ran):
  // until 2026-12-03 evening the first ran on a broker that had carried nothing since its start
  // (914–1,213 msg/s against 1,522–1,691 after, in 1,000-report runs), which flattered intake.
  const brokerWarmUp = await baseline(kafka, `${prefix}baseline-warm`, sample);
  out(`broker warm-up (a baseline run, not compared): ${brokerWarmUp.rate.toFixed(1)} msg/s`);
  const base = await baseline(kafka, `${prefix}baseline`, sample);
  const ceiling = await storeCeiling(infra.mongoUrl, `bench_${runId}_ceiling`, sample);

  const intake = await startIntake(prefix, `bench_${runId}`);
  const consumer = kafka.consumer({ groupId: `${prefix}watch`, maxWaitTimeInMs: 10 });
  await consumer.connect();
  await consumer.subscribe({ topic: `${prefix}${Topics.caseEvents}`, fromBeginning: true });
  // The event can arrive before the HTTP answer that names its report id: keep both sides.
  const sentAt = new Map<string, number>();
  const arrived = arrivalLog();
  const { arrivedAt } = arrived;
  await consumer.run({
    eachMessage: async ({ message }) =>
      arrived.note(JSON.parse(message.value!.toString()).reportId as string),
  });
  await sleep(1000);
  const key = policeKey();
  // Warm-up (JIT, connection pools), not measured: the same load shape, other ids.
  const warm = Array.from({ length: WARM_UP }, (_, i) => report(i, `${runId}w`));
  await Promise.all(warm.map((e) => post(e, key)));
  const storeBefore = await storeCounters();
  const loadBefore = loadavg()[0]!;
  // CPU per report: intake's own, and the shared FerretDB's and broker's (other clients of the
  // shared infrastructure count there too: on a quiet machine they are this run's).
  const cpuOf = () => ({
    intake: cpuSeconds(intake.pid!),
    ferretdb: ferretCpu(),
    kafka: pidsNamed('java').reduce((a, p) => a + cpuSeconds(p), 0),
    bench: process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6,
  });
  const cpuBefore = cpuOf();
  const t0 = performance.now();
  let failures = 0;
  await closedLoop(N, async (i) => {
    const start = performance.now();
    const res = await post(report(i, runId), key);
    if (res.status !== 202) failures++;
    else sentAt.set(res.reportId, start);
  });
  const accepted = performance.now();
  const cpuAfterHttp = cpuOf();
  await arrived.wait(N + warm.length, 120_000);
  const { latencies, seconds } = sentToArrived(sentAt, arrivedAt, t0);
  const ours = {
    rate: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    seconds,
    httpSeconds: (accepted - t0) / 1000,
  };
  // The reports of the measured run have all been handled by now (their case.opened is out, and
  // intake's own consumer of it runs on the same topic): what the store saw, per report.
  await sleep(2000);
  const storeAfter = await storeCounters();
  const loopBefore = await loopAndGc();

  // Open loop at half the peak: a report every 1/rate s whatever the answers do, so a slow
  // answer cannot hide the queue behind it (coordinated omission).
  const fixedRate = Number(process.env.BENCH_PACED_RATE ?? '');
  const pacedRate = fixedRate > 0 ? fixedRate : ours.rate / 2;
  const pacedLabel =
    fixedRate > 0
      ? `at a fixed rate (BENCH_PACED_RATE; half its peak: ${(ours.rate / 2).toFixed(1)}/s)`
      : 'at half its peak';
  const pacedN = Math.max(1, Math.round(pacedRate * PACED_SECONDS));
  const pacedSent = new Map<string, number>();
  /** When each paced report's 202 came back, after its due time: the store's part of the path. */
  const pacedAnswered: number[] = [];
  const cpuPacedBefore = cpuOf();
  const switchesBefore = contextSwitches(intake.pid!);
  const pacedStart = performance.now();
  await onClock(pacedRate, pacedN, (i, due) =>
    post(report(i, `${runId}p`), key).then((res) => {
      if (res.status !== 202) failures++;
      else {
        pacedSent.set(res.reportId, due);
        pacedAnswered.push(performance.now() - due);
      }
    }),
  );
  await arrived.wait(N + warm.length + pacedN, 60_000);
  // What the paced reports cost (to their last case.opened): with fewer reports per round and per
  // send than at the peak, each costs more; and how often intake was taken off its core for
  // another process (on two cores, the store, the broker or the client it just woke).
  const pacedSeconds = (performance.now() - pacedStart) / 1000;
  const cpuPacedAfter = cpuOf();
  const switchesAfter = contextSwitches(intake.pid!);
  // Each from its due time (the open loop's clock), not from t0.
  const pacedLatencies = sentToArrived(pacedSent, arrivedAt, 0).latencies;
  const loadAfter = loadavg()[0]!;
  const loopPaced = await loopAndGc();
  const storePaced = await storeCounters();
  await pool?.close();
  pool = undefined;
  await consumer.disconnect();
  const intakePeakRss = peakRssMiB(intake.pid!);
  intake.kill('SIGTERM');
  await new Promise((r) => intake.once('exit', r));
  // Intake's database was this run's alone: dropped, so that runs do not pile up in the store.
  const admin = await new MongoClient(infra.mongoUrl).connect();
  await admin
    .db(`bench_${runId}`)
    .dropDatabase()
    .finally(() => admin.close());
  // Intake stopped: the baseline again (the machine's speed moves within a run: intake's peak is
  // compared with the mean of a baseline before it and one after), then the broker and a plain
  // client alone at the paced rate and size.
  const baseAfter = await baseline(kafka, `${prefix}baseline-after`, sample);
  const floor = await bareFloor(kafka, `${prefix}bare`, runId, key);
  // The sketches that write the store share a database of the run's, dropped after them.
  const sketchDb = `bench_${runId}_sketch`;
  const sketch = await bareFloor(kafka, `${prefix}bare-decided`, `${runId}d`, key, 'redis');
  const stored = await bareFloor(kafka, `${prefix}bare-stored`, `${runId}s`, key, 'redis+store', sketchDb);
  const fullSketch = await bareFloor(kafka, `${prefix}bare-full`, `${runId}f`, key, 'full', sketchDb);
  const sketchClient = await new MongoClient(infra.mongoUrl).connect();
  await sketchClient
    .db(sketchDb)
    .dropDatabase()
    .finally(() => sketchClient.close());
  const basePaced = await pacedBaseline(kafka, `${prefix}baseline`, sample, pacedRate, PACED_SECONDS);
  await deleteTopics(infra.kafkaBrokers, prefix, infra.security);

  const f = (n: number) => n.toFixed(1);
  const baseRate = (base.rate + baseAfter.rate) / 2;
  out('');
  out('| path | messages | seconds | per second | p50 ms | p95 ms | p99 ms |');
  out('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const [when, b] of [
    ['before intake', base],
    ['after intake stopped', baseAfter],
  ] as const) {
    out(
      `| plain kafkajs produce → consume (baseline, ${when}) | ${N} | ${f(b.seconds)} | ${f(b.rate)} | ${f(b.p50)} | ${f(b.p95)} | ${f(b.p99)} |`,
    );
  }
  out(
    `| HTTP → Kafka alone (fastify, the CloudEvents decode, a durable send; no store, no Redis): the floor, after intake stopped | ${floor.delivered} | ${f(floor.seconds)} | ${f(floor.rate)} | ${f(floor.p50)} | ${f(floor.p95)} | ${f(floor.p99)} |`,
  );
  out(
    `| a sketch of another design, after intake stopped: the floor plus the schema check, one Redis script deciding (count, idempotency key, child key) and the whole report to a topic of its own in the same durable send | ${sketch.delivered} | ${f(sketch.seconds)} | ${f(sketch.rate)} | ${f(sketch.p50)} | ${f(sketch.p95)} | ${f(sketch.p99)} |`,
  );
  out(
    `| the sketch with the report also written to the document store before the 202 (one document, group-committed, beside the send) | ${stored.delivered} | ${f(stored.seconds)} | ${f(stored.rate)} | ${f(stored.p50)} | ${f(stored.p95)} | ${f(stored.p99)} |`,
  );
  out(
    `| the sketch doing intake's work on a new report's path (bare-intake.ts, BARE_DECIDE=full: the key checked, intake's screening, one Redis script with the rate limit and an index of unpublished reports, the report and its case record in one group-committed insert beside the publisher's durable send, a consumer of its own events) | ${fullSketch.delivered} | ${f(fullSketch.seconds)} | ${f(fullSketch.rate)} | ${f(fullSketch.p50)} | ${f(fullSketch.p95)} | ${f(fullSketch.p99)} |`,
  );
  out(
    `| intake: HTTP → case.opened on Kafka | ${latencies.length} | ${f(ours.seconds)} | ${f(ours.rate)} | ${f(ours.p50)} | ${f(ours.p95)} | ${f(ours.p99)} |`,
  );
  out(
    `| intake ${pacedLabel}, ${f(pacedRate)}/s paced | ${pacedLatencies.length} of ${pacedN} | ${f(PACED_SECONDS)} | ${f(pacedRate)} | ${f(percentile(pacedLatencies, 50))} | ${f(percentile(pacedLatencies, 95))} | ${f(percentile(pacedLatencies, 99))} |`,
  );
  out(
    `| plain kafkajs produce → consume, ${f(pacedRate)}/s paced (the same rate, after intake stopped) | ${basePaced.delivered} of ${basePaced.sent} | ${f(PACED_SECONDS)} | ${f(pacedRate)} | ${f(basePaced.p50)} | ${f(basePaced.p95)} | ${f(basePaced.p99)} |`,
  );
  out(`| the store alone: insertOne by ${CONCURRENCY} writers | ${N} | | ${f(ceiling.insertOne)} | | | |`);
  out(
    `| the store alone: group-committed insert by ${CONCURRENCY} writers | ${N} | | ${f(ceiling.groupCommit)} | | | |`,
  );
  out(`| the store alone: findOne by _id, ${CONCURRENCY} readers | ${N} | | ${f(ceiling.findOne)} | | | |`);
  pacedAnswered.sort((a, b) => a - b);
  out(
    `| intake ${pacedLabel}, POST → 202 only | ${pacedAnswered.length} of ${pacedN} | ${f(PACED_SECONDS)} | ${f(pacedRate)} | ${f(percentile(pacedAnswered, 50))} | ${f(percentile(pacedAnswered, 95))} | ${f(percentile(pacedAnswered, 99))} |`,
  );
  const storeMs = (after: typeof storePaced, before: typeof storeAfter) => {
    let sum = 0;
    let n = 0;
    for (const [command, [s1, n1]] of after.seconds) {
      const [s0, n0] = before.seconds.get(command) ?? [0, 0];
      sum += s1 - s0;
      n += n1 - n0;
    }
    return n > 0 ? (sum / n) * 1000 : Number.NaN;
  };
  out(
    `${pacedLabel}, in intake: event-loop delay p99 ${f(loopPaced.lagP99 * 1000)} ms, max ${f(loopPaced.lagMax * 1000)} ms; GC ${f((loopPaced.gcSeconds - loopBefore.gcSeconds) * 1000)} ms in ${f(PACED_SECONDS)} s; document-store command mean ${f(storeMs(storePaced, storeAfter))} ms; peak resident memory over the run ${f(intakePeakRss)} MiB`,
  );
  out('');
  out(
    `ratio intake/baseline: throughput ${(ours.rate / baseRate).toFixed(2)}× the mean of both baselines (${f(baseRate)}/s; ${(ours.rate / base.rate).toFixed(2)}× the one before, ${(ours.rate / baseAfter.rate).toFixed(2)}× the one after), p50 ${(ours.p50 / base.p50).toFixed(2)}×, p99 ${(ours.p99 / base.p99).toFixed(2)}× the one before`,
  );
  out(
    `ratio of the floor (HTTP → Kafka alone) to the baselines: ${(floor.rate / baseRate).toFixed(2)}× their mean; intake/floor ${(ours.rate / floor.rate).toFixed(2)}×; the floor's server ${f(floor.cpuPerReport)} ms CPU per report`,
  );
  out(
    `ratio of the sketch (the decision in Redis, Kafka the record) to the baselines: ${(sketch.rate / baseRate).toFixed(2)}× their mean; its server ${f(sketch.cpuPerReport)} ms CPU per report (Redis's and Kafka's not counted)`,
  );
  out(
    `ratio of the sketch writing the store too: ${(stored.rate / baseRate).toFixed(2)}× the baselines' mean; its server ${f(stored.cpuPerReport)} ms CPU per report, FerretDB ${f(stored.ferretPerReport)} ms (the sketch without the store: FerretDB ${f(sketch.ferretPerReport)} ms)`,
  );
  out(
    `ratio of the sketch doing intake's work: ${(fullSketch.rate / baseRate).toFixed(2)}× the baselines' mean; its server ${f(fullSketch.cpuPerReport)} ms CPU per report, FerretDB ${f(fullSketch.ferretPerReport)} ms; intake/this sketch ${(ours.rate / fullSketch.rate).toFixed(2)}×`,
  );
  out(
    `ratio intake/store ceilings: ${(ours.rate / ceiling.insertOne).toFixed(2)}× insertOne, ${(ours.rate / ceiling.groupCommit).toFixed(2)}× group-committed insert, ${(ours.rate / ceiling.findOne).toFixed(2)}× findOne; baseline/group-committed insert ${(baseRate / ceiling.groupCommit).toFixed(2)}×`,
  );
  // Two decimals: /proc counts ticks of 10 ms, 0.01 ms per report over 1,000 reports.
  const cpu = (k: keyof typeof cpuBefore) => (((cpuAfterHttp[k] - cpuBefore[k]) / N) * 1000).toFixed(2);
  out(
    `CPU ms per report until the last 202: intake ${cpu('intake')}, FerretDB ${cpu('ferretdb')}, Kafka ${cpu('kafka')}, this bench's client ${cpu('bench')} (FerretDB's and Kafka's include anything else using them)`,
  );
  const pacedCpu = (k: keyof typeof cpuBefore) =>
    (((cpuPacedAfter[k] - cpuPacedBefore[k]) / pacedN) * 1000).toFixed(2);
  out(
    `${pacedLabel}, CPU ms per report: intake ${pacedCpu('intake')} (${f(((cpuPacedAfter.intake - cpuPacedBefore.intake) / pacedSeconds) * 100)}% of a core), FerretDB ${pacedCpu('ferretdb')}, Kafka ${pacedCpu('kafka')}, this bench's client ${pacedCpu('bench')}; intake taken off its core ${f((switchesAfter.involuntary - switchesBefore.involuntary) / pacedSeconds)} times a second (involuntary context switches; ${f((switchesAfter.voluntary - switchesBefore.voluntary) / pacedSeconds)} voluntary)`,
  );
  out(`HTTP 202s for all reports after ${f(ours.httpSeconds)} s; failures: ${failures}`);
  out(
    `load average (1 min): ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after; store: ${infra.mongoUrl}`,
  );

  // What the measured run's reports cost the store (the warm-up's stragglers may add a little),
  // and the paced run's (fewer reports share a command).
  storeTable('', storeBefore, storeAfter, latencies.length);
  storeTable(` ${pacedLabel}`, storeAfter, storePaced, pacedLatencies.length);
  process.exit(0);
}

/** What a stretch's reports cost the document store: commands and writes per report, by collection. */
function storeTable(
  label: string,
  before: Awaited<ReturnType<typeof storeCounters>>,
  after: Awaited<ReturnType<typeof storeCounters>>,
  reports: number,
): void {
  const rows = [...after.counts]
    .map(([k, v]) => [k, v - (before.counts.get(k) ?? 0)] as const)
    .filter(([, v]) => v > 0)
    .sort((a, b) => b[1] - a[1]);
  const writes = rows.filter(([k]) => k.endsWith('|true')).reduce((a, [, v]) => a + v, 0);
  const commands = rows.reduce((a, [, v]) => a + v, 0);
  out('');
  out(
    `document store per report${label}: ${(writes / reports).toFixed(2)} writes, ${(commands / reports).toFixed(2)} commands`,
  );
  out('| command | collection | per report | mean ms |');
  out('| --- | --- | ---: | ---: |');
  for (const [k, v] of rows) {
    const [command, collection] = k.split('|');
    const [sum1, n1] = after.seconds.get(command!) ?? [0, 0];
    const [sum0, n0] = before.seconds.get(command!) ?? [0, 0];
    const mean = n1 > n0 ? ((sum1 - sum0) / (n1 - n0)) * 1000 : Number.NaN;
    out(`| ${command} | ${collection} | ${(v / reports).toFixed(2)} | ${mean.toFixed(1)} |`);
  }
}

/**
 * The load generator's HTTP client: one undici pool of CONCURRENCY keep-alive connections to
 * intake, one request at a time on each (no pipelining). The generator is not the system under
 * test, and on this 2-core machine its CPU is taken from intake's: `fetch` (WHATWG streams and
 * a Response per request) cost about twice what a plain pool request does.
 */
let pool: Pool | undefined;

async function post(
  e: ReturnType<typeof report>,
  key: string,
): Promise<{ status: number; reportId: string }> {
  pool ??= new Pool(`http://127.0.0.1:${PORT}`, { connections: CONCURRENCY, pipelining: 1 });
  const { headers, body } = encodeHttpStructured(e);
  const res = await pool.request({
    path: '/v1/reports',
    method: 'POST',
    headers: { ...headers, authorization: `Bearer ${key}` },
    body,
  });
  const json = (await res.body.json()) as { reportId: string };
  return { status: res.statusCode, reportId: json.reportId };
}

main().catch((err: unknown) => {
  process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`);
  process.exit(1);
});
