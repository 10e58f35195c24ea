import { defineErrors } from '@homeward/service-kit';

/**
 * dna-tracking's errors, declared once: the services and routes throw `DnaErrors.x.error(detail)`,
 * the pure rules of `domain/` name the key of the one they refuse with, and route descriptions
 * list them with `describeErrors`, so the OpenAPI prose cannot spell a code another way.
 */
export const DnaErrors = defineErrors({
  invalidSample: {
    code: 'DNA_ERR_INVALID_SAMPLE',
    status: 400,
    summary:
      "the sample is invalid: a parent names the relation and the missing child's case, only a parent has a relation, and it cannot be collected in the future",
  },
  invalidCustodyStep: {
    code: 'DNA_ERR_INVALID_CUSTODY_STEP',
    status: 400,
    summary: 'a shipment, and only a shipment, has a tracking number, and a step cannot be in the future',
  },
  unsafeKeys: {
    code: 'DNA_ERR_UNSAFE_KEYS',
    status: 400,
    summary:
      'the profile holds keys that are not allowed (starting with `$`, holding `.`, or reserved) or nests too deeply',
  },
  invalidProfile: {
    code: 'DNA_ERR_INVALID_PROFILE',
    status: 400,
    summary:
      'unknown loci, more than two alleles, or alleles that are not repeat numbers; each error names the locus, never the value',
  },
  sampleNotFound: { code: 'DNA_ERR_SAMPLE_NOT_FOUND', status: 404, summary: 'no sample of that id' },
  profileNotFound: {
    code: 'DNA_ERR_PROFILE_NOT_FOUND',
    status: 404,
    summary: 'the sample has no profile yet',
  },
  matchNotFound: { code: 'DNA_ERR_MATCH_NOT_FOUND', status: 404, summary: 'no match of that id' },
  kitReused: {
    code: 'DNA_ERR_KIT_REUSED',
    status: 409,
    summary: 'the kit barcode is registered for another sample; a kit is used once',
  },
  custodyOutOfOrder: {
    code: 'DNA_ERR_CUSTODY_OUT_OF_ORDER',
    status: 409,
    summary: 'the step may not follow the current one (the answer names the current and the allowed steps)',
  },
  custodyChainBroken: {
    code: 'DNA_ERR_CUSTODY_CHAIN_BROKEN',
    status: 409,
    summary: 'the stored custody chain fails verification; nothing is appended until it is investigated',
  },
  concurrentUpdate: {
    code: 'DNA_ERR_CONCURRENT_UPDATE',
    status: 409,
    summary: 'the sample kept changing while being written; retry',
  },
  sampleNotAtLab: {
    code: 'DNA_ERR_SAMPLE_NOT_AT_LAB',
    status: 409,
    summary: 'a profile is entered once the lab has the sample (received, profiled or stored)',
  },
  caseRelationTaken: {
    code: 'DNA_ERR_CASE_RELATION_TAKEN',
    status: 409,
    summary: 'the case already has a profile of this relation (one mother and one father per case)',
  },
  profileExists: {
    code: 'DNA_ERR_PROFILE_EXISTS',
    status: 409,
    summary: 'the sample already has a different profile',
  },
  matchAlreadyReviewed: {
    code: 'DNA_ERR_MATCH_ALREADY_REVIEWED',
    status: 409,
    summary: 'the match was reviewed already; a decision is final',
  },
  matchFolded: {
    code: 'DNA_ERR_MATCH_FOLDED',
    status: 409,
    summary:
      "a single parent's match folded into the match of both parents of the same child: review that one (the answer names it)",
  },
  caseUnknown: {
    code: 'DNA_ERR_CASE_UNKNOWN',
    status: 422,
    summary: 'the sample names a case dna-tracking does not know (cases arrive on case.events.v1)',
  },
  caseMismatch: {
    code: 'DNA_ERR_CASE_MISMATCH',
    status: 422,
    summary: "a parent's or a relative's sample names a missing child's case",
  },
  custodyTimeOrder: {
    code: 'DNA_ERR_CUSTODY_TIME_ORDER',
    status: 422,
    summary: 'the step is dated before the previous custody record',
  },
  regionOutOfScope: {
    code: 'DNA_ERR_REGION_OUT_OF_SCOPE',
    status: 403,
    summary: "a sample is registered only in a region that lies in the caller's",
  },
  matchInconclusive: {
    code: 'DNA_ERR_MATCH_INCONCLUSIVE',
    status: 422,
    summary:
      'an inconclusive candidate (combined index below the match threshold) may be rejected, not confirmed',
  },
});

/** The key of one of dna-tracking's errors: what a pure rule names when it refuses. */
export type DnaErrorKey = keyof typeof DnaErrors;
