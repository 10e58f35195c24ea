import { Topics } from '@homeward/events';
import { ADMIN, createKafkaClient, EventPublisher, OutboxRelay, prefixTopics } from '@homeward/messaging';
import { RedisLocks } from '@homeward/service-kit';
import {
  createTestTopics,
  deleteTestTopics,
  TopicCollector,
  testDatabase,
  testInfra,
  type testLogger,
  testLogin,
  testRedis,
  uniqueName,
} from '@homeward/testing';
import { MongoPersistence } from '../../src/index.ts';

/**
 * What the MongoDB adapter runs on in a test: its own topics and database, FerretDB, leases in
 * Redis, a real outbox relay publishing to Kafka, and a collector reading the case topic back.
 */
export async function openMongoBed(label: string, logger: ReturnType<typeof testLogger>) {
  const prefix = await createTestTopics(label);
  const database = await testDatabase(label);
  const kafka = createKafkaClient({
    brokers: testInfra().kafkaBrokers,
    clientId: uniqueName('test'),
    logger,
    // The persistence tests play every service: the administrator writes any topic.
    login: testLogin(ADMIN),
  });
  const publisher = new EventPublisher({ kafka, topics: prefixTopics(prefix), logger });
  await publisher.connect();
  const relay = new OutboxRelay({ publisher, db: database.db, logger });
  const redis = testRedis();
  // A long wait: the race test queues 20 writers on one lease on a loaded machine.
  const leases = new RedisLocks(redis, {
    keyPrefix: uniqueName('persistence'),
    conflictCode: 'TEST_ERR_CONFLICT',
    waitMs: 60_000,
  });
  const collector = await new TopicCollector(prefixTopics(prefix)(Topics.caseEvents)).start();
  return {
    db: database.db,
    relay,
    leases,
    collector,
    redis,
    publisher,
    persistence: (awaitPublish?: boolean) =>
      new MongoPersistence({
        db: database.db,
        leases,
        relay,
        ...(awaitPublish === undefined ? {} : { awaitPublish }),
      }),
    close: async () => {
      await relay.stop();
      await collector.stop();
      await publisher.disconnect();
      redis.disconnect();
      await database.close();
      await deleteTestTopics(prefix);
    },
  };
}
