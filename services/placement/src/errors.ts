import { defineErrors } from '@homeward/service-kit';

/**
 * Placement's errors, declared once: the service and the routes throw `PlacementErrors.x.error(detail)`,
 * the pure plans of `domain/` name the key of the one they refuse with, and route descriptions
 * list them with `describeErrors`, so the OpenAPI prose cannot spell a code another way.
 */
export const PlacementErrors = defineErrors({
  invalidParty: {
    code: 'PLACEMENT_ERR_INVALID_PARTY',
    status: 400,
    summary: 'the guardian or institution does not fit the placement type',
  },
  outcomeIncomplete: {
    code: 'PLACEMENT_ERR_OUTCOME_INCOMPLETE',
    status: 400,
    summary:
      'the completion lacks what its type needs: the school (compulsory-education), the hospital (medical-psychological-rehabilitation), the course (vocational-training), a note (escorted-handover)',
  },
  caseNotFound: {
    code: 'PLACEMENT_ERR_CASE_NOT_FOUND',
    status: 404,
    summary: 'no case of that id is known to placement (it learns of cases from case.events.v1)',
  },
  placementNotFound: {
    code: 'PLACEMENT_ERR_PLACEMENT_NOT_FOUND',
    status: 404,
    summary: 'no placement of that id, or the case has no placement',
  },
  followupNotFound: {
    code: 'PLACEMENT_ERR_FOLLOWUP_NOT_FOUND',
    status: 404,
    summary: 'no follow-up of that id',
  },
  revisionReasonRequired: {
    code: 'PLACEMENT_ERR_REVISION_REASON_REQUIRED',
    status: 409,
    summary: 'the case is placed already; a revision states its reason',
  },
  followupCompleted: {
    code: 'PLACEMENT_ERR_FOLLOWUP_COMPLETED',
    status: 409,
    summary: 'the follow-up was completed already',
  },
  followupCancelled: {
    code: 'PLACEMENT_ERR_FOLLOWUP_CANCELLED',
    status: 409,
    summary: 'the follow-up was cancelled by a later revision',
  },
  concurrentUpdate: {
    code: 'PLACEMENT_ERR_CONCURRENT_UPDATE',
    status: 409,
    summary: 'the case kept changing while being written; retry',
    retriable: true,
  },
  caseNotRescued: {
    code: 'PLACEMENT_ERR_CASE_NOT_RESCUED',
    status: 422,
    summary: 'the case has no recorded rescue; only a rescued child is placed',
  },
  identificationRequired: {
    code: 'PLACEMENT_ERR_IDENTIFICATION_REQUIRED',
    status: 422,
    summary:
      'return-to-family without a confirmed DNA match or a recorded police identification for the case',
  },
  guardianIsBuyer: {
    code: 'PLACEMENT_ERR_GUARDIAN_IS_BUYER',
    status: 422,
    summary:
      'the guardian belongs to the buying household: its identity numbers, its normalised address (anyone living there), a recorded member, its family name at its address; or is the current guardian an unidentified-child report named, until police clear them',
  },
  guardianNotFamily: {
    code: 'PLACEMENT_ERR_GUARDIAN_NOT_FAMILY',
    status: 422,
    summary:
      "return-to-family to a guardian who is not one of the parents the confirmed DNA match identified (identity number or name, as the parents' case recorded them), without a documented police reason",
  },
  ageUnknown: {
    code: 'PLACEMENT_ERR_AGE_UNKNOWN',
    status: 422,
    summary: "the age on the decision date cannot be determined; state the child's birthDate",
  },
  victimNotFound: {
    code: 'PLACEMENT_ERR_VICTIM_NOT_FOUND',
    status: 404,
    summary: 'the case has no victim of that id (placement learns of victims from case.events.v1)',
  },
  victimRequired: {
    code: 'PLACEMENT_ERR_VICTIM_REQUIRED',
    status: 422,
    summary: 'the case has several victims: the decision names the one it places (victimId)',
  },
  planNotAllowed: {
    code: 'PLACEMENT_ERR_PLAN_NOT_ALLOWED',
    status: 422,
    summary:
      'the plan does not fit: return-home is a return-to-family, relief-shelter a civil-affairs-institution, employment (local or elsewhere) is for victims of 16 and over',
  },
  disabilityConsiderationRequired: {
    code: 'PLACEMENT_ERR_DISABILITY_CONSIDERATION_REQUIRED',
    status: 422,
    summary:
      'the victim has a disability: the decision states how the placement meets it (disabilityConsideration)',
  },
  notFollowupOwner: {
    code: 'PLACEMENT_ERR_NOT_FOLLOWUP_OWNER',
    status: 403,
    summary:
      'only the role that answers for a follow-up completes it (education, health, human-resources-social-security, civil-affairs, womens-federation, disabled-persons-federation by type)',
  },
  minorIndependentLiving: {
    code: 'PLACEMENT_ERR_MINOR_INDEPENDENT_LIVING',
    status: 422,
    summary: 'independent-living for a child under 18 on the decision date',
  },
});

/** The key of one of placement's errors: what a pure plan names when it refuses. */
export type PlacementErrorKey = keyof typeof PlacementErrors;
