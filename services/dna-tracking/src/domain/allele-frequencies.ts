/**
 * Population allele-frequency tables for the STR loci, as every likelihood ratio needs them.
 *
 * The platform never invents frequencies: it loads a published table, records which one
 * (source, population and a content hash) with every match, and applies one documented rule
 * for alleles the table lacks.
 */
import { createHash } from 'node:crypto';
import { type LocusName, normaliseLocusName, STANDARD_LOCI } from './loci.ts';

/** One population's entry in a frequency table file. */
export interface RawPopulationFrequencies {
  sampleSizeByLocus: Record<string, number>;
  frequencies: Record<string, Record<string, number>>;
}

/** A frequency table file: `{ population: { sampleSizeByLocus, frequencies } }`. */
export type RawFrequencyTable = Record<string, RawPopulationFrequencies>;

/**
 * What the table's `sampleSizeByLocus` counts. The FBI 2015 expanded-CODIS file counts
 * chromosomes (alleles), not people: every frequency in it is an exact multiple of 1/N (the
 * rarest allele of each population is exactly 1/N), which only holds if N is the number of
 * alleles typed. A table that counts people says `individuals`.
 */
export type SampleSizeUnit = 'chromosomes' | 'individuals';

/**
 * Which alleles the minimum frequency applies to: only those the table lacks (the default),
 * or also observed alleles rarer than the minimum (NRC II's stricter reading).
 */
export type MinimumFrequencyScope = 'unobserved' | 'all';

/** Options of {@link loadFrequencyTable}. */
export interface LoadFrequencyTableOptions {
  /** Which population of the file to load. */
  population: string;
  /** Where the table comes from (a citation or file name), recorded with every match. */
  source: string;
  /** What `sampleSizeByLocus` counts; `chromosomes` by default (see {@link SampleSizeUnit}). */
  sampleSizeUnit?: SampleSizeUnit;
  /** Which alleles the minimum frequency applies to; `unobserved` by default. */
  minimumFrequencyScope?: MinimumFrequencyScope;
}

/** Which table a computation used: what a match records. */
export interface FrequencyTableMetadata {
  source: string;
  /** First 12 hex digits of the sha256 of the population's entry, serialised with sorted keys. */
  version: string;
  population: string;
  /** The minimum-frequency rule in force, e.g. `nrc-ii-5/2n:unobserved`. */
  minimumFrequencyRule: string;
}

/** A table file that cannot be used; `field` says where. */
export class FrequencyTableError extends Error {
  readonly code = 'DNA_ERR_FREQUENCY_TABLE';
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'FrequencyTableError';
  }
}

interface LocusEntry {
  readonly alleles: readonly string[];
  readonly frequencies: ReadonlyMap<string, number>;
  /** Bins such as `>27` (D18S51 in the SE Hispanic set): alleles beyond a bound share a frequency. */
  readonly above: readonly { bound: number; frequency: number }[];
  readonly below: readonly { bound: number; frequency: number }[];
  readonly individuals: number;
  readonly minimumFrequency: number;
  readonly meanExclusionSingle: number;
  readonly meanExclusionPair: number;
}

const ALLELE_KEY = /^\d{1,2}(\.\d)?$/;
const BIN_KEY = /^([<>])(\d{1,2}(?:\.\d)?)$/;
// Rounding to six decimals leaves a locus summing to 1 within a few 1e-6 per allele.
const SUM_TOLERANCE = 1e-3;

/** A loaded, validated frequency table for one population. */
export class FrequencyTable {
  /** Loci the table covers, in canonical order; likelihood ratios multiply in this order. */
  readonly loci: readonly LocusName[];
  readonly meta: FrequencyTableMetadata;
  readonly #entries: ReadonlyMap<LocusName, LocusEntry>;
  readonly #scope: MinimumFrequencyScope;

  /** Use {@link loadFrequencyTable}. */
  constructor(
    meta: FrequencyTableMetadata,
    entries: ReadonlyMap<LocusName, LocusEntry>,
    scope: MinimumFrequencyScope,
  ) {
    this.meta = meta;
    this.#entries = entries;
    this.#scope = scope;
    this.loci = [...entries.keys()];
  }

