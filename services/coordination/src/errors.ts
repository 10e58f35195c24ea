import { defineErrors } from '@homeward/service-kit';

/**
 * Coordination's errors, declared once: the services and routes throw
 * `CoordinationErrors.x.error(detail)`, the pure rules of `domain/` name the key of the one they
 * refuse with, and route descriptions list them with `describeErrors`.
 */
export const CoordinationErrors = defineErrors({
  invalidQuery: {
    code: 'COORDINATION_ERR_INVALID_QUERY',
    status: 400,
    summary: 'a query parameter is malformed (a region that is not a division code, say); the field is named',
  },
  notAMemberRole: {
    code: 'COORDINATION_ERR_NOT_A_MEMBER_ROLE',
    status: 422,
    summary: 'the role is not one of the member departments that report to a coordination office',
  },
  submissionNotFound: {
    code: 'COORDINATION_ERR_SUBMISSION_NOT_FOUND',
    status: 404,
    summary: 'no submission of that id within your scope',
  },
  memberNotFound: {
    code: 'COORDINATION_ERR_MEMBER_NOT_FOUND',
    status: 404,
    summary: 'no member department of that id within your scope',
  },
  awaitingReview: {
    code: 'COORDINATION_ERR_AWAITING_REVIEW',
    status: 409,
    summary: 'the latest version awaits the office’s review; it can be changed once returned',
  },
  alreadyAccepted: {
    code: 'COORDINATION_ERR_ALREADY_ACCEPTED',
    status: 409,
    summary: 'the submission was accepted; the year’s report is final',
  },
  notAwaitingReview: {
    code: 'COORDINATION_ERR_NOT_AWAITING_REVIEW',
    status: 409,
    summary: 'the submission was returned and not resubmitted yet; there is nothing to review',
  },
  concurrentUpdate: {
    code: 'COORDINATION_ERR_CONCURRENT_UPDATE',
    status: 409,
    summary: 'another writer held this record for longer than the wait; retry',
    retriable: true,
  },
  yearNotEnded: {
    code: 'COORDINATION_ERR_YEAR_NOT_ENDED',
    status: 422,
    summary: 'a year is reported once it has ended (from 1 January of the next year)',
  },
  ownSubmission: {
    code: 'COORDINATION_ERR_OWN_SUBMISSION',
    status: 422,
    summary: 'an office does not review its own submission; the office above does',
  },
});

/** The key of one of coordination's errors. */
export type CoordinationErrorKey = keyof typeof CoordinationErrors;
