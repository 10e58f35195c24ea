/**
 * Relatives search benchmark: one child against 1,000,000 relative references (full siblings,
 * half siblings, grandparents, aunts and uncles, a quarter each) on the 23 loci of the FBI
 * table, beside a minimal reference kernel in the same run: the same per-locus index tables,
 * applied row by row over a flat copy with plain typed arrays (the straightforward way to score
 * every reference at every locus).
 *
 * The same index is also scanned by the SearchPool's worker threads (one per core, each a range
 * of the index's SharedArrayBuffers, what MatchingService uses) and timed in the same loop.
 *
 * Each search is run twice, by the WebAssembly pre-scan (relatives-wasm.ts, the default once
 * loaded) and by the JavaScript loop it replaced (search-kernel.ts, still the reference and the
 * fallback), on the calling thread alone and over the pool, in the same rounds: the two must
 * find the same, and the table prints the one beside the other.
 *
 * Run: npm run bench -- dna-relatives [-- references]; beside a load: BENCH_BESIDE='<command>'
 * npm run bench -- dna-relatives (see dna-beside.ts)
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import {
  type RelativeRelation,
  RelativeRelations,
  relativeLocusIndex,
  relativeMutationPi,
} from '../../services/dna-tracking/src/domain/kinship-relatives.ts';
import { ProfileIndex } from '../../services/dna-tracking/src/domain/matcher.ts';
import type { StrProfile } from '../../services/dna-tracking/src/domain/profile.ts';
import { scanRelatives } from '../../services/dna-tracking/src/domain/search-kernel.ts';
import { SyntheticPopulation } from '../../services/dna-tracking/src/domain/synthetic-population.ts';
import { SearchPool } from '../../services/dna-tracking/src/search-pool.ts';
import { besideLines, runRounds } from './dna-beside.ts';
import { benchFrequencyTable } from './dna-table.ts';
import { startMorePools } from './more-pools.ts';

const REFERENCES = Number(process.argv[2] ?? 1_000_000);
const SEARCHES = 40;
const FLOOR = 1_000;

const out = (line = '') => process.stdout.write(`${line}\n`);
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.ceil((p / 100) * xs.length) - 1]!;
const gc = () => (globalThis as { gc?: () => void }).gc?.();
const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
const loadAtStart = load();

const table = benchFrequencyTable();
const loci = table.loci;
const L = loci.length;
const R = RelativeRelations.length;

gc();
const before = process.memoryUsage();
const t0 = performance.now();
const index = new ProfileIndex(table, { shared: true });
const population = new SyntheticPopulation(table, 18);
const codes = loci.map((l) => new Map(table.alleles(l).map((a, i) => [a, i])));
const flat = new Uint16Array(REFERENCES * L * 2);
const relationOf = new Uint8Array(REFERENCES);
// True families planted through the index: the child's sibling at spread-out positions.
const children: StrProfile[] = [];
let indexMs = 0;
for (let i = 0; i < REFERENCES; i++) {
  const r = i % R;
  let person: StrProfile;
  if (i % Math.max(1, Math.floor(REFERENCES / 10)) === 0) {
    const mother = population.person();
    const father = population.person();
    children.push(population.childOf(mother, father));
    person = population.childOf(mother, father);
  } else person = population.person();
  const planted = i % Math.max(1, Math.floor(REFERENCES / 10)) === 0;
  const relation = (planted ? 'full-sibling' : RelativeRelations[r]) as RelativeRelation;
  const s = performance.now();
  index.add(`r${i}`, person, 'relative', { caseId: `case-${i}`, relation });
  indexMs += performance.now() - s;
  relationOf[i] = RelativeRelations.indexOf(relation);
  loci.forEach((locus, l) => {
    const g = person.loci[locus]!;
    flat[(i * L + l) * 2] = codes[l]!.get(g[0])!;
    flat[(i * L + l) * 2 + 1] = codes[l]!.get(g[1])!;
  });
}
const loadMs = performance.now() - t0;
gc();
const after = process.memoryUsage();
const packed = index.packedBytes;
const poolStart = performance.now();
const pool = await SearchPool.start(index, { parallelFrom: 0 });
// More pools over the same index, timed in the same loop (see more-pools.ts).
const morePools = await startMorePools(index);
const poolStartMs = performance.now() - poolStart;
// The same pool with the JavaScript pre-scan, for the A/B (not in the start time above).
const poolJs = await SearchPool.start(index, { parallelFrom: 0, relativesKernel: 'js' });

const queries: StrProfile[] = [];
for (let i = 0; i < SEARCHES; i++)
  queries.push(i % 2 === 0 ? children[(i / 2) % children.length]! : population.person());

const maxCodes = Math.max(...codes.map((c) => c.size));
const cls = new Uint8Array(L * maxCodes);
const lr = new Float64Array(R * L * 9);
/** Reference kernel, its tables: per-locus classes and the index of every class (kinship-relatives.ts). */
function referenceTables(child: StrProfile): void {
  cls.fill(0);
  for (let l = 0; l < L; l++) {
    const locus = loci[l]!;
    const g = child.loci[locus]!;
    const a = codes[l]!.get(g[0])!;
    const b = codes[l]!.get(g[1])!;
    cls[l * maxCodes + a] = 1;
    if (a !== b) cls[l * maxCodes + b] = 3;
    const names = table.alleles(locus);
    for (let r = 0; r < R; r++) {
      const relation = RelativeRelations[r]!;
      const mutation = relativeMutationPi(table, locus, relation, 0.002);
      for (let k = 0; k < 9; k++) {
        // A stand-in reference genotype of class k: k%3 copies of a, floor(k/3) of b.
        const ca = k % 3;
        const cb = Math.floor(k / 3);
        if (ca + cb > 2 || (a === b && cb > 0)) continue;
        const other = names.find((x) => x !== g[0] && x !== g[1])!;
        const ref = [...Array(ca).fill(g[0]), ...Array(cb).fill(g[1]), other, other].slice(0, 2) as [
          string,
          string,
        ];
        lr[(r * L + l) * 9 + k] = relativeLocusIndex(
          relation,
          g,
          ref,
          (x) => table.frequency(locus, x),
          mutation,
        );
      }
    }
  }
}

