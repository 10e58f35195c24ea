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
 * Pre-filter. Each pack also holds its codes locus-major, one byte each. A search first
 * counts, locus by locus over those columns (the child's most excluding loci first), the loci
 * where a parent carries neither child allele, which are exactly the loci the formulas score
 * as inconsistent, and drops a parent at the exclusion count; only the survivors (a few in a
 * thousand unrelated parents) are scored. Exact: the count does not depend on the order, and
 * bytes it cannot resolve (untyped, codes from 254 on) count as consistent.
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
  CLASS_SLOTS,
  fillLogSlots,
  fillWeights,
  type RelativesScanInput,
  scanRelatives,
} from './relatives-scan.ts';

/** Code of an untyped locus in a pack. */
export const UNTYPED = 0xffff;

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

/** A misuse of the index (duplicate id, a case with two mothers...). */
export class ProfileIndexError extends Error {
  readonly code: 'DNA_ERR_DUPLICATE_PROFILE' | 'DNA_ERR_CASE_RELATION_TAKEN';
  constructor(code: ProfileIndexError['code'], message: string) {
    super(message);
    this.name = 'ProfileIndexError';
    this.code = code;
  }
}

const NO_PAIR = -1;
const RELATION_NONE = 0;
const RELATION_MOTHER = 1;
const RELATION_FATHER = 2;
const CLASSES = 9;
const PAIR_CLASSES = CLASSES * CLASSES;

/** Byte column code of an untyped locus. */
const COLUMN_UNTYPED = 0xff;
/** Byte column code shared by every allele code from 254 on (never counted inconsistent by the pre-filter). */
const COLUMN_OVERFLOW = 0xfe;
const columnCode = (code: number): number =>
  code === UNTYPED ? COLUMN_UNTYPED : Math.min(code, COLUMN_OVERFLOW);

/**
 * N profiles × L loci × 2 allele codes, with ids and per-profile metadata, swap-removed. The
 * codes are held twice: row-major in 16 bits (the scoring passes read a whole profile) and
 * locus-major in bytes (the pre-filter streams one locus of every profile).
 */
class ProfilePack {
  count = 0;
  alleles: Uint16Array;
  /** Locus-major byte copy: locus l of slot s at `l * 2 * capacity + 2 * s` (see {@link columnCode}). */
  columns: Uint8Array;
  relation: Uint8Array;
  pairOf: Int32Array;
  readonly ids: string[] = [];
  readonly caseIds: (string | undefined)[] = [];
  readonly slotOf = new Map<string, number>();
  readonly #width: number;
  readonly #loci: number;

