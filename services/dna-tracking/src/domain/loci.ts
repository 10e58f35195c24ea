/**
 * The autosomal STR loci the platform accepts, and the normalisation of their names.
 *
 * Labs, kits and frequency tables spell loci differently (`Penta D`, `PENTA_D`, `PentaD`;
 * `vWA`, `VWA`; `TH01`, `THO1`), so every name is reduced to one canonical spelling before
 * anything else looks at it.
 */

/** The 20 CODIS core loci (the expanded set in force since 2017). */
export const CODIS_CORE_LOCI = [
  'CSF1PO',
  'FGA',
  'TH01',
  'TPOX',
  'vWA',
  'D3S1358',
  'D5S818',
  'D7S820',
  'D8S1179',
  'D13S317',
  'D16S539',
  'D18S51',
  'D21S11',
  'D1S1656',
  'D2S441',
  'D2S1338',
  'D10S1248',
  'D12S391',
  'D19S433',
  'D22S1045',
] as const;

/** Loci outside the CODIS core that common kits type and that profiles may carry. */
export const ADDITIONAL_LOCI = ['Penta D', 'Penta E', 'D6S1043', 'SE33'] as const;

/** Every accepted locus, in canonical spelling. */
export const STANDARD_LOCI = [...CODIS_CORE_LOCI, ...ADDITIONAL_LOCI] as const;

/** A locus name in canonical spelling. */
export type LocusName = (typeof STANDARD_LOCI)[number];

const keyOf = (name: string): string => name.toUpperCase().replace(/[\s_-]/g, '');

// Spellings seen in kit documentation and older tables: the letter O for the digit 0 and the
// reverse, and SE33's other name.
const ALIASES: Readonly<Record<string, LocusName>> = {
  THO1: 'TH01',
  CSF1P0: 'CSF1PO',
  ACTBP2: 'SE33',
};

const BY_KEY: ReadonlyMap<string, LocusName> = new Map<string, LocusName>([
  ...STANDARD_LOCI.map((locus): [string, LocusName] => [keyOf(locus), locus]),
  ...Object.entries(ALIASES),
]);

/**
 * The canonical name of a locus, or `undefined` when it is not an accepted locus.
 * Case, spaces, underscores and hyphens are ignored: `Penta D`, `PENTA_D` and `pentad` all
 * give `Penta D`.
 */
export function normaliseLocusName(name: string): LocusName | undefined {
  return BY_KEY.get(keyOf(name));
}

/**
 * Length in bases of the locus's repeat unit. A microvariant `n.x` carries `x` extra bases,
 * so `x` runs from 1 to one less than the unit: Penta D and Penta E are pentanucleotide
 * repeats (`.1` to `.4`, e.g. Penta E 16.4), D22S1045 a trinucleotide (`.1`, `.2`), the rest
 * tetranucleotides (`.1` to `.3`).
 */
export function repeatUnitLength(locus: LocusName): number {
  if (locus === 'Penta D' || locus === 'Penta E') return 5;
  if (locus === 'D22S1045') return 3;
  return 4;
}
