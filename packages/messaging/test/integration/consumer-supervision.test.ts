import { Topics } from '@homeward/events';
import { testLogger, testLogin, uniqueName, waitFor } from '@homeward/testing';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN,
  ConsumerRunner,
  type IdempotencyStore,
  MongoIdempotencyStore,
  prefixTopics,
} from '../../src/index.ts';
import { closedEvent, type MessagingTestBed, openTestBed, testKafka } from './fixtures.ts';

const logger = testLogger();
let bed: MessagingTestBed;

beforeAll(async () => {
  bed = await openTestBed('supervision', logger);
});

afterAll(() => bed.close());

function runner(
  handlers: ConstructorParameters<typeof ConsumerRunner>[0]['handlers'],
  opts: Partial<ConstructorParameters<typeof ConsumerRunner>[0]> = {},
) {
  return new ConsumerRunner({
    kafka: testKafka(logger),
    groupId: uniqueName('group'),
    topics: [Topics.caseEvents],
    topicResolver: prefixTopics(bed.prefix),
    handlers,
    publisher: bed.publisher,
    idempotency: new MongoIdempotencyStore(bed.db),
    logger,
    restart: { initialMs: 100, maxMs: 500 },
    ...opts,
  });
}

describe('ConsumerRunner supervision', () => {
  it('replaces a consumer that kafkajs would leave dead, counts the restart and goes on', async () => {
    const registry = new Registry();
    const real = new MongoIdempotencyStore(bed.db);
    let crashes = 1;
    // kafkajs does not restart a consumer after a non-retriable error (the issue's "Timeout
    // while acquiring lock" was one): its group stayed empty until a person restarted it.
    const crashing: IdempotencyStore = {
      has: async (group, key) => {
        if (crashes-- > 0)
          throw Object.assign(new Error('injected crash'), {
            name: 'KafkaJSNonRetriableError',
            retriable: false,
          });
        return real.has(group, key);
      },
      add: (group, key, at) => real.add(group, key, at),
    };
    const seen: string[] = [];
    const r = runner(
      { 'homeward.case.closed': async (e) => void seen.push(e.data.caseId) },
      { idempotency: crashing, registry },
    );
    await r.start();
    await r.waitForAssignment();
    const event = closedEvent(uniqueName('case'));
    await bed.publisher.publish(event);
    await waitFor(() => seen.includes(event.data.caseId), {
      timeoutMs: 45_000,
      what: 'the event after the crash',
    });
    expect(r.health().restarts).toBe(1);
    expect(await registry.getSingleMetricAsString('homeward_consumer_restarts_total')).toMatch(/} 1$/m);
    await waitFor(() => r.health().state === 'running' && r.health().ready, { what: 'ready again' });
    await r.stop();
    expect(r.health().state).toBe('stopped');
  });

  it('says not ready, then not live, while a message makes no progress, and recovers', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const handled: string[] = [];
    const r = runner(
      {
        'homeward.case.closed': async (e) => {
          await gate;
          handled.push(e.data.caseId);
        },
      },
      { health: { notReadyAfterMs: 1_000, notLiveAfterMs: 2_500 } },
    );
    await r.start();
    await r.waitForAssignment();
    await waitFor(() => r.health().ready, { what: 'ready once joined' });
    const event = closedEvent(uniqueName('stuck'));
    await bed.publisher.publish(event);
    await waitFor(() => !r.health().ready, { timeoutMs: 10_000, what: 'not ready while stuck' });
    expect(r.health().live).toBe(true);
    await waitFor(() => !r.health().live, { timeoutMs: 10_000, what: 'not live while stuck longer' });
    expect(r.health().stalledMs).toBeGreaterThanOrEqual(2_500);
    release();
    await waitFor(() => handled.includes(event.data.caseId), { what: 'the stuck event handled' });
    await waitFor(() => r.health().ready && r.health().live, { what: 'ready and live again' });
    await r.stop();
  });

  it('is not ready before it first joins its group, and stop() ends a start that never got through', async () => {
    const r = runner(
      {},
      {
        kafka: (await import('../../src/index.ts')).createKafkaClient({
          // Nothing listens here: the first consumer never connects.
          brokers: ['127.0.0.1:1'],
          clientId: uniqueName('nowhere'),
          logger,
          login: testLogin(ADMIN),
          config: { connectionTimeout: 200, retry: { retries: 0 } },
        }),
      },
    );
    const starting = r.start();
    await waitFor(() => r.health().restarts >= 2, { timeoutMs: 20_000, what: 'restarts while unreachable' });
    expect(r.health().ready).toBe(false);
    expect(r.health().state).toBe('starting');
    await r.stop();
    await starting;
    expect(r.health().state).toBe('stopped');
  });
});
