// How fast this machine's cores are right now: the same fixed work timed on each core at once
// (one worker thread per core). On the shared 2-core VM these benchmarks run on, that time moved
// between 337 and 738 ms within minutes on an idle machine (2026-12-03), for code that never
// changed: a benchmark's absolute figures move with it. The runner prints it before and after
// each benchmark, so a slow run can be told from slow code; no figure is adjusted by it.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/** The fixed work: a loop V8 cannot remove, about 0.1-0.2 s on one core of this machine. */
const WORK = `
const { parentPort } = require('node:worker_threads');
const t = process.hrtime.bigint();
let x = 0;
for (let i = 0; i < 1e8; i++) x += i % 7;
parentPort.postMessage({ ms: Number(process.hrtime.bigint() - t) / 1e6, x });
`;

/** The fixed work's milliseconds on each core, all at once. */
export async function machineSpeed(cores = availableParallelism()): Promise<number[]> {
  return Promise.all(
    Array.from(
      { length: cores },
      () =>
        new Promise<number>((resolve, reject) => {
          const w = new Worker(WORK, { eval: true });
          w.once('message', (m: { ms: number }) => {
            resolve(m.ms);
            void w.terminate();
          });
          w.once('error', reject);
        }),
    ),
  );
}

/** One line for a log: each core's time for the fixed work. */
export async function machineSpeedLine(): Promise<string> {
  const ms = await machineSpeed();
  return `machine speed: a fixed loop took ${ms.map((m) => m.toFixed(0)).join(' / ')} ms on ${ms.length} cores at once`;
}
