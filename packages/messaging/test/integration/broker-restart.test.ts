import { Topics } from '@homeward/events';
import { ensureTopics, startKafka, stopProcess } from '@homeward/infra-local';
import { testKafka, testLogger, testLogin, uniqueName, waitFor } from '@homeward/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, createKafkaClient, EventPublisher, prefixTopics } from '../../src/index.ts';
import { closedEvent } from './fixtures.ts';

// A broker of its own (other ports, other data folder), so stopping it does not disturb the
// other test files running at the same time against the shared one.
const PORT = 19092;
const name = 'kafka-restart-test';
const brokers = [`127.0.0.1:${PORT}`];

beforeAll(async () => {
  await startKafka({ port: PORT, controllerPort: PORT + 1, name, heap: '512m' });
  await ensureTopics(brokers, [Topics.caseEvents], { partitions: 1 });
}, 120_000);

afterAll(async () => {
  await stopProcess(name);
});

describe('EventPublisher across a broker restart', () => {
  it('keeps every message sent while the broker was down', async () => {
    const logger = testLogger();
    const publisher = new EventPublisher({
      kafka: createKafkaClient({ brokers, clientId: uniqueName('p'), logger, login: testLogin(ADMIN) }),
      topics: prefixTopics(''),
      logger,
    });
    await publisher.connect();
    const before = Array.from({ length: 20 }, (_, i) => closedEvent(`before-${i}`));
    await publisher.publish(...before);

    await stopProcess(name);
    // Sent while the broker is down: these must wait and retry, not fail or vanish.
    const during = Array.from({ length: 20 }, (_, i) => closedEvent(`during-${i}`));
    const sending = Promise.all(during.map((e) => publisher.publish(e)));
    await new Promise((r) => setTimeout(r, 1500));
    await startKafka({ port: PORT, controllerPort: PORT + 1, name, heap: '512m' });
    await sending;
    const after = closedEvent('after');
    await publisher.publish(after);
    await publisher.disconnect();

    const ids = new Set<string>();
    const consumer = testKafka(ADMIN, 'check', brokers).consumer({
      groupId: uniqueName('check'),
    });
    await consumer.connect();
    await consumer.subscribe({ topic: Topics.caseEvents, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void ids.add(String(message.headers?.ce_id)) });
    const expected = [...before, ...during, after].map((e) => e.id);
    await waitFor(() => expected.every((id) => ids.has(id)), {
      timeoutMs: 30_000,
      what: 'every message on the restarted broker',
    });
    await consumer.disconnect();
    expect(expected.filter((id) => !ids.has(id))).toEqual([]);
  }, 120_000);
});
