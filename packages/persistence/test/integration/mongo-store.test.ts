import { Topics } from '@homeward/events';
import { createKafkaClient, EventPublisher, OutboxRelay, prefixTopics } from '@homeward/messaging';
import { RedisLocks } from '@homeward/service-kit';
import {
  createTestTopics,
  deleteTestTopics,
  TopicCollector,
  testDatabase,
  testInfra,
  testLogger,
  testRedis,
  uniqueName,
  waitFor,
} from '@homeward/testing';
import type { Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AggregateStore, type Doc, isDuplicateKey, MongoPersistence } from '../../src/index.ts';
import { aggregateStoreContract, type ContractHarness, caseClosed } from '../aggregate-store-contract.ts';

const logger = testLogger();

/** FerretDB, leases in Redis, a real relay publishing to Kafka, and a collector reading it back. */
async function openBed(label: string) {
  const prefix = await createTestTopics(label);
  const database = await testDatabase(label);
  const kafka = createKafkaClient({
    brokers: testInfra().kafkaBrokers,
    clientId: uniqueName('test'),
    logger,
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

aggregateStoreContract(
  'MongoDB (FerretDB, Redis leases, outbox relay to Kafka)',
  async (): Promise<ContractHarness> => {
    const bed = await openBed('persistence-contract');
    return {
      store: <T extends Doc>(options = {}) =>
        bed.persistence().aggregate<T>(uniqueName('c').replaceAll('-', '_'), options),
      published: async (awaited) => {
        const seen = () => new Set(bed.collector.events.map((e) => e.id));
        await waitFor(() => awaited.every((id) => seen().has(id)), {
          what: `events ${awaited.join(', ')} on the topic`,
        });
        // A repeat would come right behind: give it a moment to show up.
        await new Promise((r) => setTimeout(r, 300));
        return bed.collector.events.map((e) => e.id);
      },
      storedOutbox: async (store: AggregateStore<Doc>, id: string) => {
        const raw = await bed.db
          .collection<{ _id: string; outbox?: Array<{ event: { id: string } }> }>(store.name)
          .findOne({ _id: id });
        return (raw?.outbox ?? []).map((entry) => entry.event.id);
      },
      close: bed.close,
    };
  },
);

describe('MongoDB adapter', () => {
  let bed: Awaited<ReturnType<typeof openBed>>;
  let db: Db;
  let redis: ReturnType<typeof testRedis>;
  beforeAll(async () => {
    bed = await openBed('persistence-mongo');
    ({ db, redis } = bed);
  });
  afterAll(() => bed.close());

  it('recognises the duplicate-key error FerretDB really sends', async () => {
    const col = db.collection<{ _id: string }>(uniqueName('dup'));
    await col.insertOne({ _id: 'x' });
    const err = await col.insertOne({ _id: 'x' }).catch((e: unknown) => e);
    expect(isDuplicateKey(err)).toBe(true);
    const bulk = await col.insertMany([{ _id: 'x' }]).catch((e: unknown) => e);
    expect(isDuplicateKey(bulk)).toBe(true);
  });

  it('stores the outbox in the shape the relay publishes from, and leaves it to grow', async () => {
    const store = bed.persistence().aggregate<{ _id: string; n: number }>(uniqueName('shape'));
    const e1 = caseClosed('s-1');
    await store.insertOnce({ _id: 's-1', n: 0 }, [e1]);
    const raw = await db.collection(store.name).findOne({ _id: 's-1' as never });
    expect(raw?.outbox).toEqual([{ topic: Topics.caseEvents, key: 's-1', event: e1 }]);
    // The relay's cursor moved past it: it never rewrites the aggregate.
    await waitFor(
      async () =>
        (await db.collection('outbox_cursors').findOne({ _id: `${store.name}:s-1` as never }))?.published ===
        1,
      {
        what: 'the relay cursor past the first event',
      },
    );
    expect(await redis.keys('*persistence*:lock:*')).toEqual([]);
  });
});
