import { defineErrors } from '@homeward/service-kit';

/** Every error the dashboard API answers with; route descriptions name them from here. */
export const DashboardErrors = defineErrors({
  sessionExpired: {
    code: 'DASHBOARD_ERR_SESSION_EXPIRED',
    status: 401,
    summary: 'the session token is unknown or expired; sign in again with POST /v1/session.',
  },
  concurrentUpdate: {
    code: 'DASHBOARD_ERR_CONCURRENT_UPDATE',
    status: 409,
    summary: 'another writer held this record for longer than the wait; retry.',
    retriable: true,
  },
  invalidFilter: {
    code: 'DASHBOARD_ERR_INVALID_FILTER',
    status: 400,
    summary: 'a stream filter (type, region, caseId) is malformed; the field is named.',
  },
  invalidEventId: {
    code: 'DASHBOARD_ERR_INVALID_EVENT_ID',
    status: 400,
    summary: 'the last event id is not a stream id (like 1700000000000-0).',
  },
});
