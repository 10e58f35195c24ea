import { Topics } from '@homeward/events';
import { OutboxRelay } from '@homeward/messaging';
import { testInfra, testLogger, type testRedis, uniqueName, waitFor } from '@homeward/testing';
import { type CommandStartedEvent, type Db, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AggregateStore,
  type Doc,
  insertInOrder,
  isDuplicateKey,
  linkOf,
  MongoPersistence,
  writeLaneOf,
} from '../../src/index.ts';
import {
  aggregateStoreContract,
  type ContractHarness,
  caseClosed,
} from '../contract/aggregate-store-contract.ts';
import { openMongoBed } from '../support/mongo-bed.ts';

const logger = testLogger();

/** The harness's `published`: every event id on the bed's topic, once `awaited` are there. */
async function publishedOn(bed: Awaited<ReturnType<typeof openMongoBed>>, awaited: string[]) {
  const seen = () => new Set(bed.collector.events.map((e) => e.id));
  await waitFor(() => awaited.every((id) => seen().has(id)), {
    what: `events ${awaited.join(', ')} on the topic`,
  });
  // A repeat would come right behind: give it a moment to show up.
  await new Promise((r) => setTimeout(r, 300));
  return bed.collector.events.map((e) => e.id);
}

/** The harness's `storedOutbox`: the event ids in a document's stored outbox, oldest first. */
async function storedOutboxIn(bed: Awaited<ReturnType<typeof openMongoBed>>, collection: string, id: string) {
  const raw = await bed.db
    .collection<{ _id: string; outbox?: Array<{ event: { id: string } }> }>(collection)
    .findOne({ _id: id });
  return (raw?.outbox ?? []).map((entry) => entry.event.id);
}

aggregateStoreContract(
  'MongoDB (FerretDB, Redis leases, outbox relay to Kafka)',
  async (): Promise<ContractHarness> => {
    const bed = await openMongoBed('persistence-contract', logger);
    return {
      store: <T extends Doc>(options = {}) =>
        bed.persistence().aggregate<T>(uniqueName('c').replaceAll('-', '_'), options),
      published: (awaited) => publishedOn(bed, awaited),
      storedOutbox: (store: AggregateStore<Doc>, id: string) => storedOutboxIn(bed, store.name, id),
      close: bed.close,
    };
  },
);

aggregateStoreContract(
  'MongoDB, a store in a collection it shares with another store (StoreOptions.collection)',
  async (): Promise<ContractHarness> => {
    const bed = await openMongoBed('persistence-shared', logger);
    const collectionOf = new Map<string, string>();
    // The neighbours' inserts, queued before anything the store under test writes (one write
    // lane, first come first served): every write of a test, and what it reads after, finds them.
    const neighbours: Promise<unknown>[] = [];
    return {
      // Every store starts beside a neighbour's documents in its collection, which it must never
      // see, count, list or change.
      store: <T extends Doc>(options = {}) => {
        const collection = uniqueName('shared').replaceAll('-', '_');
        const neighbour = bed.persistence().aggregate<Doc & { n: number }>('neighbour', { collection });
        const store = bed.persistence().aggregate<T>(uniqueName('s').replaceAll('-', '_'), {
          ...options,
          collection,
        });
        collectionOf.set(store.name, collection);
        neighbours.push(
          Promise.all(['neighbour-1', 'neighbour-2'].map((id, n) => neighbour.insertOnce({ _id: id, n }))),
        );
        return store;
      },
      published: async (awaited) => {
        await Promise.all(neighbours);
        return publishedOn(bed, awaited);
      },
      storedOutbox: (store: AggregateStore<Doc>, id: string) =>
        storedOutboxIn(bed, collectionOf.get(store.name)!, id),
      close: async () => {
        await Promise.all(neighbours);
        await bed.close();
      },
    };
  },
);

