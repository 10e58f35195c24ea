/**
 * The kinship search's scanning loops, over a range of slots of a packed index: what
 * {@link ProfileIndex} runs over all its slots on the calling thread, and what each worker of
 * search-pool.ts runs over its share of the same SharedArrayBuffer-backed arrays. Pure functions
 * of typed arrays and a plan (the per-search tables ProfileIndex builds), no other state: the
 * numbers, and the slots found, depend only on the plan and the range, so shards of one index
 * find together exactly what one scan of the whole finds (search-pool.test.ts holds them to it).
 *
 * See matcher.ts for the layout (codes, byte columns) and the scoring (classes, the tables of
 * kinship.ts's and kinship-relatives.ts's formulas).
 */

/** Code of an untyped locus in a pack. */
export const UNTYPED = 0xffff;
/** A parent that is in no pair. */
export const NO_PAIR = -1;
/** Classes of a parent's genotype against a child's: count(a) + 3·count(b). */
export const CLASSES = 9;
/** Classes of a pair: the mother's class × 9 + the father's. */
export const PAIR_CLASSES = CLASSES * CLASSES;
/** Byte column code of an untyped locus. */
export const COLUMN_UNTYPED = 0xff;
/** Byte column code shared by every allele code from 254 on (never counted inconsistent by the pre-filter). */
export const COLUMN_OVERFLOW = 0xfe;

/** The byte a column holds for an allele code. */
export const columnCode = (code: number): number =>
  code === UNTYPED ? COLUMN_UNTYPED : Math.min(code, COLUMN_OVERFLOW);

/**
 * What a parent scan needs: views of the index's parent pack (at the moment the search began)
 * and the tables of one child.
 */
export interface ParentScanPlan {
  /** Row-major codes, `width` per slot. */
  alleles: Uint16Array;
  /** Locus-major byte codes: locus l of slot s at `l * 2 * stride + 2 * s`. */
  columns: Uint8Array;
  /** The pack's capacity when the search began (the columns' stride, in slots). */
  stride: number;
  /** Slots to search: [0, count). Slots added after the plan was made are not looked at. */
  count: number;
  width: number;
  pairOf: Int32Array;
  pairMother: Int32Array;
  pairFather: Int32Array;
  /** Pairs formed when the search began; a pair formed since is not looked at. */
  pairCount: number;
  /** Loci typed in the child, most discriminating first (the scoring's early exit). */
  loci: Int32Array;
  /** The same loci, most excluding first (the pre-filter's order). */
  filterLoci: Int32Array;
  /** Per locus: the column bytes that may be a child allele (its two codes), as columnCode gives. */
  childColumns: Uint8Array;
  classOf: Uint8Array;
  classOffset: Int32Array;
  single: Float64Array;
  pair: Float64Array;
  maxBad: number;
  floor: number;
}

/** Slots of the parents and indexes of the pairs at or above the floor, each in increasing order. */
export interface ParentScanResult {
  singles: number[];
  pairs: number[];
}

// Scratch of this thread, grown as needed, so the hot loops allocate nothing.
let survivors = new Int32Array(0);
let counts = new Uint8Array(0);
let bad = new Uint8Array(0);
const excludes = new Uint8Array(65536);
const excludes2 = new Uint8Array(65536);
const excludes3 = new Uint8Array(65536);
const zeros = new Uint8Array(65536);

/**
 * Scores the parents in slots [from, to) of a plan against its child, alone and, for every pair
 * whose mother is in the range, as a pair.
 *
 * Pass 1a, the pre-filter: one locus at a time over the byte columns, counting the loci where a
 * parent carries neither child allele (exactly the loci the formulas score as inconsistent), and
 * dropping a parent at the exclusion count. Codes it cannot tell apart (untyped, or from 254 on)
 * count as consistent, so it never drops a parent the scoring would keep. Pass 1b scores the
 * survivors in full. Pass 2 scores the pairs whose mother survived; a pair is inconsistent
 * wherever one member is, so a pair whose father (in the range) was excluded alone is skipped
 * (exact, not a heuristic; a father outside the range is scored with the pair, which excludes
 * it at the same loci).
 */
