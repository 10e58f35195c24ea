import { createEvent, deadLetterTopic, encodeKafka, Topics } from '@homeward/events';
import { header, TopicCollector, testLogger, uniqueName, waitFor } from '@homeward/testing';
import type { Db } from 'mongodb';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ConsumerRunner,
  type ConsumerRunnerOptions,
  type EventPublisher,
  MongoIdempotencyStore,
  prefixTopics,
} from '../../src/index.ts';
import { closedEvent, type MessagingTestBed, openTestBed, testKafka } from './fixtures.ts';

// What the runner skips before decoding (message-screening.ts, `skipUndecoded`): a type no
// handler wants, and what a consumer's `seen` check knows; and what it must still dead-letter.

const logger = testLogger();
let prefix: string;
let db: Db;
let bed: MessagingTestBed;
let publisher: EventPublisher;

beforeAll(async () => {
  bed = await openTestBed('skip', logger);
  ({ prefix, db, publisher } = bed);
});

afterAll(() => bed.close());

/** Runners and collectors a test started: stopped after it, whether it passed or not. */
const started: Array<{ stop(): Promise<void> }> = [];
afterEach(async () => {
  for (const s of started.splice(0)) await s.stop();
});

function runner(
  opts: Pick<ConsumerRunnerOptions, 'handlers'> & Partial<ConsumerRunnerOptions>,
  registry: Registry,
): ConsumerRunner {
  return new ConsumerRunner({
    kafka: testKafka(logger),
    groupId: uniqueName('group'),
    topics: [Topics.caseEvents],
    topicResolver: prefixTopics(prefix),
    publisher,
    idempotency: new MongoIdempotencyStore(db),
    logger,
    registry,
    ...opts,
  });
}

/** The count of `homeward_events_handled_total` for one type and outcome (0 when absent). */
async function handledCount(registry: Registry, type: string, outcome: string): Promise<number> {
  const text = await registry.getSingleMetricAsString('homeward_events_handled_total');
  const line = text
    .split('\n')
    .find((l) => l.includes(`type="${type}"`) && l.includes(`outcome="${outcome}"`));
  return line ? Number(line.split(' ').pop()) : 0;
}

/** Waits for the dead letter of the message with this `ce_id`. */
function deadLettered(dlq: TopicCollector, id: string): Promise<unknown> {
  return waitFor(() => dlq.messages.find((m) => header(m.message, 'ce_id') === id), {
    what: `the dead letter of ${id}`,
  });
}

/** Headers of a binary-mode message with only the attributes given (no data check at all). */
function bare(id: string, type: string, source = 'test/messaging'): Record<string, string> {
  return { ce_specversion: '1.0', ce_id: id, ce_source: source, ce_type: type };
}