describe('MongoDB adapter', () => {
  let bed: Awaited<ReturnType<typeof openMongoBed>>;
  let db: Db;
  let redis: ReturnType<typeof testRedis>;
  beforeAll(async () => {
    bed = await openMongoBed('persistence-mongo', logger);
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

  it('resolves a stored write whose awaited publication failed, and says so (the sweep publishes later)', async () => {
    const warnings: object[] = [];
    const failing = {
      watch: bed.relay.watch.bind(bed.relay),
      commit: bed.relay.commit.bind(bed.relay),
      entry: bed.relay.entry.bind(bed.relay),
      notify: async () => {
        throw new Error('broker unreachable');
      },
    };
    const store = new MongoPersistence({
      db,
      leases: bed.leases,
      relay: failing,
      logger: { warn: (obj) => warnings.push(obj) },
    }).aggregate<{ _id: string; n: number }>(uniqueName('failing'));
    const e1 = caseClosed('f-1');
    expect(await store.insertOnce({ _id: 'f-1', n: 0 }, [e1])).toBe(true);
    const out = await store.update('f-1', (c) => ({
      doc: { ...c, n: 1 },
      events: [caseClosed('f-1')],
      result: 'done',
    }));
    expect(out).toMatchObject({ changed: true, result: 'done' });
    expect(await store.get('f-1')).toEqual({ _id: 'f-1', n: 1 });
    expect(warnings).toEqual([
      expect.objectContaining({ collection: store.name, id: 'f-1' }),
      expect.objectContaining({ collection: store.name, id: 'f-1' }),
    ]);
    // The relay's own fast path (commit) still published them.
    await bed.collector.waitForEvent((e) => e.id === e1.id);
  });

  it('resolves an awaited write only once its events are published (the relay cursor has moved)', async () => {
    const store = bed.persistence().aggregate<{ _id: string; n: number }>(uniqueName('awaited'));
    await store.insertOnce({ _id: 'a-1', n: 0 }, [caseClosed('a-1')]);
    const cursor = async () =>
      (await db.collection('outbox_cursors').findOne({ _id: `${store.name}:a-1` as never }))?.published;
    expect(await cursor()).toBe(1);
    await store.update('a-1', (c) => ({
      doc: { ...c, n: 1 },
      events: [caseClosed('a-1'), caseClosed('a-1')],
    }));
    expect(await cursor()).toBe(3);
  });

  it('publishes a fact once, with no cursor, however many copies race and whenever the sweep looks', async () => {
    const facts = bed.persistence().facts<{ _id: string; n: number }>(uniqueName('facts'));
    const e1 = caseClosed('f-race');
    // Twenty copies of one fact at once, the sweep looking in the middle: the copies that lose the
    // insert must leave no pointer that makes the sweep publish the winner's events again.
    const sweeping = (async () => {
      for (let i = 0; i < 5; i++) {
        await bed.relay.sweep();
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const won = await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        facts.insertOnce({ _id: 'f-race', n }, [e1], { awaitPublish: false }),
      ),
    );
    await sweeping;
    expect(won.filter(Boolean)).toHaveLength(1);
    await bed.collector.waitForEvent((e) => e.id === e1.id);
    await waitFor(
      async () => (await db.collection('outbox_pending').countDocuments({ docId: 'f-race' })) === 0,
      { what: 'no pointer left for the fact' },
    );
    await bed.relay.sweep();
    await new Promise((r) => setTimeout(r, 500));
    expect(bed.collector.events.filter((e) => e.id === e1.id)).toHaveLength(1);
    expect(
      await db.collection('outbox_cursors').findOne({ _id: `${facts.name}:f-race` as never }),
    ).toBeNull();
  });

  it('lets a restarted service publish what a crash left: its stores register their collections', async () => {
    const name = uniqueName('crashed');
    const e1 = caseClosed('x-1');
    // A relay that stopped is a process that died after writing and before publishing.
    const dead = new OutboxRelay({ publisher: bed.publisher, db, logger });
    await dead.stop();
    const before = new MongoPersistence({ db, leases: bed.leases, relay: dead }).aggregate<Doc>(name);
    await before.insertOnce({ _id: 'x-1' }, [e1]);
    // The restarted service builds its stores, then its relay sweeps.
    const relay = new OutboxRelay({ publisher: bed.publisher, db, logger });
    new MongoPersistence({ db, leases: bed.leases, relay }).aggregate<Doc>(name);
    expect(await relay.sweep()).toBeGreaterThanOrEqual(1);
    await bed.collector.waitForEvent((e) => e.id === e1.id);
    await relay.stop();
  });

  it("keeps a derived fact's events out of its document; after a crash the sweep derives them, once, and nothing for a copy that lost", async () => {
    // In a collection shared with another store: what the derivation gets is the fact as read.
    const collection = uniqueName('derived').replaceAll('-', '_');
    type Closure = { _id: string; caseId: string };
    const seen: Closure[] = [];
    const eventsOf = (doc: Closure) => {
      seen.push(doc);
      return [caseClosed(doc.caseId, `closed-${doc._id}`)];
    };
    const factsOf = (relay: OutboxRelay) =>
      new MongoPersistence({ db, leases: bed.leases, relay }).facts<Closure>('closures', {
        collection,
        eventsOf,
      });
    const raw = (id: string) =>
      db.collection<{ _id: string; outbox?: unknown }>(collection).findOne({ _id: id });
    // In the pending collection, and beside the facts (a chain's, or a copy's below).
    const pointers = async () =>
      (await db.collection('outbox_pending').countDocuments({ collection })) +
      (await db.collection(collection).countDocuments({ _id: { $gte: 'outbox:', $lt: 'outbox;' } as never }));

    // The fast path publishes what the write was given; the document keeps its writer's token only.
    const facts = factsOf(bed.relay);
    const d1 = { _id: 'd-1', caseId: 'case-d1' };
    expect(await facts.insertOnce(d1, eventsOf(d1))).toBe(true);
    await bed.collector.waitForEvent((e) => e.id === 'closed-d-1');
    expect((await raw('d-1'))?.outbox).toEqual({ derived: true, writer: expect.any(String) });
    expect(await facts.get('d-1')).toEqual(d1);
    expect(await facts.list()).toEqual([d1]);
    await waitFor(async () => (await pointers()) === 0, { what: "d-1's pointer removed" });

    // A process that died between the write and its publication, and a copy that lost the
    // insert with its pointer left behind (inserted beside it, never taken back).
    const dead = new OutboxRelay({ publisher: bed.publisher, db, logger });
    await dead.stop();
    const d2 = { _id: 'd-2', caseId: 'case-d2' };
    expect(await factsOf(dead).insertOnce(d2, eventsOf(d2))).toBe(true);
    await db
      .collection(collection)
      .insertOne(
        dead.besidePointer(db.collection(collection), [{ id: 'd-2', token: 'the-copy-that-lost' }]) as never,
      );
    expect(await pointers()).toBe(2);
    seen.length = 0;

    // The restarted service builds its stores (registering the derivation), then its relay
    // sweeps, past the grace its writers had.
    const relay = new OutboxRelay({ publisher: bed.publisher, db, logger, onceGraceMs: 0 });
    factsOf(relay);
    expect(await relay.sweep()).toBeGreaterThanOrEqual(2);
    await bed.collector.waitForEvent((e) => e.id === 'closed-d-2');
    await relay.stop();
    await new Promise((r) => setTimeout(r, 500));
    // Derived from the stored fact, as its readers see it; published once; no pointer left.
    expect(seen).toEqual([d2]);
    const published = bed.collector.events.filter((e) => e.id === 'closed-d-2');
    expect(published).toHaveLength(1);
    expect(published[0]!.data).toMatchObject({ caseId: 'case-d2' });
    expect(await pointers()).toBe(0);
  });

  describe('a chain of inserts (insertInOrder) into a collection its stores share', () => {
    type Claim = { _id: string; by: string };
    type Fact = { _id: string; caseId: string };
    type Case = { _id: string; status: string };
    const eventsOf = (f: Fact) => [caseClosed(f.caseId, `closed-${f._id}`)];
    /** The pointers kept beside the writes of a collection. */
    const besideIn = (collection: string) =>
      db.collection(collection).countDocuments({ _id: { $gte: 'outbox:', $lt: 'outbox;' } as never });
    const storesOf = (persistence: MongoPersistence, collection: string) => ({
      claims: persistence.aggregate<Claim>('claims', { collection }),
      facts: persistence.facts<Fact>('facts', { collection, eventsOf, awaitPublish: false }),
      cases: persistence.aggregate<Case>('cases', { collection }),
    });

    it("goes in one ordered insert behind its command's pointer: each document only if the ones before it went in", async () => {
      const collection = uniqueName('chain').replaceAll('-', '_');
      // Its own client, to see the commands it sends; the same database and relay.
      const inserts: CommandStartedEvent[] = [];
      const client = await MongoClient.connect(testInfra().mongoUrl, { monitorCommands: true });
      client.on('commandStarted', (c) => {
        if (c.commandName === 'insert' && c.command.insert === collection) inserts.push(c);
      });
      try {
        const own = client.db(db.databaseName);
        const relay = new OutboxRelay({ publisher: bed.publisher, db: own, logger });
        const { claims, facts, cases } = storesOf(
          new MongoPersistence({ db: own, leases: bed.leases, relay }),
          collection,
        );
        const chain = (n: string, claim = `c-${n}`) => [
          linkOf(claims, { _id: claim, by: `f-${n}` }),
          linkOf(facts, { _id: `f-${n}`, caseId: `k-${n}` }, eventsOf({ _id: `f-${n}`, caseId: `k-${n}` })),
          linkOf(cases, { _id: `k-${n}`, status: 'open' }),
        ];

        // All three, and the command's pointer in front of them, naming the fact: one command,
        // four documents.
        expect(await insertInOrder(chain('1'))).toEqual([true, true, true]);
        expect(inserts).toHaveLength(1);
        expect(inserts[0]!.command.ordered).toBe(true);
        const sent = inserts[0]!.command.documents as Array<{ _id: string; facts?: unknown }>;
        expect(sent.map((d) => d._id)).toEqual([
          expect.stringMatching(new RegExp(`^outbox:${collection}:command#`)),
          'c-1',
          'f-1',
          'k-1',
        ]);
        expect(sent[0]!.facts).toEqual([{ docId: 'f-1', nonce: expect.any(String) }]);
        await bed.collector.waitForEvent((e) => e.id === 'closed-f-1');
        await waitFor(async () => (await besideIn(collection)) === 0, { what: "f-1's pointer removed" });

        // Two chains in one round (the lane held meanwhile): the first finds its claim taken and
        // stores nothing; the second goes in all the same, in the command after, under a pointer
        // of its own.
        inserts.length = 0;
        let release = () => {};
        const gate = new Promise<void>((r) => (release = r));
        const held = writeLaneOf(own).run(() => gate);
        const taken = insertInOrder(chain('2', 'c-1'));
        const free = insertInOrder(chain('3'));
        release();
        await held;
        expect(await taken).toEqual([false, undefined, undefined]);
        expect(await free).toEqual([true, true, true]);
        expect(inserts.map((c) => (c.command.documents as unknown[]).length)).toEqual([7, 4]);
        const named = (c: CommandStartedEvent) =>
          (c.command.documents[0] as { facts: Array<{ docId: string }> }).facts.map((f) => f.docId);
        expect(inserts.map(named)).toEqual([['f-2', 'f-3'], ['f-3']]);
        expect(await facts.get('f-2')).toBeNull();
        expect(await cases.get('k-2')).toBeNull();
        expect(await claims.get('c-1')).toEqual({ _id: 'c-1', by: 'f-1' });
        await bed.collector.waitForEvent((e) => e.id === 'closed-f-3');

        // A claim made, then a fact that exists already: the claim stays, the case is not tried,
        // the command's pointer is taken back and nothing is published again.
        expect(await insertInOrder([...chain('4').slice(0, 1), ...chain('1').slice(1)])).toEqual([
          true,
          false,
          undefined,
        ]);
        expect(await claims.get('c-4')).toEqual({ _id: 'c-4', by: 'f-4' });
        await waitFor(async () => (await besideIn(collection)) === 0, { what: 'no pointer left' });
        await relay.sweep();
        await new Promise((r) => setTimeout(r, 500));
        for (const id of ['closed-f-1', 'closed-f-3'])
          expect(bed.collector.events.filter((e) => e.id === id)).toHaveLength(1);
        expect(bed.collector.events.filter((e) => e.id === 'closed-f-2')).toHaveLength(0);
        await relay.stop();
      } finally {
        await client.close();
      }
    });

    it("leaves the command's pointer beside the fact for a crash: the restarted service's sweep finds it there and publishes once", async () => {
      const collection = uniqueName('chain_crash').replaceAll('-', '_');
      // A relay that stopped is a process that died after writing and before publishing.
      const dead = new OutboxRelay({ publisher: bed.publisher, db, logger });
      await dead.stop();
      const before = storesOf(new MongoPersistence({ db, leases: bed.leases, relay: dead }), collection);
      const fact = { _id: 'f-9', caseId: 'k-9' };
      expect(
        await insertInOrder([
          linkOf(before.facts, fact, eventsOf(fact)),
          linkOf(before.cases, { _id: 'k-9', status: 'open' }),
        ]),
      ).toEqual([true, true]);
      expect(await besideIn(collection)).toBe(1);
      expect(await db.collection('outbox_pending').countDocuments({ collection })).toBe(0);

      // The restarted service builds its stores (which tell its relay where pointers may be),
      // then sweeps, past the grace its writers had.
      const relay = new OutboxRelay({ publisher: bed.publisher, db, logger, onceGraceMs: 0 });
      storesOf(new MongoPersistence({ db, leases: bed.leases, relay }), collection);
      expect(await relay.sweep()).toBeGreaterThanOrEqual(1);
      await bed.collector.waitForEvent((e) => e.id === 'closed-f-9');
      await waitFor(async () => (await besideIn(collection)) === 0, { what: "f-9's pointer removed" });
      await relay.sweep();
      await relay.stop();
      await new Promise((r) => setTimeout(r, 500));
      expect(bed.collector.events.filter((e) => e.id === 'closed-f-9')).toHaveLength(1);
    });

    it('names the chains a refusal pushed to the next command in both pointers: after a crash the sweep publishes each fact once and removes both', async () => {
      const collection = uniqueName('chain_refused').replaceAll('-', '_');
      const dead = new OutboxRelay({ publisher: bed.publisher, db, logger });
      await dead.stop();
      const before = storesOf(new MongoPersistence({ db, leases: bed.leases, relay: dead }), collection);
      const chain = (n: string, claim = `c-${n}`) => [
        linkOf(before.claims, { _id: claim, by: `f-${n}` }),
        linkOf(
          before.facts,
          { _id: `f-${n}`, caseId: `k-${n}` },
          eventsOf({ _id: `f-${n}`, caseId: `k-${n}` }),
        ),
        linkOf(before.cases, { _id: `k-${n}`, status: 'open' }),
      ];
      expect(await insertInOrder(chain('21'))).toEqual([true, true, true]);
      // One round (the lane held meanwhile): f-22's claim is taken, so the first command stores
      // its pointer (naming f-22, f-23 and f-24) and stops; f-23 and f-24 go in the next, under a
      // pointer naming them again. Then the process dies before publishing anything.
      let release = () => {};
      const gate = new Promise<void>((r) => (release = r));
      const held = writeLaneOf(db).run(() => gate);
      const round = Promise.all([chain('22', 'c-21'), chain('23'), chain('24')].map((c) => insertInOrder(c)));
      release();
      await held;
      expect(await round).toEqual([
        [false, undefined, undefined],
        [true, true, true],
        [true, true, true],
      ]);
      expect(await besideIn(collection)).toBe(3);

      const relay = new OutboxRelay({ publisher: bed.publisher, db, logger, onceGraceMs: 0 });
      storesOf(new MongoPersistence({ db, leases: bed.leases, relay }), collection);
      expect(await relay.sweep()).toBe(3);
      for (const id of ['closed-f-21', 'closed-f-23', 'closed-f-24'])
        await bed.collector.waitForEvent((e) => e.id === id);
      // Every pointer goes, the first's too: f-22, never stored, is settled past the grace.
      await waitFor(async () => (await besideIn(collection)) === 0, { what: 'every pointer removed' });
      await relay.sweep();
      await relay.stop();
      await new Promise((r) => setTimeout(r, 500));
      for (const id of ['closed-f-21', 'closed-f-23', 'closed-f-24'])
        expect(bed.collector.events.filter((e) => e.id === id)).toHaveLength(1);
      expect(bed.collector.events.filter((e) => e.id === 'closed-f-22')).toHaveLength(0);
    });
  });
});
