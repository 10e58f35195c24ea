import { randomUUID } from 'node:crypto';
import { Topics } from '@homeward/events';
import { NothingInserted } from '@homeward/persistence';
import { TopicCollector, testLogger, uniqueName, waitFor } from '@homeward/testing';
import type { Collection, Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConsumerRunner,
  type EventPublisher,
  MongoIdempotencyStore,
  OutboxRelay,
  outboxInsert,
  prefixTopics,
  withOutbox,
} from '../../src/index.ts';
import { closedEvent, type MessagingTestBed, openTestBed, testKafka } from './fixtures.ts';

const logger = testLogger();
let prefix: string;
let db: Db;
let bed: MessagingTestBed;
let publisher: EventPublisher;
const kafka = () => testKafka(logger);

beforeAll(async () => {
  bed = await openTestBed('outbox', logger);
  ({ prefix, db, publisher } = bed);
});

afterAll(() => bed.close());

interface CaseDoc {
  _id: string;
  status: string;
}

/** Commits a fact (a document inserted once) carrying one event, as persistence's facts stores do. */
async function commitFact(
  relay: OutboxRelay,
  facts: Collection<CaseDoc>,
  id: string,
  event: ReturnType<typeof closedEvent>,
): Promise<void> {
  const token = randomUUID();
  const entries = outboxInsert([event]).outbox.map((e) => ({ ...e, writer: token }));
  await relay.commit(
    facts,
    id,
    () => facts.insertOne({ _id: id, status: 'closed', outbox: entries } as CaseDoc),
    {
      once: true,
      events: entries,
      token,
    },
  );
}

