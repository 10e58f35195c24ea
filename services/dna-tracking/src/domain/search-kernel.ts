/**
 * The kinship search's scanning loops, over a range of slots of a packed index: what
 * {@link ProfileIndex} runs over all its slots on the calling thread, and what each worker of
 * search-pool.ts runs over its share of the same SharedArrayBuffer-backed arrays. Pure functions
 * of typed arrays and a plan (the per-search tables ProfileIndex builds), no other state (but
 * the loops compiled per thread): the numbers, and the slots found, depend only on
 * the plan and the range, so shards of one index find together exactly what one scan of the
 * whole finds (search-pool.test.ts holds them to it). Also the parents' carrier bitsets
 * ({@link CarrierBits}), the layout the parents' pre-filter reads.
 *
 * See matcher.ts for the layout (codes, genotype ids) and the scoring (classes, the tables of
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
/**
 * Highest exclusion count the pre-filter counts to (its counter has three bit-slices);
 * {@link scanParents} refuses a plan whose `maxBad` is above it.
 */
export const MAX_FILTER_EXCLUSIONS = 8;

/** A typed array of Int32 words, on a SharedArrayBuffer when `shared` (worker threads read it). */
const words = (length: number, shared: boolean): Int32Array =>
  new Int32Array(shared ? new SharedArrayBuffer(length * 4) : new ArrayBuffer(length * 4));

/**
 * The carriers of every allele code at every locus, as bitsets over slots (slot s is bit s % 32
 * of word s / 32), and the slots untyped at each locus: what {@link scanParents}' pre-filter
 * reads, three words a locus for 32 parents. A parent carries neither child allele at a locus
 * exactly when its bit is clear in the child's two alleles' sets and in the untyped set, which is
 * exactly where the formulas score the locus inconsistent (an untyped locus is skipped by them).
 * About 36 bytes a parent on the FBI table's 261 alleles (the byte columns it replaces took 46).
 */
export class CarrierBits {
  /** Per locus, per allele code: its carriers (allocated at the code's first carrier). */
  #carriers: (Int32Array | undefined)[][];
  /** Per locus: the slots untyped there, and how many they are. */
  #untyped: Int32Array[];
  readonly #untypedCount: Int32Array;
  /** Carried by no slot: what a code nobody carries reads. */
  #none: Int32Array;
  #words: number;
  readonly #shared: boolean;

  /** Room for `capacity` slots (a multiple of 32) at `loci` loci. */
  constructor(loci: number, capacity: number, shared: boolean) {
    this.#shared = shared;
    this.#words = capacity >>> 5;
    this.#carriers = Array.from({ length: loci }, () => []);
    this.#untyped = Array.from({ length: loci }, () => words(this.#words, shared));
    this.#untypedCount = new Int32Array(loci);
    this.#none = words(this.#words, shared);
  }