/** Reference kernel, its scan: every reference at every locus, row by row. */
function referenceScan(): number {
  let found = 0;
  const W = L * 2;
  for (let s = 0; s < REFERENCES; s++) {
    const base = s * W;
    const rb = relationOf[s]! * L * 9;
    let prod = 1;
    for (let l = 0; l < L; l++) {
      const o = l * maxCodes;
      prod *= lr[rb + l * 9 + cls[o + flat[base + 2 * l]!]! + cls[o + flat[base + 2 * l + 1]!]!]!;
    }
    if (prod >= FLOOR) found++;
  }
  return found;
}

/** The single-thread search with the JavaScript pre-scan (the WebAssembly one's plan without it). */
function searchJs(child: StrProfile) {
  const plan = index.planRelativeSearch(child, { floor: FLOOR });
  delete plan.scan.wasm;
  try {
    return index.relativeSearchResult(plan, [scanRelatives(plan.scan, 0, plan.scan.count)]);
  } finally {
    index.abandonSearch(plan);
  }
}
const wasmLoaded = index.planRelativeSearch(queries[0]!, { floor: FLOOR });
index.abandonSearch(wasmLoaded);
if (!wasmLoaded.scan.wasm) throw new Error('the WebAssembly pre-scan is not in use');
index.searchRelativesForChild(queries[0]!, { floor: FLOOR });
searchJs(queries[0]!);
await pool.searchRelativesForChild(queries[0]!, { floor: FLOOR });
await poolJs.searchRelativesForChild(queries[0]!, { floor: FLOOR });
referenceTables(queries[0]!);
referenceScan();
const ours: number[] = [];
// CPU time of the process (every thread) per search: what the search costs whatever the load.
const cpu = {
  ours: [] as number[],
  oursJs: [] as number[],
  pooled: [] as number[],
  pooledJs: [] as number[],
  reference: [] as number[],
};
const oursJs: number[] = [];
const pooledJs: number[] = [];
const cpuSince = (c: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(c);
  return (u.user + u.system) / 1000;
};
const pooled: number[] = [];
const reference: number[] = [];
const referenceScans: number[] = [];
let agree = true;
let siblingsFound = 0;
let childQueries = 0;
const report = await runRounds(SEARCHES, async (i) => {
  const q = queries[i % SEARCHES]!;
  if (i % 2 === 0) childQueries++;
  let c = process.cpuUsage();
  let s = performance.now();
  const r = index.searchRelativesForChild(q, { floor: FLOOR });
  ours.push(performance.now() - s);
  cpu.ours.push(cpuSince(c));
  c = process.cpuUsage();
  s = performance.now();
  const w = await pool.searchRelativesForChild(q, { floor: FLOOR });
  pooled.push(performance.now() - s);
  cpu.pooled.push(cpuSince(c));
  c = process.cpuUsage();
  s = performance.now();
  const rj = searchJs(q);
  oursJs.push(performance.now() - s);
  cpu.oursJs.push(cpuSince(c));
  c = process.cpuUsage();
  s = performance.now();
  const wj = await poolJs.searchRelativesForChild(q, { floor: FLOOR });
  pooledJs.push(performance.now() - s);
  cpu.pooledJs.push(cpuSince(c));
  if (JSON.stringify(rj) !== JSON.stringify(r) || JSON.stringify(wj) !== JSON.stringify(r)) agree = false;
  for (const m of morePools) {
    s = performance.now();
    const x = await m.pool.searchRelativesForChild(q, { floor: FLOOR });
    m.times.push(performance.now() - s);
    if (JSON.stringify(x) !== JSON.stringify(w)) agree = false;
  }
  if (JSON.stringify(w) !== JSON.stringify(r)) agree = false;
  c = process.cpuUsage();
  s = performance.now();
  referenceTables(q);
  const t = performance.now();
  const k = referenceScan();
  reference.push(performance.now() - s);
  cpu.reference.push(cpuSince(c));
  referenceScans.push(performance.now() - t);
  if (k !== r.length) agree = false;
  if (
    r[0]?.relation === 'full-sibling' &&
    Number(r[0].referenceId.slice(1)) % Math.max(1, Math.floor(REFERENCES / 10)) === 0
  )
    siblingsFound++;
});
await pool.close();
await poolJs.close();
for (const m of morePools) await m.pool.close();
const loadAtEnd = load();