  constructor(loci: number) {
    this.#width = loci * 2;
    this.#loci = loci;
    this.alleles = new Uint16Array(1024 * this.#width);
    this.columns = new Uint8Array(1024 * this.#width);
    this.relation = new Uint8Array(1024);
    this.pairOf = new Int32Array(1024).fill(NO_PAIR);
  }

  get capacity(): number {
    return this.relation.length;
  }

  push(id: string, codes: Uint16Array, caseId: string | undefined, relation: number): number {
    if (this.count === this.capacity) this.#grow();
    const slot = this.count++;
    this.alleles.set(codes, slot * this.#width);
    const stride = 2 * this.capacity;
    for (let l = 0; l < this.#loci; l++) {
      this.columns[l * stride + 2 * slot] = columnCode(codes[2 * l]!);
      this.columns[l * stride + 2 * slot + 1] = columnCode(codes[2 * l + 1]!);
    }
    this.ids[slot] = id;
    this.caseIds[slot] = caseId;
    this.relation[slot] = relation;
    this.pairOf[slot] = NO_PAIR;
    this.slotOf.set(id, slot);
    return slot;
  }

  /** Remove a slot by moving the last one into it; returns the old slot of the moved profile, or -1. */
  removeSlot(slot: number): number {
    const last = --this.count;
    const id = this.ids[slot]!;
    this.slotOf.delete(id);
    if (slot !== last) {
      const movedId = this.ids[last]!;
      this.alleles.copyWithin(slot * this.#width, last * this.#width, (last + 1) * this.#width);
      const stride = 2 * this.capacity;
      for (let l = 0; l < this.#loci; l++) {
        this.columns.copyWithin(l * stride + 2 * slot, l * stride + 2 * last, l * stride + 2 * last + 2);
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
    const old = this.capacity;
    const capacity = old * 2;
    const alleles = new Uint16Array(capacity * this.#width);
    alleles.set(this.alleles);
    this.alleles = alleles;
    const columns = new Uint8Array(capacity * this.#width);
    for (let l = 0; l < this.#loci; l++) {
      columns.set(this.columns.subarray(l * 2 * old, (l + 1) * 2 * old), l * 2 * capacity);
    }
    this.columns = columns;
    const relation = new Uint8Array(capacity);
    relation.set(this.relation);
    this.relation = relation;
    const pairOf = new Int32Array(capacity).fill(NO_PAIR);
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
  /** Per case: the ids of its references (parents and relatives). */
  readonly #caseReferences = new Map<string, Set<string>>();
  readonly #relativeThresholds: Record<RelativeRelation, RelativeThresholds>;
  readonly #relativeFloor: number;
  /** Per relationship and locus: the mutation PI of kinship-relatives.ts. */
  readonly #relativeMutation: Float64Array;
  /** Per search: log index by relationship, locus and class slot (relatives-scan.ts). */
  readonly #relativeLog: Float32Array;
  /** Per search: index by relationship, locus and class (Float64, for the exact rescoring). */
  readonly #relativeIndex: Float64Array;
  /** Per search: byte weights per locus (relatives-scan.ts). */
  readonly #weights: Uint8Array;
  #scanAcc = new Float32Array(0);
  #scanOut = new Int32Array(0);
  readonly #cases = new Map<string, { mother?: string; father?: string }>();
  #pairMother = new Int32Array(1024);
  #pairFather = new Int32Array(1024);
  readonly #pairCase: string[] = [];
  #pairCount = 0;

  // Scratch reused by every search, so the hot loops allocate nothing.
  readonly #query: Uint16Array;
  readonly #query2: Uint16Array;
  readonly #childLoci: Int32Array;
  readonly #classOffset: Int32Array;
  #classOf = new Uint8Array(0);
  readonly #single: Float64Array;
  readonly #pair: Float64Array;
  #parentInconsistencies = new Uint8Array(0);
  #survivors = new Int32Array(0);
  /** Per search: 1 where a 16-bit column pair (two byte codes) shares no allele with the child. */
  readonly #excludes = new Uint8Array(65536);
  readonly #excludes2 = new Uint8Array(65536);
  #counts = new Uint8Array(0);
  readonly #filterLoci: Int32Array;
  readonly #filterWeight: Float64Array;

  /** An empty index scoring with `table`. */
  constructor(table: FrequencyTable, options: ProfileIndexOptions = {}) {
    const { candidateFloor, relativeThresholds, relativeFloor, ...kinship } = options;
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
    this.#parents = new ProfilePack(loci);
    this.#children = new ProfilePack(loci);
    this.#relatives = new ProfilePack(loci);
    this.#relativeThresholds = { ...DEFAULT_RELATIVE_THRESHOLDS, ...relativeThresholds };
    this.#relativeFloor =
      relativeFloor ?? Math.min(...RelativeRelations.map((r) => this.#relativeThresholds[r].inconclusive));
    this.#relativeMutation = Float64Array.from(
      RelativeRelations.flatMap((r) => this.#loci.map((l) => relativeMutationPi(table, l, r, rate))),
    );
    this.#relativeLog = new Float32Array(RelativeRelations.length * loci * CLASS_SLOTS);
    this.#relativeIndex = new Float64Array(RelativeRelations.length * loci * CLASSES);
    this.#weights = new Uint8Array(loci << 8);
    this.#query = new Uint16Array(loci * 2);
    this.#query2 = new Uint16Array(loci * 2);
    this.#childLoci = new Int32Array(loci);
    this.#filterLoci = new Int32Array(loci);
    this.#filterWeight = new Float64Array(loci);
    this.#classOffset = new Int32Array(loci);
    this.#single = new Float64Array(loci * CLASSES);
    this.#pair = new Float64Array(loci * PAIR_CLASSES);
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
    if (this.#parents.slotOf.has(id)) return this.#parents;
    if (this.#children.slotOf.has(id)) return this.#children;
    if (this.#relatives.slotOf.has(id)) return this.#relatives;
    return undefined;
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
      this.#relatives.push(id, codes, meta.caseId, code);
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

  /** Remove a profile (and the pair it formed); false when the id is not indexed. */
  remove(id: string): boolean {
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
    const floor = options.floor ?? this.#floor;
    const maxBad = this.#options.exclusionInconsistencies;
    const childCodes = this.#encode(child, this.#query);
    const typed = this.#prepare(childCodes);
    const pack = this.#parents;
    const n = pack.count;
    if (this.#parentInconsistencies.length < pack.capacity) {
      this.#parentInconsistencies = new Uint8Array(pack.capacity);
    }
    const bad = this.#parentInconsistencies;
    const alleles = pack.alleles;
    const classOf = this.#classOf;
    const offset = this.#classOffset;
    const loci = this.#childLoci;
    const singleTable = this.#single;
    const pairTable = this.#pair;
    const width = this.#loci.length * 2;
    const singleSlots: number[] = [];
    const pairIndexes: number[] = [];

    // Pass 1a, the pre-filter: one locus at a time over the byte columns, counting the loci
    // where a parent carries neither child allele (exactly the loci the formulas score as
    // inconsistent), and dropping a parent at the exclusion count. Most unrelated parents go
    // here, after a few cheap byte loads per locus instead of a scattered row walk. Codes it
    // cannot tell apart (untyped, or from 254 on) count as consistent, so it never drops a
    // parent the scoring below would keep.
    if (this.#survivors.length < pack.capacity) this.#survivors = new Int32Array(pack.capacity);
    const survivors = this.#survivors;
    // Two byte codes read as one 16-bit word (little- or big-endian alike: the table below is
    // symmetric in its two bytes).
    const words = new Uint16Array(pack.columns.buffer, pack.columns.byteOffset, pack.columns.length >> 1);
    const stride = pack.capacity;
    const excludes = this.#excludes;
    // This child's loci, those where a random parent most likely carries neither of its
    // alleles first: ((1 - p - q)², or (1 - p)² for a homozygote). The count of inconsistent
    // loci does not depend on the order; only how soon a parent is dropped does.
    const filterLoci = this.#filterLoci;
    const weight = this.#filterWeight;
    for (let i = 0; i < typed; i++) {
      const l = loci[i]!;
      const a = childCodes[2 * l]!;
      const b = childCodes[2 * l + 1]!;
      const freq = this.#frequencies[l]!;
      const share = a === b ? freq[a]! : freq[a]! + freq[b]!;
      filterLoci[i] = l;
      weight[l] = (1 - share) * (1 - share);
    }
    const ordered = Array.from(filterLoci.subarray(0, typed)).sort((x, y) => weight[y]! - weight[x]!);
    if (this.#counts.length < pack.capacity) this.#counts = new Uint8Array(pack.capacity);
    // Survivors and their counts kept dense, side by side, so only the column is gathered.
    const counts = this.#counts;
    const excludes2 = this.#excludes2;
    const tableFor = (l: number, out: Uint8Array) => {
      // 1 everywhere except the words with a byte that may be a child allele (its two codes,
      // untyped, overflow): 4 rows and 4 columns of the 256 × 256 table.
      out.fill(1);
      const kept = [
        COLUMN_UNTYPED,
        COLUMN_OVERFLOW,
        columnCode(childCodes[2 * l]!),
        columnCode(childCodes[2 * l + 1]!),
      ];
      for (const v of kept) {
        for (let x = 0; x < 256; x++) {
          out[(v << 8) | x] = 0;
          out[(x << 8) | v] = 0;
        }
      }
      return words.subarray(l * stride, l * stride + n);
    };
    // Dropped parents hold the exclusion count for the pruning of pairs; survivors get their
    // exact count in pass 1b.
    bad.fill(maxBad, 0, n);
    let alive = 0;
    if (typed === 0) for (let s = 0; s < n; s++) survivors[alive++] = s;
    else {
      const column = tableFor(ordered[0]!, excludes);
      for (let s = 0; s < n; s++) {
        const c = excludes[column[s]!]!;
        survivors[alive] = s;
        counts[alive] = c;
        alive += (c - maxBad) >>> 31;
      }
    }
    // Two loci a sweep: half the passes over the survivors. The compaction is branchless (each
    // slot is written, the cursor moves by 1 when c < maxBad): a data-dependent branch here is
    // mispredicted about as often as it is taken, which doubled the time.
    for (let i = 1; i < typed && alive > 0; i += 2) {
      const colA = tableFor(ordered[i]!, excludes);
      let kept = 0;
      if (i + 1 < typed) {
        const colB = tableFor(ordered[i + 1]!, excludes2);
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

    // Pass 1b: the survivors scored in full. Records each parent's inconsistency count for the
    // pruning of pairs (parents dropped above already hold the exclusion count).
    for (let r = 0; r < alive; r++) {
      const s = survivors[r]!;
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
      bad[s] = inconsistent;
      if (inconsistent < maxBad && product >= floor) singleSlots.push(s);
    }

    // Pass 2: pairs whose members both survived pass 1, found from the survivors (a pair with
    // an excluded member is excluded: see the module comment), in pair order.
    const mothers = this.#pairMother;
    const fathers = this.#pairFather;
    const pairOf = pack.pairOf;
    const pairsToScore: number[] = [];
    for (let r = 0; r < alive; r++) {
      const m = survivors[r]!;
      const p = pairOf[m]!;
      if (p !== NO_PAIR && mothers[p] === m && bad[fathers[p]!]! < maxBad) pairsToScore.push(p);
    }
    pairsToScore.sort((a, b) => a - b);
    for (const p of pairsToScore) {
      const m = mothers[p]!;
      const f = fathers[p]!;
      const mb = m * width;
      const fb = f * width;
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
      if (inconsistent < maxBad && product >= floor) pairIndexes.push(p);
    }

    // Only the few candidates get the full per-locus account.
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
        ...this.#detail(childCodes, alleles, s * width, -1),
      };
    });
    const pairs = pairIndexes.map(
      (p): ParentPairCandidate => ({
        kind: 'pair',
        caseId: this.#pairCase[p]!,
        motherId: pack.ids[mothers[p]!]!,
        fatherId: pack.ids[fathers[p]!]!,
        ...this.#detail(childCodes, alleles, mothers[p]! * width, fathers[p]! * width),
      }),
    );
    singles.sort(byIndex);
    pairs.sort(byIndex);
    return { singles, pairs, frequencyTable: this.#table.meta };
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
   * first. Every relative is scored at every locus typed in both (no locus excludes a
   * relative): see relatives-scan.ts for how that stays fast and exact.
   */
  searchRelativesForChild(child: StrProfile, options: SearchOptions = {}): RelativeCandidate[] {
    const floor = options.floor ?? this.#relativeFloor;
    const childCodes = this.#encode(child, this.#query);
    const pack = this.#relatives;
    const L = this.#loci.length;
    const typed = this.#prepareRelatives(childCodes);
    const n = pack.count;
    if (n === 0 || typed === 0) return [];
    if (this.#scanAcc.length < n) this.#scanAcc = new Float32Array(pack.capacity);
    if (this.#scanOut.length < n) this.#scanOut = new Int32Array(pack.capacity);
    const input: RelativesScanInput = {
      words: new Uint16Array(pack.columns.buffer, pack.columns.byteOffset, pack.columns.length >> 1),
      stride: pack.capacity,
      relation: pack.relation,
      loci: this.#childLoci,
      lociCount: typed,
      weights: this.#weights,
      logIndex: this.#relativeLog,
      lociTotal: L,
      logFloor: Math.log(floor),
    };
    const found = scanRelatives(input, 0, n, this.#scanAcc, this.#scanOut);
    const width = L * 2;
    const out: RelativeCandidate[] = [];
    for (let i = 0; i < found; i++) {
      const s = this.#scanOut[i]!;
      const r = pack.relation[s]!;
      const { product, compared } = this.#relativeExact(childCodes, pack.alleles, s * width, r);
      if (product < floor) continue;
      const relation = RelativeRelations[r]!;
      const caseId = pack.caseIds[s];
      out.push({
        referenceId: pack.ids[s]!,
        childId: '',
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

  /** Per-search tables of the relatives scan for a child; returns the number of loci typed. */
  #prepareRelatives(child: Uint16Array): number {
    const L = this.#loci.length;
    const R = RelativeRelations.length;
    let typed = 0;
    for (let l = 0; l < L; l++) if (child[2 * l] !== UNTYPED) this.#childLoci[typed++] = l;
    for (let i = 0; i < typed; i++) {
      const l = this.#childLoci[i]!;
      const a = child[2 * l]!;
      const b = child[2 * l + 1]!;
      fillWeights(this.#weights.subarray(l << 8, (l + 1) << 8), columnCode(a), columnCode(b));
      for (let r = 0; r < R; r++) {
        const at = (r * L + l) * CLASSES;
        for (let k = 0; k < CLASSES; k++) this.#relativeIndex[at + k] = this.#relativeLocus(r, l, a, b, k);
        fillLogSlots(
          this.#relativeLog,
          (r * L + l) * CLASS_SLOTS,
          this.#relativeIndex.subarray(at, at + CLASSES),
        );
      }
    }
    return typed;
  }

  /** Exact index of a stored relative (row at `base`) with the prepared child, in table order. */
  #relativeExact(
    child: Uint16Array,
    alleles: Uint16Array,
    base: number,
    r: number,
  ): { product: number; compared: number } {
    const L = this.#loci.length;
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
      product *= this.#relativeIndex[(r * L + l) * CLASSES + k]!;
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

  #addReference(caseId: string, id: string): void {
    const ids = this.#caseReferences.get(caseId) ?? new Set<string>();
    ids.add(id);
    this.#caseReferences.set(caseId, ids);
  }

  #removeReference(caseId: string, id: string): void {
    const ids = this.#caseReferences.get(caseId);
    ids?.delete(id);
    if (ids?.size === 0) this.#caseReferences.delete(caseId);
  }

  #addPair(caseId: string, mother: number, father: number): void {
    if (this.#pairCount === this.#pairMother.length) {
      const grow = (a: Int32Array) => {
        const b = new Int32Array(a.length * 2);
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
    this.#loci.forEach((locus, l) => {
      const genotype = profile.loci[locus];
      out[2 * l] = genotype === undefined ? UNTYPED : this.#code(l, locus, genotype[0]);
      out[2 * l + 1] = genotype === undefined ? UNTYPED : this.#code(l, locus, genotype[1]);
    });
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

  /** Build the per-search class and index tables for a child; returns the number of loci typed. */
  #prepare(child: Uint16Array): number {
    const loci = this.#loci.length;
    let total = 0;
    for (let l = 0; l < loci; l++) {
      this.#classOffset[l] = total;
      total += this.#codes[l]!.size;
    }
    if (this.#classOf.length < total) this.#classOf = new Uint8Array(total * 2);
    const classOf = this.#classOf;
    classOf.fill(0, 0, total);
    let typed = 0;
    for (let l = 0; l < loci; l++) {
      const a = child[2 * l]!;
      const b = child[2 * l + 1]!;
      if (a === UNTYPED) continue;
      this.#childLoci[typed++] = l;
      const o = this.#classOffset[l]!;
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
        this.#single[l * CLASSES + k] = x > 0 ? x : -mutationSingle;
        for (let j = 0; j < CLASSES; j++) {
          const uA = (j % 3) / 2;
          const uB = Math.floor(j / 3) / 2;
          const y = a === b ? (tA * uA) / (pa * pa) : (tA * uB + tB * uA) / (2 * pa * pb);
          this.#pair[l * PAIR_CLASSES + k * CLASSES + j] = y > 0 ? y : -mutationPair;
        }
      }
    }
    // Scan the most discriminating loci first: an unrelated profile reaches the exclusion
    // count sooner. Only the early exit depends on this order; reported numbers come from
    // #detail, which multiplies in the table's order like kinship.ts.
    const order = Array.from(this.#childLoci.subarray(0, typed)).sort(
      (x, y) => this.#exclusion[y]! - this.#exclusion[x]!,
    );
    this.#childLoci.set(order);
    return typed;
  }

  /** Full account of one candidate from the search tables (valid until the next search). */
  #detail(child: Uint16Array, alleles: Uint16Array, first: number, second: number): CandidateScore {
    const inconsistentLoci: LocusName[] = [];
    let product = 1;
    let compared = 0;
    for (let l = 0; l < this.#loci.length; l++) {
      if (child[2 * l] === UNTYPED) continue;
      const o = this.#classOffset[l]!;
      const classOf = (base: number) =>
        base < 0 || alleles[base + 2 * l] === UNTYPED
          ? -1
          : this.#classOf[o + alleles[base + 2 * l]!]! + this.#classOf[o + alleles[base + 2 * l + 1]!]!;
      const k1 = classOf(first);
      const k2 = classOf(second);
      let v: number;
      if (k1 >= 0 && k2 >= 0) v = this.#pair[l * PAIR_CLASSES + k1 * CLASSES + k2]!;
      else if (k1 >= 0 || k2 >= 0) v = this.#single[l * CLASSES + Math.max(k1, k2)]!;
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
      if (m1 !== UNTYPED && f1 !== UNTYPED && second !== undefined) {
        v =
          a === b
            ? (t(first, a) * t(second, a)) / (pa * pa)
            : (t(first, a) * t(second, b) + t(first, b) * t(second, a)) / (2 * pa * pb);
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