  /** Bytes of the bitsets allocated. */
  get byteLength(): number {
    let bytes = this.#none.byteLength;
    for (const u of this.#untyped) bytes += u.byteLength;
    for (const locus of this.#carriers) for (const c of locus) bytes += c?.byteLength ?? 0;
    return bytes;
  }

  /** Records (`on`) or forgets the genotypes of `row` (2 codes a locus, {@link UNTYPED} for none) at `slot`. */
  set(slot: number, row: ArrayLike<number>, on: boolean): void {
    const w = slot >>> 5;
    const bit = 1 << (slot & 31);
    const flip = (bits: Int32Array) => {
      bits[w] = on ? bits[w]! | bit : bits[w]! & ~bit;
    };
    for (let l = 0; l < this.#untyped.length; l++) {
      const a = row[2 * l]!;
      if (a === UNTYPED) {
        flip(this.#untyped[l]!);
        this.#untypedCount[l]! += on ? 1 : -1;
        continue;
      }
      const codes = this.#carriers[l]!;
      for (const code of [a, row[2 * l + 1]!]) {
        codes[code] ??= words(this.#words, this.#shared);
        flip(codes[code]);
      }
    }
  }

  /** Room for `capacity` slots (a multiple of 32), the bits kept. */
  grow(capacity: number): void {
    const n = capacity >>> 5;
    const shared = this.#shared;
    const moved = (old: Int32Array) => {
      const bits = words(n, shared);
      bits.set(old);
      return bits;
    };
    this.#carriers = this.#carriers.map((locus) => locus.map((c) => c && moved(c)));
    this.#untyped = this.#untyped.map(moved);
    this.#none = words(n, shared);
    this.#words = n;
  }

  /**
   * The three sets the pre-filter ORs at locus `l` for a child with codes `a` and `b` there: the
   * carriers of each, and the slots untyped there (an empty set read twice costs one stream, so a
   * code nobody carries, and no slot untyped, read the shared empty set).
   */
  filterAt(l: number, a: number, b: number): [Int32Array, Int32Array, Int32Array] {
    const codes = this.#carriers[l]!;
    return [
      codes[a] ?? this.#none,
      codes[b] ?? this.#none,
      this.#untypedCount[l]! > 0 ? this.#untyped[l]! : this.#none,
    ];
  }
}

/**
 * What a parent scan needs: views of the index's parent pack (at the moment the search began)
 * and the tables of one child.
 */
export interface ParentScanPlan {
  /** Row-major codes, `width` per slot. */
  alleles: Uint16Array;
  /**
   * The pre-filter's bitsets ({@link CarrierBits.filterAt}), three a locus typed in the child,
   * most excluding locus first: a parent carries neither child allele at locus i exactly where
   * its bit is clear in `carriers[3i]`, `carriers[3i + 1]` and `carriers[3i + 2]`.
   */
  carriers: Int32Array[];
  /** Slots to search: [0, count). Slots added after the plan was made are not looked at. */
  count: number;
  width: number;
  pairOf: Int32Array;
  pairMother: Int32Array;
  pairFather: Int32Array;
  /** Pairs formed when the search began; a pair formed since is not looked at. */
  pairCount: number;
  /** Loci typed in the child, most discriminating first (the pairs' early exit). */
  loci: Int32Array;
  classOf: Uint8Array;
  classOffset: Int32Array;
  single: Float64Array;
  pair: Float64Array;
  /** Inconsistent loci that exclude: 1 to {@link MAX_FILTER_EXCLUSIONS} (0 or less excludes everyone). */
  maxBad: number;
  floor: number;
}

/** Slots of the parents and indexes of the pairs at or above the floor, each in increasing order. */
export interface ParentScanResult {
  singles: number[];
  pairs: number[];
}

/**
 * Scores the parents in slots [from, to) of a plan against its child, alone and, for every pair
 * whose mother is in the range, as a pair.
 *
 * Pass 1, the pre-filter, 32 parents a step: for each word of the carrier bitsets, the loci
 * (most excluding first) where each parent carries neither child allele are counted in a
 * bit-sliced counter (three slices, started at 8 − maxBad so that the maxBad-th exclusion
 * carries out of the top slice into `excluded`), until all 32 are excluded or the loci run out.
 * The count is exactly the formulas' count of inconsistent loci (see {@link CarrierBits}), so
 * the parents left are exactly those with fewer than maxBad: each is scored in full (its product
 * in the order of `loci`, the inconsistent loci at their mutation index). Pass 2 scores the pairs
 * whose mother survived; a pair is inconsistent wherever one member is, so a pair whose father
 * (in the range) was excluded alone is skipped (exact, not a heuristic; a father outside the
 * range is scored with the pair, which excludes it at the same loci).
 */
export function scanParents(plan: ParentScanPlan, from: number, to: number): ParentScanResult {
  const { alleles, classOf, classOffset: offset, loci, single: singleTable, pair: pairTable } = plan;
  const { maxBad, floor, width, carriers } = plan;
  if (maxBad > MAX_FILTER_EXCLUSIONS) {
    throw new RangeError(
      `the parent scan counts at most ${MAX_FILTER_EXCLUSIONS} exclusions (maxBad ${maxBad})`,
    );
  }
  const typed = loci.length;
  const singles: number[] = [];
  const pairs: number[] = [];
  // With maxBad 0 or less, every parent is excluded before any locus is looked at.
  if (to <= from || maxBad < 1) return { singles, pairs };
  const first = from >>> 5;
  const end = (to + 31) >>> 5;
  const last = end - 1;
  // Bits of the range's first and last words outside [from, to) start excluded.
  const head = ~(-1 << (from & 31));
  const tail = (to & 31) === 0 ? 0 : -1 << (to & 31);
  // Per word (indexed from word 0, so a father's word needs no offset): its excluded parents.
  const excludedWords = new Int32Array(end);
  const start = MAX_FILTER_EXCLUSIONS - maxBad;
  const slice0 = -(start & 1);
  const slice1 = -((start >>> 1) & 1);
  const slice2 = -((start >>> 2) & 1);
  const tests = carriers.length;
  // Stryker disable next-line ArrayDeclaration: an entry that is no slot is the mother of no pair, so pass 2 skips it
  const survivors: number[] = [];
  for (let w = first; w < end; w++) {
    let excluded = (w === first ? head : 0) | (w === last ? tail : 0);
    let c0 = slice0;
    let c1 = slice1;
    let c2 = slice2;
    for (let i = 0; i < tests; i += 3) {
      // Stryker disable next-line ConditionalExpression,UnaryOperator: stopping once all 32 are excluded only saves time
      if (excluded === -1) break;
      const none = ~(carriers[i]![w]! | carriers[i + 1]![w]! | carriers[i + 2]![w]!);
      const carry0 = c0 & none;
      c0 ^= none;
      const carry1 = c1 & carry0;
      c1 ^= carry0;
      excluded |= c2 & carry1;
      c2 ^= carry1;
    }
    excludedWords[w] = excluded;
    // The parents left, in slot order: scored in full.
    for (let left = ~excluded; left !== 0; left &= left - 1) {
      const s = w * 32 + (31 - Math.clz32(left & -left));
      survivors.push(s);
      const base = s * width;
      let product = 1;
      for (let i = 0; i < typed; i++) {
        const l = loci[i]!;
        const at = base + 2 * l;
        const g1 = alleles[at]!;
        if (g1 === UNTYPED) continue;
        const o = offset[l]!;
        product *= Math.abs(singleTable[l * CLASSES + classOf[o + g1]! + classOf[o + alleles[at + 1]!]!]!);
      }
      if (product >= floor) singles.push(s);
    }
  }

  // Pass 2: pairs whose mother survived pass 1, in pair order.
  const { pairOf, pairMother: mothers, pairFather: fathers, pairCount } = plan;
  for (const m of survivors) {
    // A parent in no pair (NO_PAIR, -1) reads undefined in mothers: never its own mother.
    const p = pairOf[m]!;
    if (p >= pairCount) continue;
    // Stryker disable next-line EqualityOperator: taking each pair from its father instead finds the same pairs (a pair whose father is excluded is excluded by its own scoring)
    if (mothers[p] !== m) continue;
    const f = fathers[p]!;
    // Bits of this range only: a father below `from` in its first word reads excluded.
    const inRange = f >= from && f < to;
    // Stryker disable next-line ConditionalExpression: skipping only saves time (the pair's own scoring excludes it where its father is inconsistent)
    if (inRange && (excludedWords[f >>> 5]! >>> (f & 31)) & 1) continue;
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
        // The count goes up by one from 0, so it meets maxBad (at least 1) exactly.
        if (++inconsistent === maxBad) break;
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

/** A relatives scan compiled for one number of loci (see {@link scanRelatives}). */
type RelativeKernel = (
  genotypes: Uint16Array,
  relation: Uint8Array,
  table: Float64Array,
  genotypeCount: number,
  cut: number,
  from: number,
  to: number,
  found: number[],
) => void;

/** The compiled scans of this thread, by number of loci (one per frequency table in practice). */
const relativeKernels = new Map<number, RelativeKernel>();

/**
 * The relatives scan for `loci` loci, its loop over the loci unrolled: one expression per running
 * product, locus l in product l % 4, so the multiplications of one reference overlap instead of
 * waiting each for the one before (one running product was bound by the multiplier's latency,
 * about three times slower), and no per-locus loop (the unrolled body took two thirds of the
 * time of a loop of four a step). Generated once per number of loci, as ajv compiles a schema.
 */
const relativeKernel = (loci: number): RelativeKernel =>
  relativeKernels.get(loci) ?? compileRelativeKernel(loci);

/** {@link relativeKernel}'s compilation, kept in relativeKernels. */
function compileRelativeKernel(loci: number): RelativeKernel {
  const products = [0, 1, 2, 3].map((k) => {
    const factors: string[] = [];
    for (let l = k; l < loci; l += 4) factors.push(`table[r + genotypes[base + ${l}]]`);
    return factors.length > 0 ? factors.join(' * ') : '1';
  });
  const body = `
    for (let s = from, base = from * ${loci}; s < to; s++, base += ${loci}) {
      const r = relation[s] * genotypeCount;
      const p0 = ${products[0]};
      const p1 = ${products[1]};
      const p2 = ${products[2]};
      const p3 = ${products[3]};
      if (p0 * p1 * (p2 * p3) >= cut) found.push(s);
    }`;
  const kernel = new Function(
    'genotypes',
    'relation',
    'table',
    'genotypeCount',
    'cut',
    'from',
    'to',
    'found',
    body,
  ) as RelativeKernel;
  relativeKernels.set(loci, kernel);
  return kernel;
}

/**
 * Slots in [from, to) whose kinship index with the plan's child reaches the floor (within
 * {@link SCAN_MARGIN}, for the exact product to decide), in increasing order. One load of a
 * genotype id and one of the index per locus, in the unrolled loop of {@link relativeKernel}.
 */
export function scanRelatives(plan: RelativeScanPlan, from: number, to: number): number[] {
  const found: number[] = [];
  relativeKernel(plan.loci)(
    plan.genotypes,
    plan.relation,
    plan.table,
    plan.genotypeCount,
    plan.floor * (1 - SCAN_MARGIN),
    from,
    to,
    found,
  );
  return found;
}
