/**
 * Would a pre-filter pay for the relatives scan? The measurement behind not building one.
 *
 * Part 1, rejection: over unrelated references (a quarter of each relationship) and children of
 * the same synthetic population, the share of references that an upper bound on log2 of the
 * kinship index leaves above log2(floor) (those the full scan would still have to score), for
 * bounds read from carrier bitsets of the child's two alleles at each locus, coarsest first:
 *  - counts: how many loci fall in each of four classes (shares nothing; one allele, the
 *    reference heterozygous; one allele, homozygous; the child's genotype), bounded by the sum
 *    of the largest per-locus maxima of each class (what a few popcounts could give);
 *  - weighted: the per-locus maximum of the reference's class (a, b, both; the reference
 *    homozygous or not), over every relationship, as a real number (no rounding);
 *  - weighted, per relationship group (full siblings, second degree);
 *  - weighted, rounded up to quarter and half bits (what a bit-sliced adder would sum).
 * Every bound is checked to be at least the exact value for every reference.
 *
 * Part 2, cost: 1,000,000 references × 23 loci, the weighted bound in quarter bits summed by a
 * bit-sliced adder (32 references a word: six class masks from four bitset words, six addend
 * planes, an 11-bit ripple adder, a comparison with the cut), beside the scan's own inner loop
 * (one 32-bit load of two keys, two loads of quantised logs, integer sums), on random data of
 * the same shapes. The pre-filter is worth building only if it costs clearly less than the
 * scan it would save.
 *
 * Run: npm run bench -- dna-relatives-bound [-- references children]
 */
import { loadavg } from 'node:os';
import {
  type RelativeRelation,
  RelativeRelations,
  relativeLocusIndex,
  relativeMutationPi,
} from '../../services/dna-tracking/src/domain/kinship-relatives.ts';
import type { Genotype } from '../../services/dna-tracking/src/domain/profile.ts';
import { SyntheticPopulation } from '../../services/dna-tracking/src/domain/synthetic-population.ts';
import { benchFrequencyTable } from './dna-table.ts';

const REFERENCES = Number(process.argv[2] ?? 20_000);
const CHILDREN = Number(process.argv[3] ?? 6);
const FLOOR = 1_000;
const MU = 0.002;
const out = (line = '') => process.stdout.write(`${line}\n`);
const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');

const table = benchFrequencyTable();
const loci = table.loci;
const population = new SyntheticPopulation(table, 7);
const cut = Math.log2(FLOOR);
out(
  `dna-relatives-bound: ${REFERENCES.toLocaleString('en')} unrelated references × ${CHILDREN} children, floor ${FLOOR}`,
);
out(`load average ${load()} at start`);

/** Class of a reference's genotype against a child's at a locus: 0 none, 1 one (het), 2 one (hom), 3 the child's, 4.. by allele. */
function classOf(child: Genotype, g: Genotype): { coarse: number; fine: string } {
  const [a, b] = child;
  const ca = g.includes(a);
  const cb = g.includes(b);
  const hom = g[0] === g[1];
  if (!ca && !cb) return { coarse: 0, fine: 'none' };
  if (g[0] === child[0] && g[1] === child[1]) return { coarse: 3, fine: 'same' };
  return { coarse: hom ? 2 : 1, fine: `${ca ? 'a' : 'b'}${hom ? 'hom' : 'het'}` };
}

const log2Index = (relation: RelativeRelation, locus: (typeof loci)[number], child: Genotype, g: Genotype) =>
  Math.log2(
    relativeLocusIndex(
      relation,
      child,
      g,
      (x) => table.frequency(locus, x),
      relativeMutationPi(table, locus, relation, MU),
    ),
  );

