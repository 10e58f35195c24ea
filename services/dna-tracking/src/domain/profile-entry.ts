/**
 * Entering a sample's STR profile, without I/O: reading the submitted body into stored
 * genotypes, the custody steps at which a profile may be entered, and the event that announces
 * it (ids and counts only; genotypes never leave the service).
 */
import { createEvent, type FieldError, findUnsafeKeys, type HomewardEvent } from '@homeward/events';
import { type DnaErrorKey, DnaErrors } from '../errors.ts';
import type { CustodyStep } from './custody.ts';
import { fingerprint, SOURCE } from './ids.ts';
import type { LocusName } from './loci.ts';
import { type StrProfile, validateProfile } from './profile.ts';

/** Steps a sample must be in for its profile to be entered: the lab has it. */
export const PROFILE_STEPS: readonly CustodyStep[] = ['received', 'profiled', 'stored'];

/** A genotype as stored: locus names are values, never keys (they hold spaces). */
export interface StoredGenotype {
  locus: LocusName;
  alleles: [string, string];
}

/** A submitted profile read for storing: canonical genotypes and what they allow. */
export interface ProfileReading {
  genotypes: StoredGenotype[];
  /** Fingerprint of the genotypes, to tell a retry from other content. */
  fingerprint: string;
  lociTyped: number;
  matchable: boolean;
}

/** Why a submitted profile is refused (400): the fields name the locus, never an allele value. */
export interface ProfileRefusal {
  error: Extract<DnaErrorKey, 'unsafeKeys' | 'invalidProfile'>;
  /** The stable problem code of that error. */
  code: string;
  detail: string;
  errors: FieldError[];
}

/**
 * Reads a submitted body: keys that could reach a query operator are refused first, then the
 * profile is validated (see {@link validateProfile}) and its genotypes put in stored form.
 */
export function readProfile(
  body: unknown,
  minimumLoci: number,
): { ok: true; reading: ProfileReading } | { ok: false; refusal: ProfileRefusal } {
  const unsafe = findUnsafeKeys(body);
  if (unsafe.length > 0)
    return {
      ok: false,
      refusal: {
        error: 'unsafeKeys',
        code: DnaErrors.unsafeKeys.code,
        detail: 'the profile contains keys that are not allowed',
        errors: unsafe,
      },
    };
  const v = validateProfile(body, { minimumLoci });
  if (!v.ok)
    return {
      ok: false,
      refusal: {
        error: 'invalidProfile',
        code: DnaErrors.invalidProfile.code,
        detail: 'the profile is invalid',
        errors: v.errors.map((e) => ({ field: pointer(e.field), message: e.message })),
      },
    };
  const genotypes = storedGenotypes(v.profile);
  return {
    ok: true,
    reading: {
      genotypes,
      fingerprint: fingerprint(genotypes),
      lociTyped: v.lociTyped,
      matchable: v.matchable,
    },
  };
}

/** A validated profile's genotypes in stored form, in the profile's locus order. */
export function storedGenotypes(profile: StrProfile): StoredGenotype[] {
  return Object.entries(profile.loci).map(([locus, g]) => ({
    locus: locus as LocusName,
    alleles: [g![0], g![1]],
  }));
}

/** The validated profile of stored genotypes; throws if they no longer validate (a stored profile always did). */
export function profileOfStored(sampleId: string, genotypes: readonly StoredGenotype[]): StrProfile {
  const loci = Object.fromEntries(genotypes.map((g) => [g.locus, g.alleles]));
  // The minimum of loci only decides `matchable`, which a stored profile does not carry.
  const v = validateProfile({ loci });
  if (!v.ok) throw new Error(`the stored profile of ${sampleId} no longer validates`);
  return v.profile;
}

/** Whether a profile may be entered for a sample at `step`: only once the lab has it. */
export function mayEnterProfileAt(step: CustodyStep): boolean {
  return PROFILE_STEPS.includes(step);
}

/** The `profile-entered` event: counts, never genotypes. */
export function profileEnteredEvent(
  sampleId: string,
  reading: Pick<ProfileReading, 'lociTyped' | 'matchable'>,
  now: Date,
  traceparent?: string,
): HomewardEvent {
  return createEvent(
    'homeward.dna.profile-entered',
    { sampleId, enteredAt: now.toISOString(), lociCount: reading.lociTyped, matchable: reading.matchable },
    {
      source: SOURCE,
      subject: sampleId,
      time: now,
      id: `${sampleId}.profile`,
      ...(traceparent ? { traceparent } : {}),
    },
  ) as HomewardEvent;
}

/** `loci.Penta D[1]` → `/loci/Penta D/1`: the domain's field names as JSON pointers. */
export function pointer(field: string): string {
  return `/${field
    .replace(/\[(\d+)\]$/, '.$1')
    .replace(/^loci\./, 'loci/')
    .replace(/\.(\d+)$/, '/$1')}`;
}
