/**
 * The kinship search: every stored profile packed in typed arrays, scored against one query.
 *
 * Layout. Each allele is a code: its index in the locus's allele list, which starts as the
 * frequency table's list and grows by one slot (frequency per the table's rule for alleles
 * it lacks) for each allele first met in a profile, so different unlisted alleles never share
 * a code. A pack holds N profiles × L loci × 2 codes in one Uint16Array, with
 * {@link UNTYPED} for a locus not typed.
 *
 * Scoring. For a given child, a parent's genotype at a locus matters only through how many
 * copies it has of each child allele. A per-locus byte table maps an allele code to 1 (the
 * child's first allele), 3 (its second) or 0, so a parent's two codes sum to a class
 * 0..8 = count(a) + 3·count(b); the locus index is then one load from a table of 9 (single
 * parent) or 81 (pair) entries built once per search from the formulas of kinship.ts.
 * Inconsistent classes hold the mutation index negated, so one load also says
 * "inconsistent". A comparison stops at the exclusion count of inconsistencies.
 *
 * Pre-filter. The parents' pack also holds, per locus and allele, the bitset of its carriers
 * (search-kernel.ts's CarrierBits). A search first counts, 32 parents a step over those bits
 * (the child's most excluding loci first), the loci where a parent carries neither child allele,
 * which are exactly the loci the formulas score as inconsistent, and drops a parent at the
 * exclusion count; only the survivors (a few dozen in a million unrelated parents) are scored. Exact:
 * the count does not depend on the order.
 *
 * Pruning. A pair is inconsistent at every locus where either of its members shares no allele
 * with the child, so a pair holding a parent already excluded alone is excluded too: the pair
 * pass looks only at pairs whose two members survived. This is exact, not a heuristic.
 */
import type { FrequencyTable, FrequencyTableMetadata } from './allele-frequencies.ts';
import {
  DEFAULT_KINSHIP_OPTIONS,
  type KinshipOptions,
  type KinshipStatus,
  kinshipStatus,
  mutationIndex,
  probabilityOfParentage,
} from './kinship.ts';
import { pedigreeIndex } from './kinship-pedigree.ts';
import {
  DEFAULT_RELATIVE_THRESHOLDS,
  IBD,
  type RelativeRelation,
  RelativeRelations,
  type RelativeStatus,
  type RelativeThresholds,
  relativeMutationPi,
  relativeStatus,
} from './kinship-relatives.ts';
import type { LocusName } from './loci.ts';
import type { Genotype, StrProfile } from './profile.ts';
import {
  type RelativeWasm,
  relativeKeyMemory,
  relativesModule,
  sumsFitInt32,
  TABLE_BYTES,
  TABLE_SLOTS,
} from './relatives-wasm.ts';
import {
  CarrierBits,
  CLASSES,
  NO_PAIR,
  PAIR_CLASSES,
  type ParentScanPlan,
  type ParentScanResult,
  quantiseRelativeTable,
  type RelativeScanPlan,
  scanParents,
  scanRelatives,
  UNTYPED,
} from './search-kernel.ts';

export { UNTYPED } from './search-kernel.ts';

/**
 * Which side of a kinship comparison a stored profile stands on: a child of unknown origin, a
 * parent of a missing child, or another relative of one (its relation in {@link SampleMeta}).
 */
export type ProfileRole = 'child' | 'parent' | 'relative';

/** Relation of a parent sample to the missing child of its case. */
export type ParentRelation = 'mother' | 'father';

/**
 * What the index keeps beside a profile. A parent with a `caseId` and a `relation` pairs with
 * the other parent of the same case; the pair is searched as a pair.
 */
export interface SampleMeta {
  caseId?: string;
  relation?: ParentRelation | RelativeRelation;
}

/** Options of a {@link ProfileIndex}. */
export interface ProfileIndexOptions extends Partial<KinshipOptions> {
  /** Lowest combined index a search returns; the inconclusive threshold (2,000) by default. */
  candidateFloor?: number;
  /** Thresholds of the relatives' indices, per relationship (kinship-relatives.ts's defaults). */
  relativeThresholds?: Partial<Record<RelativeRelation, RelativeThresholds>>;
  /**
   * Lowest relatives index a search returns, whatever the relationship: below every
   * inconclusive threshold, so that a case with several references can be scored jointly from
   * a reference that is weak alone; the lowest inconclusive threshold by default.
   */
  relativeFloor?: number;
  /**
   * Hold the packed profiles on SharedArrayBuffers, so that worker threads can scan them in
   * place (search-pool.ts); false by default. (The relatives' genotype keys are in a shared
   * WebAssembly memory either way: relatives-wasm.ts.)
   */
  shared?: boolean;
}

/** Options of one search. */
export interface SearchOptions {
  /** Lowest combined index returned; the index's candidate floor by default. */
  floor?: number;
}

/** The scores of one candidate (no genotypes). */
export interface CandidateScore {
  combinedIndex: number;
  probabilityOfParentage: number;
  status: KinshipStatus;
  lociCompared: number;
  inconsistentLoci: LocusName[];
}

/** A stored parent scored alone against a child. */
export interface SingleParentCandidate extends CandidateScore {
  kind: 'single';
  parentId: string;
  caseId?: string;
  relation?: ParentRelation;
}

/** A stored parent pair (mother and father of one case) scored against a child. */
export interface ParentPairCandidate extends CandidateScore {
  kind: 'pair';
  caseId: string;
  motherId: string;
  fatherId: string;
}

/** Result of {@link ProfileIndex.searchParentsForChild}, best first. */
export interface ParentSearchResult {
  singles: SingleParentCandidate[];
  pairs: ParentPairCandidate[];
  frequencyTable: FrequencyTableMetadata;
}

/** A stored child scored against a parent or parent pair. */
export interface ChildCandidate extends CandidateScore {
  kind: 'single' | 'pair';
  childId: string;
  caseId?: string;
}

/** A reference (relative) of a case scored alone against a child, or a child against it. */
export interface RelativeCandidate {
  referenceId: string;
  childId: string;
  caseId?: string;
  relation: RelativeRelation;
  /** The kinship index of kinship-relatives.ts. */
  combinedIndex: number;
  probability: number;
  /** Status under the relationship's thresholds. */
  status: RelativeStatus;
  lociCompared: number;
}

/** A typed reference of a case, as the joint likelihood (kinship-pedigree.ts) takes it. */
export interface CaseReference {
  sampleId: string;
  relation: ParentRelation | RelativeRelation;
  profile: StrProfile;
}

/** Result of {@link ProfileIndex.searchChildrenForParent}, best first. */
export interface ChildSearchResult {
  children: ChildCandidate[];
  frequencyTable: FrequencyTableMetadata;
}

/**
 * A parent search between its plan and its result (see {@link ProfileIndex.planParentSearch}):
 * `scan` is what a worker thread is sent.
 */
