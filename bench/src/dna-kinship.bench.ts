/**
 * Kinship search benchmark: one child against 1,000,000 synthetic parent pairs (2,000,000
 * parents) on the 23 loci of the FBI table, three ways in one loop, so that they share the
 * machine's load: the service's ProfileIndex scanned on one thread, the same index scanned by
 * the SearchPool's worker threads (one per core, each a range of the index's SharedArrayBuffers,
 * what MatchingService uses), and a minimal reference kernel doing the same arithmetic on plain
 * typed arrays.
 *
 * Run: npm run bench -- dna-kinship [-- pairs]; beside a load: BENCH_BESIDE='<command>'
 * npm run bench -- dna-kinship (see dna-beside.ts)
 */

import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { mutationIndex } from '../../services/dna-tracking/src/domain/kinship.ts';
import { ProfileIndex } from '../../services/dna-tracking/src/domain/matcher.ts';
import type { StrProfile } from '../../services/dna-tracking/src/domain/profile.ts';
import { SyntheticPopulation } from '../../services/dna-tracking/src/domain/synthetic-population.ts';
import { SearchPool } from '../../services/dna-tracking/src/search-pool.ts';
import { besideLines, runRounds } from './dna-beside.ts';
import { benchFrequencyTable } from './dna-table.ts';
import { startMorePools } from './more-pools.ts';

const PAIRS = Number(process.argv[2] ?? 1_000_000);
const SEARCHES = 40;
const FLOOR = 2_000;
const MAX_BAD = 3;
const MU = 0.002;

const out = (line = '') => process.stdout.write(`${line}\n`);
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.ceil((p / 100) * xs.length) - 1]!;
const gc = () => (globalThis as { gc?: () => void }).gc?.();
const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');

const table = benchFrequencyTable();
const loci = table.loci;
const L = loci.length;
const loadAtStart = load();

// Generation alone, with the same seed as the load below, so that the load can be told apart.
const t0 = performance.now();
{
  const population = new SyntheticPopulation(table, 42);
  for (let i = 0; i < 2 * PAIRS; i++) population.person();
}
const generateMs = performance.now() - t0;

gc();
const before = process.memoryUsage();
const index = new ProfileIndex(table, { shared: true });
const population = new SyntheticPopulation(table, 42);
const step = Math.max(1, Math.floor(PAIRS / (SEARCHES / 2)));
const sampled: Array<[StrProfile, StrProfile]> = [];
const loadMarks: Array<[number, number]> = [];
let indexMs = 0;
for (let p = 0; p < PAIRS; p++) {
  const m = population.person();
  const f = population.person();
  if (p % step === 0) sampled.push([m, f]);
  const s = performance.now();
  index.add(`m${p}`, m, 'parent', { caseId: `case-${p}`, relation: 'mother' });
  index.add(`f${p}`, f, 'parent', { caseId: `case-${p}`, relation: 'father' });
  indexMs += performance.now() - s;
  if ((2 * p + 2) % 1_000_000 === 0) loadMarks.push([2 * p + 2, indexMs]);
}
if (loadMarks.at(-1)?.[0] !== 2 * PAIRS) loadMarks.push([2 * PAIRS, indexMs]);
gc();
const after = process.memoryUsage();
const packed = index.packedBytes;

// The reference kernel's own flat copy: pair p's mother at row 2p, father at row 2p+1, the
// same profiles regenerated from the same seed.
const codes = loci.map((l) => new Map(table.alleles(l).map((a, i) => [a, i])));
const freqs = loci.map((l) => table.alleles(l).map((a) => table.frequency(l, a)));
const flat = new Uint16Array(2 * PAIRS * L * 2);
{
  const again = new SyntheticPopulation(table, 42);
  for (let r = 0; r < 2 * PAIRS; r++) {
    const profile = again.person();
    for (let l = 0; l < L; l++) {
      const g = profile.loci[loci[l]!]!;
      flat[(r * L + l) * 2] = codes[l]!.get(g[0])!;
      flat[(r * L + l) * 2 + 1] = codes[l]!.get(g[1])!;
    }
  }
}

const s0 = performance.now();
const pool = await SearchPool.start(index, { parallelFrom: 0 });
// More pools over the same index, timed in the same loop (see more-pools.ts).
const morePools = await startMorePools(index);
const poolStartMs = performance.now() - s0;

// Queries: true children of pairs spread through the index, and unrelated children.
const queries: StrProfile[] = [];
for (let i = 0; i < SEARCHES; i++) {
  const pair = sampled[(i / 2) % sampled.length];
  queries.push(i % 2 === 0 && pair ? population.childOf(pair[0], pair[1]) : population.person());
}