describe('ConsumerRunner skips before decoding', () => {
  it('a type no handler wants, even undecodable (never decoded, so never dead-lettered), while a wanted one is handled and a malformed wanted one or an unknown type is dead-lettered', async () => {
    const registry = new Registry();
    const handled: string[] = [];
    const r = runner(
      { handlers: { 'homeward.case.closed': async (e) => void handled.push(e.data.caseId) } },
      registry,
    );
    const dlq = await new TopicCollector(prefixTopics(prefix)(deadLetterTopic(Topics.caseEvents))).start();
    started.push(r, dlq);
    await r.start();
    const key = uniqueName('case');
    const ids = { unwanted: uniqueName('u'), wantedBad: uniqueName('w'), unknown: uniqueName('x') };
    const good = closedEvent(key);
    const raw = testKafka(logger).producer();
    await raw.connect();
    // One key, one send: one partition, in this order; the good event last proves the rest seen.
    await raw.send({
      topic: prefixTopics(prefix)(Topics.caseEvents),
      messages: [
        // Of a catalogue type nobody here handles, and undecodable: decoding it would dead-letter it.
        { key, value: 'not json', headers: bare(ids.unwanted, 'homeward.case.opened') },
        // Of the type handled here, undecodable: still dead-lettered.
        { key, value: 'not json', headers: bare(ids.wantedBad, 'homeward.case.closed') },
        // Of no catalogue type: still dead-lettered as unknown.
        { key, value: '{}', headers: bare(ids.unknown, 'homeward.case.no-such-type') },
        encodeKafka(good, key),
      ],
    });
    await raw.disconnect();

    // Counted once recorded as handled, a moment after its handler ran.
    await waitFor(async () => (await handledCount(registry, 'homeward.case.closed', 'handled')) === 1, {
      what: 'the good event after the others',
    });
    expect(handled).toEqual([key]);
    await deadLettered(dlq, ids.unknown);
    const codes = new Map(
      dlq.messages
        .filter((m) => Object.values(ids).includes(header(m.message, 'ce_id') ?? ''))
        .map((m) => [header(m.message, 'ce_id'), header(m.message, 'dlq_error_code')]),
    );
    expect(codes).toEqual(
      new Map([
        [ids.wantedBad, 'decode'],
        [ids.unknown, 'unknown-type'],
      ]),
    );
    expect(await handledCount(registry, 'homeward.case.opened', 'ignored')).toBe(1);
    expect(await handledCount(registry, 'homeward.case.closed', 'dead-lettered')).toBe(1);
  });

  it("what the consumer's seen check knows, after the source check: a forged copy is still dead-lettered, an unseen key handled", async () => {
    const registry = new Registry();
    const handled: string[] = [];
    const seenKey = uniqueName('seen');
    const asked: Array<string | null> = [];
    const r = runner(
      {
        handlers: { 'homeward.case.closed': async (e) => void handled.push(e.data.caseId) },
        allowedSources: (_topic, type) => (type === 'homeward.case.closed' ? ['test/messaging'] : undefined),
        seen: {
          'homeward.case.closed': (key) => {
            asked.push(key);
            return key === seenKey;
          },
        },
      },
      registry,
    );
    const dlq = await new TopicCollector(prefixTopics(prefix)(deadLetterTopic(Topics.caseEvents))).start();
    started.push(r, dlq);
    await r.start();
    const forged = createEvent(
      'homeward.case.closed',
      { caseId: seenKey, closedAt: '2026-11-28T10:00:00Z', reason: 'forged' },
      { source: 'test/forger' },
    );
    const seenBad = uniqueName('s');
    const unseen = uniqueName('case');
    const raw = testKafka(logger).producer();
    await raw.connect();
    const topic = prefixTopics(prefix)(Topics.caseEvents);
    await raw.send({
      topic,
      messages: [
        // Seen, from the allowed source: skipped undecoded (its value would not even decode).
        { key: seenKey, value: 'not json', headers: bare(seenBad, 'homeward.case.closed') },
        // Seen key, but from a source that may not send it: decoded, dead-lettered `source`.
        encodeKafka(forged, seenKey),
        // The seen one again, well formed: skipped too, never reaching the handler.
        encodeKafka(closedEvent(seenKey), seenKey),
      ],
    });
    await raw.send({ topic, messages: [encodeKafka(closedEvent(unseen), unseen)] });
    await raw.disconnect();

    await waitFor(() => handled.includes(unseen), { what: 'the unseen event' });
    await deadLettered(dlq, forged.id);
    await waitFor(async () => (await handledCount(registry, 'homeward.case.closed', 'seen')) === 2, {
      what: 'both seen messages counted',
    });
    expect(
      header(dlq.messages.find((m) => header(m.message, 'ce_id') === forged.id)!.message, 'dlq_error_code'),
    ).toBe('source');
    expect(dlq.messages.some((m) => header(m.message, 'ce_id') === seenBad)).toBe(false);
    // (This group reads the topic from its start: the first test's events are here too.)
    expect(handled.filter((k) => k === unseen || k === seenKey)).toEqual([unseen]);
    // Asked with the key as text, and never for the forged one (the source check came first).
    expect(asked.filter((k) => k === seenKey)).toHaveLength(2);
    expect(asked).toContain(unseen);
  });
});
