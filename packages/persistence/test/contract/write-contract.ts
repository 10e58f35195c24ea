import { randomUUID } from 'node:crypto';
import type { HomewardEvent } from '@homeward/events';
import { expect, it } from 'vitest';
import { type Doc, DocumentNotFound, IdChanged, InvalidEvents } from '../../src/index.ts';
import { type ContractHarness, caseClosed } from './harness.ts';

interface Counter extends Doc {
  n: number;
  note?: string;
  history: string[];
}

/** Writes: insert once, update under the lease with events, upsert, remove; races; copies. */
export function writeContract(harness: () => ContractHarness): void {
  const counter = (id: string): Counter => ({ _id: id, n: 0, history: [] });
  /** What was published of `ids` (and of `watched`), in order, once all of `ids` were. */
  const publishedOf = async (ids: string[], watched: string[] = []) =>
    (await harness().published(ids)).filter((x) => ids.includes(x) || watched.includes(x));

  it('inserts once: a second insert of the same _id is refused and neither stored nor published', async () => {
    const store = harness().store<Counter>();
    const first = caseClosed('c-insert');
    const second = caseClosed('c-insert');
    expect(await store.insertOnce({ ...counter('c-insert'), note: 'first' }, [first])).toBe(true);
    expect(await store.insertOnce({ ...counter('c-insert'), note: 'second' }, [second])).toBe(false);
    expect(await store.get('c-insert')).toEqual({ ...counter('c-insert'), note: 'first' });
    expect(await harness().storedOutbox(store, 'c-insert')).toEqual([first.id]);
    // A later event of the same case follows on its partition: had the refused one been
    // published, it would be there before it.
    const later = caseClosed('c-insert');
    await store.update('c-insert', (c) => ({ doc: { ...c, n: 1 }, events: [later] }));
    expect(await publishedOf([first.id, later.id], [second.id])).toEqual([first.id, later.id]);
  });

  it('inserts without events too, and reads back exactly what it stored', async () => {
    type Rich = Counter & { at: Date; nested: { list: Array<{ k: string; v: number | null }> } };
    const store = harness().store<Rich>();
    const doc: Rich = {
      ...counter('c-rich'),
      history: ['x'],
      at: new Date('2026-11-28T10:00:00.123Z'),
      nested: {
        list: [
          { k: 'a', v: 1.5 },
          { k: 'b', v: null },
        ],
      },
    };
    expect(await store.insertOnce(doc)).toBe(true);
    const read = await store.get('c-rich');
    expect(read).toEqual(doc);
    expect(read?.at).toBeInstanceOf(Date);
    expect(await store.get('absent')).toBeNull();
    expect(await harness().storedOutbox(store, 'c-rich')).toEqual([]);
  });

  it('updates with events stored in the outbox and published exactly once, in order', async () => {
    const store = harness().store<Counter>();
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
    expect(await harness().storedOutbox(store, id)).toEqual(ids);
    expect(await publishedOf(ids)).toEqual(ids);
  });

  it('writes nothing when decide returns null', async () => {
    const store = harness().store<Counter>();
    const id = 'c-null';
    const e1 = caseClosed(id);
    await store.insertOnce({ ...counter(id), n: 7 }, [e1]);
    const out = await store.update(id, (c) => {
      c.n = 99; // a decision that scribbles on its argument and then declines
      return null;
    });
    expect(out).toEqual({ changed: false, doc: { ...counter(id), n: 7 }, result: null });
    expect(await store.get(id)).toEqual({ ...counter(id), n: 7 });
    expect(await harness().storedOutbox(store, id)).toEqual([e1.id]);
  });

  it('loses no change when 20 updates of one document race (the lease serialises them)', async () => {
    const store = harness().store<Counter>();
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
    expect(await harness().storedOutbox(store, id)).toEqual(ids);
    expect(await publishedOf(ids)).toEqual(ids);
  });

  it('signals a missing document: DocumentNotFound by default, the caller`s error if given', async () => {
    const store = harness().store<Counter>();
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
    const store = harness().store<Counter>();
    await store.insertOnce(counter('c-id'));
    await expect(store.update('c-id', (c) => ({ doc: { ...c, _id: 'other', n: 1 } }))).rejects.toThrow(
      IdChanged,
    );
    expect(await store.get('c-id')).toEqual(counter('c-id'));
    expect(await store.get('other')).toBeNull();
  });

  it('stores the next state whole: a field the decision drops is gone, undefined counts as absent', async () => {
    const store = harness().store<Counter>();
    await store.insertOnce({ ...counter('c-drop'), note: 'to drop' });
    await store.update('c-drop', ({ note: _note, ...rest }) => ({ doc: { ...rest, n: 1 } }));
    expect(await store.get('c-drop')).toEqual({ _id: 'c-drop', n: 1, history: [] });
    expect(Object.keys((await store.get('c-drop')) ?? {})).not.toContain('note');
    await store.update('c-drop', (c) => ({ doc: { ...c, note: 'back' } }));
    await store.update('c-drop', (c) => ({ doc: { ...c, note: undefined } }));
    expect(Object.keys((await store.get('c-drop')) ?? {}).sort()).toEqual(['_id', 'history', 'n']);
  });

  it('upserts: decide sees null and creates, then sees the document and changes it', async () => {
    const store = harness().store<Counter>();
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
    expect(await harness().storedOutbox(store, 'c-up')).toEqual([e1.id, e2.id]);
    expect(await publishedOf([e1.id, e2.id])).toEqual([e1.id, e2.id]);
  });

  it('decides again when an insert outside the lease creates the document during an upsert', async () => {
    const store = harness().store<Counter>();
    const seen: Array<number | null> = [];
    const out = await store.upsert('c-up-late', async (c) => {
      seen.push(c?.n ?? null);
      // Another writer's insertOnce lands while this decision is being made.
      if (!c && seen.length === 1) await store.insertOnce({ ...counter('c-up-late'), n: 100 });
      const base = c ?? counter('c-up-late');
      return { doc: { ...base, n: base.n + 1 }, result: base.n + 1 };
    });
    expect(seen).toEqual([null, 100]);
    expect(out).toEqual({ changed: true, doc: { ...counter('c-up-late'), n: 101 }, result: 101 });
    expect((await store.get('c-up-late'))?.n).toBe(101);
  });

  it('removes under a guard, after publishing what the outbox holds', async () => {
    const store = harness().store<Counter>();
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
    const store = harness().store<Counter>({ awaitPublish: false });
    const e1 = caseClosed('c-bg');
    const e2 = caseClosed('c-bg');
    await store.insertOnce(counter('c-bg'), [e1]);
    await store.update('c-bg', (c) => ({ doc: { ...c, n: 1 }, events: [e2] }), { awaitPublish: true });
    expect(await publishedOf([e1.id, e2.id])).toEqual([e1.id, e2.id]);
  });

  it('inserts once however many writers race for the same _id', async () => {
    const store = harness().store<Counter>();
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) => store.insertOnce({ ...counter('c-insert-race'), n: i })),
    );
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    expect(await store.count()).toBe(1);
    expect(await store.get('c-insert-race')).toEqual({
      ...counter('c-insert-race'),
      n: outcomes.indexOf(true),
    });
  });

  it('facts with events racing in one group-commit round: one copy stored and published once, the rest of the round too', async () => {
    // What intake's reports do with no read first: copies of one report inserted at once,
    // sharing insert rounds with other reports; a duplicate `_id` fails alone.
    const store = harness().store<Counter>({ insertOnly: true });
    const copies = Array.from({ length: 5 }, () => caseClosed('c-fact-race'));
    const others = Array.from({ length: 5 }, (_, i) => caseClosed(`c-fact-${i}`));
    const outcomes = await Promise.all([
      ...copies.map((e, i) => store.insertOnce({ ...counter('c-fact-race'), n: i }, [e])),
      ...others.map((e, i) => store.insertOnce(counter(`c-fact-${i}`), [e])),
    ]);
    expect(outcomes.slice(0, 5).filter(Boolean)).toHaveLength(1);
    expect(outcomes.slice(5)).toEqual(Array(5).fill(true));
    const winner = copies[outcomes.indexOf(true)]!;
    const ids = [winner.id, ...others.map((e) => e.id)];
    const published = await harness().published(ids);
    for (const id of ids) expect(published.filter((x) => x === id)).toHaveLength(1);
    for (const e of copies) if (e !== winner) expect(published).not.toContain(e.id);
    expect(await harness().storedOutbox(store as never, 'c-fact-race')).toEqual([winner.id]);
    expect(await store.get('c-fact-race')).toMatchObject({ n: outcomes.indexOf(true) });
  });

  it('creates once and loses no change when upserts of a new document race', async () => {
    const store = harness().store<Counter>();
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        store.upsert('c-up-race', (c) => {
          const base = c ?? counter('c-up-race');
          return { doc: { ...base, n: base.n + 1 }, result: c === null };
        }),
      ),
    );
    expect(results.filter((r) => r.result === true)).toHaveLength(1);
    expect((await store.get('c-up-race'))?.n).toBe(10);
  });

  it('refuses events the catalogue refuses, before writing anything', async () => {
    const store = harness().store<Counter>();
    const bad = { ...caseClosed('c-bad'), data: { caseId: 'c-bad' } } as HomewardEvent;
    await expect(store.insertOnce(counter('c-bad'), [bad])).rejects.toThrow(InvalidEvents);
    expect(await store.get('c-bad')).toBeNull();
    await store.insertOnce(counter('c-bad'));
    const err = await store.update('c-bad', (c) => ({ doc: { ...c, n: 1 }, events: [bad] })).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidEvents);
    expect(err).toMatchObject({ code: 'PERSISTENCE_ERR_INVALID_EVENT', problems: [{ eventId: bad.id }] });
    expect(await store.get('c-bad')).toEqual(counter('c-bad'));
    expect(await harness().storedOutbox(store, 'c-bad')).toEqual([]);
  });

  it('keeps stored state apart from the objects callers hold', async () => {
    const store = harness().store<Counter>();
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
}