const mutSingle = Float64Array.from(loci, (l) => mutationIndex(table, l, 'single', MU));
const mutPair = Float64Array.from(loci, (l) => mutationIndex(table, l, 'pair', MU));
const maxCodes = Math.max(...codes.map((c) => c.size));
const cls = new Uint8Array(L * maxCodes);
const single = new Float64Array(L * 9);
const pairT = new Float64Array(L * 81);
const bad = new Uint8Array(2 * PAIRS);

/** Minimal reference kernel: same tables and passes as the matcher, flat arrays, no abstraction. */
function referenceKernel(child: StrProfile): { singles: number; pairs: number } {
  cls.fill(0);
  for (let l = 0; l < L; l++) {
    const g = child.loci[loci[l]!]!;
    const a = codes[l]!.get(g[0])!;
    const b = codes[l]!.get(g[1])!;
    cls[l * maxCodes + a] = 1;
    if (a !== b) cls[l * maxCodes + b] = 3;
    const pa = freqs[l]![a]!;
    const pb = freqs[l]![b]!;
    for (let k = 0; k < 9; k++) {
      const tA = (k % 3) / 2;
      const tB = Math.floor(k / 3) / 2;
      const x = a === b ? (tA * pa) / (pa * pa) : (tA * pb + tB * pa) / (2 * pa * pb);
      single[l * 9 + k] = x > 0 ? x : -mutSingle[l]!;
      for (let j = 0; j < 9; j++) {
        const uA = (j % 3) / 2;
        const uB = Math.floor(j / 3) / 2;
        const y = a === b ? (tA * uA) / (pa * pa) : (tA * uB + tB * uA) / (2 * pa * pb);
        pairT[l * 81 + k * 9 + j] = y > 0 ? y : -mutPair[l]!;
      }
    }
  }
  let singles = 0;
  const W = L * 2;
  for (let s = 0; s < 2 * PAIRS; s++) {
    const base = s * W;
    let prod = 1;
    let n = 0;
    for (let l = 0; l < L; l++) {
      const o = l * maxCodes;
      let v = single[l * 9 + cls[o + flat[base + 2 * l]!]! + cls[o + flat[base + 2 * l + 1]!]!]!;
      if (v <= 0) {
        if (++n >= MAX_BAD) break;
        v = -v;
      }
      prod *= v;
    }
    bad[s] = n;
    if (n < MAX_BAD && prod >= FLOOR) singles++;
  }
  let pairs = 0;
  for (let p = 0; p < PAIRS; p++) {
    if (bad[2 * p]! >= MAX_BAD || bad[2 * p + 1]! >= MAX_BAD) continue;
    const mb2 = 2 * p * W;
    const fb = mb2 + W;
    let prod = 1;
    let n = 0;
    for (let l = 0; l < L; l++) {
      const o = l * maxCodes;
      const km = cls[o + flat[mb2 + 2 * l]!]! + cls[o + flat[mb2 + 2 * l + 1]!]!;
      const kf = cls[o + flat[fb + 2 * l]!]! + cls[o + flat[fb + 2 * l + 1]!]!;
      let v = pairT[l * 81 + km * 9 + kf]!;
      if (v <= 0) {
        if (++n >= MAX_BAD) break;
        v = -v;
      }
      prod *= v;
    }
    if (n < MAX_BAD && prod >= FLOOR) pairs++;
  }
  return { singles, pairs };
}

// Warm-up, then alternate the two so neither gets a cooler or warmer machine.
index.searchParentsForChild(queries[0]!);
referenceKernel(queries[0]!);
await pool.searchParentsForChild(queries[0]!);
const ours: number[] = [];
// CPU time of the process (every thread) per search: what the search costs whatever the load.
const cpu = { ours: [] as number[], pooled: [] as number[], reference: [] as number[] };
const cpuSince = (c: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(c);
  return (u.user + u.system) / 1000;
};
const pooled: number[] = [];
const reference: number[] = [];
let agree = true;
let truePairsFound = 0;
let childQueries = 0;
const report = await runRounds(SEARCHES, async (i) => {
  const q = queries[i % SEARCHES]!;
  if (i % 2 === 0) childQueries++;
  let c = process.cpuUsage();
  let s = performance.now();
  const r = index.searchParentsForChild(q);
  ours.push(performance.now() - s);
  cpu.ours.push(cpuSince(c));
  c = process.cpuUsage();
  s = performance.now();
  const w = await pool.searchParentsForChild(q);
  pooled.push(performance.now() - s);
  cpu.pooled.push(cpuSince(c));
  for (const m of morePools) {
    s = performance.now();
    const x = await m.pool.searchParentsForChild(q);
    m.times.push(performance.now() - s);
    if (JSON.stringify(x) !== JSON.stringify(w)) agree = false;
  }
  c = process.cpuUsage();
  s = performance.now();
  const k = referenceKernel(q);
  reference.push(performance.now() - s);
  cpu.reference.push(cpuSince(c));
  if (k.singles !== r.singles.length || k.pairs !== r.pairs.length) agree = false;
  if (JSON.stringify(w) !== JSON.stringify(r)) agree = false;
  truePairsFound += r.pairs.filter((p) => p.status === 'match').length;
});
await pool.close();
for (const m of morePools) await m.pool.close();
const loadAtEnd = load();

