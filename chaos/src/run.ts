// `npm run chaos [-- --short]`: kill -9 each service during a run of reports, stop the broker,
// restart FerretDB and Redis, all on a stack of the suite's own (other ports, fresh data), and
// after each, with no human action, wait until every accepted report has exactly one case,
// every police missing-child case exactly one alert, every alert has reached each unit, and
// every service is ready again. Prints a table; exits 1 if a promise was broken.
// Not part of `npm test`: the full run takes 7–8 minutes. `--short` is one kill and
// a 30 s broker outage; `--kill=<service>` is the baseline and kill -9 of that service alone
// (no outages), to check one service's change (e.g. `npm run chaos -- --kill=intake`). The full
// run ends with a Redis restart that loses its data; `--redis-data-loss` adds it to the others.
import { randomBytes } from 'node:crypto';
import { createWriteStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cacheDir, logPath } from '@homeward/infra-local';
import { ChaosStack, readiness, SERVICES, type ServiceName } from './stack.ts';
import { ReportTraffic } from './traffic.ts';
import { type Verdict, verify } from './verify.ts';
import { UnitReceivers } from './webhooks.ts';

const out = (line: string) => process.stdout.write(`${line}\n`);
const short = process.argv.includes('--short');
/** `--kill=<service>`: the baseline and that service's kill -9, nothing else. */
const only = process.argv.find((a) => a.startsWith('--kill='))?.slice('--kill='.length);
/** Restart Redis with its data gone (a Redis without persistence): always in the full run. */
const redisDataLoss = process.argv.includes('--redis-data-loss') || (!short && !only);
const BROKER_OUTAGE_MS = short ? 30_000 : 120_000;
const RECOVERY_LIMIT_MS = 240_000;
const RATE = 3;

interface Row {
  experiment: string;
  sent: number;
  accepted: number;
  lost: number;
  duplicated: number;
  recoverySeconds: number | null;
  notReadySeen: string;
  deadLetters: number;
  notes: string;
}

const runId = randomBytes(3).toString('hex');
const serviceLog = createWriteStream(logPath('chaos-services'), { flags: 'a' });
const stack = new ChaosStack((line) => {
  serviceLog.write(`${line}\n`);
  if (line.startsWith('[platform]')) out(`  ${line}`);
});
const traffic = new ReportTraffic(runId);
const units = new UnitReceivers(runId);
const names = Object.keys(SERVICES) as ServiceName[];

async function allReady(): Promise<boolean> {
  return (await Promise.all(names.map(readiness))).every((s) => s === 200);
}

/** Polls readiness of every service until stopped; remembers who said not-ready (503 or no answer). */
function watchReadiness() {
  const notReady = new Set<ServiceName>();
  let on = true;
  const loop = (async () => {
    while (on) {
      const st = await Promise.all(names.map(readiness));
      st.forEach((s, i) => {
        if (s !== 200) notReady.add(names[i]!);
      });
      await sleep(500);
    }
  })();
  return {
    stop: async () => {
      on = false;
      await loop;
      return notReady;
    },
  };
}

/** Waits until the run's promises hold and every service is ready; the time it took, or null. */
async function recover(since: number): Promise<{ seconds: number | null; verdict: Verdict }> {
  await traffic.settle();
  let verdict: Verdict | undefined;
  while (Date.now() - since < RECOVERY_LIMIT_MS) {
    try {
      verdict = await verify(stack.brokers, [...traffic.accepted.values()], units.deliveries, units.unitIds);
      if (verdict.lost.length === 0 && verdict.pending.length === 0 && (await allReady())) {
        return { seconds: Math.round((Date.now() - since) / 100) / 10, verdict };
      }
    } catch {
      // The broker may still be coming back: try again.
    }
    await sleep(2_000);
  }
  verdict ??= await verify(stack.brokers, [...traffic.accepted.values()], units.deliveries, units.unitIds);
  return { seconds: null, verdict };
}

/** Dead letters seen by earlier experiments: each row counts only its own. */
let deadLettersBefore = 0;

