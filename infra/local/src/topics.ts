import { setTimeout as sleep } from 'node:timers/promises';
import { allTopics, deadLetterTopic, TOPIC_PARTITIONS } from '@homeward/events';
import { type Admin, Kafka, logLevel } from 'kafkajs';

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
    const wanted = topics
      .flatMap((t) => [`${prefix}${t}`, `${prefix}${deadLetterTopic(t)}`])
      .filter((t) => !existing.has(t));
    if (wanted.length > 0) {
      await admin.createTopics({
        // kafkajs' own wait gives up on UNKNOWN_TOPIC_OR_PARTITION while the controller is
        // still propagating the new topics; we poll the metadata ourselves instead.
        waitForLeaders: false,
        topics: wanted.map((topic) => ({
          topic,
          numPartitions: opts.partitions ?? TOPIC_PARTITIONS,
          replicationFactor: 1,
        })),
      });
      await waitForLeaders(admin, wanted);
    }
    return wanted;
  } finally {
    await admin.disconnect();
  }
}

async function waitForLeaders(admin: Admin, topics: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const { topics: meta } = await admin.fetchTopicMetadata({ topics });
      if (
        meta.length === topics.length &&
        meta.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))
      )
        return;
    } catch (err) {
      last = err;
    }
    await sleep(100);
  }
  throw new Error(`topics had no leaders within ${timeoutMs} ms: ${String(last ?? topics.join(', '))}`);
}
