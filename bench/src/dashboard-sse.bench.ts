// Dashboard SSE fan-out: 1,000 SSE clients receiving 100 events per second for ~10 s, latency
// to receipt at the clients (p50, p99) from the publish (handed to the producer) and from the
// broker's acknowledgement of the send (broker → client: a loaded broker's send queue left out),
// beside same-run baselines: bare node:http SSE loops on a plain kafkajs consumer, `bare-tick`
// (one write per client per tick: the fastest here) and `bare-each` (one write per client per
// message). Servers, the clients (split over a few processes) and the publisher each run in
// processes of their own; the harness reports its own CPU and event-loop delay, so a figure
// bounded by the measuring side shows as such.
// Run: npm run bench -- dashboard-sse [-- clients eventsPerSecond seconds clientProcesses]
// (BENCH_SSE_SERVERS=dashboard,bare-tick,bare-each,bare-timer picks the servers measured, in
// that order, the first three by default; bare-timer makes the events in the server itself, no
// broker: the clients' own floor; a name may repeat, and `dashboard@KEY=VALUE@...` runs the
// dashboard with those environment overrides, so variants are measured interleaved in one run;
// BENCH_SSE_PROFILE=<dir> writes a CPU profile of the dashboard there).
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { Agent, createServer, request, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { allTopics, createEvent, encodeKafka, Topics } from '@homeward/events';
import { deleteTopics, ensureTopics, repoRoot, serviceCommand } from '@homeward/infra-local';
import type { Kafka } from 'kafkajs';
import { benchInfra, benchInfraSync, benchKafka } from './infra.ts';

const out = (s: string) => process.stdout.write(`${s}\n`);
const DASHBOARD_PORT = 18080;
const BASELINE_PORT = 18090;
/** Active alerts the load's notifications are spread over (and so over partitions). */
const ALERTS = 24;

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** The benchmark's client (the administrator: it creates topics and plays every producer). */
function kafkaClient(): Kafka {
  return benchKafka(benchInfraSync(), 'bench-sse');
}

// ---- the baseline server (this file run with --baseline <topic> <port>) --------------------

/**
 * A bare SSE server: node:http, a kafkajs consumer, no auth, filters, history or projections:
 * the floor. `each` writes every message to every client as it comes (one write per message
 * per client); `tick` gathers what arrives within one turn of the event loop and writes it to
 * each client at once, from one shared buffer (one write per client per tick): the fastest this
 * machine delivers the load to these clients, which the dashboard is measured against.
 */
async function baselineServer(topic: string, port: number, mode: 'each' | 'tick'): Promise<void> {
  const clients = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write(': connected\n\n');
    clients.add(res);
    req.on('close', () => clients.delete(res));
  });
  server.maxConnections = 100_000;
  const consumer = kafkaClient().consumer({
    groupId: `${topic}.baseline-${Date.now()}`,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: false });
  const joined = new Promise<void>((r) => consumer.on(consumer.events.GROUP_JOIN, () => r()));
  const frameOf = (offset: string, time: string, value: string) =>
    `id: ${offset}\ndata: {"time":"${time}","data":${value}}\n\n`;
  if (mode === 'each')
    await consumer.run({
      eachMessage: async ({ message }) => {
        const frame = frameOf(
          message.offset,
          message.headers?.ce_time?.toString() ?? '',
          message.value?.toString() ?? 'null',
        );
        for (const c of clients) c.write(frame);
      },
    });
  else {
    let pending = '';
    const flush = () => {
      const chunk = Buffer.from(pending);
      pending = '';
      for (const c of clients) c.write(chunk);
    };
    await consumer.run({
      partitionsConsumedConcurrently: 6,
      eachBatch: async ({ batch }) => {
        if (pending === '') setImmediate(flush);
        for (const message of batch.messages)
          pending += frameOf(
            message.offset,
            message.headers?.ce_time?.toString() ?? '',
            message.value?.toString() ?? 'null',
          );
      },
    });
  }
  await joined;
  server.listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
  process.on('SIGTERM', () => {
    for (const c of clients) c.end();
    server.close();
    void consumer.disconnect().finally(() => process.exit(0));
  });
}

// ---- the timer server (this file run with --timer <port>) ---------------------------------

