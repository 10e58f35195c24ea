/**
 * The hot loop of the relatives search (matcher.ts): every reference's kinship index with one
 * child, as a sum of logarithms streamed locus by locus over the byte columns of a pack.
 *
 * No locus excludes a relative, so the parent search's pre-filter (drop at three
 * inconsistencies) has nothing to drop: every reference is scored at every locus. To make that
 * cheap, a locus costs one 16-bit load (the reference's two byte codes read as one word), two
 * loads from a 256-byte table of this child's weights (1 for its first allele, 3 for its
 * second, 0 for any other, {@link WEIGHT_UNTYPED} and {@link WEIGHT_UNKNOWN} for the special
 * bytes), whose sum is the class, and one load of the log index of that class for the
 * reference's relationship. Columns, accumulators and relationships are read in order; only the
 * small tables are gathered.
 *
 * Exact, though the sums are Float32: this pass only selects, with a margin, the references
 * whose index may reach the floor; each selected one is then scored in Float64 in the frequency
 * table's locus order (matcher.ts), the same operations as kinship-relatives.ts. A byte code from
 * 254 on ({@link UNKNOWN_BYTE}) stands for many alleles, so its class is unknown and it scores
 * the largest index of its relationship at that locus: an upper bound, never a miss.
 *
 * Pure over typed arrays, so a worker thread can run it on a shard of a pack.
 */

/** Classes 0..8: copies of the child's first allele + 3 × copies of its second. */
export const CLASSES = 9;
/** Weight of an untyped byte: both bytes of an untyped locus sum to 18 (index 1). */
export const WEIGHT_UNTYPED = 9;
/** Weight of a byte from 254 on: any sum from 20 up scores the relationship's maximum. */
export const WEIGHT_UNKNOWN = 20;
/** Entries per relationship and locus in the log-index table (sums 0..40). */
export const CLASS_SLOTS = 2 * WEIGHT_UNKNOWN + 1;
/** Byte code of an untyped locus in a column. */
export const UNTYPED_BYTE = 0xff;
/** Byte code shared by every allele code from 254 on. */
export const UNKNOWN_BYTE = 0xfe;
/** Margin (natural log) by which the Float32 sums may fall short of the Float64 product. */
export const SCAN_MARGIN = 1e-3;

/**
 * Fill `out` (256 bytes) with the weight of every byte code for a child whose two allele codes
 * at the locus are `a` and `b` (byte codes; equal for a homozygote).
 */
export function fillWeights(out: Uint8Array, a: number, b: number): void {
  out.fill(0);
  out[UNTYPED_BYTE] = WEIGHT_UNTYPED;
  out[UNKNOWN_BYTE] = WEIGHT_UNKNOWN;
  if (a < UNKNOWN_BYTE) out[a] = 1;
  if (b < UNKNOWN_BYTE && b !== a) out[b] = 3;
}

/**
 * Fill the log-index slots of one relationship at one locus from the indices of classes 0..8:
 * exact for 0..8, 0 (index 1) for an untyped locus, the largest for any sum with an unknown byte.
 */
export function fillLogSlots(out: Float32Array, at: number, indexOfClass: ArrayLike<number>): void {
  let max = 0;
  for (let k = 0; k < CLASS_SLOTS; k++) out[at + k] = 0;
  for (let k = 0; k < CLASSES; k++) {
    const v = indexOfClass[k]!;
    out[at + k] = Math.log(v);
    if (v > max) max = v;
  }
  for (let k = WEIGHT_UNKNOWN; k < CLASS_SLOTS; k++) out[at + k] = Math.log(max);
  out[at + 2 * WEIGHT_UNTYPED] = 0;
}

/** What one scan reads. */
export interface RelativesScanInput {
  /** The pack's columns read as words: locus l of slot s at `l * stride + s`. */
  words: Uint16Array;
  stride: number;
  /** Relationship code of each slot (0-based index into the log table's relationships). */
  relation: Uint8Array;
  /** Loci to scan (those typed in the child). */
  loci: Int32Array;
  lociCount: number;
  /** Byte weights per locus of the table, 256 each (see {@link fillWeights}). */
  weights: Uint8Array;
  /** Log index by [relationship][locus][class slot]: `(r * L + l) * CLASS_SLOTS + class`. */
  logIndex: Float32Array;
  /** Loci in the table (L above). */
  lociTotal: number;
  /** Natural log of the floor. */
  logFloor: number;
}

/**
 * Slots in [start, end) whose Float32 log-index sum reaches `logFloor - SCAN_MARGIN`, written
 * to `out` from `out[0]`; returns how many. `acc` is scratch of at least `end - start`.
 */
export function scanRelatives(
  input: RelativesScanInput,
  start: number,
  end: number,
  acc: Float32Array,
  out: Int32Array,
): number {
  const { words, stride, relation, loci, lociCount, weights, logIndex, lociTotal, logFloor } = input;
  const n = end - start;
  acc.fill(0, 0, n);
  for (let i = 0; i < lociCount; i++) {
    const l = loci[i]!;
    const column = l * stride + start;
    const w = l << 8;
    const base = l * CLASS_SLOTS;
    const perRelation = lociTotal * CLASS_SLOTS;
    for (let s = 0; s < n; s++) {
      const word = words[column + s]!;
      const k = weights[w + (word & 0xff)]! + weights[w + (word >>> 8)]!;
      acc[s] = acc[s]! + logIndex[relation[start + s]! * perRelation + base + k]!;
    }
  }
  const bar = logFloor - SCAN_MARGIN;
  let found = 0;
  for (let s = 0; s < n; s++) if (acc[s]! >= bar) out[found++] = start + s;
  return found;
}
