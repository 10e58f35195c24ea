/**
 * Validation of STR profiles as labs submit them.
 *
 * Error messages name the locus and the allele's position, never an allele value: genotypes do
 * not leave the domain, not even in an error answer or a log line.
 */
import { type LocusName, normaliseLocusName, repeatUnitLength, STANDARD_LOCI } from './loci.ts';

/** An allele in canonical form: a repeat number, `12`, or a microvariant, `9.3`. */
export type Allele = string;

/** Two alleles, sorted ascending; a homozygote repeats its allele. */
export type Genotype = readonly [Allele, Allele];

declare const validated: unique symbol;

/** A validated profile: canonical locus names, canonical sorted genotypes. Made only by {@link validateProfile}. */
export interface StrProfile {
  readonly loci: Readonly<Partial<Record<LocusName, Genotype>>>;
  readonly [validated]: true;
}

/** A profile as submitted. */
export interface ProfileInput {
  loci: Record<string, Array<number | string>>;
}

/** One problem with a submitted profile. */
export interface ValidationIssue {
  /** Where: `loci`, `loci.<locus as submitted>` or `loci.<locus>[<index>]`. */
  field: string;
  message: string;
}

/** Outcome of {@link validateProfile}. */
export type ProfileValidation =
  | {
      ok: true;
      profile: StrProfile;
      /** Number of loci typed. */
      lociTyped: number;
      /** Whether enough loci are typed for the profile to enter kinship searches. */
      matchable: boolean;
    }
  | { ok: false; errors: ValidationIssue[] };

/** Options of {@link validateProfile}. */
export interface ProfileValidationOptions {
  /** Loci a profile needs to be matchable; 15 by default. */
  minimumLoci?: number;
}

/** Loci a profile needs by default to enter kinship searches. */
export const DEFAULT_MINIMUM_LOCI = 15;

// Repeat numbers 1-99 with at most one digit after the point; the digit's range depends on the
// locus's repeat unit (see repeatUnitLength).
const ALLELE = /^[1-9]\d?(?:\.([1-9]))?$/;

/**
 * Validate a submitted profile. Every problem is reported, each naming its locus and why; a
 * valid profile with fewer than `minimumLoci` loci is returned with `matchable: false`.
 */
export function validateProfile(input: unknown, options: ProfileValidationOptions = {}): ProfileValidation {
  const minimumLoci = options.minimumLoci ?? DEFAULT_MINIMUM_LOCI;
  const errors: ValidationIssue[] = [];
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: [{ field: '', message: 'expected an object with loci' }] };
  }
  const loci = (input as { loci?: unknown }).loci;
  if (typeof loci !== 'object' || loci === null || Array.isArray(loci)) {
    return { ok: false, errors: [{ field: 'loci', message: 'expected an object of locus to alleles' }] };
  }

  const out: Partial<Record<LocusName, Genotype>> = {};
  const seenAs = new Map<LocusName, string>();
  for (const [name, alleles] of Object.entries(loci)) {
    const field = `loci.${name}`;
    const locus = normaliseLocusName(name);
    if (locus === undefined) {
      errors.push({ field, message: `unknown locus; accepted loci: ${STANDARD_LOCI.join(', ')}` });
      continue;
    }
    const earlier = seenAs.get(locus);
    if (earlier !== undefined) {
      errors.push({ field, message: `locus ${locus} is given twice (also as ${earlier})` });
      continue;
    }
    seenAs.set(locus, name);
    if (!Array.isArray(alleles)) {
      errors.push({ field, message: `locus ${locus}: expected an array of one or two alleles` });
      continue;
    }
    if (alleles.length === 0 || alleles.length > 2) {
      errors.push({
        field,
        message:
          alleles.length === 0
            ? `locus ${locus}: no alleles`
            : `locus ${locus}: ${alleles.length} alleles; at most two (a mixture or tri-allelic pattern cannot be used for kinship)`,
      });
      continue;
    }
    const canonical: Allele[] = [];
    alleles.forEach((value: unknown, index: number) => {
      const allele = canonicalAllele(value, locus);
      if (typeof allele === 'string') canonical.push(allele);
      else
        errors.push({
          field: `${field}[${index}]`,
          message: `locus ${locus}, allele ${index + 1}: ${allele.why}`,
        });
    });
    const [first, second = first] = canonical;
    if (canonical.length !== alleles.length || first === undefined || second === undefined) continue;
    out[locus] = Number(first) <= Number(second) ? [first, second] : [second, first];
  }
  if (errors.length > 0) return { ok: false, errors };
  const lociTyped = Object.keys(out).length;
  if (lociTyped === 0) return { ok: false, errors: [{ field: 'loci', message: 'no locus typed' }] };
  return {
    ok: true,
    profile: { loci: out } as unknown as StrProfile,
    lociTyped,
    matchable: lociTyped >= minimumLoci,
  };
}

function canonicalAllele(value: unknown, locus: LocusName): Allele | { why: string } {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return { why: 'not a finite number' };
    text = String(value);
  } else if (typeof value === 'string') {
    text = value;
  } else {
    return { why: 'expected a number or a string' };
  }
  const match = ALLELE.exec(text);
  const maxVariant = repeatUnitLength(locus) - 1;
  if (match === null) {
    return {
      why: `not a repeat number (an integer from 1 to 99, or a microvariant such as 9.3 with one digit from 1 to ${maxVariant} after the point)`,
    };
  }
  const variant = match[1];
  if (variant !== undefined && Number(variant) > maxVariant) {
    return {
      why: `a microvariant at this locus has one digit from 1 to ${maxVariant} after the point (repeat unit of ${maxVariant + 1} bases)`,
    };
  }
  return text;
}
