/**
 * The topics of the public contract. Keys: the aggregate id named beside each, so that every
 * event of one aggregate lands on one partition, in order.
 */
export const Topics = {
  agencyReports: 'agency.reports.v1',
  caseEvents: 'case.events.v1',
  alertEvents: 'alert.events.v1',
  notificationEvents: 'notification.events.v1',
  dnaEvents: 'dna.events.v1',
  placementEvents: 'placement.events.v1',
  /** Written by coordination (key: submissionId): annual submissions, returns, reminders. */
  coordinationEvents: 'coordination.events.v1',
} as const;

export type TopicName = (typeof Topics)[keyof typeof Topics];

/** Every contract topic; each has a dead-letter twin named by {@link deadLetterTopic}. */
export const allTopics: readonly TopicName[] = Object.values(Topics);

/** Partitions per topic: the ceiling on consumer-group members a service can scale to. */
export const TOPIC_PARTITIONS = 6;

export function deadLetterTopic(topic: string): string {
  return `${topic}.dlq`;
}
