import { defineErrors } from '@homeward/service-kit';

/** Every error the notifications API answers with; route descriptions name them from here. */
export const NotificationsErrors = defineErrors({
  unitNotFound: {
    code: 'NOTIFICATIONS_ERR_UNIT_NOT_FOUND',
    status: 404,
    summary: 'no unit is registered under this id.',
  },
  alertNotFound: {
    code: 'NOTIFICATIONS_ERR_ALERT_NOT_FOUND',
    status: 404,
    summary: 'no alert with this id has been received.',
  },
  notYourUnit: {
    code: 'NOTIFICATIONS_ERR_NOT_YOUR_UNIT',
    status: 403,
    summary: "the key's agency does not act for this unit.",
  },
  concurrentUpdate: {
    code: 'NOTIFICATIONS_ERR_CONCURRENT_UPDATE',
    status: 409,
    summary: 'another writer held this record for longer than the wait; retry.',
    retriable: true,
  },
  webhookRefused: {
    code: 'NOTIFICATIONS_ERR_WEBHOOK_REFUSED',
    status: 400,
    summary:
      'the webhook URL or secret breaks the rules: https in production; a host that resolves to no loopback, private, link-local, unique-local or reserved address (unless allowed); a secret of at least 24 bytes, valid base64 after `whsec_`.',
  },
  tooManyStreams: {
    code: 'NOTIFICATIONS_ERR_TOO_MANY_STREAMS',
    status: 429,
    summary: 'this unit or this API key has as many live channels open as allowed; close one first.',
  },
  notNotified: {
    code: 'NOTIFICATIONS_ERR_NOT_NOTIFIED',
    status: 409,
    summary: 'the unit was not sent this alert, so it cannot acknowledge it.',
  },
});

/**
 * Codes of events the consumer refuses for good (dead-lettered, never retried): not HTTP
 * answers, so outside the catalogue above.
 */
export const NotificationsPoisonCodes = {
  /** An escalation whose alert's issue never arrived. */
  unknownAlert: 'NOTIFICATIONS_ERR_UNKNOWN_ALERT',
} as const;