/**
 * A bare SSE server with no broker at all: it makes the load's events itself on a timer (on
 * `go <rate> <seconds> <runId>` on stdin) and writes each to every client at once, stamped with
 * the moment it was made. What it measures is the clients' side (these processes reading 1,000
 * sockets) and node:http's writes: the floor of every other figure, so a p99 above the goal here
 * says the harness, not the server, is the bound. Prints the events' times as JSON when done.
 */
async function timerServer(port: number): Promise<void> {
  const clients = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write(': connected\n\n');
    clients.add(res);
    req.on('close', () => clients.delete(res));
  });
  server.maxConnections = 100_000;
  // Before the load: a comment with a time every 200 ms, which the warm-up waits for.
  const warm = setInterval(() => {
    const chunk = Buffer.from(`: {"time":"${new Date().toISOString()}"}\n\n`);
    for (const c of clients) c.write(chunk);
  }, 200);
  server.listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', async (d: string) => {
    const m = /go (\d+) (\d+) (\S+)/.exec(d);
    if (!m) return;
    clearInterval(warm);
    const rate = Number(m[1]);
    const total = rate * Number(m[2]);
    const runId = m[3]!;
    const at = new Array<number>(total);
    const t0 = performance.now();
    for (let i = 0; i < total; i++) {
      const wait = t0 + (i * 1000) / rate - performance.now();
      if (wait > 0) await sleep(wait);
      at[i] = Date.now();
      const frame = Buffer.from(
        `id: ${i}\ndata: {"time":"${new Date(at[i]!).toISOString()}","data":{"unitId":"load-${runId}-${i}"}}\n\n`,
      );
      for (const c of clients) c.write(frame);
    }
    process.stdout.write(`${JSON.stringify({ at })}\n`);
  });
  process.on('SIGTERM', () => {
    for (const c of clients) c.end();
    server.close();
    process.exit(0);
  });
}

// ---- the clients (this file run with --clients <url> <n> <headers json>) ------------------

/** What one clients process reports. */
interface ClientSample {
  delivered: number;
  expected: number;
  complete: number;
  /** Publish → receipt, ms, on this process's probe clients. */
  latencies: number[];
  /** Per probe receipt, the event's index in the load and the receipt time (epoch ms), flat. */
  receipts: number[];
  /** Publish → the history's XADD (the stream id's time), ms (the dashboard only). */
  toHistory: number[];
  /** The history's XADD → receipt, ms (the dashboard only): the fan-out half. */
  fromHistory: number[];
  cpuSeconds: number;
  /** Chunks read off the sockets (roughly the server's writes, once per client each) over the load. */
  chunks: number;
  /** This process's event-loop delay p99, ms: how late it may have stamped a receipt. */
  loopP99: number;
}

/** Every PROBE_EVERY-th client times each event; the others only count frames (cheaply). */
const PROBE_EVERY = 10;

/**
 * The SSE clients run in a process of their own (a third of the CPU story: 1,000 sockets at
 * 100 events/s is 100,000 messages a second to read), so the publisher keeps its schedule.
 * Prints `connected`, then on `done <sent>` on stdin waits for the stragglers and prints the
 * result as JSON.
 */