describe('OutboxRelay', () => {
  it('publishes what a write put in the outbox, and a later write only its new events', async () => {
    const cases: Collection<CaseDoc> = db.collection(uniqueName('cases'));
    const relay = new OutboxRelay({ publisher, logger, db });
    const collector = await new TopicCollector(prefixTopics(prefix)(Topics.caseEvents)).start();
    const event = closedEvent('c-fast');
    await relay.commit(cases, 'c-fast', () =>
      cases.insertOne({ _id: 'c-fast', status: 'closed', ...outboxInsert([event]) } as CaseDoc),
    );
    await collector.waitForEvent((e) => e.id === event.id);
    const cursorId = `${cases.collectionName}:c-fast`;
    await waitFor(
      async () =>
        (await db.collection('outbox_cursors').findOne({ _id: cursorId as never }))?.published === 1,
      { what: 'the cursor past the first event' },
    );
    // A later write appends; the relay publishes only the new event.
    const next = closedEvent('c-fast');
    await relay.commit(cases, 'c-fast', () =>
      cases.updateOne({ _id: 'c-fast' }, withOutbox({ $set: { status: 'reopened' } }, [next])),
    );
    await collector.waitForEvent((e) => e.id === next.id);
    await new Promise((r) => setTimeout(r, 300));
    expect(collector.events.filter((e) => e.id === event.id)).toHaveLength(1);
    expect(collector.events.filter((e) => e.id === next.id)).toHaveLength(1);
    // The relay never wrote to the aggregate: the service's own change is intact.
    expect(await cases.findOne({ _id: 'c-fast' })).toMatchObject({
      status: 'reopened',
      outbox: [{ event: { id: event.id } }, { event: { id: next.id } }],
    });
    await relay.stop();
    await collector.stop();
  });

  it('publishes a fact exactly once when its sweep reads the pointer while the pointer is being removed', async () => {
    const facts: Collection<CaseDoc> = db.collection(uniqueName('facts'));
    const collector = await new TopicCollector(prefixTopics(prefix)(Topics.caseEvents)).start();
    // The pointer's removal waits until the sweep below has read the pointer.
    let removalStarted!: () => void;
    const started = new Promise<void>((r) => {
      removalStarted = r;
    });
    let letRemove!: () => void;
    const held = new Promise<void>((r) => {
      letRemove = r;
    });
    const relay = new OutboxRelay({
      publisher,
      logger,
      db,
      beforeRemove: async () => {
        removalStarted();
        await held;
      },
    });
    const event = closedEvent('f-removing');
    await commitFact(relay, facts, 'f-removing', event);
    await started;
    // Published, its pointer still stored: the sweep reads it, and must not publish it again.
    const pending = db.collection('outbox_pending');
    expect(await pending.countDocuments({ docId: 'f-removing' })).toBe(1);
    expect(await relay.sweep()).toBeGreaterThanOrEqual(1);
    letRemove();
    await relay.stop();
    expect(await pending.countDocuments({ docId: 'f-removing' })).toBe(0);
    await collector.waitForEvent((e) => e.id === event.id);
    await new Promise((r) => setTimeout(r, 500));
    await collector.stop();
    expect(collector.events.filter((e) => e.id === event.id)).toHaveLength(1);
  });

  /** Stores `n` facts through `relay`'s fast path while `sweepers` sweep without pause; what got published. */
  async function factsUnderSweeps(
    relay: OutboxRelay,
    sweepers: OutboxRelay[],
    label: string,
    beforeSweep: () => void = () => {},
    beside = false,
  ) {
    const facts: Collection<CaseDoc> = db.collection(uniqueName(label));
    for (const r of [relay, ...sweepers]) r.watch(facts, undefined, { pointersBeside: beside });
    const collector = await new TopicCollector(prefixTopics(prefix)(Topics.caseEvents)).start();
    let sweeping = true;
    const sweeps = sweepers.map(async (r) => {
      let found = 0;
      while (sweeping) {
        beforeSweep();
        found += await r.sweep();
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      return found;
    });
    const written = 60;
    const events = Array.from({ length: written }, (_, i) => closedEvent(`${label}-${i}`));
    const n = beside ? written - written / 5 : written;
    const ours = () => collector.events.filter((e) => events.some((x) => x.id === e.id));
    try {
      const tokens = events.map(() => randomUUID());
      const entriesOf = events.map((event, i) =>
        outboxInsert([event]).outbox.map((e) => ({ ...e, writer: tokens[i]! })),
      );
      const docs = events.map(
        (_, i) => ({ _id: `${label}-${i}`, status: 'closed', outbox: entriesOf[i]! }) as CaseDoc,
      );
      const commands: Array<Promise<unknown>> = [];
      await Promise.all(
        events.map(async (_, i) => {
          const token = tokens[i]!;
          const entries = entriesOf[i]!;
          const id = `${label}-${i}`;
          const doc = docs[i]!;
          if (!beside) {
            await relay.commit(facts, id, () => facts.insertOne(doc), { once: true, events: entries, token });
            return;
          }
          // Four facts to a command, their pointer in front of them in the same insert, the
          // sweeps looking while it lingers; every fifth write stores nothing (its document
          // refused: a copy that lost). Each commit returns a while after the command, one after
          // another, so the sweeps find pointers with some of their facts settled and some not.
          const g = Math.floor(i / 4);
          if (i % 4 === 0) {
            const members = [g * 4, g * 4 + 1, g * 4 + 2, g * 4 + 3];
            const pointer = relay.besidePointer(
              facts,
              members.map((k) => ({ id: `${label}-${k}`, token: tokens[k]! })),
            ) as unknown as CaseDoc;
            commands[g] = new Promise((r) => setTimeout(r, 20)).then(() =>
              facts.insertMany([pointer, ...members.filter((k) => k % 5 !== 4).map((k) => docs[k]!)], {
                ordered: true,
              }),
            );
          }
          const command = commands[g];
          await relay
            .commit(
              facts,
              id,
              async () => {
                await command;
                await new Promise((r) => setTimeout(r, 15 * (i % 4)));
                if (i % 5 === 4) throw new NothingInserted();
                return true;
              },
              { once: true, events: entries, token, beside: true },
            )
            .catch((err: unknown) => {
              if (!(err instanceof NothingInserted)) throw err;
            });
        }),
      );
      await waitFor(() => new Set(ours().map((e) => e.id)).size === n, { what: `${n} facts published` });
    } finally {
      await relay.stop();
      sweeping = false;
    }
    const found = (await Promise.all(sweeps)).reduce((a, b) => a + b, 0);
    for (const r of sweepers) await r.stop();
    await new Promise((r) => setTimeout(r, 500));
    await collector.stop();
    const left =
      (await db.collection('outbox_pending').countDocuments({ collection: facts.collectionName })) +
      (await facts.countDocuments({ _id: { $gte: 'outbox:', $lt: 'outbox;' } }));
    const unwritten = events.filter((_, i) => beside && i % 5 === 4).map((e) => e.id);
    return {
      n,
      published: ours().length,
      found,
      left,
      unwrittenPublished: ours().filter((e) => unwritten.includes(e.id)).length,
    };
  }

  it("publishes facts exactly once while another instance's sweep looks at their pointers all the time", async () => {
    const relay = new OutboxRelay({ publisher, logger, db });
    const other = new OutboxRelay({ publisher, logger, db });
    const { n, published, found, left } = await factsUnderSweeps(relay, [other], 'f-other');
    // The other instance did see the pointers of facts on their way, and left them to their writer.
    expect(found).toBeGreaterThan(0);
    expect(published).toBe(n);
    expect(left).toBe(0);
  });

  it("publishes facts exactly once while this instance's sweep looks, even with the wall clock stepped past the grace", async () => {
    // Before every sweep the wall clock steps a minute ahead (NTP steps, many): by it, every
    // pointer written before the step is past the grace; the fast path (timed by the monotonic
    // clock) is not.
    let stepped = 0;
    const relay = new OutboxRelay({ publisher, logger, db, now: () => Date.now() + stepped });
    const { n, published, found, left } = await factsUnderSweeps(relay, [relay], 'f-own', () => {
      stepped += 60_000;
    });
    expect(found).toBeGreaterThan(0);
    expect(published).toBe(n);
    expect(left).toBe(0);
  });

  it('publishes facts whose command pointers were inserted in front of them exactly once, and none whose write stored nothing, while sweeps of both instances look', async () => {
    let stepped = 0;
    const relay = new OutboxRelay({ publisher, logger, db, now: () => Date.now() + stepped });
    const other = new OutboxRelay({ publisher, logger, db });
    const { n, published, found, left, unwrittenPublished } = await factsUnderSweeps(
      relay,
      [relay, other],
      'f-beside',
      () => {
        stepped += 60_000;
      },
      true,
    );
    expect(found).toBeGreaterThan(0);
    expect(published).toBe(n);
    expect(unwrittenPublished).toBe(0);
    expect(left).toBe(0);
  });

  it('removes the pointers of the flushes of one linger in one delete, counts them gone meanwhile, and removes what lingers on stop', async () => {
    const facts: Collection<CaseDoc> = db.collection(uniqueName('facts'));
    const removals: string[][] = [];
    const relay = new OutboxRelay({
      publisher,
      logger,
      db,
      removeLingerMs: 60_000,
      beforeRemove: (acted) => {
        removals.push(acted.map((a) => a._id));
      },
    });
    const collector = await new TopicCollector(prefixTopics(prefix)(Topics.caseEvents)).start();
    const events = Array.from({ length: 5 }, (_, i) => closedEvent(`f-linger-${i}`));
    // One after another: each write's publication is a flush of its own.
    for (const [i, event] of events.entries()) {
      await commitFact(relay, facts, `f-linger-${i}`, event);
      await collector.waitForEvent((e) => e.id === event.id);
    }
    const pending = db.collection('outbox_pending');
    // Published, their pointers lingering: stored still, and a sweep publishes none of them again.
    expect(await pending.countDocuments({ collection: facts.collectionName })).toBe(5);
    await relay.sweep();
    expect(removals).toEqual([]);
    await relay.stop();
    expect(removals).toHaveLength(1);
    expect(removals[0]).toHaveLength(5);
    expect(await pending.countDocuments({ collection: facts.collectionName })).toBe(0);
    await new Promise((r) => setTimeout(r, 500));
    await collector.stop();
    for (const event of events) expect(collector.events.filter((e) => e.id === event.id)).toHaveLength(1);
  });

  it('sends at once when idle, under load once per minSendIntervalMs with what arrived meanwhile, and what waits on stop', async () => {
    const facts: Collection<CaseDoc> = db.collection(uniqueName('facts'));
    const interval = 1_500;
    const sends: Array<{ at: number; ids: string[] }> = [];
    const relay = new OutboxRelay({
      publisher,
      logger,
      db,
      minSendIntervalMs: interval,
      afterPublish: (events) => {
        sends.push({ at: performance.now(), ids: events.map((e) => e.event.id) });
      },
    });
    const collector = await new TopicCollector(prefixTopics(prefix)(Topics.caseEvents)).start();
    const write = async (id: string) => {
      const event = closedEvent(id);
      await commitFact(relay, facts, id, event);
      return event.id;
    };
    // Idle: sent at once, not after the interval.
    const written = performance.now();
    const first = await write('f-spaced-0');
    await collector.waitForEvent((e) => e.id === first);
    expect(sends).toHaveLength(1);
    expect(sends[0]!.at - written).toBeLessThan(interval / 2);
    // Right after a send: the next waits out the interval and carries all four.
    const next = await Promise.all([1, 2, 3, 4].map((i) => write(`f-spaced-${i}`)));
    for (const id of next) await collector.waitForEvent((e) => e.id === id);
    expect(sends).toHaveLength(2);
    expect(sends[1]!.ids.sort()).toEqual([...next].sort());
    expect(sends[1]!.at - sends[0]!.at).toBeGreaterThan(interval - 200);
    // A stop sends what is waiting for the interval, then nothing more.
    const last = await write('f-spaced-5');
    await relay.stop();
    expect(sends.map((s) => s.ids)).toEqual([[first], expect.any(Array), [last]]);
    await collector.waitForEvent((e) => e.id === last);
    await collector.stop();
  });

  it('handles every event exactly once when the relay dies between publishing and recording it', async () => {
    const cases: Collection<CaseDoc> = db.collection(uniqueName('cases'));
    const n = 40;
    const events = Array.from({ length: n }, (_, i) => closedEvent(`crash-${i}`));
    // Writes whose process died before the publish: the pointer and the outbox are stored.
    const crashedWriter = new OutboxRelay({ publisher, logger, db });
    await crashedWriter.stop(); // a stopped relay writes pointers but never publishes: the process died
    for (let i = 0; i < n; i++) {
      await crashedWriter.commit(cases, `crash-${i}`, () =>
        cases.insertOne({ _id: `crash-${i}`, status: 'closed', ...outboxInsert([events[i]!]) } as CaseDoc),
      );
    }
    const handled = new Map<string, number>();
    const runner = new ConsumerRunner({
      kafka: kafka(),
      groupId: uniqueName('group'),
      topics: [Topics.caseEvents],
      topicResolver: prefixTopics(prefix),
      handlers: {
        'homeward.case.closed': async (e) => {
          // The topic also carries the other test's events: count only ours.
          if (e.data.caseId.startsWith('crash-')) handled.set(e.id, (handled.get(e.id) ?? 0) + 1);
        },
      },
      publisher,
      idempotency: new MongoIdempotencyStore(db, uniqueName('processed')),
      logger,
    });
    await runner.start();
    const collector = await new TopicCollector(prefixTopics(prefix)(Topics.caseEvents)).start();

    // The first relay "dies" right after publishing its batch: nothing removed.
    let crashes = 0;
    const dying = new OutboxRelay({
      publisher,
      db,
      logger,
      afterPublish: () => {
        crashes++;
        throw new Error('relay killed');
      },
    }).watch(cases);
    await expect(dying.sweep()).rejects.toThrow('relay killed');
    await dying.stop();
    expect(crashes).toBe(1);
    expect(await db.collection('outbox_pending').countDocuments({})).toBe(n);

    // A new relay (a restarted service) finds every pending outbox and publishes it again.
    const relay = new OutboxRelay({ publisher, logger, db, sweepIntervalMs: 100 }).watch(cases);
    relay.start();
    await waitFor(() => handled.size === n, {
      timeoutMs: 30_000,
      what: `${n} handled events (have ${handled.size})`,
    });
    await waitFor(async () => (await db.collection('outbox_pending').countDocuments({})) === 0, {
      what: 'no pointers left',
    });
    const ours = () => collector.events.filter((e) => events.some((x) => x.id === e.id));
    await waitFor(() => ours().length >= 2 * n, { what: 'both publishes on the topic' });
    await new Promise((r) => setTimeout(r, 500));
    await relay.stop();
    await runner.stop();
    await collector.stop();
    // The crashed publish reached the topic twice (at-least-once publishing) ...
    expect(ours().length).toBe(2 * n);
    // ... and the consumer handled each event exactly once.
    expect(handled.size).toBe(n);
    expect([...handled.values()].every((c) => c === 1)).toBe(true);
  });
});