const references = Array.from({ length: REFERENCES }, () => population.person());
const relationOf = (i: number) => RelativeRelations[i % RelativeRelations.length]!;
const names = ['counts', 'weighted', 'weighted, per group', 'weighted, quarter bits', 'weighted, half bits'];
const passed = names.map(() => [] as number[]);
let exactAbove = 0;
for (let c = 0; c < CHILDREN; c++) {
  const child = population.person();
  // Per locus, per class: the largest log2 index of any genotype of that class, over the given relationships.
  const maxima = (relations: readonly RelativeRelation[], key: 'coarse' | 'fine') =>
    loci.map((locus) => {
      const g = child.loci[locus]!;
      const alleles = table.alleles(locus);
      const best = new Map<string | number, number>();
      for (const x of alleles)
        for (const y of alleles) {
          if (Number(x) > Number(y)) continue;
          const genotype = [x, y] as unknown as Genotype;
          const k = classOf(g, genotype)[key];
          for (const r of relations)
            best.set(k, Math.max(best.get(k) ?? -Infinity, log2Index(r, locus, g, genotype)));
        }
      return best;
    });
  const coarse = maxima(RelativeRelations, 'coarse');
  const fine = maxima(RelativeRelations, 'fine');
  const fineSiblings = maxima(['full-sibling'], 'fine');
  const fineSecond = maxima(['half-sibling', 'grandparent', 'aunt-uncle'], 'fine');
  // counts: the top-n sums of each class's per-locus maxima.
  const tops = [0, 1, 2, 3].map((k) => {
    const xs = coarse
      .map((m) => m.get(k) ?? -Infinity)
      .filter(Number.isFinite)
      .sort((x, y) => y - x);
    const sums = [0];
    for (const x of xs) sums.push(sums[sums.length - 1]! + x);
    return sums;
  });
  const pass = names.map(() => 0);
  for (const [i, reference] of references.entries()) {
    const relation = relationOf(i);
    const counts = [0, 0, 0, 0];
    let exact = 0;
    const bounds = [0, 0, 0, 0, 0];
    loci.forEach((locus, l) => {
      const g = child.loci[locus]!;
      const r = reference.loci[locus]!;
      exact += log2Index(relation, locus, g, r);
      const k = classOf(g, r);
      counts[k.coarse]!++;
      const w = fine[l]!.get(k.fine)!;
      bounds[1]! += w;
      bounds[2]! += (relation === 'full-sibling' ? fineSiblings : fineSecond)[l]!.get(k.fine)!;
      bounds[3]! += Math.ceil(w * 4) / 4;
      bounds[4]! += Math.ceil(w * 2) / 2;
    });
    bounds[0] = counts.reduce((s, n, k) => s + tops[k]![n]!, 0);
    if (exact >= cut) exactAbove++;
    bounds.forEach((b, j) => {
      if (b < exact - 1e-9) throw new Error(`${names[j]} is not an upper bound`);
      if (b >= cut) pass[j]!++;
    });
  }
  for (const [j, p] of pass.entries()) passed[j]!.push(p / REFERENCES);
}
out();
out('| bound                     | references left to score (per child, min – max) |');
out('| ------------------------- | ----------------------------------------------- |');
names.forEach((name, j) => {
  const xs = passed[j]!;
  const range = `${(100 * Math.min(...xs)).toFixed(2)}% – ${(100 * Math.max(...xs)).toFixed(2)}%`;
  out(`| ${name.padEnd(25)} | ${range.padEnd(47)} |`);
});
out(`(the exact index reached the floor for ${exactAbove} of ${REFERENCES * CHILDREN} unrelated pairs)`);

