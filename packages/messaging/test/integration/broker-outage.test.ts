import { deadLetterTopic, Topics } from '@homeward/events';
import { ensureTopics, startKafka, stopProcess } from '@homeward/infra-local';
import { testDatabase, testKafka, testLogger, testLogin, uniqueName, waitFor } from '@homeward/testing';
import type { Db } from 'mongodb';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN,
  ConsumerRunner,
  createKafkaClient,
  createKafkaProbe,
  EventPublisher,
  MongoIdempotencyStore,
  prefixTopics,
} from '../../src/index.ts';
import { closedEvent } from './fixtures.ts';

// A broker of its own (other ports and data folder than the shared one and than
// broker-restart.test.ts), since this file stops it while other test files run.
const PORT = 19_392;
const NAME = 'kafka-outage-test';
const brokers = [`127.0.0.1:${PORT}`];
const startBroker = () => startKafka({ port: PORT, controllerPort: PORT + 1, name: NAME, heap: '512m' });

const logger = testLogger();
let db: Db;
let closeDb: () => Promise<void>;

beforeAll(async () => {
  await startBroker();
  await ensureTopics(brokers, [Topics.caseEvents], { partitions: 2 });
  ({ db, close: closeDb } = await testDatabase('outage'));
}, 240_000);

afterAll(async () => {
  await stopProcess(NAME);
  await closeDb?.();
});

/** Every message on a topic of the outage broker, read from the start by a fresh group. */
async function readAll(topic: string, settleMs = 3_000): Promise<string[]> {
  const ids: string[] = [];
  const consumer = testKafka(ADMIN, 'check', brokers).consumer({
    groupId: uniqueName('check'),
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let last = Date.now();
  await consumer.run({
    eachMessage: async ({ message }) => {
      ids.push(String(message.headers?.ce_id ?? message.key));
      last = Date.now();
    },
  });
  await waitFor(() => Date.now() - last > settleMs, { timeoutMs: 60_000, what: `${topic} to settle` });
  await consumer.disconnect();
  return ids;
}

describe('a broker outage while handlers publish', () => {
  it('retries in place: every event handled once, its follow-up published, nothing dead-lettered, health honest throughout', async ({
    annotate,
  }) => {
    const registry = new Registry();
    const kafka = createKafkaClient({
      brokers,
      clientId: uniqueName('outage'),
      logger,
      login: testLogin(ADMIN),
    });
    const publisher = new EventPublisher({ kafka, topics: prefixTopics(''), logger, registry });
    await publisher.connect();
    const probe = createKafkaProbe({
      brokers,
      clientId: uniqueName('probe'),
      logger,
      login: testLogin(ADMIN),
    });
    let brokerDown = false;
    let handledDuring = 0; // handler attempts (a failed publish runs the handler again)
    const handled = new Map<string, number>();
    const runner = new ConsumerRunner({
      kafka,
      groupId: uniqueName('outage'),
      topics: [Topics.caseEvents],
      topicResolver: prefixTopics(''),
      handlers: {
        'homeward.case.closed': async (e, ctx) => {
          if (e.data.reason === 'follow-up') return;
          // Hold the first events until the broker has gone, so that they publish into the outage
          // (the case.opened → "Connection error: connect ECONNREFUSED" → DLQ).
          await waitFor(() => brokerDown, { timeoutMs: 120_000, what: 'the broker to stop' });
          handledDuring++;
          const followUp = closedEvent(e.data.caseId, `${e.id}-follow-up`);
          followUp.data.reason = 'follow-up';
          followUp.traceparent = ctx.traceparent;
          await publisher.publish(followUp);
          handled.set(e.id, (handled.get(e.id) ?? 0) + 1);
        },
      },
      publisher,
      idempotency: new MongoIdempotencyStore(db),
      logger,
      registry,
      health: { notReadyAfterMs: 5_000, notLiveAfterMs: 60_000 },
      restart: { initialMs: 200, maxMs: 2_000 },
    });
    await runner.start();
    await runner.waitForAssignment();
    expect(await probe.check()).toBe(true);

    const events = Array.from({ length: 30 }, (_, i) => closedEvent(`outage-${i}`));
    await publisher.publish(...events);
    await waitFor(() => runner.health().stalledMs > 200, { what: 'a handler holding its event' });

    await stopProcess(NAME);
    const stoppedAt = Date.now();
    brokerDown = true;
    await waitFor(async () => !(await probe.check()), { timeoutMs: 10_000, what: 'the probe to fail' });
    const probeDownMs = Date.now() - stoppedAt;
    await waitFor(() => !runner.health().ready, { timeoutMs: 30_000, what: 'the consumer not ready' });
    const consumerNotReadyMs = Date.now() - stoppedAt;
    // Long enough for kafkajs to give up on its connections and for the consumer to crash.
    await new Promise((r) => setTimeout(r, 20_000));
    expect(runner.health().live).toBe(true);

    const restartAt = Date.now();
    await startBroker();
    const brokerUpMs = Date.now() - restartAt;
    await waitFor(() => events.every((e) => handled.has(e.id)), {
      timeoutMs: 120_000,
      what: `every event handled (have ${handled.size})`,
    });
    await waitFor(async () => (await probe.check()) && runner.health().ready, {
      timeoutMs: 60_000,
      what: 'ready again',
    });
    const recoveredMs = Date.now() - restartAt;
    const restarts = runner.health().restarts;
    await runner.stop();
    await publisher.disconnect();
    await probe.close();

    const dlq = await readAll(deadLetterTopic(Topics.caseEvents), 1_000);
    const onTopic = await readAll(Topics.caseEvents);
    await annotate(
      `probe not ready ${probeDownMs} ms after the stop; consumer not ready after ${consumerNotReadyMs} ms; ` +
        `broker back in ${brokerUpMs} ms; all handled and ready ${recoveredMs} ms after the restart began; ` +
        `consumer restarts ${restarts}; handler attempts during the outage ${handledDuring}; dead letters ${dlq.length}`,
    );
    expect(dlq).toEqual([]);
    expect([...handled.values()].filter((n) => n !== 1)).toEqual([]);
    for (const e of events) expect(onTopic).toContain(`${e.id}-follow-up`);
    expect(probeDownMs).toBeLessThan(3_000);
  }, 400_000);
});
