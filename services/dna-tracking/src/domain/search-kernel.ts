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

import { type RelativeWasm, scanRelativesWasm } from './relatives-wasm.ts';

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
    // Setting ORs the slot's bit in, forgetting ANDs it out: `keep` and `add` do either without a
    // branch or a closure a locus (the index's load calls this two million times).
    const bit = 1 << (slot & 31);
    const keep = on ? -1 : ~bit;
    const add = on ? bit : 0;
    for (let l = 0; l < this.#untyped.length; l++) {
      const a = row[2 * l]!;
      if (a === UNTYPED) {
        const untyped = this.#untyped[l]!;
        untyped[w] = (untyped[w]! & keep) | add;
        this.#untypedCount[l]! += on ? 1 : -1;
        continue;
      }
      const codes = this.#carriers[l]!;
      const b = row[2 * l + 1]!;
      codes[a] ??= words(this.#words, this.#shared);
      codes[a]![w] = (codes[a]![w]! & keep) | add;
      codes[b] ??= words(this.#words, this.#shared);
      codes[b]![w] = (codes[b]![w]! & keep) | add;
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
 * whose mother survived (a pair is inconsistent wherever one member is, so a pair whose mother
 * was excluded is; one whose father was is excluded by its own count, a few dozen pairs a
 * million parents, not worth a test).
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
  // With maxBad 0 or less, every parent is excluded before any locus is looked at. (An empty
  // range needs no test: it has no word, or its one word's head and tail cover all 32 bits.)
  if (maxBad < 1) return { singles, pairs };
  const first = from >>> 5;
  const end = (to + 31) >>> 5;
  const last = end - 1;
  // Bits of the range's first and last words outside [from, to) start excluded.
  const head = ~(-1 << (from & 31));
  const tail = (to & 31) === 0 ? 0 : -1 << (to & 31);
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
    // Until the loci run out or all 32 are excluded (~excluded is 0).
    for (let i = 0; i < tests && ~excluded; i += 3) {
      const none = ~(carriers[i]![w]! | carriers[i + 1]![w]! | carriers[i + 2]![w]!);
      const carry0 = c0 & none;
      c0 ^= none;
      const carry1 = c1 & carry0;
      c1 ^= carry0;
      excluded |= c2 & carry1;
      c2 ^= carry1;
    }
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
 * What a relatives scan needs: the relatives' rows of keys (one per locus, a genotype id and the
 * relative's relationship in one 16-bit number, see {@link RelativeScanPlan.genotypes}) and one
 * child's index per key, as a number and as its quantised logarithm.
 */
export interface RelativeScanPlan {
  /**
   * Per slot, `width` keys, row-major: the key of locus l is `id * relationships + relation`
   * (genotype id 0 = untyped; `relationships` is the number of relationships the index scores),
   * and a row of an odd number of loci ends with one more key of id 0. So the scan reads one key
   * (two, as a 32-bit word) and one table entry per locus, with no offset per relationship.
   */
  genotypes: Uint16Array;
  /** Keys per row: the loci, rounded up to an even number (whole 32-bit words). */
  width: number;
  /**
   * Keys per row that hold a locus: `width`, or `width - 1` when the last is the padding of an
   * odd number of loci (which indexes 1, and which the scan then does not read). `width` is
   * this rounded up to even.
   */
  loci: number;
  /** Slots to search: [0, count). */
  count: number;
  /**
   * Per key: the kinship index of the child with that genotype at its locus, for that
   * relationship (1 where the child or the genotype is untyped, which multiplies exactly as
   * skipping the locus does).
   */
  table: Float64Array;
  /** {@link quantiseRelativeTable} of `table`: what the scan sums. */
  logTable: Int32Array;
  floor: number;
  /**
   * The same sums in WebAssembly (relatives-wasm.ts), when the keys are in a key memory, the
   * module is loaded and `logTable` is copied into one of the memory's tables; otherwise the
   * JavaScript loop scans. Either passes on the same slots.
   */
  wasm?: RelativeWasm;
}

/**
 * A product of a few dozen factors, multiplied in two different orders, differs by a few units in
 * the last place (each multiplication is within half an ulp: 23 factors, well under 1e-14 apart).
 * The scan keeps what reaches the floor less this margin; the result keeps, of those, what the
 * exact product in the table's order puts at or above the floor. So nothing is lost and nothing is
 * added by scanning in another order.
 */
export const SCAN_MARGIN = 1e-12;

/** Units of a quantised log2 index: 2^16 a doubling (see {@link quantiseRelativeTable}). */
export const LOG_SCALE = 2 ** 16;
/**
 * Units under log2(floor) at which the quantised sum passes a reference on to the exact product:
 * far more than the rounding of Math.log2 (under a millionth of a unit a locus) can take off, far
 * less than a factor that would matter for the number passed on (2^(2^-12), 1.0002).
 */
const LOG_SLACK = 16;

/**
 * A relatives table as what the scan sums: each index's log2 in units of {@link LOG_SCALE},
 * rounded up, so that a sum over a reference's loci is never below LOG_SCALE times the log2 of its
 * product, and adding integers replaces multiplying (a third less time per locus than the
 * multiplications, measured). The indices of kinship-relatives.ts are finite and positive, so
 * every term is within ±70.5 million (log2 of a double is within ±1,075); a 0 would be 0 like a
 * 1 (more slots passed on to the product, none lost), an infinite index (which no frequency
 * table gives) would be 0 too and is not provided for.
 */
export function quantiseRelativeTable(table: Float64Array): Int32Array {
  return Int32Array.from(table, (v) => Math.ceil(Math.log2(v) * LOG_SCALE));
}

/** A relatives scan compiled for one number of loci (see {@link scanRelatives}). */
type RelativeKernel = (
  pairs: Uint32Array,
  logs: Int32Array,
  cut: number,
  from: number,
  to: number,
) => number[];

/** The compiled scans of this thread, by loci (one per frequency table in practice). */
const relativeKernels = new Map<number, RelativeKernel>();

/**
 * The relatives pre-scan for rows of `loci` loci (`loci` rounded up to even keys, as
 * {@link RelativeScanPlan.width}), its loop over the loci unrolled: one 32-bit load for two
 * loci's keys, one load of each one's quantised log index, the low keys' and the high keys'
 * summed apart (the additions of one reference overlap instead of waiting each for the one
 * before), no per-locus loop and no per-relationship offset, and no load of the padding key of an
 * odd row (a twenty-fourth of the loads on the FBI table's 23 loci; a row of one locus has no
 * high key, and its second sum is 0). Generated once per number of loci, as ajv compiles a
 * schema. The slots whose sum reaches `cut` are returned for the exact product.
 */
const relativeKernel = (loci: number): RelativeKernel =>
  relativeKernels.get(loci) ?? compileRelativeKernel(loci);

/** {@link relativeKernel}'s compilation, kept in relativeKernels. */
function compileRelativeKernel(loci: number): RelativeKernel {
  const words = (loci + 1) >>> 1;
  const loads: string[] = [];
  const sums: string[][] = [[], []];
  for (let h = 0; h < words; h++) {
    loads.push(`const w${h} = pairs[base + ${h}];`);
    sums[0]!.push(`logs[w${h} & 0xffff]`);
    if (2 * h + 1 < loci) sums[1]!.push(`logs[w${h} >>> 16]`);
  }
  const body = `
    const found = [];
    for (let s = from, base = from * ${words}; s < to; s++, base += ${words}) {
      ${loads.join('')}
      if (!((${sums[0]!.join(' + ')}) + (${sums[1]!.join(' + ') || 0}) < cut)) found.push(s);
    }
    return found;`;
  const kernel = new Function('pairs', 'logs', 'cut', 'from', 'to', body) as RelativeKernel;
  relativeKernels.set(loci, kernel);
  return kernel;
}

/**
 * Slots in [from, to) whose kinship index with the plan's child reaches the floor (within
 * {@link SCAN_MARGIN}, for the exact product to decide), in increasing order. First the sum of
 * the quantised logs ({@link relativeKernel}, or the same sums in WebAssembly when the plan has
 * them: relatives-wasm.ts): it is never below LOG_SCALE · log2 of the product
 * (each term rounded up), so every slot whose product reaches the floor less the margin has a
 * sum at or above `cut`, LOG_SLACK units under LOG_SCALE · log2 of that; then, for those few
 * (a few hundred in a million unrelated references), the product of the table's indices in the
 * order of the loci decides, as the scan of the products alone did.
 */
export function scanRelatives(plan: RelativeScanPlan, from: number, to: number): number[] {
  const { genotypes, width, table } = plan;
  const least = plan.floor * (1 - SCAN_MARGIN);
  // NaN for a floor below 0, -Infinity for 0: the kernel's !(sum < cut) passes every slot on.
  const cut = Math.floor(Math.log2(least) * LOG_SCALE) - LOG_SLACK;
  const found = plan.wasm
    ? scanRelativesWasm(plan.wasm, cut, from, to)
    : relativeKernel(plan.loci)(
        new Uint32Array(genotypes.buffer, genotypes.byteOffset, genotypes.length >>> 1),
        plan.logTable,
        cut,
        from,
        to,
      );
  let kept = 0;
  for (const s of found) {
    let product = 1;
    for (let k = s * width; k < s * width + plan.loci; k++) product *= table[genotypes[k]!]!;
    if (product >= least) found[kept++] = s;
  }
  found.length = kept;
  return found;
}
