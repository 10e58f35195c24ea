import { randomUUID } from 'node:crypto';
import { createEvent, type HomewardEvent } from '@homeward/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AggregateStore,
  type Doc,
  DocumentNotFound,
  IdChanged,
  type StoreOptions,
} from '../src/index.ts';

/** What the contract needs from an adapter under test. */
export interface ContractHarness {
  /** A store over a fresh, empty collection. */
  store<T extends Doc>(options?: StoreOptions): AggregateStore<T>;
  /**
   * The ids of every event published so far, in publication order (repeats included), once
   * each of `awaited` has been published at least once.
   */
  published(awaited: string[]): Promise<string[]>;
  /** The ids of the events kept in a document's stored outbox, oldest first. */
  storedOutbox(store: AggregateStore<Doc>, id: string): Promise<string[]>;
  close?(): Promise<void>;
}

/** A valid catalogue event keyed by its case id: the events of one case keep their order on the topic. */
export function caseClosed(caseId: string, id: string = randomUUID()): HomewardEvent {
  return createEvent(
    'homeward.case.closed',
    { caseId, closedAt: '2026-11-28T10:00:00Z', reason: 'contract test' },
    { source: 'test/persistence', id },
  ) as HomewardEvent;
}

interface Counter extends Doc {
  n: number;
  note?: string;
  history: string[];
}

interface Row extends Doc {
  region: string;
  rank: number;
  name: string;
  tags: string[];
  details: { size: number; colour?: string };
  at: Date;
}

const rows: Row[] = [
  {
    _id: 'r1',
    region: 'north',
    rank: 3,
    name: 'one',
    tags: ['a'],
    details: { size: 1 },
    at: new Date('2026-01-01'),
  },
  {
    _id: 'r2',
    region: 'north',
    rank: 1,
    name: 'two',
    tags: ['a', 'b'],
    details: { size: 2, colour: 'red' },
    at: new Date('2026-01-02'),
  },
  {
    _id: 'r3',
    region: 'south',
    rank: 2,
    name: 'three',
    tags: [],
    details: { size: 3 },
    at: new Date('2026-01-03'),
  },
  {
    _id: 'r4',
    region: 'north',
    rank: 3,
    name: 'four',
    tags: ['b'],
    details: { size: 4, colour: 'blue' },
    at: new Date('2026-01-04'),
  },
  {
    _id: 'r5',
    region: 'east',
    rank: 5,
    name: 'five',
    tags: ['c'],
    details: { size: 5 },
    at: new Date('2026-01-05'),
  },
  {
    _id: 'r6',
    region: 'north',
    rank: 0,
    name: 'six',
    tags: ['a'],
    details: { size: 6 },
    at: new Date('2026-01-06'),
  },
];

/**
 * The behaviour every {@link AggregateStore} adapter has: run over the memory adapter in the
 * unit tests and over MongoDB (FerretDB, Redis leases, the real outbox relay and Kafka) in the
 * integration tests, so the memory adapter a service's unit tests use behaves as production does.
 */