out(
  `dna-relatives: 1 child vs ${REFERENCES.toLocaleString('en')} relative references (${RelativeRelations.join(', ')}), ${L} loci, floor ${FLOOR}`,
);
out(
  `node ${process.version}, queries: ${SEARCHES} children in turn, every other one with a sibling in the index`,
);
for (const line of besideLines(report)) out(line);
out(
  `load (generate + pack) ${(loadMs / 1000).toFixed(2)} s, of which ProfileIndex.add ${(indexMs / 1000).toFixed(2)} s`,
);
const perMillion = (bytes: number) => mb((bytes / REFERENCES) * 1e6);
out(
  `memory per 1M refs     rss ${perMillion(after.rss - before.rss)}, heap ${perMillion(after.heapUsed - before.heapUsed)}, typed arrays ${perMillion(packed)} (the rss and heap include the generation and the reference's own ${mb(flat.byteLength)} copy)`,
);
out(
  `worker pool            ${pool.workers} workers over the same index, started in ${poolStartMs.toFixed(0)} ms (nothing copied); ${pool.chunks.shared} chunks shared out, ${pool.chunks.takenOver} of them scanned by the calling thread after a worker had taken them`,
);
out(`machine                load average ${loadAtStart} at start, ${loadAtEnd} after the searches`);
out();
out('| kernel                  | p50 ms | p95 ms | p99 ms |');
out('| ----------------------- | -----: | -----: | -----: |');
const row = (name: string, xs: number[]) =>
  out(
    `| ${name.padEnd(23)} | ${pct(xs, 50).toFixed(1).padStart(6)} | ${pct(xs, 95).toFixed(1).padStart(6)} | ${pct(xs, 99).toFixed(1).padStart(6)} |`,
  );
