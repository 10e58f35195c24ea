import { TOPIC_PARTITIONS, allTopics, deadLetterTopic } from '@homeward/events';
import { Kafka, logLevel } from 'kafkajs';

/**
 * Creates the contract's topics and their dead-letter twins, if missing. Auto-creation is off
 * on the broker, so this is the one place topics come from.
 */
export async function ensureTopics(
  brokers: string[],
  topics: readonly string[] = allTopics,
  opts: { prefix?: string; partitions?: number } = {},
): Promise<string[]> {
  const kafka = new Kafka({ clientId: 'homeward-launcher', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const prefix = opts.prefix ?? '';
    const wanted = topics.flatMap((t) => [`${prefix}${t}`, `${prefix}${deadLetterTopic(t)}`]).filter((t) => !existing.has(t));
    if (wanted.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: wanted.map((topic) => ({ topic, numPartitions: opts.partitions ?? TOPIC_PARTITIONS, replicationFactor: 1 })),
      });
    }
    return wanted;
  } finally {
    await admin.disconnect();
  }
}