export function aggregateStoreContract(name: string, setup: () => Promise<ContractHarness>): void {
  describe(`AggregateStore contract: ${name}`, () => {
    let h: ContractHarness;
    beforeAll(async () => {
      h = await setup();
    });
    afterAll(async () => {
      await h?.close?.();
    });

    const counter = (id: string): Counter => ({ _id: id, n: 0, history: [] });
    /** What was published of `ids` (and of `watched`), in order, once all of `ids` were. */
    const publishedOf = async (ids: string[], watched: string[] = []) =>
      (await h.published(ids)).filter((x) => ids.includes(x) || watched.includes(x));

    it('inserts once: a second insert of the same _id is refused and neither stored nor published', async () => {
      const store = h.store<Counter>();
      const first = caseClosed('c-insert');
      const second = caseClosed('c-insert');
      expect(await store.insertOnce({ ...counter('c-insert'), note: 'first' }, [first])).toBe(true);
      expect(await store.insertOnce({ ...counter('c-insert'), note: 'second' }, [second])).toBe(false);
      expect(await store.get('c-insert')).toEqual({ ...counter('c-insert'), note: 'first' });
      expect(await h.storedOutbox(store, 'c-insert')).toEqual([first.id]);
      // A later event of the same case follows on its partition: had the refused one been
      // published, it would be there before it.
      const later = caseClosed('c-insert');
      await store.update('c-insert', (c) => ({ doc: { ...c, n: 1 }, events: [later] }));
      expect(await publishedOf([first.id, later.id], [second.id])).toEqual([first.id, later.id]);
    });

    it('inserts without events too, and reads back exactly what it stored', async () => {
      const store = h.store<Row>();
      const row = rows[1]!;
      expect(await store.insertOnce(row)).toBe(true);
      expect(await store.get(row._id)).toEqual(row);
      expect(await store.get('absent')).toBeNull();
      expect(await h.storedOutbox(store as unknown as AggregateStore<Doc>, row._id)).toEqual([]);
    });

    it('updates with events stored in the outbox and published exactly once, in order', async () => {
      const store = h.store<Counter>();
      const id = 'c-order';
      const [e1, e2, e3, e4] = [1, 2, 3, 4].map(() => caseClosed(id));
      await store.insertOnce(counter(id), [e1!]);
      const out = await store.update(id, (c) => ({
        doc: { ...c, n: c.n + 1, history: [...c.history, 'one'] },
        events: [e2!, e3!],
        result: 'first',
      }));
      expect(out).toEqual({ changed: true, doc: { _id: id, n: 1, history: ['one'] }, result: 'first' });
      await store.update(id, (c) => ({ doc: { ...c, n: c.n + 1 }, events: [e4!], result: undefined }));
      expect(await store.get(id)).toEqual({ _id: id, n: 2, history: ['one'] });
      const ids = [e1!, e2!, e3!, e4!].map((e) => e.id);
      expect(await h.storedOutbox(store, id)).toEqual(ids);
      expect(await publishedOf(ids)).toEqual(ids);
    });

    it('writes nothing when decide returns null', async () => {
      const store = h.store<Counter>();
      const id = 'c-null';
      const e1 = caseClosed(id);
      await store.insertOnce({ ...counter(id), n: 7 }, [e1]);
      const out = await store.update(id, (c) => {
        c.n = 99; // a decision that scribbles on its argument and then declines
        return null;
      });
      expect(out).toEqual({ changed: false, doc: { ...counter(id), n: 7 }, result: null });
      expect(await store.get(id)).toEqual({ ...counter(id), n: 7 });
      expect(await h.storedOutbox(store, id)).toEqual([e1.id]);
    });

    it('loses no change when 20 updates of one document race (the lease serialises them)', async () => {
      const store = h.store<Counter>();
      const id = 'c-race';
      await store.insertOnce(counter(id));
      const tag = randomUUID();
      const results = await Promise.all(
        Array.from({ length: 20 }, () =>
          store.update(id, (c) => {
            const n = c.n + 1;
            return {
              doc: { ...c, n, history: [...c.history, `w${n}`] },
              events: [caseClosed(id, `${tag}-${n}`)],
              result: n,
            };
          }),
        ),
      );
      expect(results.map((r) => r.result).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
      const doc = await store.get(id);
      expect(doc?.n).toBe(20);
      expect(doc?.history).toEqual(Array.from({ length: 20 }, (_, i) => `w${i + 1}`));
      const ids = Array.from({ length: 20 }, (_, i) => `${tag}-${i + 1}`);
      expect(await h.storedOutbox(store, id)).toEqual(ids);
      expect(await publishedOf(ids)).toEqual(ids);
    });

    it('signals a missing document: DocumentNotFound by default, the caller`s error if given', async () => {
      const store = h.store<Counter>();
      let called = false;
      const decide = (c: Counter) => {
        called = true;
        return { doc: c };
      };
      const err = await store.update('missing', decide).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DocumentNotFound);
      expect(err).toMatchObject({ collection: store.name, id: 'missing', code: 'PERSISTENCE_ERR_NOT_FOUND' });
      class NoSuchCase extends Error {}
      await expect(
        store.update('missing', decide, { notFound: () => new NoSuchCase('no case') }),
      ).rejects.toThrow(NoSuchCase);
      expect(called).toBe(false);
      expect(await store.count()).toBe(0);
    });

    it('refuses a decision that changes the _id, and writes nothing', async () => {
      const store = h.store<Counter>();
      await store.insertOnce(counter('c-id'));
      await expect(store.update('c-id', (c) => ({ doc: { ...c, _id: 'other', n: 1 } }))).rejects.toThrow(
        IdChanged,
      );
      expect(await store.get('c-id')).toEqual(counter('c-id'));
      expect(await store.get('other')).toBeNull();
    });

    it('stores the next state whole: a field the decision drops is gone, undefined counts as absent', async () => {
      const store = h.store<Counter>();
      await store.insertOnce({ ...counter('c-drop'), note: 'to drop' });
      await store.update('c-drop', ({ note: _note, ...rest }) => ({ doc: { ...rest, n: 1 } }));
      expect(await store.get('c-drop')).toEqual({ _id: 'c-drop', n: 1, history: [] });
      expect(Object.keys((await store.get('c-drop')) ?? {})).not.toContain('note');
      await store.update('c-drop', (c) => ({ doc: { ...c, note: 'back' } }));
      await store.update('c-drop', (c) => ({ doc: { ...c, note: undefined } }));
      expect(Object.keys((await store.get('c-drop')) ?? {}).sort()).toEqual(['_id', 'history', 'n']);
    });

    it('upserts: decide sees null and creates, then sees the document and changes it', async () => {
      const store = h.store<Counter>();
      const e1 = caseClosed('c-up');
      const e2 = caseClosed('c-up');
      const seen: Array<Counter | null> = [];
      const bump = (c: Counter | null) => {
        seen.push(c);
        const base = c ?? counter('c-up');
        return { doc: { ...base, n: base.n + 1 }, events: [c ? e2 : e1], result: base.n + 1 };
      };
      expect(await store.upsert('c-up', bump)).toEqual({
        changed: true,
        doc: { ...counter('c-up'), n: 1 },
        result: 1,
      });
      expect(await store.upsert('c-up', bump)).toEqual({
        changed: true,
        doc: { ...counter('c-up'), n: 2 },
        result: 2,
      });
      expect(seen).toEqual([null, { ...counter('c-up'), n: 1 }]);
      expect(await store.upsert('c-up', () => null)).toEqual({
        changed: false,
        doc: { ...counter('c-up'), n: 2 },
        result: null,
      });
      expect(await store.upsert('c-absent', () => null)).toEqual({ changed: false, doc: null, result: null });
      expect(await store.get('c-absent')).toBeNull();
      expect(await h.storedOutbox(store, 'c-up')).toEqual([e1.id, e2.id]);
      expect(await publishedOf([e1.id, e2.id])).toEqual([e1.id, e2.id]);
    });

    it('removes under a guard, after publishing what the outbox holds', async () => {
      const store = h.store<Counter>();
      const e1 = caseClosed('c-rm');
      await store.insertOnce({ ...counter('c-rm'), n: 1 }, [e1], { awaitPublish: false });
      expect(await store.remove('c-rm', (c) => c.n === 2)).toBe(false);
      expect(await store.get('c-rm')).not.toBeNull();
      expect(await store.remove('c-rm', (c) => c.n === 1)).toBe(true);
      expect(await store.get('c-rm')).toBeNull();
      expect(await store.remove('c-rm')).toBe(false);
      expect(await publishedOf([e1.id])).toEqual([e1.id]);
      // Gone means gone: it can be created anew.
      expect(await store.insertOnce(counter('c-rm'))).toBe(true);
    });

    it('publishes in the background when asked not to wait', async () => {
      const store = h.store<Counter>({ awaitPublish: false });
      const e1 = caseClosed('c-bg');
      const e2 = caseClosed('c-bg');
      await store.insertOnce(counter('c-bg'), [e1]);
      await store.update('c-bg', (c) => ({ doc: { ...c, n: 1 }, events: [e2] }), { awaitPublish: true });
      expect(await publishedOf([e1.id, e2.id])).toEqual([e1.id, e2.id]);
    });

    it('lists with a filter, sort, skip, limit and projection, and counts', async () => {
      const store = h.store<Row>();
      for (const row of rows) await store.insertOnce(row, [caseClosed(row._id)]);
      const ids = (docs: Array<Partial<Row>>) => docs.map((d) => d._id);
      expect(ids(await store.list({ region: 'north' }, { sort: { rank: -1 } }))).toEqual([
        'r1',
        'r4',
        'r2',
        'r6',
      ]);
      expect(ids(await store.list({ region: 'north' }, { sort: { rank: -1 }, skip: 1, limit: 2 }))).toEqual([
        'r4',
        'r2',
      ]);
      expect(ids(await store.list({}, { sort: { at: -1 }, limit: 2 }))).toEqual(['r6', 'r5']);
      expect(ids(await store.list({ rank: { $gte: 2, $lt: 5 } }, { sort: { _id: 1 } }))).toEqual([
        'r1',
        'r3',
        'r4',
      ]);
      expect(ids(await store.list({ region: { $in: ['south', 'east'] } }, { sort: { _id: -1 } }))).toEqual([
        'r5',
        'r3',
      ]);
      expect(ids(await store.list({ 'details.colour': { $exists: true } }, { sort: { _id: 1 } }))).toEqual([
        'r2',
        'r4',
      ]);
      expect(ids(await store.list({ tags: 'a' }, { sort: { _id: 1 } }))).toEqual(['r1', 'r2', 'r6']);
      expect(ids(await store.list({ $or: [{ rank: 0 }, { name: 'five' }] }, { sort: { _id: 1 } }))).toEqual([
        'r5',
        'r6',
      ]);
      expect(ids(await store.list({ at: { $gt: new Date('2026-01-04') } }, { sort: { _id: 1 } }))).toEqual([
        'r5',
        'r6',
      ]);
      expect((await store.list()).length).toBe(6);
      // Inclusion: only the named fields and _id; sorting on a field the projection leaves out.
      expect(
        await store.list<Pick<Row, '_id' | 'name'>>(
          { region: 'north' },
          { projection: { name: 1 }, sort: { rank: 1 } },
        ),
      ).toEqual([
        { _id: 'r6', name: 'six' },
        { _id: 'r2', name: 'two' },
        { _id: 'r1', name: 'one' },
        { _id: 'r4', name: 'four' },
      ]);
      // Exclusion: everything but the named fields.
      const [r3] = await store.list({ _id: 'r3' }, { projection: { details: 0, tags: 0, at: 0 } });
      expect(r3).toEqual({ _id: 'r3', region: 'south', rank: 2, name: 'three' });
      expect(await store.count()).toBe(6);
      expect(await store.count({ region: 'north' })).toBe(4);
      expect(await store.count({ region: 'west' })).toBe(0);
    });

    it('never returns the outbox, whatever the read', async () => {
      const store = h.store<Row>();
      const e1 = caseClosed('r1');
      // Even a document that arrives with an outbox field of its own stores only its events.
      await store.insertOnce({ ...rows[0]!, outbox: ['forged'] } as Row, [e1]);
      await store.update('r1', (r) => ({ doc: { ...r, rank: 9 }, events: [caseClosed('r1')] }));
      const reads: unknown[] = [
        await store.get('r1'),
        ...(await store.list()),
        ...(await store.list({}, { projection: { outbox: 1, name: 1 } })),
        ...(await store.list({}, { projection: { name: 0 } })),
        ...(await store.list({}, { projection: { 'outbox.event': 1 } })),
        (await store.update('r1', (r) => ({ doc: r }))).doc,
      ];
      for (const doc of reads) expect(Object.keys(doc as object)).not.toContain('outbox');
      expect((await h.storedOutbox(store as unknown as AggregateStore<Doc>, 'r1')).length).toBe(2);
    });

    it('keeps stored state apart from the objects callers hold', async () => {
      const store = h.store<Counter>();
      const doc = counter('c-copy');
      await store.insertOnce(doc);
      doc.history.push('mutated after insert');
      const read = await store.get('c-copy');
      read?.history.push('mutated after read');
      const next = { ...counter('c-copy'), n: 1 };
      const out = await store.update('c-copy', () => ({ doc: next }));
      next.history.push('mutated after update');
      out.doc.history.push('mutated the result');
      expect(await store.get('c-copy')).toEqual({ ...counter('c-copy'), n: 1 });
    });
  });
}
