import { defineErrors } from '@homeward/service-kit';

/**
 * Rescue coordination's errors, each with its stable code (its problem `type` is made from it).
 * Routes name them in their OpenAPI prose with `describeErrors`, so the prose cannot drift.
 */
export const Errors = defineErrors({
  caseNotFound: { code: 'RESCUE_ERR_CASE_NOT_FOUND', status: 404, summary: 'no case with this id.' },
  alertNotFound: { code: 'RESCUE_ERR_ALERT_NOT_FOUND', status: 404, summary: 'no alert with this id.' },
  leadNotFound: {
    code: 'RESCUE_ERR_LEAD_NOT_FOUND',
    status: 404,
    summary: "the alert's case has no lead with this id.",
  },
  invalidTransition: {
    code: 'RESCUE_ERR_INVALID_TRANSITION',
    status: 409,
    summary: "the case's status does not allow this step (the lifecycle only moves forward).",
  },
  alertActive: {
    code: 'RESCUE_ERR_ALERT_ACTIVE',
    status: 409,
    summary: 'an alert of this case is still running (cancel it first, with its reason).',
  },
  alertEnded: { code: 'RESCUE_ERR_ALERT_ENDED', status: 409, summary: 'the alert has ended already.' },
  alertNotApplicable: {
    code: 'RESCUE_ERR_ALERT_NOT_APPLICABLE',
    status: 422,
    summary:
      'a rapid search alert is for a missing child or a missing woman (the latter only when police issue it).',
  },
  chiefRegion: {
    code: 'RESCUE_ERR_CHIEF_REGION',
    status: 422,
    summary:
      "the chief is not police of the case's division, its prefecture or its province (county level or higher for the case's region).",
  },
  householdConflict: {
    code: 'RESCUE_ERR_HOUSEHOLD_CONFLICT',
    status: 422,
    summary:
      'a buying household and the statement that there is none exclude each other (in one request, or against what is recorded).',
  },
  victimsNotApplicable: {
    code: 'RESCUE_ERR_VICTIMS_NOT_APPLICABLE',
    status: 422,
    summary:
      'a named victim is not on the case, or is past the step already; or a victim to add has no age (a birth date or an apparent age).',
  },
  chiefNotHead: {
    code: 'RESCUE_ERR_CHIEF_NOT_HEAD',
    status: 422,
    summary: 'the chief named is on the roster but heads no county, prefecture or province police.',
  },
  officerNotOnRoster: {
    code: 'RESCUE_ERR_OFFICER_NOT_ON_ROSTER',
    status: 422,
    summary: "an officer named for the team is not on the deployment's police roster.",
  },
  assistanceNotFound: {
    code: 'RESCUE_ERR_ASSISTANCE_NOT_FOUND',
    status: 404,
    summary: 'no assistance with this id on the case (or not addressed to the caller).',
  },
  assistanceAnswered: {
    code: 'RESCUE_ERR_ASSISTANCE_ANSWERED',
    status: 409,
    summary: 'the assistance was answered or ended already.',
  },
  assistanceRegion: {
    code: 'RESCUE_ERR_ASSISTANCE_REGION',
    status: 422,
    summary: "the region asked to assist contains or lies within the case's region.",
  },
  concurrentUpdate: {
    code: 'RESCUE_ERR_CONCURRENT_UPDATE',
    status: 409,
    summary: 'another writer held the case for too long; the same request may succeed on a retry.',
    retriable: true,
  },
});