out(
  `dna-kinship: 1 child vs ${PAIRS.toLocaleString('en')} parent pairs (${(2 * PAIRS).toLocaleString('en')} parents), ${L} loci, table ${table.meta.population} ${table.meta.version}`,
);
out(
  `node ${process.version}, queries: ${SEARCHES} children in turn (every other one a true child), floor ${FLOOR}`,
);
for (const line of besideLines(report)) out(line);
out(`machine                load average ${loadAtStart} at start, ${loadAtEnd} after the searches`);
out();
out(`generate profiles      ${(generateMs / 1000).toFixed(2)} s (not part of the load)`);
out(
  `index load             ${loadMarks.map(([n, ms]) => `${(n / 1e6).toLocaleString('en')}M parents ${(ms / 1000).toFixed(2)} s`).join(', ')} (ProfileIndex.add alone, cumulative)`,
);
const perMillion = (bytes: number) => mb((bytes / (2 * PAIRS)) * 1e6);
out(
  `memory per 1M parents  rss ${perMillion(after.rss - before.rss)}, heap ${perMillion(after.heapUsed - before.heapUsed)}, typed arrays ${perMillion(packed)} (index total: rss +${mb(after.rss - before.rss)}, heap +${mb(after.heapUsed - before.heapUsed)}, typed arrays ${mb(packed)} on SharedArrayBuffers)`,
);
out(
  `worker pool            ${pool.workers} workers over the same index, started in ${poolStartMs.toFixed(0)} ms (nothing copied); ${pool.chunks.shared} chunks shared out, ${pool.chunks.takenOver} of them scanned by the calling thread after a worker had taken them`,
);
out();
out('| kernel                        | p50 ms | p95 ms | p99 ms |');
out('| ----------------------------- | -----: | -----: | -----: |');
const row = (name: string, xs: number[]) =>
  out(
    `| ${name.padEnd(29)} | ${pct(xs, 50).toFixed(1).padStart(6)} | ${pct(xs, 95).toFixed(1).padStart(6)} | ${pct(xs, 99).toFixed(1).padStart(6)} |`,
  );
const ratio = (name: string, xs: number[], ys: number[]) =>
  out(
    `| ${name.padEnd(29)} | ${(pct(xs, 50) / pct(ys, 50)).toFixed(2).padStart(6)} | ${(pct(xs, 95) / pct(ys, 95)).toFixed(2).padStart(6)} | ${(pct(xs, 99) / pct(ys, 99)).toFixed(2).padStart(6)} |`,
  );
row('ProfileIndex (1 thread)', ours);
row(`SearchPool (${pool.workers} workers)`, pooled);
for (const m of morePools) row(`SearchPool (${m.pool.workers} workers)`, m.times);
row('reference typed loop', reference);
ratio('ratio index / reference', ours, reference);
ratio('ratio pool / reference', pooled, reference);
ratio('ratio pool / index', pooled, ours);
out();
out('CPU time per search, every thread of the process (independent of the load: one thread on a quiet');
out("machine takes about this long; the pool's workers share it, so about half of it each):");
out('| kernel                        | cpu p50 ms | cpu p95 ms |');
out('| ----------------------------- | ---------: | ---------: |');
for (const [name, xs] of [
  ['ProfileIndex (1 thread)', cpu.ours],
  [`SearchPool (${pool.workers} workers, total)`, cpu.pooled],
  ['reference', cpu.reference],
] as const) {
  out(
    `| ${name.padEnd(29)} | ${pct(xs, 50).toFixed(1).padStart(10)} | ${pct(xs, 95).toFixed(1).padStart(10)} |`,
  );
}
out();
out(
  `goal p95 <= 25 ms quiet, 50 ms loaded: pool p95 ${pct(pooled, 95).toFixed(1)} ms at load ${loadAtEnd}; results agree (index = pool, counts = reference): ${agree}; true pairs found as match: ${truePairsFound}/${childQueries}`,
);
