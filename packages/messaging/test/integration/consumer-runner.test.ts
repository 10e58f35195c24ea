import { deadLetterTopic, Topics } from '@homeward/events';
import { createTestTopics, header, TopicCollector, testLogger, uniqueName, waitFor } from '@homeward/testing';
import type { Db } from 'mongodb';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConsumerRunner,
  EventPublisher,
  MongoIdempotencyStore,
  PoisonMessageError,
  prefixTopics,
} from '../../src/index.ts';
import { closedEvent, type MessagingTestBed, openTestBed, testKafka } from './fixtures.ts';

const logger = testLogger();
let prefix: string;
let db: Db;
let bed: MessagingTestBed;
let publisher: EventPublisher;
const kafka = () => testKafka(logger);

beforeAll(async () => {
  bed = await openTestBed('runner', logger);
  ({ prefix, db, publisher } = bed);
});

afterAll(() => bed.close());

function runner(
  handlers: ConstructorParameters<typeof ConsumerRunner>[0]['handlers'],
  groupId = uniqueName('group'),
  registry?: Registry,
) {
  return new ConsumerRunner({
    kafka: kafka(),
    groupId,
    topics: [Topics.caseEvents],
    topicResolver: prefixTopics(prefix),
    handlers,
    publisher,
    idempotency: new MongoIdempotencyStore(db),
    logger,
    ...(registry ? { registry } : {}),
  });
}

