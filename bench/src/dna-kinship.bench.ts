/**
 * Kinship search benchmark: one child against 1,000,000 synthetic parent pairs (2,000,000
 * parents) on the 23 loci of the FBI table, beside a minimal reference kernel doing the same
 * arithmetic on plain typed arrays in the same run.
 *
 * The same index is also spread over worker threads (SearchPool, one shard per core) and timed
 * in the same loop, so the three columns share the machine's load.
 *
 * Run: node_modules/.bin/tsx bench/src/dna-kinship.bench.ts [pairs]
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { loadFrequencyTable } from '../../services/dna-tracking/src/domain/allele-frequencies.ts';
import { mutationIndex } from '../../services/dna-tracking/src/domain/kinship.ts';
import { ProfileIndex } from '../../services/dna-tracking/src/domain/matcher.ts';
import type { StrProfile } from '../../services/dna-tracking/src/domain/profile.ts';
import { SyntheticPopulation } from '../../services/dna-tracking/src/domain/synthetic-population.ts';
import { SearchPool } from '../../services/dna-tracking/src/search-pool.ts';

const PAIRS = Number(process.argv[2] ?? 1_000_000);
const SEARCHES = 40;
const FLOOR = 2_000;
const MAX_BAD = 3;
const MU = 0.002;

const out = (line = '') => process.stdout.write(`${line}\n`);
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.ceil((p / 100) * xs.length) - 1]!;
const gc = () => (globalThis as { gc?: () => void }).gc?.();

const raw: unknown = JSON.parse(
  readFileSync(
    new URL('../../services/dna-tracking/data/fbi-2015-expanded-codis.json', import.meta.url),
    'utf8',
  ),
);
const table = loadFrequencyTable(raw, { population: 'Caucasian', source: 'fbi-2015-expanded-codis.json' });
const loci = table.loci;
const L = loci.length;

// Generation alone, with the same seed as the load below, so the packing cost can be isolated.
const t0 = performance.now();
{
  const population = new SyntheticPopulation(table, 42);
  for (let i = 0; i < 2 * PAIRS; i++) population.person();
}
const generateMs = performance.now() - t0;

gc();
const before = process.memoryUsage();
const index = new ProfileIndex(table);
// The reference kernel's own flat copy: pair p's mother at row 2p, father at row 2p+1.
const codes = loci.map((l) => new Map(table.alleles(l).map((a, i) => [a, i])));
const freqs = loci.map((l) => table.alleles(l).map((a) => table.frequency(l, a)));
const flat = new Uint16Array(2 * PAIRS * L * 2);
const population = new SyntheticPopulation(table, 42);
let indexMs = 0;
const mothers: StrProfile[] = [];
const fathers: StrProfile[] = [];
for (let p = 0; p < PAIRS; p++) {
  const m = population.person();
  const f = population.person();
  if (p % Math.max(1, Math.floor(PAIRS / (SEARCHES / 2))) === 0) {
    mothers.push(m);
    fathers.push(f);
  }
  const s = performance.now();
  index.add(`m${p}`, m, 'parent', { caseId: `case-${p}`, relation: 'mother' });
  index.add(`f${p}`, f, 'parent', { caseId: `case-${p}`, relation: 'father' });
  indexMs += performance.now() - s;
  [m, f].forEach((profile, r) => {
    const base = (2 * p + r) * L * 2;
    loci.forEach((locus, l) => {
      const g = profile.loci[locus]!;
      flat[base + 2 * l] = codes[l]!.get(g[0])!;
      flat[base + 2 * l + 1] = codes[l]!.get(g[1])!;
    });
  });
}
const loadMs = performance.now() - t0 - generateMs;
gc();
const after = process.memoryUsage();

// The same profiles over worker threads, regenerated from the same seed and sent in batches.
const poolStart = performance.now();
const pool = await SearchPool.start({
  rawTable: raw,
  tableOptions: { population: 'Caucasian', source: 'fbi-2015-expanded-codis.json' },
  indexOptions: {},
  frequencyTable: table.meta,
});
{
  const again = new SyntheticPopulation(table, 42);
  let batch: Array<[string, StrProfile, 'parent', { caseId: string; relation: 'mother' | 'father' }]> = [];
  for (let p = 0; p < PAIRS; p++) {
    batch.push([`m${p}`, again.person(), 'parent', { caseId: `case-${p}`, relation: 'mother' }]);
    batch.push([`f${p}`, again.person(), 'parent', { caseId: `case-${p}`, relation: 'father' }]);
    if (batch.length >= 50_000) {
      await pool.addMany(batch);
      batch = [];
    }
  }
  await pool.addMany(batch);
}
const poolLoadMs = performance.now() - poolStart;
gc();
const afterPool = process.memoryUsage();

// Queries: true children of pairs spread through the index, and unrelated children.
const queries: StrProfile[] = [];
for (let i = 0; i < SEARCHES; i++) {
  queries.push(i % 2 === 0 ? population.childOf(mothers[i / 2]!, fathers[i / 2]!) : population.person());
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
const pooled: number[] = [];
const reference: number[] = [];
let agree = true;
let truePairsFound = 0;
for (const q of queries) {
  let s = performance.now();
  const r = index.searchParentsForChild(q);
  ours.push(performance.now() - s);
  s = performance.now();
  const w = await pool.searchParentsForChild(q);
  pooled.push(performance.now() - s);
  s = performance.now();
  const k = referenceKernel(q);
  reference.push(performance.now() - s);
  if (k.singles !== r.singles.length || k.pairs !== r.pairs.length) agree = false;
  if (w.singles.length !== r.singles.length || w.pairs.length !== r.pairs.length) agree = false;
  truePairsFound += r.pairs.filter((p) => p.status === 'match').length;
}
await pool.close();

out(
  `dna-kinship: 1 child vs ${PAIRS.toLocaleString('en')} parent pairs (${(2 * PAIRS).toLocaleString('en')} parents), ${L} loci, table ${table.meta.population} ${table.meta.version}`,
);
out(`node ${process.version}, ${SEARCHES} searches (half true children), floor ${FLOOR}`);
out();
out(`generate profiles      ${(generateMs / 1000).toFixed(2)} s (not part of load)`);
out(
  `load (generate + pack) ${(loadMs / 1000).toFixed(2)} s, of which ProfileIndex.add ${(indexMs / 1000).toFixed(2)} s`,
);
out(
  `memory                 rss ${mb(before.rss)} -> ${mb(after.rss)}, heap ${mb(before.heapUsed)} -> ${mb(after.heapUsed)}, arrayBuffers ${mb(before.arrayBuffers)} -> ${mb(after.arrayBuffers)} (includes the reference's own ${mb(flat.byteLength)} copy)`,
);
out(
  `worker pool            ${pool.shards} shards, load ${(poolLoadMs / 1000).toFixed(2)} s (regenerate + send + pack), rss -> ${mb(afterPool.rss)}, arrayBuffers -> ${mb(afterPool.arrayBuffers)} (both copies)`,
);
out(
  `machine                load average ${(await import('node:os'))
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
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
row('ProfileIndex search (1 core)', ours);
row(`SearchPool (${pool.shards} workers)`, pooled);
row('reference typed loop', reference);
ratio('ratio index / reference', ours, reference);
ratio('ratio pool / reference', pooled, reference);
out();
out(
  `goal p95 <= 25 ms quiet, 50 ms loaded: pool p95 ${pct(pooled, 95).toFixed(1)} ms; candidate counts agree (index, pool, reference): ${agree}; true pairs found as match: ${truePairsFound}/${SEARCHES / 2}`,
);
