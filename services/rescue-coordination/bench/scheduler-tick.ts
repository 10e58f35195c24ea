// Measures one scheduler tick with N open alerts (default 1,000): when none is due (the
// steady state) and when all come due at once (the worst case). Real Kafka, FerretDB, Redis.
//   KAFKA_BROKERS=127.0.0.1:9092 MONGO_URL=mongodb://127.0.0.1:27017/ REDIS_URL=redis://127.0.0.1:6379 \
//     node_modules/.bin/tsx services/rescue-coordination/bench/scheduler-tick.ts [N]
import { ManualClock } from '@homeward/service-kit';
import { createTestTopics, deleteTestTopics, uniqueName } from '@homeward/testing';
import { countOutcomes } from '../src/escalation-worker.ts';
import { missingChildOpened, startRescue } from '../test/support.ts';

const n = Number(process.argv[2] ?? 1000);
const clock = new ManualClock('2026-11-28T08:00:00Z');
const prefix = await createTestTopics('rescue-bench');
const dbName = uniqueName('rescue_bench').replaceAll('-', '_');
const svc = await startRescue({ prefix, dbName, clock, consumers: false });
const out: Record<string, unknown> = { openAlerts: n };
try {
  let t = performance.now();
  const seen = new Date(clock.now().getTime() - 5 * 60_000);
  for (let i = 0; i < n; i += 20) {
    await Promise.all(
      Array.from({ length: Math.min(20, n - i) }, async () => {
        const e = missingChildOpened({ lastSeenAt: seen });
        await svc.app.service.recordOpened(e);
        await svc.app.alerts.afterOpened(e.data);
      }),
    );
  }
  out.issueMsPerAlert = +((performance.now() - t) / n).toFixed(2);
  out.scheduled = await svc.app.schedule.size();

  const idle: number[] = [];
  for (let i = 0; i < 50; i++) {
    const cpu = process.cpuUsage();
    t = performance.now();
    await svc.app.scheduler.tick();
    idle.push(performance.now() - t);
    if (i === 49) out.idleTickCpuUs = Object.values(process.cpuUsage(cpu)).reduce((a, b) => a + b, 0);
  }
  idle.sort((a, b) => a - b);
  out.idleTickMedianMs = +idle[25]!.toFixed(3);

  clock.advance(60 * 60_000);
  const cpu = process.cpuUsage();
  t = performance.now();
  let escalated = 0;
  for (;;) {
    const r = await svc.app.scheduler.tick();
    escalated += countOutcomes(r).escalated ?? 0;
    if (r.due === 0) break;
  }
  const wall = performance.now() - t;
  const used = process.cpuUsage(cpu);
  out.allDue = {
    escalated,
    wallMs: Math.round(wall),
    msPerEscalation: +(wall / escalated).toFixed(2),
    cpuMsThisProcess: Math.round((used.user + used.system) / 1000),
  };
  const sample = await svc.rt.mongo.db.collection('cases').findOne({});
  out.caseDocBytes = Buffer.byteLength(JSON.stringify(sample));
  const stats = await svc.rt.mongo.db.command({ collStats: 'cases' }).catch(() => undefined);
  if (stats) out.casesCollection = { count: stats.count, avgObjSize: stats.avgObjSize, size: stats.size };
  out.redisScheduleBytes = await svc.rt.redis.redis.call('MEMORY', 'USAGE', svc.app.schedule.key);
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
} finally {
  await svc.stop();
  const { MongoClient } = await import('mongodb');
  const c = await MongoClient.connect(process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017/');
  await c.db(dbName).dropDatabase();
  await c.close();
  await deleteTestTopics(prefix);
}