async function clientsProcess(
  url: string,
  n: number,
  headers: Record<string, string>,
  marker: string,
): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
  const perClient = new Int32Array(n);
  let chunks = 0;
  const latencies: number[] = [];
  const receipts: number[] = [];
  const toHistory: number[] = [];
  const fromHistory: number[] = [];
  const reqs: Array<ReturnType<typeof request>> = [];
  await Promise.all(
    Array.from(
      { length: n },
      (_, i) =>
        new Promise<void>((resolve, reject) => {
          const probe = i % PROBE_EVERY === 0;
          const req = request(url, { agent, headers: { accept: 'text/event-stream', ...headers } }, (res) => {
            if (res.statusCode !== 200) return reject(new Error(`client ${i}: HTTP ${res.statusCode}`));
            res.setEncoding('utf8');
            let carry = '';
            res.on('data', (chunk: string) => {
              chunks++;
              const now = Date.now();
              const text = carry + chunk;
              let at = 0;
              let lastEnd = -1;
              for (;;) {
                const end = text.indexOf('\n\n', at);
                if (end < 0) break;
                const mark = text.indexOf(marker, at);
                if (text.startsWith('id: ', at) && mark >= 0 && mark < end) {
                  perClient[i]!++;
                  if (probe) {
                    const k = text.indexOf('"time":"', at);
                    if (k >= 0 && k < end) {
                      const published = Date.parse(text.slice(k + 8, text.indexOf('"', k + 8)));
                      latencies.push(now - published);
                      receipts.push(Number.parseInt(text.slice(mark + marker.length, end), 10), now);
                      // A Redis stream id starts with the time of its XADD: the split between
                      // projection (publish → history) and fan-out (history → client).
                      const ms = Number(text.slice(at + 4, text.indexOf('-', at)));
                      if (ms > 1e12) {
                        toHistory.push(ms - published);
                        fromHistory.push(now - ms);
                      }
                    }
                  }
                }
                lastEnd = end;
                at = end + 2;
              }
              carry = lastEnd >= 0 ? text.slice(lastEnd + 2) : text;
            });
            resolve();
          });
          req.on('error', reject);
          req.end();
          reqs.push(req);
        }),
    ),
  );
  process.stdout.write('connected\n');
  // The harness's own health: a client process whose loop lags stamps every receipt late.
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const cpu0 = process.cpuUsage();
  chunks = 0;
  const sent = await new Promise<number>((resolve) => {
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (d: string) => {
      const m = /done (\d+)/.exec(d);
      if (m) resolve(Number(m[1]));
    });
  });
  const total = () => perClient.reduce((a, b) => a + b, 0);
  for (let i = 0; i < 150 && total() < sent * n; i++) await sleep(100);
  loopDelay.disable();
  const cpu = process.cpuUsage(cpu0);
  for (const r of reqs) r.destroy();
  agent.destroy();
  let complete = 0;
  for (const c of perClient) if (c >= sent) complete++;
  const sample: ClientSample = {
    delivered: total(),
    expected: sent * n,
    complete,
    latencies,
    receipts,
    toHistory,
    fromHistory,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    chunks,
    loopP99: loopDelay.percentile(99) / 1e6,
  };
  // A pipe's writes are asynchronous: exit once the (large) line is out.
  process.stdout.write(`${JSON.stringify(sample)}\n`, () => process.exit(0));
}

async function publishLoad(kafka: Kafka, topic: string, rate: number, seconds: number, runId: string) {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const total = rate * seconds;
  const t0 = performance.now();
  const pending: Promise<unknown>[] = [];
  // How long the broker took to acknowledge each send: a publisher queue behind the broker
  // would count as the server's latency.
  const acks = new Float64Array(total);
  /** When the broker acknowledged each event (epoch ms). */
  const ackedAt = new Float64Array(total);
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const alertId = `bench-${runId}-a${i % ALERTS}`;
    const event = createEvent(
      'homeward.notification.delivered',
      {
        alertId,
        unitId: `load-${runId}-${i}`,
        step: 0,
        kind: 'alert',
        deliveredAt: new Date().toISOString(),
        attempts: 1,
        latencyMs: 12,
        // As the notifications service publishes them: the alert's case and region ride along.
        caseId: `bench-${runId}-c${i % ALERTS}`,
        region: '340104',
      },
      { source: 'homeward/bench', id: `bench-${runId}-${i}` },
    );
    // The publish time: the moment the event is handed to the broker.
    event.time = new Date().toISOString();
    const handed = Date.now();
    pending.push(
      producer.send({ topic, acks: -1, messages: [encodeKafka(event, alertId)] }).then(() => {
        const at = Date.now();
        ackedAt[i] = at;
        acks[i] = at - handed;
      }),
    );
  }
  await Promise.all(pending);
  await producer.disconnect();
  acks.sort();
  return { total, ackedAt, ackP50: percentile(acks, 50), ackP99: percentile(acks, 99) };
}

/** CPU seconds used so far by a process and its descendants (tsx runs the script in a child). */
function treeCpuSeconds(pid: number): number {
  let ticks = 0;
  const visit = (p: number) => {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
      for (const t of readdirSync(`/proc/${p}/task`))
        for (const c of readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').split(' '))
          if (c.trim()) visit(Number(c));
    } catch {
      // Gone meanwhile.
    }
  };
  visit(pid);
  return ticks / 100;
}

