/**
 * The hot loop of the relatives search (matcher.ts): every reference's kinship index with one
 * child, as a sum of logarithms streamed locus by locus over the byte columns of a pack.
 *
 * No locus excludes a relative, so the parent search's pre-filter (drop at three
 * inconsistencies) has nothing to drop: every reference is scored at every locus. To make that
 * cheap, a locus costs one 16-bit load (the reference's two byte codes read as one word), one
 * byte load from a 64 KiB table giving the word's class for this child (0..8 = copies of the
 * child's first allele + 3 × copies of its second, {@link CLASS_UNTYPED} or
 * {@link CLASS_UNKNOWN}), and one load of the log index of that class for the reference's
 * relationship. Columns, accumulators and relationships are read in order; only the two small
 * tables are gathered.
 *
 * Exact, though the sums are Float32: this pass only selects, with a margin, the references
 * whose index may reach the floor; each selected one is then scored in Float64 in the frequency
 * table's locus order (matcher.ts), the same operations as kinship-relatives.ts. A byte code from
 * 254 on ({@link UNKNOWN_BYTE}) stands for many alleles, so its class is unknown and it scores
 * the largest index of its relationship at that locus: an upper bound, never a miss.
 *
 * Pure over typed arrays, so a worker thread can run it on a shard of a shared pack.
 */

/** Classes of a locus word: 0..8 as above. */
export const CLASSES = 9;
/** Class of an untyped locus (index 1: the locus says nothing). */
export const CLASS_UNTYPED = 9;
/** Class of a word holding a code from 254 on (scored at the relationship's maximum). */
export const CLASS_UNKNOWN = 10;
/** Entries per relationship and locus in the log-index table. */
export const CLASS_SLOTS = 11;
/** Byte code of an untyped locus in a column. */
export const UNTYPED_BYTE = 0xff;
/** Byte code shared by every allele code from 254 on. */
export const UNKNOWN_BYTE = 0xfe;
/** Margin (natural log) by which the Float32 sums may fall short of the Float64 product. */
export const SCAN_MARGIN = 1e-3;

/**
 * Fill `out` (65,536 bytes) with the class of every column word for a child whose two allele
 * codes at the locus are `a` and `b` (byte codes; equal for a homozygote).
 */
export function fillClassTable(out: Uint8Array, a: number, b: number): void {
  out.fill(0);
  const weight = (v: number): number => (v === a ? 1 : 0) + (v === b && b !== a ? 3 : 0);
  const special = [a, b, UNTYPED_BYTE, UNKNOWN_BYTE];
  for (const v of special) {
    for (let x = 0; x < 256; x++) {
      out[(v << 8) | x] = wordClass(v, x, weight);
      out[(x << 8) | v] = wordClass(x, v, weight);
    }
  }
}

function wordClass(lo: number, hi: number, weight: (v: number) => number): number {
  if (lo === UNTYPED_BYTE || hi === UNTYPED_BYTE) return CLASS_UNTYPED;
  if (lo === UNKNOWN_BYTE || hi === UNKNOWN_BYTE) return CLASS_UNKNOWN;
  return weight(lo) + weight(hi);
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
  /** Class table per scanned locus, 65,536 bytes each, in `loci` order. */
  classTables: Uint8Array;
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
  const { words, stride, relation, loci, lociCount, classTables, logIndex, lociTotal, logFloor } = input;
  const n = end - start;
  acc.fill(0, 0, n);
  for (let i = 0; i < lociCount; i++) {
    const l = loci[i]!;
    const column = l * stride + start;
    const classes = classTables.subarray(i << 16, (i + 1) << 16);
    const base = l * CLASS_SLOTS;
    const perRelation = lociTotal * CLASS_SLOTS;
    for (let s = 0; s < n; s++) {
      acc[s] = acc[s]! + logIndex[relation[start + s]! * perRelation + base + classes[words[column + s]!]!]!;
    }
  }
  const bar = logFloor - SCAN_MARGIN;
  let found = 0;
  for (let s = 0; s < n; s++) if (acc[s]! >= bar) out[found++] = start + s;
  return found;
}