async function experiment(name: string, fault: () => Promise<{ notes?: string }>): Promise<Row> {
  out(`experiment: ${name}`);
  const before = { sent: traffic.sent, accepted: traffic.accepted.size };
  const watch = watchReadiness();
  // Reports flow before, during and for a while after the fault: the outage is filled with traffic.
  let faultOver: () => void = () => {};
  const afterFault = new Promise<void>((r) => {
    faultOver = r;
  }).then(() => sleep(5_000));
  const trafficDone = traffic.run(name.replaceAll(/\W+/g, '-'), RATE, afterFault);
  await sleep(3_000);
  const { notes = '' } = await fault();
  const faultEnded = Date.now();
  faultOver();
  await trafficDone;
  const { seconds, verdict } = await recover(faultEnded);
  const notReady = await watch.stop();
  const newDeadLetters = verdict.deadLetters.slice(deadLettersBefore);
  deadLettersBefore = verdict.deadLetters.length;
  const row: Row = {
    experiment: name,
    sent: traffic.sent - before.sent,
    accepted: traffic.accepted.size - before.accepted,
    lost: verdict.lost.length,
    duplicated: verdict.duplicated.length,
    recoverySeconds: seconds,
    notReadySeen: notReady.size === names.length ? 'all' : [...notReady].join(' ') || 'none',
    deadLetters: newDeadLetters.length,
    notes: [
      notes,
      verdict.redeliveries ? `${verdict.redeliveries} case.opened redelivered` : '',
      verdict.doubleDeliveries ? `${verdict.doubleDeliveries} unit double deliveries` : '',
      verdict.pending.length ? `pending: ${verdict.pending.slice(0, 2).join('; ')}` : '',
      ...verdict.lost.slice(0, 2),
      ...verdict.duplicated.slice(0, 2),
      ...newDeadLetters.slice(0, 2).map((d) => `${d.topic}: ${d.reason.slice(0, 80)}`),
    ]
      .filter(Boolean)
      .join('; '),
  };
  out(`  → ${JSON.stringify(row)}`);
  return row;
}

async function main(): Promise<number> {
  const t0 = Date.now();
  out(`chaos run ${runId} (${short ? 'short' : 'full'}); service logs in ${logPath('chaos-services')}`);
  await stack.start();
  await units.start();
  while (!(await allReady())) await sleep(1_000);
  await units.register();
  out(`stack ready in ${Math.round((Date.now() - t0) / 1000)} s`);
  const rows: Row[] = [];
  rows.push(await experiment('baseline', async () => ({})));

  if (only !== undefined && !(only in SERVICES))
    throw new Error(`--kill=${only}: not a service (${Object.keys(SERVICES).join(', ')})`);
  const victims: ServiceName[] = only ? [only as ServiceName] : short ? ['rescue-coordination'] : names;
  for (const victim of victims) {
    rows.push(
      await experiment(`kill -9 ${victim}`, async () => {
        stack.kill(victim);
        return {};
      }),
    );
  }
  if (!only)
    rows.push(
      await experiment(`broker stopped ${BROKER_OUTAGE_MS / 1000} s`, async () => {
        await stack.stopKafka();
        await sleep(BROKER_OUTAGE_MS);
        await stack.startKafka();
        return {};
      }),
    );
  if (!short && !only) {
    rows.push(
      await experiment('FerretDB restarted', async () => {
        await stack.stopStore();
        await sleep(5_000);
        await stack.startStore();
        return {};
      }),
    );
    rows.push(
      await experiment('Redis restarted', async () => {
        await stack.stopRedis();
        await sleep(5_000);
        await stack.startRedis();
        return {};
      }),
    );
  }
  if (redisDataLoss) {
    rows.push(
      await experiment('Redis restarted, its data gone', async () => {
        await stack.stopRedis();
        await sleep(5_000);
        await stack.startRedis();
        await stack.flushRedis();
        return {};
      }),
    );
  }
  const restarts = names.map((n) => `${n} ${stack.restarts(n)}`).join(', ');

  out('');
  out('| experiment | sent | accepted | lost | duplicated | recovery s | not-ready seen | DLQ | notes |');
  out('| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- |');
  for (const r of rows) {
    out(
      `| ${r.experiment} | ${r.sent} | ${r.accepted} | ${r.lost} | ${r.duplicated} | ${r.recoverySeconds ?? 'NOT RECOVERED'} | ${r.notReadySeen} | ${r.deadLetters} | ${r.notes} |`,
    );
  }
  out(`service restarts by the supervisor: ${restarts}; total ${Math.round((Date.now() - t0) / 1000)} s`);
  writeFileSync(
    join(cacheDir('chaos'), 'last-run.json'),
    JSON.stringify({ runId, short, rows, restarts }, null, 2),
  );
  const broken = rows.filter(
    (r) => r.lost > 0 || r.duplicated > 0 || r.recoverySeconds === null || r.deadLetters > 0,
  );
  return broken.length === 0 ? 0 : 1;
}

let code = 1;
try {
  code = await main();
} catch (err) {
  out(`chaos: ${(err as Error).stack ?? String(err)}`);
} finally {
  await units.stop().catch(() => {});
  await stack.stop().catch(() => {});
  serviceLog.end();
}
process.exit(code);