/**
 * Not measured: publishes an event every 200 ms until one reaches a client of its own, so the
 * server's consumer has joined its group and owns its partitions before the clock starts.
 */
async function warmUp(
  url: string,
  headers: Record<string, string>,
  kafka: Kafka,
  topic: string,
  runId: string,
) {
  let got = false;
  const req = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
    res.on('data', (d: Buffer) => {
      if (d.includes('"time":"')) got = true;
    });
  });
  req.end();
  const producer = kafka.producer();
  await producer.connect();
  // The alerts the load's notifications belong to, as in production (notifications follow an
  // alert; each names its alert's case and region, so the dashboard needs the alert only for
  // notifications from before those fields).
  const alertsTopic = topic.replace(Topics.notificationEvents, Topics.alertEvents);
  for (let a = 0; a < ALERTS; a++) {
    const alertId = `bench-${runId}-a${a}`;
    const issued = createEvent(
      'homeward.alert.issued',
      {
        alertId,
        caseId: `bench-${runId}-c${a}`,
        issuedAt: new Date().toISOString(),
        lastSeenAt: new Date().toISOString(),
        lastSeenPlace: 'Hefei South Station',
        center: { lat: 31.8, lon: 117.29 },
        region: '340104',
        radiusKm: 100,
        step: 0,
        child: { sex: 'female' },
      },
      { source: 'homeward/bench', id: `issue-${runId}-${a}` },
    );
    await producer.send({ topic: alertsTopic, messages: [encodeKafka(issued, alertId)] });
  }
  for (let i = 0; i < 300 && !got; i++) {
    const event = createEvent(
      'homeward.notification.delivered',
      {
        alertId: 'warm-up',
        unitId: 'u',
        step: 0,
        deliveredAt: new Date().toISOString(),
        attempts: 1,
        latencyMs: 1,
      },
      { source: 'homeward/bench', id: `warm-${runId}-${i}` },
    );
    await producer.send({ topic, messages: [encodeKafka(event, 'warm-up')] });
    await sleep(200);
  }
  await producer.disconnect();
  req.destroy();
  if (!got) throw new Error('the server never delivered a warm-up event');
  await sleep(500);
}

