import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { allTopics, type CloudEvent, decodeKafka } from '@homeward/events';
import { deleteTopics, ensureTopics } from '@homeward/infra-local';
import { ADMIN, OBSERVER } from '@homeward/messaging';
import { Redis } from 'ioredis';
import type { KafkaMessage } from 'kafkajs';
import { type Db, MongoClient } from 'mongodb';
import { type Logger, pino } from 'pino';
import { testInfra, testKafka, testKafkaSecurity } from './infra.ts';

/** A name no other test (or run) uses: isolates topics, groups, databases and Redis keys. */
export function uniqueName(label: string): string {
  return `${label}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** Waits until `probe` returns a truthy value, or fails after the timeout with `what`. */
export async function waitFor<T>(
  probe: () => T | Promise<T>,
  opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      lastError = err;
    }
    await sleep(opts.intervalMs ?? 50);
  }
  throw new Error(
    `timed out after ${opts.timeoutMs ?? 30_000} ms waiting for ${opts.what ?? 'a condition'}${lastError ? ` (last error: ${String(lastError)})` : ''}`,
  );
}

/** A logger for tests: silent unless LOG_LEVEL asks otherwise. */
export function testLogger(): Logger {
  return pino({ level: process.env.LOG_LEVEL ?? 'silent' });
}

/**
 * Creates the contract's topics under a fresh prefix (with fewer partitions: tests are small),
 * each agency's report topic, and on a broker with SASL the ACL table for the prefix: the
 * services under test then connect as their own principals with exactly their rights.
 */
export async function createTestTopics(label: string, partitions = 3): Promise<string> {
  const prefix = `${uniqueName(label)}.`;
  createdPrefixes.add(prefix);
  await ensureTopics(testInfra().kafkaBrokers, allTopics, {
    prefix,
    partitions,
    security: testKafkaSecurity(),
  });
  return prefix;
}

/** Deletes the topics (and ACLs) a test file created under its prefix, so the broker does not accumulate them. */
export async function deleteTestTopics(prefix: string): Promise<void> {
  await deleteTopics(testInfra().kafkaBrokers, prefix, testKafkaSecurity());
  createdPrefixes.delete(prefix);
}

/** Prefixes this test file created and has not deleted yet. */
const createdPrefixes = new Set<string>();

/**
 * Deletes every prefix the test file created and did not delete itself: run after the file's
 * own `afterAll` hooks (packages/testing/src/integration-setup.ts), when its services are stopped.
 */
export async function deleteRemainingTestTopics(): Promise<void> {
  for (const prefix of [...createdPrefixes]) await deleteTestTopics(prefix);
}

/** A database of its own for one test file; dropped by `close`. */
export async function testDatabase(
  label: string,
): Promise<{ client: MongoClient; db: Db; close: () => Promise<void> }> {
  const client = await MongoClient.connect(testInfra().mongoUrl);
  const db = client.db(uniqueName(label).replaceAll('-', '_'));
  return {
    client,
    db,
    close: async () => {
      await db.dropDatabase().catch(() => {});
      await client.close();
    },
  };
}

export function testRedis(): Redis {
  return new Redis(testInfra().redisUrl, { lazyConnect: false, maxRetriesPerRequest: 3 });
}

export interface CollectedMessage {
  message: KafkaMessage;
  partition: number;
  event?: CloudEvent;
}

/**
 * Reads a topic from the beginning into memory, for assertions on what a service published
 * (or dead-lettered). An independent kafkajs consumer, not the code under test.
 */
export class TopicCollector {
  readonly messages: CollectedMessage[] = [];
  // The read-only observer reads every topic, dead letters included, in groups of its own.
  private readonly kafka = testKafka(OBSERVER, 'test-collector');
  private readonly consumer = this.kafka.consumer({
    groupId: uniqueName(`${OBSERVER}.collector`),
    maxWaitTimeInMs: 50,
  });

  constructor(private readonly topic: string) {}

  async start(): Promise<this> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ message, partition }) => {
        let event: CloudEvent | undefined;
        try {
          event = decodeKafka(message);
        } catch {
          event = undefined;
        }
        this.messages.push({ message, partition, event });
      },
    });
    return this;
  }

  get events(): CloudEvent[] {
    return this.messages.flatMap((m) => (m.event ? [m.event] : []));
  }

  async waitForEvent(predicate: (e: CloudEvent) => boolean, timeoutMs = 30_000): Promise<CloudEvent> {
    return waitFor(() => this.events.find(predicate), { timeoutMs, what: `an event on ${this.topic}` });
  }

  async waitForCount(n: number, timeoutMs = 30_000): Promise<void> {
    await waitFor(() => this.messages.length >= n, {
      timeoutMs,
      what: `${n} messages on ${this.topic} (have ${this.messages.length})`,
    });
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}

/** Header value of a Kafka message as text. */
export function header(message: KafkaMessage, name: string): string | undefined {
  const v = message.headers?.[name];
  if (v === undefined) return undefined;
  return (Array.isArray(v) ? v[0] : v)?.toString();
}

/** The environment a service under test reads: the test infrastructure, its own topic prefix. */
export function testServiceEnv(
  topicPrefix: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  const infra = testInfra();
  return {
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    MONGO_URL: infra.mongoUrl,
    REDIS_URL: infra.redisUrl,
    TOPIC_PREFIX: topicPrefix,
    KAFKA_SASL: testKafkaSecurity().sasl,
    KAFKA_SECRETS_FILE: testKafkaSecurity().secretsFile,
    CREDENTIALS_FILE: new URL('../../../infra/local/dev-credentials.json', import.meta.url).pathname,
    ROSTER_FILE: new URL('../../../infra/local/dev-roster.json', import.meta.url).pathname,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    ...extra,
  };
}

/** One entry of the development credentials file. */
export interface DevCredential {
  key: string;
  agencyId: string;
  role: string;
  region: string;
}

/** Every development credential, in the file's order. */
export function devCredentials(): DevCredential[] {
  return JSON.parse(
    readFileSync(new URL('../../../infra/local/dev-credentials.json', import.meta.url), 'utf8'),
  ) as DevCredential[];
}

/**
 * The development API key of a role (the first in the file), or of the role's agency in
 * `region` exactly (`devKey('police', '341500')`: Lu'an's police).
 */
export function devKey(role: string, region?: string): string {
  const found = devCredentials().find(
    (e) => e.role === role && (region === undefined || e.region === region),
  );
  if (!found) throw new Error(`no development key for role ${role}${region ? ` in ${region}` : ''}`);
  return found.key;
}

/**
 * A plain Kafka producer, as an agency's own system would use: for tests that send raw bytes
 * (garbage, hand-made headers) past the code under test. It logs in as `principal`: an agency
 * for its reports; by default the administrator, which plays whichever service owns the topic.
 */
export async function sendRaw(
  topic: string,
  messages: Array<{ key?: string | null; value: Buffer | string | null; headers?: Record<string, string> }>,
  principal: string = ADMIN,
): Promise<void> {
  const producer = testKafka(principal, 'test-raw').producer();
  await producer.connect();
  try {
    await producer.send({ topic, messages });
  } finally {
    await producer.disconnect();
  }
}
