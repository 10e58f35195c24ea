// Latency of one `update` carrying one event on the MongoDB adapter (FerretDB, a Redis lease,
// the real outbox relay publishing to Kafka), publication awaited and not. Not part of the
// suite. Run, with the infrastructure's environment set (KAFKA_BROKERS, MONGO_URL, REDIS_URL):
//   node_modules/.bin/tsx packages/persistence/test/measure-update-latency.ts [N]
import { performance } from 'node:perf_hooks';
import { testLogger } from '@homeward/testing';
import { caseClosed } from './contract/harness.ts';
import { openMongoBed } from './support/mongo-bed.ts';

const N = Number(process.argv[2] ?? 200);
const out = (s: string) => process.stdout.write(`${s}\n`);
const logger = testLogger();

function summary(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!.toFixed(1);
  return `median ${at(0.5)} ms, p90 ${at(0.9)} ms, p99 ${at(0.99)} ms (n=${s.length})`;
}

const bed = await openMongoBed('persistence-latency', logger);
const { db, relay } = bed;
const persistence = bed.persistence();

/** Times `fn(i)` for i in 0..N (after 10 warm-up calls, which warm connections and cursors). */
async function time(label: string, fn: (i: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 10; i++) await fn(N + i);
  const times: number[] = [];
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    await fn(i);
    times.push(performance.now() - t0);
  }
  out(`${label}: ${summary(times)}`);
}

type Counter = { _id: string; n: number };
const bump = (id: string) => (c: Counter) => ({ doc: { ...c, n: c.n + 1 }, events: [caseClosed(id)] });

try {
  // Baselines in the same run: one bare updateOne by _id, and an update without events.
  const bare = db.collection<Counter>('bare');
  await bare.insertOne({ _id: 'c-1', n: 0 });
  await time('baseline: bare updateOne by _id', () => bare.updateOne({ _id: 'c-1' }, { $inc: { n: 1 } }));
  const plain = persistence.aggregate<Counter>('plain');
  await plain.insertOnce({ _id: 'c-1', n: 0 });
  await time('update without events (lease, read, write)', () =>
    plain.update('c-1', (c) => ({ doc: { ...c, n: c.n + 1 } })),
  );
  for (const awaitPublish of [true, false]) {
    // Many aggregates, each changed once (their outboxes stay short), as a service sees them.
    const spread = persistence.aggregate<Counter>(`spread_${awaitPublish}`, { awaitPublish });
    for (let i = 0; i < N + 10; i++) await spread.insertOnce({ _id: `c-${i}`, n: 0 });
    await time(`update + 1 event, ${N} aggregates once each, awaitPublish=${awaitPublish}`, (i) =>
      spread.update(`c-${i}`, bump(`c-${i}`)),
    );
    // One aggregate changed N times: its outbox grows to N entries, and FerretDB rewrites the
    // whole document on every update.
    const one = persistence.aggregate<Counter>(`one_${awaitPublish}`, { awaitPublish });
    await one.insertOnce({ _id: 'c-1', n: 0 });
    await time(`update + 1 event, one aggregate ${N} times, awaitPublish=${awaitPublish}`, () =>
      one.update('c-1', bump('c-1')),
    );
    // Let the background publications finish before anything else is measured.
    await relay.notify(db.collection(one.name), 'c-1');
  }
} finally {
  await bed.close();
}
