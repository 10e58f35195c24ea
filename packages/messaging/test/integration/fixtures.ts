import { createEvent, type HomewardEvent } from '@homeward/events';
import {
  createTestTopics,
  deleteTestTopics,
  testDatabase,
  testInfra,
  testLogin,
  uniqueName,
} from '@homeward/testing';
import type { Db } from 'mongodb';
import type { Logger } from 'pino';
import { ADMIN, createKafkaClient, EventPublisher, type Kafka, prefixTopics } from '../../src/index.ts';

/** A valid case.closed event: small, and on a topic every test prefix has. */
export function closedEvent(caseId: string, id?: string): HomewardEvent<'homeward.case.closed'> {
  return createEvent(
    'homeward.case.closed',
    { caseId, closedAt: '2026-11-28T10:00:00Z', reason: 'test' },
    { source: 'test/messaging', ...(id ? { id } : {}) },
  );
}

/** A Kafka client on the test infrastructure; a library's test plays every service, as the administrator. */
export function testKafka(logger: Logger): Kafka {
  return createKafkaClient({
    brokers: testInfra().kafkaBrokers,
    clientId: uniqueName('test'),
    logger,
    login: testLogin(ADMIN),
  });
}

/** What a messaging test file works on: its own topics, database and connected publisher. */
export interface MessagingTestBed {
  prefix: string;
  db: Db;
  publisher: EventPublisher;
  close(): Promise<void>;
}

export async function openTestBed(label: string, logger: Logger): Promise<MessagingTestBed> {
  const prefix = await createTestTopics(label);
  const { db, close } = await testDatabase(label);
  const publisher = new EventPublisher({ kafka: testKafka(logger), topics: prefixTopics(prefix), logger });
  await publisher.connect();
  return {
    prefix,
    db,
    publisher,
    close: async () => {
      await publisher.disconnect();
      await close();
      await deleteTestTopics(prefix);
    },
  };
}