row('relatives search, wasm', ours);
row('relatives search, JS', oursJs);
row(`SearchPool (${pool.workers}), wasm`, pooled);
row(`SearchPool (${pool.workers}), JS`, pooledJs);
for (const m of morePools) row(`SearchPool (${m.pool.workers} workers)`, m.times);
row('reference row loop', reference);
row('  of which its scan', referenceScans);
out(
  `| ratio ours / reference  | ${(pct(ours, 50) / pct(reference, 50)).toFixed(2).padStart(6)} | ${(pct(ours, 95) / pct(reference, 95)).toFixed(2).padStart(6)} | ${(pct(ours, 99) / pct(reference, 99)).toFixed(2).padStart(6)} |`,
);
out(
  `| ratio ours / ref. scan  | ${(pct(ours, 50) / pct(referenceScans, 50)).toFixed(2).padStart(6)} | ${(pct(ours, 95) / pct(referenceScans, 95)).toFixed(2).padStart(6)} | ${(pct(ours, 99) / pct(referenceScans, 99)).toFixed(2).padStart(6)} |`,
);
out(
  `| ratio pool / reference  | ${(pct(pooled, 50) / pct(reference, 50)).toFixed(2).padStart(6)} | ${(pct(pooled, 95) / pct(reference, 95)).toFixed(2).padStart(6)} | ${(pct(pooled, 99) / pct(reference, 99)).toFixed(2).padStart(6)} |`,
);
out(
  `| ratio pool wasm / JS    | ${(pct(pooled, 50) / pct(pooledJs, 50)).toFixed(2).padStart(6)} | ${(pct(pooled, 95) / pct(pooledJs, 95)).toFixed(2).padStart(6)} | ${(pct(pooled, 99) / pct(pooledJs, 99)).toFixed(2).padStart(6)} |`,
);
out();
out('CPU time per search, every thread of the process (independent of the load: one thread on a quiet');
out("machine takes about this long; the pool's workers share it, so about half of it each):");
out('| kernel                        | cpu p50 ms | cpu p95 ms |');
out('| ----------------------------- | ---------: | ---------: |');
for (const [name, xs] of [
  ['ProfileIndex (1 thread), wasm', cpu.ours],
  ['ProfileIndex (1 thread), JS', cpu.oursJs],
  [`SearchPool (${pool.workers}, total), wasm`, cpu.pooled],
  [`SearchPool (${pool.workers}, total), JS`, cpu.pooledJs],
  ['reference', cpu.reference],
] as const) {
  out(
    `| ${name.padEnd(29)} | ${pct(xs, 50).toFixed(1).padStart(10)} | ${pct(xs, 95).toFixed(1).padStart(10)} |`,
  );
}
out();
out(
  `goal p95 <= 25 ms quiet / 50 ms loaded: pool p95 ${pct(pooled, 95).toFixed(1)} ms (JS ${pct(pooledJs, 95).toFixed(1)}), single-index p95 ${pct(ours, 95).toFixed(1)} ms (JS ${pct(oursJs, 95).toFixed(1)}) at load ${loadAtEnd}; results agree (index = pool, wasm = JS, counts = reference): ${agree}; planted siblings found first: ${siblingsFound}/${childQueries}`,
);