  /** Whether the table has frequencies for the locus. */
  hasLocus(locus: LocusName): boolean {
    return this.#entries.has(locus);
  }

  /** The alleles the table lists at a locus (bins such as `>27` excluded), in table order. */
  alleles(locus: LocusName): readonly string[] {
    return this.#entry(locus).alleles;
  }

  /** Number of people typed at the locus (chromosomes / 2 when the table counts chromosomes). */
  individuals(locus: LocusName): number {
    return this.#entry(locus).individuals;
  }

  /**
   * NRC II minimum allele frequency, 5/(2n) with n the number of people typed at the locus:
   * National Research Council (1996), "The Evaluation of Forensic DNA Evidence", National
   * Academy Press, ch. 4 (the minimum allele frequency for rare alleles). An allele absent from a
   * database of n people is not absent from the population; 5/(2n) keeps its frequency from
   * falling below what a database of that size can rule out, so a rare shared allele never
   * inflates a likelihood ratio beyond what the data support.
   */
  minimumFrequency(locus: LocusName): number {
    return this.#entry(locus).minimumFrequency;
  }

  /**
   * Frequency of an allele (canonical string, e.g. `12` or `9.3`) at a locus: the table's
   * figure; else the figure of a bin (`>27`) that holds it; else the minimum frequency. With
   * scope `all`, an observed figure below the minimum is raised to it.
   */
  frequency(locus: LocusName, allele: string): number {
    const entry = this.#entry(locus);
    let f = entry.frequencies.get(allele);
    if (f === undefined) {
      const value = Number(allele);
      f = entry.above.find((bin) => value > bin.bound)?.frequency;
      f ??= entry.below.find((bin) => value < bin.bound)?.frequency;
    }
    if (f === undefined) return entry.minimumFrequency;
    return this.#scope === 'all' ? Math.max(f, entry.minimumFrequency) : f;
  }

  /**
   * Mean exclusion power of the locus against a single alleged parent with the other parent
   * untyped: the chance that a random person shares no allele with a random child, under
   * Hardy-Weinberg. `A` in Brenner's mutation formula PI = μ/A.
   */
  meanExclusionSingle(locus: LocusName): number {
    return this.#entry(locus).meanExclusionSingle;
  }

  /**
   * Mean exclusion power of the locus against an alleged parent pair: the chance that two
   * random people could not together have passed on a random child's genotype.
   */
  meanExclusionPair(locus: LocusName): number {
    return this.#entry(locus).meanExclusionPair;
  }

  #entry(locus: LocusName): LocusEntry {
    const entry = this.#entries.get(locus);
    if (entry === undefined) throw new RangeError(`The frequency table has no locus ${locus}`);
    return entry;
  }
}

/**
 * Load one population of a frequency table file (already parsed JSON) into a
 * {@link FrequencyTable}. Locus names are normalised; a malformed table throws
 * {@link FrequencyTableError} rather than producing numbers from bad data.
 */
export function loadFrequencyTable(raw: unknown, options: LoadFrequencyTableOptions): FrequencyTable {
  const { population, source } = options;
  const unit = options.sampleSizeUnit ?? 'chromosomes';
  const scope = options.minimumFrequencyScope ?? 'unobserved';
  if (!isRecord(raw)) throw new FrequencyTableError('The table is not an object', '');
  const entry = raw[population];
  if (!isRecord(entry)) throw new FrequencyTableError(`No population ${population}`, population);
  const sizes = entry.sampleSizeByLocus;
  const frequencies = entry.frequencies;
  if (!isRecord(sizes) || !isRecord(frequencies)) {
    throw new FrequencyTableError('Expected sampleSizeByLocus and frequencies objects', population);
  }

  const parsed = new Map<LocusName, LocusEntry>();
  for (const [name, alleleTable] of Object.entries(frequencies)) {
    const field = `${population}.frequencies.${name}`;
    const locus = normaliseLocusName(name);
    if (locus === undefined) throw new FrequencyTableError(`Unknown locus ${name}`, field);
    if (parsed.has(locus)) throw new FrequencyTableError(`Locus ${locus} appears twice`, field);
    const size = sizes[name];
    if (typeof size !== 'number' || !Number.isInteger(size) || size <= 0) {
      throw new FrequencyTableError(`No positive integer sample size for ${name}`, field);
    }
    if (!isRecord(alleleTable)) throw new FrequencyTableError('Expected an allele table', field);
    parsed.set(locus, parseLocus(alleleTable, unit === 'chromosomes' ? size / 2 : size, field));
  }
  if (parsed.size === 0) throw new FrequencyTableError('The population has no loci', population);

  // Canonical (standard) locus order, whatever order the file lists them in.
  const ordered = new Map(
    [...parsed.entries()].sort(([a], [b]) => LOCUS_ORDER.indexOf(a) - LOCUS_ORDER.indexOf(b)),
  );
  const meta: FrequencyTableMetadata = {
    source,
    version: createHash('sha256').update(canonicalJson(entry)).digest('hex').slice(0, 12),
    population,
    minimumFrequencyRule: `nrc-ii-5/2n:${scope}`,
  };
  return new FrequencyTable(meta, ordered, scope);
}

