/**
 * Deterministic ids: a retry, a redelivery or a second instance recomputes the same alert id
 * and the same event ids, so nothing it stores or publishes can exist twice downstream.
 */
export function alertIdFor(caseId: string, ordinal: number): string {
  return `${caseId}.alert-${ordinal}`;
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
