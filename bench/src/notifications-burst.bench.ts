// Notifications under a burst: ALERTS alerts (200) published within one second, each reaching
// every one of UNITS units (500), so 100,000 deliveries; 1% of the units fail (503) or hang (never
// answer). Measured from outside: when every healthy unit has had every alert (the last healthy
// webhook after the first publish), the first and the last healthy webhook of each alert after
// its publish (median, p99), and how many requests the failing units took. Beside it, in the same
// run, the ceiling: the same number of healthy signed POSTs from one Node process to the same
// receivers. Goal: the healthy units' last webhook within 2x the ceiling, whatever the failing
// and hanging units do. The harness is shared with notifications-fanout.
// Run: npm run bench -- notifications-burst [-- alerts units]
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeHttpStructured } from '@homeward/events';
import {
  CENTER,
  destinationPoint,
  issued,
  load,
  now,
  out,
  pct,
  plainPosts,
  startReceivers,
  startService,
  unitDoc,
} from './notifications-harness.ts';

const ALERTS = Number(process.argv[2] ?? 200);
const UNITS = Number(process.argv[3] ?? 500);
const K = 4;
const bad = Math.max(1, Math.round(UNITS / 100));
const healthyUnits = UNITS - bad;

const receivers = await startReceivers(K);
// UNITS units within 10 km; the last 1% fail (half of them) or hang (the other half).
const docs = Array.from({ length: UNITS }, (_, i) => {
  const kind = i >= UNITS - bad ? (i % 2 === 0 ? '-fail' : '-hang') : '';
  return unitDoc(
    `u${i}${kind}`,
    destinationPoint(CENTER, 0.5 + (i % 95) / 10, (i * 137.508) % 360),
    receivers.ports[i % K]!,
  );
});
const svc = await startService('burst', docs);
try {
  out(`setup: ${UNITS} units (${bad} failing or hanging), ${K} receivers; load average ${load()}`);

  // Warm-up: one alert to every unit, so both sides are past JIT and connected.
  const runId = Date.now();
  await svc.alerts.publish(issued(`warm-${runId}`, CENTER, 20));
  await receivers.waitCount(healthyUnits, 120_000);
  await receivers.take();

  // The burst: ALERTS alerts in four batches over one second (0, 250, 500, 750 ms), each batch
  // one send, none waiting for the one before (a publisher that awaited each alert in turn
  // would spread them over as long as the broker takes to answer on a loaded machine).
  const published = new Map<string, number>();
  const start = now();
  const sends: Promise<void>[] = [];
  const BATCHES = 4;
  const perBatch = Math.ceil(ALERTS / BATCHES);
  for (let j = 0; j < BATCHES; j++) {
    const due = start + (j * 1000) / BATCHES;
    if (due > now()) await sleep(due - now());
    const batch = Array.from({ length: perBatch }, (_, i) => j * perBatch + i)
      .filter((n) => n < ALERTS)
      .map((n) => issued(`b${n}-${runId}`, CENTER, 20));
    for (const e of batch) published.set(e.data.alertId, now());
    sends.push(svc.alerts.publish(...batch));
  }
  await Promise.all(sends);
  const publishedIn = now() - start;
  const expected = ALERTS * healthyUnits;
  await receivers.waitCount(expected, 600_000);
  const healthy = await receivers.take();
  const { unhealthy } = await receivers.count();
  const last = Math.max(...healthy.map((h) => h.at)) - start;
  const firstOf = new Map<string, number>();
  const lastOf = new Map<string, number>();
  for (const h of healthy) {
    firstOf.set(h.alert, Math.min(firstOf.get(h.alert) ?? Infinity, h.at));
    lastOf.set(h.alert, Math.max(lastOf.get(h.alert) ?? -Infinity, h.at));
  }
  const sincePublishOf = (m: Map<string, number>) =>
    [...published].map(([id, at]) => (m.get(id) ?? Number.NaN) - at).sort((a, b) => a - b);
  const firstLatency = sincePublishOf(firstOf);
  const lastLatency = sincePublishOf(lastOf);
  out(
    `\nburst: ${ALERTS} alerts published (acknowledged by the broker) in ${publishedIn.toFixed(0)} ms, ${UNITS} units each`,
  );
  out(`  healthy deliveries   ${healthy.length} of ${expected}`);
  out(`  last healthy         ${last.toFixed(0)} ms after the first publish`);
  out(`  rate                 ${Math.round((healthy.length / last) * 1000)} healthy deliveries/s`);
  out(
    `  first webhook/alert  median ${pct(firstLatency, 50).toFixed(0)} ms, p99 ${pct(firstLatency, 99).toFixed(0)} ms after its publish`,
  );
  out(
    `  last healthy/alert   median ${pct(lastLatency, 50).toFixed(0)} ms, p99 ${pct(lastLatency, 99).toFixed(0)} ms after its publish`,
  );
  out(`  requests to the ${bad} failing/hanging units so far: ${unhealthy}`);
  out(`  load average         ${load()}`);

  // The ceiling: as many plain signed POSTs to the healthy units, same pool settings.
  const body = encodeHttpStructured(issued(`plain-${runId}`, CENTER, 20)).body;
  const ceiling = await plainPosts(docs.slice(0, healthyUnits), ALERTS, body, svc.config);
  await receivers.waitCount(expected, 600_000);
  const plain = (await receivers.take()).map((h) => h.at - ceiling.start);
  const plainLast = Math.max(...plain);
  out(`\nceiling: ${expected} plain signed POSTs, one Node process, same receivers, same run`);
  out(
    `  t100                 ${plainLast.toFixed(0)} ms (${Math.round((plain.length / plainLast) * 1000)} POSTs/s)`,
  );
  out(`\nratio: last healthy / ceiling t100 = ${(last / plainLast).toFixed(2)} (goal ≤ 2)`);
  out(`load average ${load()}`);
} finally {
  await svc.stop();
  receivers.stop();
}