const LOCUS_ORDER: readonly LocusName[] = STANDARD_LOCI;

function parseLocus(table: Record<string, unknown>, individuals: number, field: string): LocusEntry {
  const alleles: string[] = [];
  const frequencies = new Map<string, number>();
  const above: { bound: number; frequency: number }[] = [];
  const below: { bound: number; frequency: number }[] = [];
  let sum = 0;
  for (const [key, value] of Object.entries(table)) {
    if (typeof value !== 'number' || !(value > 0 && value <= 1)) {
      throw new FrequencyTableError(`Allele ${key}: frequency must be in (0, 1]`, field);
    }
    sum += value;
    const bin = BIN_KEY.exec(key);
    if (bin !== null) {
      (bin[1] === '>' ? above : below).push({ bound: Number(bin[2]), frequency: value });
    } else if (ALLELE_KEY.test(key)) {
      alleles.push(key);
      frequencies.set(key, value);
    } else {
      throw new FrequencyTableError(`Allele ${key} is neither a repeat number nor a bin`, field);
    }
  }
  if (Math.abs(sum - 1) > SUM_TOLERANCE) {
    throw new FrequencyTableError(`Frequencies sum to ${sum}, not 1`, field);
  }
  // Exclusion powers use every class the table reports, bins included, so they describe the
  // population the table was drawn from.
  const all = [...frequencies.values(), ...above.map((b) => b.frequency), ...below.map((b) => b.frequency)];
  return {
    alleles,
    frequencies,
    above,
    below,
    individuals,
    minimumFrequency: 5 / (2 * individuals),
    meanExclusionSingle: meanExclusionSingle(all),
    meanExclusionPair: meanExclusionPair(all),
  };
}

/**
 * Σ_i p_i²(1−p_i)² + Σ_{i<j} 2p_ip_j(1−p_i−p_j)²: child genotype probability times the chance
 * a random person carries none of the child's alleles.
 */
function meanExclusionSingle(p: readonly number[]): number {
  let a = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i]!;
    a += pi * pi * (1 - pi) ** 2;
    for (let j = i + 1; j < p.length; j++) {
      const pj = p[j]!;
      a += 2 * pi * pj * (1 - pi - pj) ** 2;
    }
  }
  return a;
}

/**
 * Child genotype probability times the chance a random pair cannot produce it. With
 * c_i = 1−(1−p_i)² the chance one person carries allele i: a pair produces PP with
 * probability c_P², and PQ with probability 2c_Pc_Q − (2p_Pp_Q)² (one carries P and the other
 * Q, either way round, less the overlap where both are PQ).
 */
function meanExclusionPair(p: readonly number[]): number {
  const carries = p.map((pi) => 1 - (1 - pi) ** 2);
  let a = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i]!;
    const ci = carries[i]!;
    a += pi * pi * (1 - ci * ci);
    for (let j = i + 1; j < p.length; j++) {
      const pj = p[j]!;
      const cj = carries[j]!;
      a += 2 * pi * pj * (1 - (2 * ci * cj - (2 * pi * pj) ** 2));
    }
  }
  return a;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