describe('ConsumerRunner', () => {
  it('handles a redelivered event once', async () => {
    const seen: string[] = [];
    const r = runner({ 'homeward.case.closed': async (e) => void seen.push(e.data.caseId) });
    await r.start();
    const event = closedEvent(uniqueName('case'));
    await publisher.publish(event);
    await publisher.publish(event); // the same ce_id again: a redelivery
    const marker = closedEvent('marker');
    await publisher.publish(marker);
    await waitFor(() => seen.includes('marker'), { what: 'the marker event' });
    await r.stop();
    expect(seen.filter((c) => c === event.data.caseId)).toHaveLength(1);
  });

  it('dead-letters a poison message with its reason and goes on with the next ones', async () => {
    const registry = new Registry();
    const handled: string[] = [];
    const r = runner(
      {
        'homeward.case.closed': async (e) => {
          if (e.data.reason === 'poison')
            throw new PoisonMessageError('TEST_ERR_POISON', 'this case cannot be closed');
          handled.push(e.data.caseId);
        },
      },
      uniqueName('group'),
      registry,
    );
    const dlq = await new TopicCollector(prefixTopics(prefix)(deadLetterTopic(Topics.caseEvents))).start();
    await r.start();
    const raw = testKafka(logger).producer();
    await raw.connect();
    const topic = prefixTopics(prefix)(Topics.caseEvents);
    // Three kinds of poison on one partition (same key), each followed by a good event.
    await raw.send({
      topic,
      messages: [
        {
          key: 'k',
          value: 'not json',
          headers: { ce_specversion: '1.0', ce_id: 'p1', ce_source: 's', ce_type: 'homeward.case.closed' },
        },
      ],
    });
    await raw.send({
      topic,
      messages: [
        {
          key: 'k',
          value: '{}',
          headers: { ce_specversion: '1.0', ce_id: 'p2', ce_source: 's', ce_type: 'homeward.case.closed' },
        },
      ],
    });
    await raw.disconnect();
    const poison = closedEvent('poison-case');
    poison.data.reason = 'poison';
    await publisher.publish(poison, closedEvent('after-poison'));

    await waitFor(() => handled.includes('after-poison'), { what: 'the good event after the poison' });
    await dlq.waitForCount(3);
    const byId = new Map(dlq.messages.map((m) => [header(m.message, 'ce_id'), m.message]));
    expect(header(byId.get('p1')!, 'dlq_error_code')).toBe('decode');
    expect(header(byId.get('p1')!, 'dlq_reason')).toContain('not valid JSON');
    expect(header(byId.get('p2')!, 'dlq_error_code')).toBe('schema');
    expect(header(byId.get('p2')!, 'dlq_reason')).toContain('/data/caseId');
    const third = byId.get(poison.id)!;
    expect(header(third, 'dlq_error_code')).toBe('TEST_ERR_POISON');
    expect(header(third, 'dlq_original_topic')).toBe(topic);
    expect(third.value?.toString()).toContain('poison-case');
    const metrics = await registry.getSingleMetricAsString('homeward_events_handled_total');
    expect(metrics).toMatch(/outcome="dead-lettered"} 3/);
    await r.stop();
    await dlq.stop();
  });

  it('shuts down gracefully mid-stream: a second member takes over, nothing lost, nothing handled twice', async () => {
    await shutdownMidStream();
  });

  it('the same with keyed concurrency in a partition: nothing lost, nothing handled twice', async () => {
    await shutdownMidStream(16);
  });

  it('the same with a batch handler: nothing lost, nothing handled twice', async () => {
    await shutdownMidStream('batch');
  });

  it('a batch handler gets a batch at once; a failure for good hands its events to their handlers one by one, the faulty one dead-lettered alone', async () => {
    const registry = new Registry();
    const handled: string[] = [];
    const batches: string[][] = [];
    let transient = 1;
    const isPoison = (e: { data: { reason: string } }) => e.data.reason === 'poison';
    // Topics of its own: a group reading the file's shared topics from the beginning would get
    // the other tests' events (and their poison) too.
    const topicPrefix = await createTestTopics('batch', 1);
    const pub = new EventPublisher({ kafka: kafka(), topics: prefixTopics(topicPrefix), logger });
    await pub.connect();
    const r = new ConsumerRunner({
      kafka: kafka(),
      groupId: uniqueName('group'),
      topics: [Topics.caseEvents],
      topicResolver: prefixTopics(topicPrefix),
      handlers: {
        'homeward.case.closed': async (e) => {
          if (isPoison(e)) throw new PoisonMessageError('TEST_ERR_POISON', 'this case cannot be closed');
          handled.push(e.data.caseId);
        },
      },
      batchHandler: async (items) => {
        // The store away once: the whole batch is tried again.
        if (transient-- > 0) throw Object.assign(new Error('store away'), { retriable: true });
        if (items.some(({ event }) => isPoison(event as never)))
          throw new PoisonMessageError('TEST_ERR_POISON', 'one of the batch cannot be closed');
        batches.push(items.map(({ event }) => (event.data as { caseId: string }).caseId));
        for (const { event, ctx } of items) {
          expect(ctx.offset).toMatch(/^\d+$/);
          handled.push((event.data as { caseId: string }).caseId);
        }
      },
      publisher: pub,
      idempotency: new MongoIdempotencyStore(db),
      logger,
      registry,
    });
    const dlq = await new TopicCollector(
      prefixTopics(topicPrefix)(deadLetterTopic(Topics.caseEvents)),
    ).start();
    await r.start();
    const tag = uniqueName('b');
    // One key: one partition, published together, so that they come in one batch.
    const together = [0, 1, 2].map((n) => closedEvent(`${tag}-k`, `${tag}-together-${n}`));
    await pub.publish(...together);
    await waitFor(() => handled.length === 3, { what: 'the first batch' });
    expect(batches.some((b) => b.length > 1)).toBe(true);
    const poison = closedEvent(`${tag}-k`, `${tag}-poison`);
    poison.data.reason = 'poison';
    const good = [closedEvent(`${tag}-k`, `${tag}-before`), poison, closedEvent(`${tag}-k`, `${tag}-after`)];
    await pub.publish(...good);
    await pub.publish(together[1]!); // a redelivery: skipped by the guard
    await pub.publish(closedEvent(`${tag}-k`, `${tag}-marker`));
    await waitFor(() => handled.length === 6, { what: 'the good events around the poison and the marker' });
    await dlq.waitForCount(1);
    expect(header(dlq.messages[0]!.message, 'ce_id')).toBe(poison.id);
    expect(header(dlq.messages[0]!.message, 'dlq_error_code')).toBe('TEST_ERR_POISON');
    // Each good event once, in order (one key), the poison never.
    expect(handled).toEqual([`${tag}-k`, `${tag}-k`, `${tag}-k`, `${tag}-k`, `${tag}-k`, `${tag}-k`]);
    // An event is counted after its handler has returned (once its idempotency record is
    // written) and a dead letter once it is sent: wait for the counts, then check them.
    let metrics = '';
    await waitFor(
      async () => {
        metrics = await registry.getSingleMetricAsString('homeward_events_handled_total');
        return /outcome="handled"} 6/.test(metrics) && /outcome="dead-lettered"} 1/.test(metrics);
      },
      { what: 'six handled events and one dead letter counted' },
    );
    expect(metrics).toMatch(/outcome="handled"} 6/);
    expect(metrics).toMatch(/outcome="duplicate"} 1/);
    expect(metrics).toMatch(/outcome="dead-lettered"} 1/);
    await r.stop();
    await dlq.stop();
    await pub.disconnect();
  });

  it('a consumer whose fetch waits for more bytes gets events published apart in few batches', async () => {
    // Topics of their own, one partition: the batches are this test's events alone.
    const topicPrefix = await createTestTopics('fetch', 1);
    const pub = new EventPublisher({ kafka: kafka(), topics: prefixTopics(topicPrefix), logger });
    await pub.connect();
    const batches: number[] = [];
    const r = new ConsumerRunner({
      kafka: kafka(),
      groupId: uniqueName('group'),
      topics: [Topics.caseEvents],
      topicResolver: prefixTopics(topicPrefix),
      handlers: { 'homeward.case.closed': async () => {} },
      batchHandler: async (items) => void batches.push(items.length),
      // Far more than the events below weigh: each fetch waits the whole 5 s.
      fetch: { minBytes: 1024 * 1024, maxWaitTimeInMs: 5_000 },
      publisher: pub,
      idempotency: new MongoIdempotencyStore(db),
      logger,
    });
    await r.start();
    // Eight events a quarter of a second apart: a fetch answered as soon as anything is there
    // (the default) hands them over one or two at a time.
    const tag = uniqueName('f');
    for (let i = 0; i < 8; i++) {
      await pub.publish(closedEvent(`${tag}-${i}`));
      await new Promise((r) => setTimeout(r, 250));
    }
    await waitFor(() => batches.reduce((a, b) => a + b, 0) === 8, {
      timeoutMs: 30_000,
      what: 'all eight events',
    });
    await r.stop();
    await pub.disconnect();
    // Two fetches' waits cover the ~2 s of publishing; a third allows for a slow machine's sends.
    expect(batches.length).toBeLessThanOrEqual(3);
  });

  it('keyed concurrency: a message that waits holds up no other key, one key stays in order, and the offset waits for it', async () => {
    const topicPrefix = await createTestTopics('keyed', 1);
    const pub = new EventPublisher({ kafka: kafka(), topics: prefixTopics(topicPrefix), logger });
    await pub.connect();
    const groupId = uniqueName('group');
    const handled: string[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const make = (handle: (e: { id: string; data: { caseId: string } }) => Promise<void>) =>
      new ConsumerRunner({
        kafka: kafka(),
        groupId,
        topics: [Topics.caseEvents],
        topicResolver: prefixTopics(topicPrefix),
        handlers: { 'homeward.case.closed': handle },
        publisher: pub,
        // No duplicate guard: the second member proves the commits themselves.
        idempotency: { has: async () => false, add: async () => {} },
        logger,
        concurrencyPerPartition: 8,
      });
    const first = make(async (e) => {
      if (e.data.caseId === 'slow') await gate;
      // Later messages of one key would overtake an earlier one that waits a little, if not in order.
      if (e.id === 'k-0') await new Promise((r) => setTimeout(r, 200));
      handled.push(e.id);
    });
    await first.start();
    await pub.publish(closedEvent('slow', 'slow-0'));
    await pub.publish(closedEvent('slow', 'slow-1'));
    await pub.publish(...['a', 'b', 'c'].map((c) => closedEvent(c, `${c}-0`)));
    await pub.publish(...[0, 1, 2].map((n) => closedEvent('k', `k-${n}`)));
    await waitFor(() => handled.length === 6, { what: 'the other keys' });
    expect(handled.filter((id) => id.startsWith('k-'))).toEqual(['k-0', 'k-1', 'k-2']);
    expect(handled).not.toContain('slow-0');
    release();
    await waitFor(() => handled.includes('slow-1'), { what: 'the slow key, in order' });
    expect(handled.filter((id) => id.startsWith('slow-'))).toEqual(['slow-0', 'slow-1']);
    await first.stop();
    // Everything was committed: a new member of the group starts after it.
    const after: string[] = [];
    const second = make(async (e) => void after.push(e.id));
    await second.start();
    await pub.publish(closedEvent('marker', 'marker-0'));
    await waitFor(() => after.includes('marker-0'), { what: 'the marker' });
    await second.stop();
    await pub.disconnect();
    expect(after).toEqual(['marker-0']);
  });
});