export function scanParents(plan: ParentScanPlan, from: number, to: number): ParentScanResult {
  const { alleles, classOf, classOffset: offset, loci, single: singleTable, pair: pairTable } = plan;
  const { maxBad, floor, width } = plan;
  const typed = loci.length;
  const n = to - from;
  const singles: number[] = [];
  const pairs: number[] = [];
  if (n <= 0) return { singles, pairs };
  if (survivors.length < n) {
    survivors = new Int32Array(n);
    counts = new Uint8Array(n);
    bad = new Uint8Array(n);
  }
  const stride = plan.stride;
  // Two byte codes read as one 16-bit word (little- or big-endian alike: the table below is
  // symmetric in its two bytes).
  const words = new Uint16Array(plan.columns.buffer, plan.columns.byteOffset, plan.columns.length >> 1);
  const childColumns = plan.childColumns;
  const tableFor = (l: number, out: Uint8Array) => {
    // 1 everywhere except the words with a byte that may be a child allele (its two codes,
    // untyped, overflow): 4 rows and 4 columns of the 256 × 256 table.
    out.fill(1);
    const kept = [COLUMN_UNTYPED, COLUMN_OVERFLOW, childColumns[2 * l]!, childColumns[2 * l + 1]!];
    for (const v of kept) {
      for (let x = 0; x < 256; x++) {
        out[(v << 8) | x] = 0;
        out[(x << 8) | v] = 0;
      }
    }
    return words.subarray(l * stride + from, l * stride + to);
  };
  const order = plan.filterLoci;
  // Dropped parents hold the exclusion count for the pruning of pairs; survivors get their exact
  // count in pass 1b. Survivors (as offsets from `from`) and their counts kept dense, side by side.
  bad.fill(maxBad, 0, n);
  let alive = 0;
  // The first sweep reads the first three loci's columns straight through (every parent is
  // still there, so no survivor list to follow); a parent needs three inconsistencies to go, so
  // this is also the first sweep that can drop one.
  const first = Math.min(3, typed);
  if (first === 0) for (let s = 0; s < n; s++) survivors[alive++] = s;
  else if (first < 3) {
    const column = tableFor(order[0]!, excludes);
    const column2 = first === 2 ? tableFor(order[1]!, excludes2) : column;
    const second = first === 2 ? excludes2 : zeros;
    for (let s = 0; s < n; s++) {
      const c = excludes[column[s]!]! + second[column2[s]!]!;
      survivors[alive] = s;
      counts[alive] = c;
      alive += (c - maxBad) >>> 31;
    }
  } else {
    const colA = tableFor(order[0]!, excludes);
    const colB = tableFor(order[1]!, excludes2);
    const colC = tableFor(order[2]!, excludes3);
    for (let s = 0; s < n; s++) {
      const c = excludes[colA[s]!]! + excludes2[colB[s]!]! + excludes3[colC[s]!]!;
      survivors[alive] = s;
      counts[alive] = c;
      alive += (c - maxBad) >>> 31;
    }
  }
  // Two loci a sweep: half the passes over the survivors. The compaction is branchless (each
  // slot is written, the cursor moves by 1 when c < maxBad): a data-dependent branch here is
  // mispredicted about as often as it is taken, which doubled the time.
  for (let i = first; i < typed && alive > 0; i += 2) {
    const colA = tableFor(order[i]!, excludes);
    let kept = 0;
    if (i + 1 < typed) {
      const colB = tableFor(order[i + 1]!, excludes2);
      for (let r = 0; r < alive; r++) {
        const s = survivors[r]!;
        const c = counts[r]! + excludes[colA[s]!]! + excludes2[colB[s]!]!;
        survivors[kept] = s;
        counts[kept] = c;
        kept += (c - maxBad) >>> 31;
      }
    } else {
      for (let r = 0; r < alive; r++) {
        const s = survivors[r]!;
        const c = counts[r]! + excludes[colA[s]!]!;
        survivors[kept] = s;
        counts[kept] = c;
        kept += (c - maxBad) >>> 31;
      }
    }
    alive = kept;
  }

  // Pass 1b: the survivors scored in full.
  for (let r = 0; r < alive; r++) {
    const s = from + survivors[r]!;
    const base = s * width;
    let product = 1;
    let inconsistent = 0;
    for (let i = 0; i < typed; i++) {
      const l = loci[i]!;
      const at = base + 2 * l;
      const g1 = alleles[at]!;
      if (g1 === UNTYPED) continue;
      const o = offset[l]!;
      let v = singleTable[l * CLASSES + classOf[o + g1]! + classOf[o + alleles[at + 1]!]!]!;
      if (v <= 0) {
        if (++inconsistent >= maxBad) break;
        v = -v;
      }
      product *= v;
    }
    bad[s - from] = inconsistent;
    if (inconsistent < maxBad && product >= floor) singles.push(s);
  }

  // Pass 2: pairs whose mother survived pass 1, in pair order.
  const { pairOf, pairMother: mothers, pairFather: fathers, pairCount } = plan;
  for (let r = 0; r < alive; r++) {
    const m = from + survivors[r]!;
    const p = pairOf[m]!;
    if (p === NO_PAIR || p >= pairCount || mothers[p] !== m) continue;
    const f = fathers[p]!;
    if (f >= from && f < to && bad[f - from]! >= maxBad) continue;
    pairs.push(p);
  }
  pairs.sort((a, b) => a - b);
  let kept = 0;
  for (const p of pairs) {
    const mb = mothers[p]! * width;
    const fb = fathers[p]! * width;
    let product = 1;
    let inconsistent = 0;
    for (let i = 0; i < typed; i++) {
      const l = loci[i]!;
      const o = offset[l]!;
      const m1 = alleles[mb + 2 * l]!;
      const f1 = alleles[fb + 2 * l]!;
      let v: number;
      if (m1 !== UNTYPED) {
        const km = classOf[o + m1]! + classOf[o + alleles[mb + 2 * l + 1]!]!;
        if (f1 !== UNTYPED) {
          const kf = classOf[o + f1]! + classOf[o + alleles[fb + 2 * l + 1]!]!;
          v = pairTable[l * PAIR_CLASSES + km * CLASSES + kf]!;
        } else {
          v = singleTable[l * CLASSES + km]!;
        }
      } else if (f1 !== UNTYPED) {
        v = singleTable[l * CLASSES + classOf[o + f1]! + classOf[o + alleles[fb + 2 * l + 1]!]!]!;
      } else {
        continue;
      }
      if (v <= 0) {
        if (++inconsistent >= maxBad) break;
        v = -v;
      }
      product *= v;
    }
    if (inconsistent < maxBad && product >= floor) pairs[kept++] = p;
  }
  pairs.length = kept;
  return { singles, pairs };
}

