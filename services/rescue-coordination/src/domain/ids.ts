/**
 * Deterministic ids: a retry, a redelivery or a second instance recomputes the same alert id
 * and the same event ids, so nothing it stores or publishes can exist twice downstream.
 */

/** The CloudEvents `source` of every event this service publishes. */
export const SOURCE = 'homeward/rescue-coordination';

/** Alert n (from 1) of a case. */
export function alertIdFor(caseId: string, ordinal: number): string {
  return `${caseId}.alert-${ordinal}`;
}

/**
 * The case an alert belongs to (its state lives inside the case's document), or null for an id
 * this service never made. The last `.alert-<n>` counts, so a case id may contain the text.
 */
export function caseIdOfAlert(alertId: string): string | null {
  const m = /^(.+)\.alert-[1-9]\d*$/.exec(alertId);
  return m ? m[1]! : null;
}

export const alertEventIds = {
  issued: (alertId: string) => `${alertId}.issued`,
  /** One id per step: step n of an alert is published under this id however often it is sent. */
  step: (alertId: string, step: number) => `${alertId}.step-${step}`,
  cancelled: (alertId: string) => `${alertId}.cancelled`,
};

/** Case events carry the case version they produced: one version, one event. */
export function caseEventId(caseId: string, what: string, version: number): string {
  return `${caseId}.${what}.v${version}`;
}
