import { defineErrors } from '@homeward/service-kit';

/**
 * Intake's error catalogue: every code it answers with over HTTP, and the reason a refused
 * Kafka report is dead-lettered with (the same code as over HTTP). The OpenAPI prose of the
 * routes is made from these entries with `describeErrors`.
 */
export const Errors = defineErrors({
  malformedEvent: {
    code: 'INTAKE_ERR_MALFORMED_EVENT',
    status: 400,
    summary: 'the body is not a CloudEvent (or a batch item is not one) in the mode its content type names',
  },
  wrongType: {
    code: 'INTAKE_ERR_WRONG_TYPE',
    status: 400,
    summary: 'the CloudEvent is not of type homeward.report.submitted',
  },
  unsafeKeys: {
    code: 'INTAKE_ERR_UNSAFE_KEYS',
    status: 400,
    summary:
      'the data holds keys a document database would misread or that poison prototypes ("$…", "a.b", __proto__), or nests too deeply',
  },
  invalidReport: {
    code: 'INTAKE_ERR_INVALID_REPORT',
    status: 400,
    summary:
      'the data breaks the report schema or a rule a schema cannot say (a time in the future, an unknown division, an adult in a missing-child report)',
  },
  kindNotAllowed: {
    code: 'INTAKE_ERR_KIND_NOT_ALLOWED',
    status: 403,
    summary: "the caller's role may not send this kind of report",
  },
  sourceMismatch: {
    code: 'INTAKE_ERR_SOURCE_MISMATCH',
    status: 403,
    summary: 'the event source names another agency than the API key belongs to',
  },
  caseNotFound: {
    code: 'INTAKE_ERR_CASE_NOT_FOUND',
    status: 404,
    summary: 'a sighting names a case intake does not know',
  },
  reportNotFound: {
    code: 'INTAKE_ERR_REPORT_NOT_FOUND',
    status: 404,
    summary: "no report with this id from the caller's agency",
  },
  caseClosed: {
    code: 'INTAKE_ERR_CASE_CLOSED',
    status: 409,
    summary: 'a sighting names a case that is closed',
  },
  idReused: {
    code: 'INTAKE_ERR_ID_REUSED',
    status: 409,
    summary: 'the agency already used this CloudEvent id for a report with other content',
  },
  concurrentUpdate: {
    code: 'INTAKE_ERR_CONCURRENT_UPDATE',
    status: 409,
    retriable: true,
    summary:
      'reports of the same child (or changes to one case) queued longer than intake waits for its turn (15 s); retry',
  },
});

/** A key of {@link Errors}: what a domain refusal names, for the application service to throw. */
export type IntakeErrorKey = keyof typeof Errors;

/**
 * Reasons a report on `agency.reports.v1` is dead-lettered before it reaches the pipeline:
 * the broker-side sender cannot be told by an HTTP status, only by the reason in the headers.
 */
export const DeadLetterReasons = {
  /** `ce_source` is not `agency/<agencyId>`. */
  badSource: 'INTAKE_ERR_BAD_SOURCE',
  /** `ce_source` names an agency with no credential. */
  unknownAgency: 'INTAKE_ERR_UNKNOWN_AGENCY',
} as const;