async function shutdownMidStream(mode?: number | 'batch'): Promise<void> {
  const total = 3000;
  const counts = new Map<string, number>();
  const groupId = uniqueName('group');
  const topicPrefix = await createTestTopics('shutdown');
  const pub = new EventPublisher({ kafka: kafka(), topics: prefixTopics(topicPrefix), logger });
  await pub.connect();
  // No idempotency store: this proves the commits themselves, not the duplicate guard.
  const noGuard = { has: async () => false, add: async () => {} };
  const count = (id: string) => counts.set(id, (counts.get(id) ?? 0) + 1);
  let askStop = () => {};
  const stopAsked = new Promise<void>((resolve) => {
    askStop = resolve;
  });
  const make = () =>
    new ConsumerRunner({
      kafka: kafka(),
      groupId,
      topics: [Topics.caseEvents],
      topicResolver: prefixTopics(topicPrefix),
      handlers: {
        'homeward.case.closed': async (e) => {
          await new Promise((r) => setImmediate(r));
          count(e.id);
        },
      },
      publisher: pub,
      idempotency: noGuard,
      logger,
      ...(typeof mode === 'number' ? { concurrencyPerPartition: mode } : {}),
      ...(mode === 'batch'
        ? {
            // As long per event as the handler above; counted at the end, as a batch's writes land
            // together. A batch takes so little time that on a quiet machine the whole stream
            // could be handled between two polls of the wait below: the parts in hand past a
            // third wait until the stop is asked for, so that it comes mid-stream.
            batchHandler: async (items) => {
              for (const _ of items) await new Promise((r) => setImmediate(r));
              for (const { event } of items) count(event.id);
              if (counts.size >= total / 3) await stopAsked;
            },
          }
        : {}),
    });
  const events = Array.from({ length: total }, (_, i) => closedEvent(`case-${i % 50}`));
  for (let i = 0; i < total; i += 500) await pub.publish(...events.slice(i, i + 500));

  const first = make();
  await first.start();
  await waitFor(() => counts.size >= total / 3, { timeoutMs: 30_000, what: 'a third of the messages' });
  const stopping = first.stop();
  askStop();
  await stopping;
  const handledByFirst = counts.size;
  const second = make();
  await second.start();
  await waitFor(() => counts.size >= total, {
    timeoutMs: 60_000,
    what: `all ${total} messages (have ${counts.size})`,
  });
  await new Promise((r) => setTimeout(r, 500));
  await second.stop();
  await pub.disconnect();
  expect(handledByFirst).toBeLessThan(total);
  expect(counts.size).toBe(total);
  expect([...counts.values()].filter((n) => n > 1)).toEqual([]);
}