export interface ParentSearchPlan {
  scan: ParentScanPlan;
  childCodes: Uint16Array;
  /** True until the search is ended. */
  open: boolean;
}

/** A relatives search between its plan and its result (see {@link ProfileIndex.planRelativeSearch}). */
export interface RelativeSearchPlan {
  scan: RelativeScanPlan;
  childCodes: Uint16Array;
  /** Per relationship, locus and class: the child's index (for the exact account of a candidate). */
  index: Float64Array;
  /** The table of the key memory the plan holds for its WebAssembly scan (-1 for none). */
  tableSlot: number;
  open: boolean;
}

/** A misuse of the index (duplicate id, a case with two mothers...). */
export class ProfileIndexError extends Error {
  readonly code: 'DNA_ERR_DUPLICATE_PROFILE' | 'DNA_ERR_CASE_RELATION_TAKEN';
  constructor(code: ProfileIndexError['code'], message: string) {
    super(message);
    this.name = 'ProfileIndexError';
    this.code = code;
  }
}

const RELATION_NONE = 0;
const RELATION_MOTHER = 1;
const RELATION_FATHER = 2;

/** A typed array of `length` elements, on a SharedArrayBuffer when `shared` (worker threads read it). */
function typedArray<T extends Uint8Array | Uint16Array | Int32Array>(
  Kind: { new (buffer: ArrayBufferLike): T; BYTES_PER_ELEMENT: number },
  length: number,
  shared: boolean,
): T {
  const bytes = length * Kind.BYTES_PER_ELEMENT;
  return new Kind(shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
}

/**
 * A pack's share of its index's one map of ids, whose value is the slot × 4 + the pack's tag:
 * one lookup tells whether an id is indexed, in which pack and at which slot (the load of two
 * million parents looked in three maps before adding each).
 */
class PackSlots {
  readonly #all: Map<string, number>;
  readonly #tag: number;

  constructor(all: Map<string, number>, tag: number) {
    this.#all = all;
    this.#tag = tag;
  }

  get(id: string): number | undefined {
    const v = this.#all.get(id);
    return v !== undefined && (v & 3) === this.#tag ? v >>> 2 : undefined;
  }

  set(id: string, slot: number): void {
    this.#all.set(id, slot * 4 + this.#tag);
  }

  delete(id: string): void {
    this.#all.delete(id);
  }
}

/**
 * N profiles × L loci × 2 allele codes, with ids and per-profile metadata, swap-removed. The
 * codes are held row-major in 16 bits (the scoring passes read a whole profile); the parents'
 * pack also holds them as carrier bitsets (the pre-filter reads 32 parents a word), the
 * relatives' pack one genotype key per locus (the relatives scan reads one number per locus). Growth
 * allocates new arrays and copies, so a scan over the old ones (a worker's) still sees the
 * slots it was given, unchanged.
 */
class ProfilePack {
  count = 0;
  alleles: Uint16Array;
  /** The parents' pack only: the pre-filter's bitsets. */
  readonly carriers: CarrierBits | undefined;
  /**
   * Row-major genotype keys (relatives only; empty otherwise), the layout of search-kernel.ts's
   * RelativeScanPlan.genotypes: locus l of slot s at `s * W + l`, W the loci rounded up to even.
   */
  genotypes: Uint16Array;
  /**
   * The key memory `genotypes` is a view of (relatives-wasm.ts), where its WebAssembly scan
   * reads it; undefined for a pack without genotypes or too big for 32-bit addresses.
   */
  keyMemory: WebAssembly.Memory | undefined;
  relation: Uint8Array;
  pairOf: Int32Array;
  readonly ids: string[] = [];
  readonly caseIds: (string | undefined)[] = [];
  readonly slotOf: PackSlots;
  readonly #width: number;
  /** Genotype keys a row: the loci rounded up to even. */
  readonly #keys: number;
  readonly #shared: boolean;
  readonly #withGenotypes: boolean;

  constructor(slots: PackSlots, loci: number, shared: boolean, withGenotypes = false, withCarriers = false) {
    this.slotOf = slots;
    this.#width = loci * 2;
    // Rows of genotype keys in whole 32-bit words (the relatives scan reads two at a time).
    this.#keys = (loci + 1) & ~1;
    this.#shared = shared;
    this.#withGenotypes = withGenotypes;
    this.alleles = typedArray(Uint16Array, 1024 * this.#width, shared);
    this.carriers = withCarriers ? new CarrierBits(loci, 1024, shared) : undefined;
    const keys = withGenotypes ? relativeKeyMemory(1024 * this.#keys) : { keys: new Uint16Array(0) };
    this.genotypes = keys.keys;
    this.keyMemory = keys.memory;
    this.relation = typedArray(Uint8Array, 1024, shared);
    this.pairOf = typedArray(Int32Array, 1024, shared).fill(NO_PAIR);
  }

  get capacity(): number {
    return this.relation.length;
  }

  push(
    id: string,
    codes: Uint16Array,
    caseId: string | undefined,
    relation: number,
    genotypes?: Uint16Array,
  ): number {
    if (this.count === this.capacity) this.#grow();
    const slot = this.count;
    this.alleles.set(codes, slot * this.#width);
    if (genotypes) this.genotypes.set(genotypes, slot * this.#keys);
    this.carriers?.set(slot, codes, true);
    this.ids[slot] = id;
    this.caseIds[slot] = caseId;
    this.relation[slot] = relation;
    this.pairOf[slot] = NO_PAIR;
    this.slotOf.set(id, slot);
    // Counted last: a scan planned meanwhile never sees a half-written slot.
    this.count++;
    return slot;
  }

  /** Remove a slot by moving the last one into it; returns the old slot of the moved profile, or -1. */
  removeSlot(slot: number): number {
    const last = --this.count;
    const id = this.ids[slot]!;
    this.slotOf.delete(id);
    const row = (s: number) => this.alleles.subarray(s * this.#width, (s + 1) * this.#width);
    this.carriers?.set(slot, row(slot), false);
    if (slot !== last) {
      const movedId = this.ids[last]!;
      this.carriers?.set(last, row(last), false);
      this.carriers?.set(slot, row(last), true);
      this.alleles.copyWithin(slot * this.#width, last * this.#width, (last + 1) * this.#width);
      if (this.#withGenotypes) {
        this.genotypes.copyWithin(slot * this.#keys, last * this.#keys, (last + 1) * this.#keys);
      }
      this.ids[slot] = movedId;
      this.caseIds[slot] = this.caseIds[last];
      this.relation[slot] = this.relation[last]!;
      this.pairOf[slot] = this.pairOf[last]!;
      this.slotOf.set(movedId, slot);
    }
    this.ids.length = last;
    this.caseIds.length = last;
    return slot !== last ? last : -1;
  }

  #grow(): void {
    const shared = this.#shared;
    const old = this.capacity;
    const capacity = old * 2;
    const alleles = typedArray(Uint16Array, capacity * this.#width, shared);
    alleles.set(this.alleles);
    this.alleles = alleles;
    if (this.#withGenotypes) {
      const { keys, memory } = relativeKeyMemory(capacity * this.#keys);
      keys.set(this.genotypes);
      this.genotypes = keys;
      this.keyMemory = memory;
    }
    this.carriers?.grow(capacity);
    const relation = typedArray(Uint8Array, capacity, shared);
    relation.set(this.relation);
    this.relation = relation;
    const pairOf = typedArray(Int32Array, capacity, shared).fill(NO_PAIR);
    pairOf.set(this.pairOf);
    this.pairOf = pairOf;
  }
}

/**
 * In-memory index of STR profiles for kinship search. Holds profiles of the loci its frequency
 * table covers (others are ignored, as the likelihood ratio cannot use them).
 */
export class ProfileIndex {
  readonly #table: FrequencyTable;
  readonly #options: KinshipOptions;
  readonly #floor: number;
  readonly #loci: readonly LocusName[];
  readonly #codes: Map<string, number>[];
  /** Per locus: the allele of each code (the inverse of #codes). */
  readonly #alleleNames: string[][];
  readonly #frequencies: number[][];
  readonly #mutationSingle: Float64Array;
  readonly #mutationPair: Float64Array;
  readonly #exclusion: Float64Array;
  readonly #parents: ProfilePack;
  readonly #children: ProfilePack;
  readonly #relatives: ProfilePack;
  /** Every id indexed: its slot × 4 + its pack's index in #packs (see PackSlots). */
  readonly #ids = new Map<string, number>();
  readonly #packs: ProfilePack[];
  /** Per case: the ids of its references (parents and relatives). */
  readonly #caseReferences = new Map<string, string[]>();
  readonly #relativeThresholds: Record<RelativeRelation, RelativeThresholds>;
  readonly #relativeFloor: number;
  /** Per relationship and locus: the mutation PI of kinship-relatives.ts. */
  readonly #relativeMutation: Float64Array;
  readonly #cases = new Map<string, { mother?: string; father?: string }>();
  readonly #shared: boolean;
  #pairMother: Int32Array;
  #pairFather: Int32Array;
  readonly #pairCase: string[] = [];
  #pairCount = 0;
  /** Genotype ids of the relatives' pack: id per (locus, unordered code pair); 0 is untyped. */
  readonly #genotypeIds = new Map<number, number>();
  readonly #genotypeLocus: number[] = [-1];
  readonly #genotypeA: number[] = [UNTYPED];
  readonly #genotypeB: number[] = [UNTYPED];
  /** Scans planned and not yet finished (removal waits for none: it moves slots). */
  #scans = 0;
  /** Bit t: table t of the relatives' key memory is held by an open search ({@link #relativeWasm}). */
  #tablesHeld = 0;

  // Scratch of add and of the searches from a parent's or a relative's side (synchronous).
  readonly #query: Uint16Array;
  readonly #query2: Uint16Array;
  readonly #genotypeRow: Uint16Array;

  /** An empty index scoring with `table`. */
  constructor(table: FrequencyTable, options: ProfileIndexOptions = {}) {
    const { candidateFloor, relativeThresholds, relativeFloor, shared, ...kinship } = options;
    this.#table = table;
    this.#options = { ...DEFAULT_KINSHIP_OPTIONS, ...kinship };
    this.#floor = candidateFloor ?? this.#options.inconclusiveThreshold;
    this.#loci = table.loci;
    const loci = this.#loci.length;
    this.#alleleNames = this.#loci.map((locus) => [...table.alleles(locus)]);
    this.#codes = this.#loci.map(
      (locus) => new Map(table.alleles(locus).map((allele, code) => [allele, code])),
    );
    this.#frequencies = this.#loci.map((locus) => table.alleles(locus).map((a) => table.frequency(locus, a)));
    const rate = this.#options.mutationRate;
    this.#mutationSingle = Float64Array.from(this.#loci, (l) => mutationIndex(table, l, 'single', rate));
    this.#mutationPair = Float64Array.from(this.#loci, (l) => mutationIndex(table, l, 'pair', rate));
    this.#exclusion = Float64Array.from(this.#loci, (l) => table.meanExclusionSingle(l));
    this.#shared = shared ?? false;
    this.#parents = new ProfilePack(new PackSlots(this.#ids, 0), loci, this.#shared, false, true);
    this.#children = new ProfilePack(new PackSlots(this.#ids, 1), loci, this.#shared);
    this.#relatives = new ProfilePack(new PackSlots(this.#ids, 2), loci, this.#shared, true);
    this.#packs = [this.#parents, this.#children, this.#relatives];
    this.#pairMother = typedArray(Int32Array, 1024, this.#shared);
    this.#pairFather = typedArray(Int32Array, 1024, this.#shared);
    this.#relativeThresholds = { ...DEFAULT_RELATIVE_THRESHOLDS, ...relativeThresholds };
    this.#relativeFloor =
      relativeFloor ?? Math.min(...RelativeRelations.map((r) => this.#relativeThresholds[r].inconclusive));
    this.#relativeMutation = Float64Array.from(
      RelativeRelations.flatMap((r) => this.#loci.map((l) => relativeMutationPi(table, l, r, rate))),
    );
    this.#query = new Uint16Array(loci * 2);
    this.#query2 = new Uint16Array(loci * 2);
    this.#genotypeRow = new Uint16Array((loci + 1) & ~1);
  }

  /** Whether the packed profiles are on SharedArrayBuffers (see {@link ProfileIndexOptions.shared}). */
  get shared(): boolean {
    return this.#shared;
  }

  /** Bytes of the typed arrays holding the packed profiles (capacity, not count: what is allocated). */
  get packedBytes(): number {
    const pack = (p: ProfilePack) =>
      p.alleles.byteLength +
      (p.carriers?.byteLength ?? 0) +
      (p.keyMemory?.buffer.byteLength ?? p.genotypes.byteLength) +
      p.relation.byteLength +
      p.pairOf.byteLength;
    return (
      pack(this.#parents) +
      pack(this.#children) +
      pack(this.#relatives) +
      this.#pairMother.byteLength +
      this.#pairFather.byteLength
    );
  }

  /** Number of profiles held (children and parents). */
  get size(): number {
    return this.#parents.count + this.#children.count + this.#relatives.count;
  }

  /** Whether a profile with this id is indexed. */
  has(id: string): boolean {
    return this.#packOf(id) !== undefined;
  }

  /** Number of relatives (references other than parents) indexed. */
  get relativeCount(): number {
    return this.#relatives.count;
  }

  /** The thresholds of a relationship's index in use. */
  relativeThresholds(relation: RelativeRelation): RelativeThresholds {
    return this.#relativeThresholds[relation];
  }

  /**
   * The typed references (parents and relatives) of a case, with their profiles as indexed (loci
   * of the frequency table only): what the joint likelihood of kinship-pedigree.ts takes.
   */
  referencesOf(caseId: string): CaseReference[] {
    const ids = [...(this.#caseReferences.get(caseId) ?? [])].sort();
    return ids.map((sampleId) => {
      const pack = this.#packOf(sampleId)!;
      const slot = pack.slotOf.get(sampleId)!;
      const code = pack.relation[slot]!;
      const relation =
        pack === this.#relatives ? RelativeRelations[code]! : code === RELATION_MOTHER ? 'mother' : 'father';
      return { sampleId, relation, profile: this.#decode(pack, slot) };
    });
  }

  /** The indexed profile of a sample (loci of the frequency table only), if indexed. */
  profileOf(id: string): StrProfile | undefined {
    const pack = this.#packOf(id);
    return pack === undefined ? undefined : this.#decode(pack, pack.slotOf.get(id)!);
  }

  /**
   * The joint likelihood ratio (kinship-pedigree.ts) that `child` is the missing child of a case,
   * over every typed reference of the case, with its status under the strictest thresholds of
   * the relationships involved (a parent's being the parentage thresholds): one bar for the
   * family, never a lower one than any member alone would face.
   */
  familyIndex(
    child: StrProfile,
    caseId: string,
  ): {
    combinedIndex: number;
    probability: number;
    status: RelativeStatus;
    lociCompared: number;
    references: CaseReference[];
  } {
    const references = this.referencesOf(caseId);
    const result = pedigreeIndex(this.#table, child, references, {
      mutationRate: this.#options.mutationRate,
    });
    const bars = references.map((r) =>
      r.relation === 'mother' || r.relation === 'father'
        ? { match: this.#options.matchThreshold, inconclusive: this.#options.inconclusiveThreshold }
        : this.#relativeThresholds[r.relation],
    );
    const thresholds = {
      match: Math.max(...bars.map((b) => b.match)),
      inconclusive: Math.max(...bars.map((b) => b.inconclusive)),
    };
    return {
      combinedIndex: result.combinedIndex,
      probability: result.probability,
      status: relativeStatus(result.combinedIndex, thresholds),
      lociCompared: result.lociCompared,
      references,
    };
  }

  #packOf(id: string): ProfilePack | undefined {
    const at = this.#ids.get(id);
    return at === undefined ? undefined : this.#packs[at & 3];
  }

  /** A profile back from its codes. */
  #decode(pack: ProfilePack, slot: number): StrProfile {
    const width = this.#loci.length * 2;
    const loci: Partial<Record<LocusName, Genotype>> = {};
    this.#loci.forEach((locus, l) => {
      const a = pack.alleles[slot * width + 2 * l]!;
      if (a === UNTYPED) return;
      const names = this.#alleleNames[l]!;
      loci[locus] = [names[a]!, names[pack.alleles[slot * width + 2 * l + 1]!]!];
    });
    return { loci } as unknown as StrProfile;
  }

  /** Number of parent pairs formed. */
  get pairCount(): number {
    return this.#pairCount;
  }

  /** The frequency table the index scores with. */
  get frequencyTable(): FrequencyTableMetadata {
    return this.#table.meta;
  }

  /**
   * Add a validated profile. A parent whose `meta` has a `caseId` and a `relation` forms a pair
   * with the other parent of that case once both are in. Throws {@link ProfileIndexError} on a
   * duplicate id or a second mother (or father) for a case.
   */
  add(id: string, profile: StrProfile, role: ProfileRole, meta: SampleMeta = {}): void {
    if (this.has(id)) {
      throw new ProfileIndexError('DNA_ERR_DUPLICATE_PROFILE', `Profile ${id} is already indexed`);
    }
    const codes = this.#encode(profile, this.#query);
    if (role === 'child') {
      this.#children.push(id, codes, meta.caseId, RELATION_NONE);
      return;
    }
    if (role === 'relative') {
      const code = RelativeRelations.indexOf(meta.relation as RelativeRelation);
      if (code === -1 || meta.caseId === undefined) {
        throw new RangeError('a relative needs its case and a relation among RelativeRelations');
      }
      this.#relatives.push(id, codes, meta.caseId, code, this.#genotypesOf(codes, code));
      this.#addReference(meta.caseId, id);
      return;
    }
    const { caseId } = meta;
    const relation = meta.relation as ParentRelation | undefined;
    const paired = caseId !== undefined && relation !== undefined;
    const parents = paired ? (this.#cases.get(caseId) ?? {}) : undefined;
    if (parents?.[relation!] !== undefined) {
      throw new ProfileIndexError('DNA_ERR_CASE_RELATION_TAKEN', `Case ${caseId} already has a ${relation}`);
    }
    const code =
      relation === 'mother' ? RELATION_MOTHER : relation === 'father' ? RELATION_FATHER : RELATION_NONE;
    this.#parents.push(id, codes, caseId, code);
    if (parents === undefined) return;
    this.#addReference(caseId!, id);
    parents[relation!] = id;
    this.#cases.set(caseId!, parents);
    if (parents.mother !== undefined && parents.father !== undefined) {
      this.#addPair(
        caseId!,
        this.#parents.slotOf.get(parents.mother)!,
        this.#parents.slotOf.get(parents.father)!,
      );
    }
  }

  /**
   * Remove a profile (and the pair it formed); false when the id is not indexed. Refused while a
   * parallel scan is in flight (removal moves the last profile into the freed slot).
   */
  remove(id: string): boolean {
    if (this.#scans > 0) throw new Error('ProfileIndex.remove during a search in flight (await it first)');
    const childSlot = this.#children.slotOf.get(id);
    if (childSlot !== undefined) {
      this.#children.removeSlot(childSlot);
      return true;
    }
    const relativeSlot = this.#relatives.slotOf.get(id);
    if (relativeSlot !== undefined) {
      this.#removeReference(this.#relatives.caseIds[relativeSlot]!, id);
      this.#relatives.removeSlot(relativeSlot);
      return true;
    }
    const pack = this.#parents;
    const slot = pack.slotOf.get(id);
    if (slot === undefined) return false;
    const caseId = pack.caseIds[slot];
    const relation = pack.relation[slot];
    if (caseId !== undefined && relation !== RELATION_NONE) {
      const parents = this.#cases.get(caseId);
      if (parents !== undefined) {
        if (relation === RELATION_MOTHER) delete parents.mother;
        else delete parents.father;
        if (parents.mother === undefined && parents.father === undefined) this.#cases.delete(caseId);
      }
      this.#removeReference(caseId, id);
    }
    const pair = pack.pairOf[slot]!;
    if (pair !== NO_PAIR) this.#removePair(pair);
    const movedFrom = pack.removeSlot(slot);
    if (movedFrom !== -1) {
      const movedPair = pack.pairOf[slot]!;
      if (movedPair !== NO_PAIR) {
        if (this.#pairMother[movedPair] === movedFrom) this.#pairMother[movedPair] = slot;
        else this.#pairFather[movedPair] = slot;
      }
    }
    return true;
  }

  /**
   * Every indexed parent, alone, and every parent pair whose combined index with `child`
   * reaches the floor, best first.
   */
  searchParentsForChild(child: StrProfile, options: SearchOptions = {}): ParentSearchResult {
    const plan = this.planParentSearch(child, options);
    try {
      return this.parentSearchResult(plan, [scanParents(plan.scan, 0, plan.scan.count)]);
    } finally {
      this.abandonSearch(plan);
    }
  }

  /**
   * The first half of {@link searchParentsForChild}: the child's tables and views of the parents
   * as they are now, for {@link scanParents} over any split of `[0, plan.scan.count)` (the worker
   * pool gives each thread a range). Parents added meanwhile are not scanned (the next search
   * finds them); removal is refused until {@link parentSearchResult} (or
   * {@link abandonSearch}) ends the search.
   */
  planParentSearch(child: StrProfile, options: SearchOptions = {}): ParentSearchPlan {
    const floor = options.floor ?? this.#floor;
    const maxBad = this.#options.exclusionInconsistencies;
    const childCodes = Uint16Array.from(this.#encode(child, this.#query));
    const L = this.#loci.length;
    const classOffset = new Int32Array(L);
    let total = 0;
    for (let l = 0; l < L; l++) {
      classOffset[l] = total;
      total += this.#codes[l]!.size;
    }
    const classOf = new Uint8Array(total);
    const single = new Float64Array(L * CLASSES);
    const pair = new Float64Array(L * PAIR_CLASSES);
    const typed: number[] = [];
    for (let l = 0; l < L; l++) {
      const a = childCodes[2 * l]!;
      const b = childCodes[2 * l + 1]!;
      if (a === UNTYPED) continue;
      typed.push(l);
      const o = classOffset[l]!;
      classOf[o + a] = 1;
      if (b !== a) classOf[o + b] = 3;
      const freq = this.#frequencies[l]!;
      const pa = freq[a]!;
      const pb = freq[b]!;
      const mutationSingle = this.#mutationSingle[l]!;
      const mutationPair = this.#mutationPair[l]!;
      // Same expressions as kinship.ts, so the same floating-point results.
      for (let k = 0; k < CLASSES; k++) {
        const tA = (k % 3) / 2;
        const tB = Math.floor(k / 3) / 2;
        const x = a === b ? (tA * pa) / (pa * pa) : (tA * pb + tB * pa) / (2 * pa * pb);
        single[l * CLASSES + k] = x > 0 ? x : -mutationSingle;
        for (let j = 0; j < CLASSES; j++) {
          const uA = (j % 3) / 2;
          const uB = Math.floor(j / 3) / 2;
          const y = a === b ? (tA * uA) / (pa * pa) : (tA * uB + tB * uA) / (2 * pa * pb);
          pair[l * PAIR_CLASSES + k * CLASSES + j] = y > 0 ? y : -mutationPair;
        }
      }
    }
    // Scored most discriminating loci first: an unrelated profile reaches the exclusion count
    // sooner. Only the early exit depends on this order; reported numbers come from #detail,
    // which multiplies in the table's order like kinship.ts.
    // Stryker disable next-line MethodExpression,ArrowFunction,ArithmeticOperator: speed only: the order decides how soon a parent reaches the exclusion count, not which parents are kept or their numbers (#detail multiplies in the table's order)
    const loci = typed.sort((x, y) => this.#exclusion[y]! - this.#exclusion[x]!);
    // Pre-filtered loci where a random parent most likely carries neither child allele first
    // ((1 - p - q)², or (1 - p)² for a homozygote). The count of inconsistent loci does not
    // depend on the order; only how soon a parent is dropped does.
    const weight = new Float64Array(L);
    for (const l of loci) {
      // Stryker disable next-line ArithmeticOperator: the pre-filter's order only: which loci are inconsistent, so which parents the filter keeps, does not depend on it
      const a = childCodes[2 * l]!;
      // Stryker disable next-line ArithmeticOperator: the pre-filter's order only: which loci are inconsistent, so which parents the filter keeps, does not depend on it
      const b = childCodes[2 * l + 1]!;
      const freq = this.#frequencies[l]!;
      // Stryker disable next-line ConditionalExpression,EqualityOperator,ArithmeticOperator: the pre-filter's order only: which loci are inconsistent, so which parents the filter keeps, does not depend on it
      const share = a === b ? freq[a]! : freq[a]! + freq[b]!;
      // Stryker disable next-line ArithmeticOperator: the pre-filter's order only: which loci are inconsistent, so which parents the filter keeps, does not depend on it
      weight[l] = (1 - share) * (1 - share);
    }
    // Stryker disable next-line MethodExpression,ArrowFunction,ArithmeticOperator: the pre-filter's order only: which loci are inconsistent, so which parents the filter keeps, does not depend on it
    const filterLoci = [...loci].sort((x, y) => weight[y]! - weight[x]!);
    const pack = this.#parents;
    const carriers = filterLoci.flatMap((l) =>
      pack.carriers!.filterAt(l, childCodes[2 * l]!, childCodes[2 * l + 1]!),
    );
    this.#scans++;
    return {
      childCodes,
      open: true,
      scan: {
        alleles: pack.alleles,
        carriers,
        count: pack.count,
        width: L * 2,
        pairOf: pack.pairOf,
        pairMother: this.#pairMother,
        pairFather: this.#pairFather,
        pairCount: this.#pairCount,
        loci: Int32Array.from(loci),
        classOf,
        classOffset,
        single,
        pair,
        maxBad,
        floor,
      },
    };
  }

  /**
   * The second half of {@link searchParentsForChild}: the candidates of a plan's scans (over
   * ranges that cover `[0, plan.scan.count)` once, in any order), each with its full account,
   * best first; ends the search.
   */
  parentSearchResult(plan: ParentSearchPlan, parts: ParentScanResult[]): ParentSearchResult {
    this.abandonSearch(plan);
    const pack = this.#parents;
    const width = this.#loci.length * 2;
    const mothers = this.#pairMother;
    const fathers = this.#pairFather;
    // Slot order within and across ranges, then pair order: the order one scan of the whole finds.
    const singleSlots = parts.flatMap((p) => p.singles).sort((a, b) => a - b);
    const pairIndexes = parts.flatMap((p) => p.pairs).sort((a, b) => a - b);
    const singles = singleSlots.map((s): SingleParentCandidate => {
      const relation = pack.relation[s];
      const caseId = pack.caseIds[s];
      return {
        kind: 'single',
        parentId: pack.ids[s]!,
        ...(caseId !== undefined ? { caseId } : {}),
        ...(relation === RELATION_MOTHER
          ? { relation: 'mother' }
          : relation === RELATION_FATHER
            ? { relation: 'father' }
            : {}),
        ...this.#detail(plan, s * width, -1),
      };
    });
    const pairs = pairIndexes.map(
      (p): ParentPairCandidate => ({
        kind: 'pair',
        caseId: this.#pairCase[p]!,
        motherId: pack.ids[mothers[p]!]!,
        fatherId: pack.ids[fathers[p]!]!,
        ...this.#detail(plan, mothers[p]! * width, fathers[p]! * width),
      }),
    );
    singles.sort(byIndex);
    pairs.sort(byIndex);
    return { singles, pairs, frequencyTable: this.#table.meta };
  }

  /** Ends a planned search without its result (a scan failed); idempotent. */
  abandonSearch(plan: { open: boolean; tableSlot?: number }): void {
    if (!plan.open) return;
    plan.open = false;
    this.#scans--;
    if (plan.tableSlot !== undefined && plan.tableSlot >= 0) this.#tablesHeld &= ~(1 << plan.tableSlot);
  }

  /**
   * The WebAssembly scan of a relatives plan, its quantised table copied into a table of the key
   * memory that no open search holds (held until the plan is ended), or undefined (no module
   * loaded, no key memory, a table whose sums could overflow 32 bits, or every table held: the
   * JavaScript loop then scans the plan's own table). A table is rewritten only once the search that held it has its result: a worker still
   * scanning a chunk of that search then (one the scheduler held back, which the calling thread
   * scanned itself) writes its finds to result words that nobody reads any more.
   */
  #relativeWasm(logTable: Int32Array): { wasm?: RelativeWasm; tableSlot: number } {
    const memory = this.#relatives.keyMemory;
    if (!memory || !sumsFitInt32(logTable, this.#loci.length)) return { tableSlot: -1 };
    for (let t = 0; t < TABLE_SLOTS; t++) {
      if (this.#tablesHeld & (1 << t)) continue;
      const module = relativesModule(this.#loci.length, t * TABLE_BYTES);
      if (!module) return { tableSlot: -1 };
      this.#tablesHeld |= 1 << t;
      new Int32Array(memory.buffer, t * TABLE_BYTES, logTable.length).set(logTable);
      return { wasm: { module, memory, tableAt: t * TABLE_BYTES }, tableSlot: t };
    }
    return { tableSlot: -1 };
  }

  /**
   * Every indexed child whose combined index with `parent` (or with the pair `parent` and
   * `otherParent`) reaches the floor, best first.
   */
  searchChildrenForParent(
    parent: StrProfile,
    options: SearchOptions & { otherParent?: StrProfile } = {},
  ): ChildSearchResult {
    const floor = options.floor ?? this.#floor;
    const maxBad = this.#options.exclusionInconsistencies;
    const first = this.#encode(parent, this.#query);
    const second =
      options.otherParent === undefined ? undefined : this.#encode(options.otherParent, this.#query2);
    const pack = this.#children;
    const width = this.#loci.length * 2;
    const children: ChildCandidate[] = [];
    for (let s = 0; s < pack.count; s++) {
      const childCodes = pack.alleles.subarray(s * width, (s + 1) * width);
      const score = this.#direct(childCodes, first, second, maxBad, undefined);
      if (score.inconsistent >= maxBad || score.product < floor) continue;
      const caseId = pack.caseIds[s];
      children.push({
        kind: second === undefined ? 'single' : 'pair',
        childId: pack.ids[s]!,
        ...(caseId !== undefined ? { caseId } : {}),
        ...this.#score(this.#direct(childCodes, first, second, Number.POSITIVE_INFINITY, [])),
      });
    }
    children.sort(byIndex);
    return { children, frequencyTable: this.#table.meta };
  }

  /**
   * Every indexed relative whose kinship index with `child` (kinship-relatives.ts, the relation
   * recorded on its sample) reaches the floor (the index's relative floor by default), best
   * first. Every relative is scored at every locus typed in both: no locus excludes a relative,
   * so there is no pre-filter; instead each relative holds one key per locus (its genotype's id
   * and its relationship), and the search builds the child's index for every key (a few
   * thousand), as a number and as a quantised log, so the scan is one load of a key and one of a
   * log per locus, summed as integers, and the product decides for the few that come near.
   */
  searchRelativesForChild(child: StrProfile, options: SearchOptions = {}): RelativeCandidate[] {
    const plan = this.planRelativeSearch(child, options);
    try {
      return this.relativeSearchResult(plan, [scanRelatives(plan.scan, 0, plan.scan.count)]);
    } finally {
      this.abandonSearch(plan);
    }
  }

  /**
   * The first half of {@link searchRelativesForChild}, as {@link planParentSearch} is of the
   * parents' search: {@link scanRelatives} over any split of `[0, plan.scan.count)`, then
   * {@link relativeSearchResult}.
   */
  planRelativeSearch(child: StrProfile, options: SearchOptions = {}): RelativeSearchPlan {
    const floor = options.floor ?? this.#relativeFloor;
    const childCodes = Uint16Array.from(this.#encode(child, this.#query));
    const L = this.#loci.length;
    const R = RelativeRelations.length;
    const pack = this.#relatives;
    const index = new Float64Array(R * L * CLASSES);
    let typed = 0;
    for (let l = 0; l < L; l++) {
      const a = childCodes[2 * l]!;
      if (a === UNTYPED) continue;
      // Stryker disable next-line UpdateOperator: only whether the count is 0 is read, and counting down reaches 0 just when counting up does
      typed++;
      const b = childCodes[2 * l + 1]!;
      for (let r = 0; r < R; r++) {
        const at = (r * L + l) * CLASSES;
        for (let k = 0; k < CLASSES; k++) index[at + k] = this.#relativeLocus(r, l, a, b, k);
      }
    }
    // Per genotype key (id × R + relationship): the index of its class at its locus (1 when
    // either side is untyped there).
    const G = this.#genotypeLocus.length;
    const table = new Float64Array(G * R).fill(1);
    for (let g = 1; g < G; g++) {
      const l = this.#genotypeLocus[g]!;
      const a = childCodes[2 * l]!;
      if (a === UNTYPED) continue;
      const b = childCodes[2 * l + 1]!;
      const g1 = this.#genotypeA[g]!;
      const g2 = this.#genotypeB[g]!;
      const k =
        (g1 === a ? 1 : 0) +
        (g2 === a ? 1 : 0) +
        (a !== b ? 3 * ((g1 === b ? 1 : 0) + (g2 === b ? 1 : 0)) : 0);
      for (let r = 0; r < R; r++) table[g * R + r] = index[(r * L + l) * CLASSES + k]!;
    }
    this.#scans++;
    const logTable = quantiseRelativeTable(table);
    const { wasm, tableSlot } = this.#relativeWasm(logTable);
    return {
      childCodes,
      index,
      tableSlot,
      open: true,
      scan: {
        genotypes: pack.genotypes,
        width: this.#genotypeRow.length,
        loci: L,
        // A child typed nowhere is compared with nobody.
        count: typed === 0 ? 0 : pack.count,
        table,
        logTable,
        floor,
        ...(wasm && { wasm }),
      },
    };
  }

  /**
   * The second half of {@link searchRelativesForChild}: the candidates of a plan's scans, best
   * first; ends the search.
   */
  relativeSearchResult(plan: RelativeSearchPlan, parts: number[][]): RelativeCandidate[] {
    this.abandonSearch(plan);
    const pack = this.#relatives;
    const width = this.#loci.length * 2;
    const out: RelativeCandidate[] = [];
    for (const s of parts.flat().sort((a, b) => a - b)) {
      const code = pack.relation[s]!;
      const relation = RelativeRelations[code]!;
      const { product, compared } = this.#relativeExact(plan, pack.alleles, s * width, code);
      // The scan's product is within SCAN_MARGIN of this one; this one decides.
      if (product < plan.scan.floor) continue;
      out.push({
        referenceId: pack.ids[s]!,
        childId: '',
        // A relative is always indexed with its case (add refuses one without).
        caseId: pack.caseIds[s]!,
        relation,
        combinedIndex: product,
        probability: product / (product + 1),
        status: relativeStatus(product, this.#relativeThresholds[relation]),
        lociCompared: compared,
      });
    }
    return out.sort((a, b) => b.combinedIndex - a.combinedIndex);
  }

  /**
   * Every indexed child whose kinship index with `reference`, a relative of the given relation,
   * reaches the floor, best first (the other direction of {@link searchRelativesForChild}).
   */
  searchChildrenForRelative(
    reference: StrProfile,
    relation: RelativeRelation,
    options: SearchOptions = {},
  ): RelativeCandidate[] {
    const floor = options.floor ?? this.#relativeFloor;
    const pack = this.#children;
    const width = this.#loci.length * 2;
    const refCodes = this.#encode(reference, this.#query2);
    const r = RelativeRelations.indexOf(relation);
    const out: RelativeCandidate[] = [];
    for (let s = 0; s < pack.count; s++) {
      const childCodes = pack.alleles.subarray(s * width, (s + 1) * width);
      const { product, compared } = this.#relativeDirect(childCodes, refCodes, r);
      if (product < floor) continue;
      const caseId = pack.caseIds[s];
      out.push({
        referenceId: '',
        childId: pack.ids[s]!,
        ...(caseId !== undefined ? { caseId } : {}),
        relation,
        combinedIndex: product,
        probability: product / (product + 1),
        status: relativeStatus(product, this.#relativeThresholds[relation]),
        lociCompared: compared,
      });
    }
    return out.sort((a, b) => b.combinedIndex - a.combinedIndex);
  }

  /** The kinship index of one relationship, class by class, at a locus where the child is a/b. */
  #relativeLocus(r: number, l: number, a: number, b: number, k: number): number {
    const relation = RelativeRelations[r]!;
    const { k0, k1, k2 } = IBD[relation];
    const freq = this.#frequencies[l]!;
    const pa = freq[a]!;
    const pb = freq[b]!;
    const tA = (k % 3) / 2;
    const tB = Math.floor(k / 3) / 2;
    // Same expressions as kinship.ts's PI and kinship-relatives.ts, so the same results.
    const pi = a === b ? (tA * pa) / (pa * pa) : (tA * pb + tB * pa) / (2 * pa * pb);
    const identical = a === b ? k === 2 : k === 4;
    const ibs2 = identical ? (a === b ? 1 / (pa * pa) : 1 / (2 * pa * pb)) : 0;
    const mutation = this.#relativeMutation[r * this.#loci.length + l]!;
    return k0 + k1 * (pi > 0 ? pi : mutation) + k2 * ibs2;
  }

  /** Exact index of a stored relative (row at `base`) with the prepared child, in table order. */
  #relativeExact(
    plan: RelativeSearchPlan,
    alleles: Uint16Array,
    base: number,
    r: number,
  ): { product: number; compared: number } {
    const L = this.#loci.length;
    const child = plan.childCodes;
    let product = 1;
    let compared = 0;
    for (let l = 0; l < L; l++) {
      const a = child[2 * l]!;
      const g1 = alleles[base + 2 * l]!;
      if (a === UNTYPED || g1 === UNTYPED) continue;
      const b = child[2 * l + 1]!;
      const g2 = alleles[base + 2 * l + 1]!;
      const k =
        (g1 === a ? 1 : 0) +
        (g2 === a ? 1 : 0) +
        (a !== b ? 3 * ((g1 === b ? 1 : 0) + (g2 === b ? 1 : 0)) : 0);
      product *= plan.index[(r * L + l) * CLASSES + k]!;
      compared++;
    }
    return { product, compared };
  }

  /** Index of a stored child with a query relative, the formulas written out (no per-search tables). */
  #relativeDirect(
    child: Uint16Array,
    reference: Uint16Array,
    r: number,
  ): { product: number; compared: number } {
    const L = this.#loci.length;
    let product = 1;
    let compared = 0;
    for (let l = 0; l < L; l++) {
      const a = child[2 * l]!;
      const g1 = reference[2 * l]!;
      if (a === UNTYPED || g1 === UNTYPED) continue;
      const b = child[2 * l + 1]!;
      const g2 = reference[2 * l + 1]!;
      const k =
        (g1 === a ? 1 : 0) +
        (g2 === a ? 1 : 0) +
        (a !== b ? 3 * ((g1 === b ? 1 : 0) + (g2 === b ? 1 : 0)) : 0);
      product *= this.#relativeLocus(r, l, a, b, k);
      compared++;
    }
    return { product, compared };
  }

  /**
   * The genotype keys of a relative's codes (registering the genotypes met for the first time), in
   * #genotypeRow: per locus, the genotype's id × the number of relationships + `relation` (id 0
   * where untyped, and in the row's padding to an even length).
   */
  #genotypesOf(codes: Uint16Array, relation: number): Uint16Array {
    const row = this.#genotypeRow;
    const R = RelativeRelations.length;
    row.fill(relation);
    for (let l = 0; l < this.#loci.length; l++) {
      const a = codes[2 * l]!;
      if (a === UNTYPED) continue;
      const b = codes[2 * l + 1]!;
      const lo = Math.min(a, b);
      const hi = Math.max(a, b);
      const key = l * 2 ** 32 + lo * 2 ** 16 + hi;
      let id = this.#genotypeIds.get(key);
      if (id === undefined) {
        id = this.#genotypeLocus.length;
        // 16-bit keys: the FBI table's alleles make 2,044 genotypes over its 23 loci; 16,384 (the
        // keys of four relationships) would take hundreds of alleles no table lists.
        if ((id + 1) * R > 0x10000) {
          throw new RangeError(`more than ${0x10000 / R} distinct genotypes among the relatives`);
        }
        this.#genotypeIds.set(key, id);
        this.#genotypeLocus.push(l);
        this.#genotypeA.push(lo);
        this.#genotypeB.push(hi);
      }
      row[l] = id * R + relation;
    }
    return row;
  }

  /** An id added once (add refuses a duplicate), in an array: a million cases' Sets took seconds to load. */
  #addReference(caseId: string, id: string): void {
    const ids = this.#caseReferences.get(caseId);
    if (ids === undefined) this.#caseReferences.set(caseId, [id]);
    else ids.push(id);
  }

  #removeReference(caseId: string, id: string): void {
    // Every removed reference was added, so its case's list exists and holds it.
    const ids = this.#caseReferences.get(caseId)!;
    ids.splice(ids.indexOf(id), 1);
    if (ids.length === 0) this.#caseReferences.delete(caseId);
  }

  #addPair(caseId: string, mother: number, father: number): void {
    if (this.#pairCount === this.#pairMother.length) {
      const grow = (a: Int32Array) => {
        const b = typedArray(Int32Array, a.length * 2, this.#shared);
        b.set(a);
        return b;
      };
      this.#pairMother = grow(this.#pairMother);
      this.#pairFather = grow(this.#pairFather);
    }
    const p = this.#pairCount++;
    this.#pairMother[p] = mother;
    this.#pairFather[p] = father;
    this.#pairCase[p] = caseId;
    this.#parents.pairOf[mother] = p;
    this.#parents.pairOf[father] = p;
  }

  #removePair(p: number): void {
    const parents = this.#parents;
    parents.pairOf[this.#pairMother[p]!] = NO_PAIR;
    parents.pairOf[this.#pairFather[p]!] = NO_PAIR;
    const last = --this.#pairCount;
    if (p !== last) {
      this.#pairMother[p] = this.#pairMother[last]!;
      this.#pairFather[p] = this.#pairFather[last]!;
      this.#pairCase[p] = this.#pairCase[last]!;
      parents.pairOf[this.#pairMother[p]!] = p;
      parents.pairOf[this.#pairFather[p]!] = p;
    }
    this.#pairCase.length = last;
  }

  /** Codes of a profile, registering alleles met for the first time. */
  #encode(profile: StrProfile, out: Uint16Array): Uint16Array {
    for (let l = 0; l < this.#loci.length; l++) {
      const locus = this.#loci[l]!;
      const genotype = profile.loci[locus];
      out[2 * l] = genotype === undefined ? UNTYPED : this.#code(l, locus, genotype[0]);
      out[2 * l + 1] = genotype === undefined ? UNTYPED : this.#code(l, locus, genotype[1]);
    }
    return out;
  }

  #code(l: number, locus: LocusName, allele: string): number {
    const codes = this.#codes[l]!;
    let code = codes.get(allele);
    if (code === undefined) {
      code = codes.size;
      codes.set(allele, code);
      this.#alleleNames[l]!.push(allele);
      this.#frequencies[l]!.push(this.#table.frequency(locus, allele));
    }
    return code;
  }

  /** Full account of one candidate (rows at `first` and `second`, -1 for none) from a plan's tables. */
  #detail(plan: ParentSearchPlan, first: number, second: number): CandidateScore {
    const child = plan.childCodes;
    const { classOf: classes, classOffset, single, pair } = plan.scan;
    const alleles = this.#parents.alleles;
    const inconsistentLoci: LocusName[] = [];
    let product = 1;
    let compared = 0;
    for (let l = 0; l < this.#loci.length; l++) {
      if (child[2 * l] === UNTYPED) continue;
      const o = classOffset[l]!;
      const classOf = (base: number) =>
        base < 0 || alleles[base + 2 * l] === UNTYPED
          ? -1
          : classes[o + alleles[base + 2 * l]!]! + classes[o + alleles[base + 2 * l + 1]!]!;
      const k1 = classOf(first);
      const k2 = classOf(second);
      let v: number;
      if (k1 >= 0 && k2 >= 0) v = pair[l * PAIR_CLASSES + k1 * CLASSES + k2]!;
      else if (k1 >= 0 || k2 >= 0) v = single[l * CLASSES + Math.max(k1, k2)]!;
      else continue;
      compared++;
      if (v <= 0) {
        inconsistentLoci.push(this.#loci[l]!);
        v = -v;
      }
      product *= v;
    }
    return this.#score({ product, inconsistent: inconsistentLoci.length, compared, inconsistentLoci });
  }

  /** Score a stored child against query parent codes with the formulas written out (no tables). */
  #direct(
    child: Uint16Array,
    first: Uint16Array,
    second: Uint16Array | undefined,
    maxBad: number,
    inconsistentLoci: LocusName[] | undefined,
  ): { product: number; inconsistent: number; compared: number; inconsistentLoci: LocusName[] } {
    let product = 1;
    let inconsistent = 0;
    let compared = 0;
    for (let l = 0; l < this.#loci.length; l++) {
      const a = child[2 * l]!;
      if (a === UNTYPED) continue;
      const b = child[2 * l + 1]!;
      const m1 = first[2 * l]!;
      const f1 = second === undefined ? UNTYPED : second[2 * l]!;
      if (m1 === UNTYPED && f1 === UNTYPED) continue;
      compared++;
      const freq = this.#frequencies[l]!;
      const pa = freq[a]!;
      const pb = freq[b]!;
      const t = (g: Uint16Array, allele: number) =>
        ((g[2 * l] === allele ? 1 : 0) + (g[2 * l + 1] === allele ? 1 : 0)) / 2;
      let v: number;
      let mutation: number;
      // f1 is typed only when there is a second parent.
      if (m1 !== UNTYPED && f1 !== UNTYPED) {
        v =
          a === b
            ? (t(first, a) * t(second!, a)) / (pa * pa)
            : (t(first, a) * t(second!, b) + t(first, b) * t(second!, a)) / (2 * pa * pb);
        mutation = this.#mutationPair[l]!;
      } else {
        const g = m1 !== UNTYPED ? first : second!;
        v = a === b ? (t(g, a) * pa) / (pa * pa) : (t(g, a) * pb + t(g, b) * pa) / (2 * pa * pb);
        mutation = this.#mutationSingle[l]!;
      }
      if (v <= 0) {
        inconsistentLoci?.push(this.#loci[l]!);
        if (++inconsistent >= maxBad) break;
        v = mutation;
      }
      product *= v;
    }
    // Stryker disable next-line ArrayDeclaration: a caller passing no list (the filter pass) reads only product, inconsistent and compared
    return { product, inconsistent, compared, inconsistentLoci: inconsistentLoci ?? [] };
  }

  #score(raw: { product: number; inconsistent: number; compared: number; inconsistentLoci: LocusName[] }) {
    const excluded = raw.inconsistent >= this.#options.exclusionInconsistencies;
    const combinedIndex = excluded ? 0 : raw.product;
    return {
      combinedIndex,
      probabilityOfParentage: probabilityOfParentage(combinedIndex),
      status: kinshipStatus(combinedIndex, raw.inconsistent, this.#options),
      lociCompared: raw.compared,
      inconsistentLoci: raw.inconsistentLoci,
    };
  }
}

const byIndex = (a: CandidateScore, b: CandidateScore): number => b.combinedIndex - a.combinedIndex;
