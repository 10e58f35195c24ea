// What one database's concurrent writers cost on the document store, with and without the
// write lane (write-lane.ts): four writers, each inserting two documents at a time into its own
// collection for 3 s, (1) all at once, (2) one at a time through a WriteLane, (3) a single
// writer (the baseline); per command p50/p90/p99/max and commands per second. Against MONGO_URL
// (the local default otherwise): `npm run bench -- store-write-lane [-- SECONDS]`.

import { WriteLane } from '@homeward/persistence';
import { MongoClient } from 'mongodb';

const SECONDS = Number(process.argv[2] ?? 3);
const out = (s: string) => process.stdout.write(`${s}\n`);
const client = await new MongoClient(process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017/').connect();
const db = client.db(`measure_lane_${Date.now().toString(36)}`);
let k = 0;
const doc = () => ({ _id: `d-${k++}`, payload: 'x'.repeat(600), at: new Date() });

function summary(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!.toFixed(1);
  return `p50 ${at(0.5)} ms, p90 ${at(0.9)}, p99 ${at(0.99)}, max ${at(1)}`;
}

async function run(label: string, writers: number, lane?: WriteLane): Promise<void> {
  const times: number[] = [];
  const end = performance.now() + SECONDS * 1000;
  const insert = async (collection: string) => {
    const t0 = performance.now();
    await db.collection<{ _id: string }>(collection).insertMany([doc(), doc()]);
    times.push(performance.now() - t0);
  };
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      while (performance.now() < end) await (lane ? lane.run(() => insert(`c${w}`)) : insert(`c${w}`));
    }),
  );
  out(`${label}: ${(times.length / SECONDS).toFixed(0)} commands/s, ${summary(times)}`);
}

try {
  for (let round = 0; round < 2; round++) {
    await run('4 writers at once', 4);
    await run('4 writers through one lane', 4, new WriteLane());
    await run('1 writer', 1);
  }
} finally {
  await db.dropDatabase().catch(() => {});
  await client.close();
}