// Part 2: cost on random data of the scan's shapes.
const N = 1_000_000;
const L = loci.length;
const W = N / 32;
let seed = 1;
const random = () => {
  seed = (Math.imul(seed, 1_103_515_245) + 12_345) | 0;
  return seed;
};
const bitsets = Array.from({ length: L * 4 }, () => Int32Array.from({ length: W }, random));
const select = Int32Array.from({ length: L * 36 }, () => (random() & 1 ? -1 : 0));
// Written out by hand (no closures or arrays in the loop), as a kernel of search-kernel.ts would be.
function bitSliced(cutUnits: number): number {
  let left = 0;
  for (let w = 0; w < W; w++) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let s4 = 0;
    let s5 = 0;
    let s6 = 0;
    let s7 = 0;
    let s8 = 0;
    let s9 = 0;
    let s10 = 0;
    for (let l = 0; l < L; l++) {
      const a = bitsets[4 * l]![w]!;
      const b = bitsets[4 * l + 1]![w]!;
      const h = bitsets[4 * l + 2]![w]!;
      const m0 = bitsets[4 * l + 3]![w]!;
      const ao = a & ~b;
      const bo = b & ~a;
      const m1 = ao & ~h;
      const m2 = ao & h;
      const m3 = bo & ~h;
      const m4 = bo & h;
      const m5 = a & b;
      const o = 36 * l;
      const p0 =
        (m0 & select[o]!) |
        (m1 & select[o + 1]!) |
        (m2 & select[o + 2]!) |
        (m3 & select[o + 3]!) |
        (m4 & select[o + 4]!) |
        (m5 & select[o + 5]!);
      const p1 =
        (m0 & select[o + 6]!) |
        (m1 & select[o + 7]!) |
        (m2 & select[o + 8]!) |
        (m3 & select[o + 9]!) |
        (m4 & select[o + 10]!) |
        (m5 & select[o + 11]!);
      const p2 =
        (m0 & select[o + 12]!) |
        (m1 & select[o + 13]!) |
        (m2 & select[o + 14]!) |
        (m3 & select[o + 15]!) |
        (m4 & select[o + 16]!) |
        (m5 & select[o + 17]!);
      const p3 =
        (m0 & select[o + 18]!) |
        (m1 & select[o + 19]!) |
        (m2 & select[o + 20]!) |
        (m3 & select[o + 21]!) |
        (m4 & select[o + 22]!) |
        (m5 & select[o + 23]!);
      const p4 =
        (m0 & select[o + 24]!) |
        (m1 & select[o + 25]!) |
        (m2 & select[o + 26]!) |
        (m3 & select[o + 27]!) |
        (m4 & select[o + 28]!) |
        (m5 & select[o + 29]!);
      const p5 =
        (m0 & select[o + 30]!) |
        (m1 & select[o + 31]!) |
        (m2 & select[o + 32]!) |
        (m3 & select[o + 33]!) |
        (m4 & select[o + 34]!) |
        (m5 & select[o + 35]!);
      // A ripple adder: six bits of addend into eleven bits of sum.
      let c = s0 & p0;
      s0 ^= p0;
      let t = s1 ^ p1;
      let n = (s1 & p1) | (t & c);
      s1 = t ^ c;
      c = n;
      t = s2 ^ p2;
      n = (s2 & p2) | (t & c);
      s2 = t ^ c;
      c = n;
      t = s3 ^ p3;
      n = (s3 & p3) | (t & c);
      s3 = t ^ c;
      c = n;
      t = s4 ^ p4;
      n = (s4 & p4) | (t & c);
      s4 = t ^ c;
      c = n;
      t = s5 ^ p5;
      n = (s5 & p5) | (t & c);
      s5 = t ^ c;
      c = n;
      n = s6 & c;
      s6 ^= c;
      c = n;
      n = s7 & c;
      s7 ^= c;
      c = n;
      n = s8 & c;
      s8 ^= c;
      c = n;
      n = s9 & c;
      s9 ^= c;
      c = n;
      s10 ^= c;
    }
    // Lanes whose sum reaches the cut: compared bit by bit from the top.
    let above = 0;
    let equal = -1;
    const slices = [s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10];
    for (let j = 10; j >= 0; j--) {
      const bit = (cutUnits >> j) & 1 ? -1 : 0;
      above |= equal & slices[j]! & ~bit;
      equal &= ~(slices[j]! ^ bit);
    }
    if (above | equal) left++;
  }
  return left;
}
const keys = Uint32Array.from({ length: N * 12 }, () => (random() & 0x1fff) | ((random() & 0x1fff) << 16));
const logs = Int32Array.from({ length: 8_192 }, () => random() % 100_000);
function scan(cutUnits: number): number {
  let found = 0;
  for (let s = 0, base = 0; s < N; s++, base += 12) {
    let x = 0;
    let y = 0;
    for (let h = 0; h < 12; h++) {
      const w = keys[base + h]!;
      x += logs[w & 0xffff]!;
      y += logs[w >>> 16]!;
    }
    if (x + y >= cutUnits) found++;
  }
  return found;
}
const cpuMs = (f: () => number) => {
  const times: number[] = [];
  for (let i = 0; i < 12; i++) {
    const c = process.cpuUsage();
    f();
    const u = process.cpuUsage(c);
    times.push((u.user + u.system) / 1000);
  }
  times.sort((a, b) => a - b);
  return { min: times[0]!, median: times[6]! };
};
const sliced = cpuMs(() => bitSliced(900));
const scanned = cpuMs(() => scan(2 ** 30));
out();
out(`CPU per 1,000,000 references (12 runs each, load average ${load()}):`);
out(`| kernel                          | cpu min ms | cpu median ms |`);
out(`| ------------------------------- | ---------: | ------------: |`);
out(
  `| bit-sliced bound, quarter bits  | ${sliced.min.toFixed(1).padStart(10)} | ${sliced.median.toFixed(1).padStart(13)} |`,
);
out(
  `| scan (keys and quantised logs)  | ${scanned.min.toFixed(1).padStart(10)} | ${scanned.median.toFixed(1).padStart(13)} |`,
);
out(
  `| ratio bound / scan              | ${(sliced.min / scanned.min).toFixed(2).padStart(10)} | ${(sliced.median / scanned.median).toFixed(2).padStart(13)} |`,
);