/**
 * What a relatives scan needs: the relatives' genotype ids (one per locus, row-major) and
 * relationships, and one child's index per relationship and genotype id.
 */
export interface RelativeScanPlan {
  /** Per slot and locus: the genotype id (0 = untyped), `loci` per row. */
  genotypes: Uint16Array;
  relation: Uint8Array;
  loci: number;
  /** Slots to search: [0, count). */
  count: number;
  /**
   * Per relationship r and genotype id g, at `r * genotypeCount + g`: the kinship index of the
   * child with that genotype at its locus (1 where the child or the genotype is untyped, which
   * multiplies exactly as skipping the locus does).
   */
  table: Float64Array;
  genotypeCount: number;
  floor: number;
}

/**
 * A product of a few dozen factors, multiplied in two different orders, differs by a few units in
 * the last place (each multiplication is within half an ulp: 23 factors, well under 1e-14 apart).
 * The scan keeps what reaches the floor less this margin; the result keeps, of those, what the
 * exact product in the table's order puts at or above the floor. So nothing is lost and nothing is
 * added by scanning in another order.
 */
export const SCAN_MARGIN = 1e-12;

/**
 * Slots in [from, to) whose kinship index with the plan's child reaches the floor (within
 * {@link SCAN_MARGIN}, for the exact product to decide), in increasing order. One load of a
 * genotype id and one of the index per locus; four running products, so the multiplications of
 * one reference overlap instead of waiting each for the one before (one running product was
 * bound by the multiplier's latency, about three times slower).
 */
export function scanRelatives(plan: RelativeScanPlan, from: number, to: number): number[] {
  const { genotypes, relation, table } = plan;
  const cut = plan.floor * (1 - SCAN_MARGIN);
  const L = plan.loci;
  const G = plan.genotypeCount;
  const L4 = L - (L % 4);
  const found: number[] = [];
  for (let s = from; s < to; s++) {
    const base = s * L;
    const r = relation[s]! * G;
    let p0 = 1;
    let p1 = 1;
    let p2 = 1;
    let p3 = 1;
    let l = 0;
    for (; l < L4; l += 4) {
      p0 *= table[r + genotypes[base + l]!]!;
      p1 *= table[r + genotypes[base + l + 1]!]!;
      p2 *= table[r + genotypes[base + l + 2]!]!;
      p3 *= table[r + genotypes[base + l + 3]!]!;
    }
    for (; l < L; l++) p0 *= table[r + genotypes[base + l]!]!;
    if (p0 * p1 * (p2 * p3) >= cut) found.push(s);
  }
  return found;
}
