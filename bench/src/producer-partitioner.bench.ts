// `npm run bench -- producer-partitioner [-- N ROUNDS]`: the producer's partitioner per keyed
// message, in process, no broker: kafkajs's `Partitioners.DefaultPartitioner` (its murmur2 in
// `Long` arithmetic) against messaging's `keyPartitioner` (the same choices, 32-bit arithmetic),
// on N case keys over 12 partitions, rounds interleaved. Prints ns per message and the young
// generation collections per 100,000 messages (what the `Long`s cost the garbage collector).

import { loadavg } from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { type ICustomPartitioner, type PartitionerArgs, Partitioners } from 'kafkajs';
import { keyPartitioner } from '../../packages/messaging/src/partitioner.ts';

const N = Number(process.argv[2] ?? 100_000);
const ROUNDS = Number(process.argv[3] ?? 5);
const partitionMetadata = Array.from({ length: 12 }, (_, partitionId) => ({
  partitionId,
  leader: 0,
  partitionErrorCode: 0,
  replicas: [0],
  isr: [0],
}));
const messages = Array.from(
  { length: N },
  () =>
    ({
      topic: 'case.events.v1',
      partitionMetadata,
      message: { key: `case-${crypto.randomUUID()}`, value: null },
    }) as PartitionerArgs,
);

let minorGcs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if ((e as { detail?: { kind?: number } }).detail?.kind === 1) minorGcs++;
}).observe({ entryTypes: ['gc'] });

async function round(make: ICustomPartitioner): Promise<{ ns: number; gcs: number }> {
  const partition = make();
  let sum = 0;
  for (const m of messages.slice(0, 1_000)) sum += partition(m);
  // The observer's entries arrive asynchronously: those of the warm-up first, the round's after it.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const gcs0 = minorGcs;
  const t0 = process.hrtime.bigint();
  for (const m of messages) sum += partition(m);
  const ns = Number(process.hrtime.bigint() - t0) / N;
  if (sum < 0) throw new Error('unreachable');
  await new Promise((resolve) => setTimeout(resolve, 50));
  return { ns, gcs: minorGcs - gcs0 };
}

const results: Record<string, Array<{ ns: number; gcs: number }>> = { kafkajs: [], keyPartitioner: [] };
for (let r = 0; r < ROUNDS; r++) {
  results.kafkajs!.push(await round(Partitioners.DefaultPartitioner));
  results.keyPartitioner!.push(await round(keyPartitioner));
}
const out = (line: string) => process.stdout.write(`${line}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
out(`producer partitioner: ${N} case keys over 12 partitions, ${ROUNDS} rounds interleaved`);
for (const [name, rs] of Object.entries(results))
  out(
    `  ${name.padEnd(15)} ${median(rs.map((r) => r.ns)).toFixed(0)} ns per message (rounds ${rs.map((r) => r.ns.toFixed(0)).join(' / ')}), minor GCs per 100,000 messages ${median(rs.map((r) => (r.gcs * 100_000) / N)).toFixed(1)}`,
  );
const ratio = median(results.kafkajs!.map((r) => r.ns)) / median(results.keyPartitioner!.map((r) => r.ns));
out(
  `ratio: keyPartitioner ${ratio.toFixed(1)}× faster than kafkajs's default (medians); load average ${loadavg()[0]!.toFixed(1)}`,
);