/** The timer server's warm-up: its clients are connected and it writes to them. */
async function timerWarmUp(url: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const req = request(url, { headers: { accept: 'text/event-stream' } }, (res) => {
      res.on('data', (d: Buffer) => {
        if (d.includes('"time":"')) {
          req.destroy();
          resolve();
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
  await sleep(500);
}

interface Result {
  label: string;
  delivered: number;
  expected: number;
  complete: number;
  samples: number;
  p50: number;
  p99: number;
  max: number;
  historyP50: number | null;
  historyP99: number | null;
  /** History (XADD) → receipt. */
  fanoutP50: number | null;
  fanoutP99: number | null;
  /** Broker acknowledgement → receipt. */
  fromAckP50: number;
  fromAckP99: number;
  /** The server's CPU over the load, as a share of one core. */
  serverCpu: number;
  /** The clients' CPU over the load (all their processes), as a share of one core. */
  clientCpu: number;
  /** The worst client process's event-loop delay p99, ms. */
  clientLoopP99: number;
  /** Socket reads per client per second of load (each a write of the server's, or several coalesced). */
  readsPerClientSecond: number;
  ackP50: number;
  ackP99: number;
  load: string;
  /** The dashboard's projection handler, mean ms per event (its metrics). */
  handlerMs?: number;
  /** The dashboard's hub: append → last client written, mean ms (its metrics). */
  hubFanOutMs?: number;
}

async function measure(
  label: string,
  url: string,
  headers: Record<string, string>,
  opts: { clients: number; rate: number; seconds: number; clientProcs: number },
  server: ChildProcess,
  kafka: Kafka,
  topic: string,
  runId: string,
  /** The timer server: it makes the load itself (no broker, no warm-up through Kafka). */
  timer?: (rate: number, seconds: number, runId: string) => Promise<Awaited<ReturnType<typeof publishLoad>>>,
): Promise<Result> {
  const { clients, rate, seconds, clientProcs } = opts;
  const procs = Array.from({ length: clientProcs }, (_, p) => {
    const n = Math.floor(clients / clientProcs) + (p < clients % clientProcs ? 1 : 0);
    const child = spawn(
      join(repoRoot, 'node_modules/.bin/tsx'),
      [
        fileURLToPath(import.meta.url),
        '--clients',
        url,
        String(n),
        JSON.stringify(headers),
        `"unitId":"load-${runId}-`,
      ],
      { cwd: repoRoot, stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const state = { child, output: '' };
    const connected = new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => {
        state.output += d.toString();
        if (state.output.includes('connected')) resolve();
      });
      child.once('exit', (c) => reject(new Error(`clients exited with ${c}`)));
    });
    return { ...state, state, connected };
  });
  await Promise.all(procs.map((p) => p.connected));
  if (timer) await timerWarmUp(url);
  else await warmUp(url, headers, kafka, topic, runId);
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  const cpu0 = treeCpuSeconds(server.pid!);
  const t0 = performance.now();
  const sent = timer
    ? await timer(rate, seconds, runId)
    : await publishLoad(kafka, topic, rate, seconds, runId);
  const serverCpu = (treeCpuSeconds(server.pid!) - cpu0) / ((performance.now() - t0) / 1000);
  const samples: ClientSample[] = await Promise.all(
    procs.map(async ({ child, state }) => {
      const exited = new Promise((r) => child.once('exit', r));
      child.stdin!.write(`done ${sent.total}\n`);
      await exited;
      const json = state.output.split('\n').find((l) => l.startsWith('{'));
      if (!json) throw new Error(`no result from the clients: ${state.output}`);
      return JSON.parse(json) as ClientSample;
    }),
  );
  const lat = Float64Array.from(samples.flatMap((s) => s.latencies)).sort();
  const hist = Float64Array.from(samples.flatMap((s) => s.toHistory)).sort();
  const fan = Float64Array.from(samples.flatMap((s) => s.fromHistory)).sort();
  // Broker → client: from the broker's acknowledgement of the send to the receipt, which leaves
  // out the time a loaded broker keeps a send queued (the same for every server measured).
  const fromAck: number[] = [];
  for (const { receipts } of samples)
    for (let k = 0; k + 1 < receipts.length; k += 2) {
      const acked = sent.ackedAt[receipts[k]!];
      if (acked) fromAck.push(receipts[k + 1]! - acked);
    }
  const ackLat = Float64Array.from(fromAck).sort();
  const wall = (performance.now() - t0) / 1000;
  return {
    label,
    delivered: samples.reduce((a, s) => a + s.delivered, 0),
    expected: samples.reduce((a, s) => a + s.expected, 0),
    complete: samples.reduce((a, s) => a + s.complete, 0),
    samples: lat.length,
    p50: percentile(lat, 50),
    p99: percentile(lat, 99),
    max: lat[lat.length - 1] ?? Number.NaN,
    historyP50: hist.length ? percentile(hist, 50) : null,
    historyP99: hist.length ? percentile(hist, 99) : null,
    fanoutP50: fan.length ? percentile(fan, 50) : null,
    fanoutP99: fan.length ? percentile(fan, 99) : null,
    fromAckP50: percentile(ackLat, 50),
    fromAckP99: percentile(ackLat, 99),
    serverCpu,
    clientCpu: samples.reduce((a, s) => a + s.cpuSeconds, 0) / wall,
    clientLoopP99: Math.max(...samples.map((s) => s.loopP99)),
    readsPerClientSecond: samples.reduce((a, s) => a + s.chunks, 0) / clients / seconds,
    ackP50: sent.ackP50,
    ackP99: sent.ackP99,
    load,
  };
}

function operatorKey(): string {
  const creds = JSON.parse(
    readFileSync(join(repoRoot, 'infra/local/dev-credentials.json'), 'utf8'),
  ) as Array<{
    key: string;
    role: string;
  }>;
  return creds.find((c) => c.role === 'operator')!.key;
}

async function waitReady(url: string, child: ChildProcess, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}`);
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await sleep(200);
  }
  throw new Error(`${what} did not become ready`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(20_000)]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

/** A server to measure, as `BENCH_SSE_SERVERS` names it. */
interface ServerSpec {
  kind: 'dashboard' | 'bare-tick' | 'bare-each' | 'bare-timer';
  /** The dashboard's environment overrides (`dashboard@KEY=VALUE@KEY=VALUE`): a variant measured in the same run. */
  env: Record<string, string>;
  /** How the tables name it. */
  name: string;
}

/**
 * `BENCH_SSE_SERVERS`, comma-separated, measured in the order given; a name may repeat, so
 * variants can be interleaved (`dashboard,dashboard@SSE_FLUSH_INTERVAL_MS=0,dashboard,...`).
 */
function serverSpecs(text: string): ServerSpec[] {
  return text.split(',').map((raw) => {
    const [kind, ...pairs] = raw.trim().split('@');
    if (kind !== 'dashboard' && kind !== 'bare-tick' && kind !== 'bare-each' && kind !== 'bare-timer')
      throw new Error(`unknown server ${raw} (dashboard[@KEY=VALUE...], bare-tick, bare-each, bare-timer)`);
    if (kind !== 'dashboard' && pairs.length > 0)
      throw new Error(`only the dashboard takes overrides: ${raw}`);
    const env = Object.fromEntries(
      pairs.map((pair) => {
        const eq = pair.indexOf('=');
        if (eq <= 0) throw new Error(`override ${pair} is not KEY=VALUE`);
        return [pair.slice(0, eq), pair.slice(eq + 1)];
      }),
    );
    return { kind, env, name: raw.trim() };
  });
}

async function main(): Promise<void> {
  const clients = Number(process.argv[2] ?? 1000);
  const rate = Number(process.argv[3] ?? 100);
  const seconds = Number(process.argv[4] ?? 10);
  const clientProcs = Number(process.argv[5] ?? 2);
  const specs = serverSpecs(process.env.BENCH_SSE_SERVERS ?? 'dashboard,bare-tick,bare-each');
  const infra = await benchInfra();
  const runId = Date.now().toString(36);
  const prefix = `bench-sse-${runId}.`;
  const kafka = kafkaClient();
  const admin = kafka.admin();
  await admin.connect();
  // The contract's topics under the run's prefix, with the ACL table for it: the dashboard logs in as itself.
  await ensureTopics(infra.kafkaBrokers, allTopics, { prefix, partitions: 6, security: infra.security });
  const topic = `${prefix}${Topics.notificationEvents}`;
  const db = `bench_sse_${runId}`;
  const children: ChildProcess[] = [];
  const opts = { clients, rate, seconds, clientProcs };
  const results: Result[] = [];
  const labelOf = (spec: ServerSpec, label: string) =>
    Object.keys(spec.env).length > 0 ? `${spec.name}: ${label.slice(label.indexOf('(') + 1, -1)}` : label;
  try {
    out(
      `dashboard SSE benchmark: ${clients} clients in ${clientProcs} client process(es), ${rate} events/s for ${seconds} s (${rate * seconds} events)`,
    );
    for (const [n, spec] of specs.entries()) {
      // Each measurement's own run id: its events, alerts and warm-up are its own.
      const measureId = `${runId}${n}`;
      if (spec.kind === 'dashboard') {
        // As the launcher starts it. BENCH_SSE_PROFILE=<dir>: a CPU profile of the dashboard under
        // the load, written at its exit.
        const profile = process.env.BENCH_SSE_PROFILE;
        const { command, args } = serviceCommand(
          'dashboard',
          profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [],
        );
        // Every dashboard of the run shares the topics, the database and the consumer group: a
        // later one resumes where the one before stopped.
        const dashboard = spawn(command, args, {
          cwd: repoRoot,
          env: {
            ...process.env,
            PORT: String(DASHBOARD_PORT),
            TOPIC_PREFIX: prefix,
            MONGO_DB: db,
            LOG_LEVEL: 'warn',
            HEALTH_POLL_MS: '60000',
            // Every dashboard of the run connects its 1,000 clients with the same key within a
            // minute or two: the per-key limit (3,000 a minute) would refuse the third.
            HTTP_RATE_LIMIT_PER_MINUTE: '1000000',
            ...spec.env,
          },
          stdio: ['ignore', 'ignore', 'inherit'],
        });
        children.push(dashboard);
        await waitReady(`http://127.0.0.1:${DASHBOARD_PORT}/health/ready`, dashboard, 'the dashboard');
        const result = await measure(
          labelOf(spec, 'dashboard (Kafka → projection → Redis stream → SSE)'),
          `http://127.0.0.1:${DASHBOARD_PORT}/v1/stream`,
          { authorization: `Bearer ${operatorKey()}` },
          opts,
          dashboard,
          kafka,
          topic,
          measureId,
        );
        // Where the projection's time goes: the handler's own time per notification (the runner's
        // histogram), beside the publish → history figure.
        const metrics = await fetch(`http://127.0.0.1:${DASHBOARD_PORT}/metrics`).then((r) => r.text());
        const of = (name: string) =>
          Number(
            new RegExp(`^${name}\\{[^}]*type="homeward.notification.delivered"[^}]*\\} (\\S+)$`, 'm').exec(
              metrics,
            )?.[1] ?? Number.NaN,
          );
        result.handlerMs =
          (of('homeward_event_handler_seconds_sum') / of('homeward_event_handler_seconds_count')) * 1000;
        // The hub's own share of the fan-out: append → written to the last client (its histogram).
        const hub = (name: string) =>
          Number(
            new RegExp(`^${name}\\{[^}]*stream="operators"[^}]*\\} (\\S+)$`, 'm').exec(metrics)?.[1] ??
              Number.NaN,
          );
        result.hubFanOutMs =
          (hub('homeward_sse_fanout_seconds_sum') / hub('homeward_sse_fanout_seconds_count')) * 1000;
        results.push(result);
        await stopChild(dashboard);
      } else if (spec.kind === 'bare-tick' || spec.kind === 'bare-each') {
        const mode = spec.kind === 'bare-tick' ? 'tick' : 'each';
        const baseline = spawn(
          join(repoRoot, 'node_modules/.bin/tsx'),
          [fileURLToPath(import.meta.url), '--baseline', topic, String(BASELINE_PORT), mode],
          { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] },
        );
        children.push(baseline);
        await new Promise<void>((resolve, reject) => {
          baseline.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
          baseline.once('exit', (c) => reject(new Error(`baseline exited with ${c}`)));
        });
        results.push(
          await measure(
            mode === 'tick'
              ? 'bare-tick: node:http, one write per client per tick (Kafka → SSE)'
              : 'bare-each: node:http, one write per client per message (Kafka → SSE)',
            `http://127.0.0.1:${BASELINE_PORT}/`,
            {},
            opts,
            baseline,
            kafka,
            topic,
            measureId,
          ),
        );
        await stopChild(baseline);
      } else {
        const timerServerProc = spawn(
          join(repoRoot, 'node_modules/.bin/tsx'),
          [fileURLToPath(import.meta.url), '--timer', String(BASELINE_PORT)],
          { cwd: repoRoot, stdio: ['pipe', 'pipe', 'inherit'] },
        );
        children.push(timerServerProc);
        let output = '';
        await new Promise<void>((resolve, reject) => {
          timerServerProc.stdout!.on('data', (d: Buffer) => {
            output += d.toString();
            if (output.includes('ready')) resolve();
          });
          timerServerProc.once('exit', (c) => reject(new Error(`timer server exited with ${c}`)));
        });
        const generate = async (r: number, s: number, id: string) => {
          output = '';
          timerServerProc.stdin!.write(`go ${r} ${s} ${id}\n`);
          for (;;) {
            const line = output.split('\n').find((l) => l.startsWith('{'));
            if (line && output.endsWith('\n')) {
              const at = (JSON.parse(line) as { at: number[] }).at;
              return { total: at.length, ackedAt: Float64Array.from(at), ackP50: 0, ackP99: 0 };
            }
            await sleep(50);
          }
        };
        results.push(
          await measure(
            'bare-timer: node:http, events made on a timer in the server, no broker (the clients’ floor)',
            `http://127.0.0.1:${BASELINE_PORT}/`,
            {},
            opts,
            timerServerProc,
            kafka,
            topic,
            measureId,
            generate,
          ),
        );
        await stopChild(timerServerProc);
      }
    }

    out('');
    out(`latency: publish (handed to the producer) → receipt, timed on every ${PROBE_EVERY}th client`);
    out(
      '| server | delivered | clients complete | samples | p50 ms | p99 ms | max ms | broker ack → client p50/p99 ms | send → broker ack p50/p99 ms | server CPU | clients CPU | clients loop delay p99 ms | reads per client per s | server CPU µs per client read (a write, or several coalesced) | load average |',
    );
    out('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
    for (const r of results)
      out(
        `| ${r.label} | ${r.delivered}/${r.expected} | ${r.complete}/${clients} | ${r.samples} | ${r.p50.toFixed(0)} | ${r.p99.toFixed(0)} | ${r.max.toFixed(0)} | ${r.fromAckP50.toFixed(0)}/${r.fromAckP99.toFixed(0)} | ${r.ackP50.toFixed(0)}/${r.ackP99.toFixed(0)} | ${pct(r.serverCpu)} | ${pct(r.clientCpu)} | ${r.clientLoopP99.toFixed(0)} | ${r.readsPerClientSecond.toFixed(0)} | ${((r.serverCpu * 1e6) / (r.readsPerClientSecond * clients)).toFixed(1)} | ${r.load} |`,
      );
    const dashboards = results.filter((r) => r.historyP50 != null);
    for (const dash of dashboards)
      out(
        `${dash.label.split(':')[0]} split: publish → history (projected, XADD) p50 ${dash.historyP50!.toFixed(0)} ms, p99 ${dash.historyP99?.toFixed(0)} ms (the projection handler itself: mean ${dash.handlerMs?.toFixed(1)} ms per event); history → client p50 ${dash.fanoutP50?.toFixed(0)} ms, p99 ${dash.fanoutP99?.toFixed(0)} ms (the fan-out; in the hub, append → last client written: mean ${dash.hubFanOutMs?.toFixed(1)} ms)`,
      );
    out('');
    for (const dash of dashboards)
      for (const base of results.filter((r) => r.historyP50 == null))
        out(
          `ratio ${dash.label.split(':')[0]} / ${base.label.split(':')[0]}: publish → client p50 ${(dash.p50 / base.p50).toFixed(2)}×, p99 ${(dash.p99 / base.p99).toFixed(2)}×; broker ack → client p50 ${(dash.fromAckP50 / base.fromAckP50).toFixed(2)}×, p99 ${(dash.fromAckP99 / base.fromAckP99).toFixed(2)}×`,
        );
  } finally {
    for (const c of children) await stopChild(c);
    await admin.disconnect();
    await deleteTopics(infra.kafkaBrokers, prefix, infra.security).catch(() => {});
    // The projections this run left: its database and its Redis keys.
    const requireInfra = createRequire(join(repoRoot, 'infra/local/package.json'));
    // The bench package has no database clients of its own: borrow the launcher's.
    const { MongoClient } = requireInfra('mongodb') as {
      MongoClient: {
        connect(
          url: string,
        ): Promise<{ db(n: string): { dropDatabase(): Promise<unknown> }; close(): Promise<void> }>;
      };
    };
    const mongo = await MongoClient.connect(infra.mongoUrl);
    await mongo
      .db(db)
      .dropDatabase()
      .catch(() => {});
    await mongo.close();
    const { Redis } = requireInfra('ioredis') as {
      Redis: new (
        url: string,
      ) => {
        scan(c: string, ...a: Array<string | number>): Promise<[string, string[]]>;
        del(...k: string[]): Promise<number>;
        disconnect(): void;
      };
    };
    const redis = new Redis(infra.redisUrl);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    redis.disconnect();
  }
}

if (process.argv[2] === '--baseline')
  await baselineServer(
    process.argv[3]!,
    Number(process.argv[4]),
    process.argv[5] === 'each' ? 'each' : 'tick',
  );
else if (process.argv[2] === '--timer') await timerServer(Number(process.argv[3]));
else if (process.argv[2] === '--clients')
  await clientsProcess(
    process.argv[3]!,
    Number(process.argv[4]),
    JSON.parse(process.argv[5] ?? '{}'),
    process.argv[6]!,
  );
else await main();
