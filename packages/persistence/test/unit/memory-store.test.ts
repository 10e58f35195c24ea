import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type AggregateStore,
  type Doc,
  insertInOrder,
  linkOf,
  type MemoryAggregateStore,
  MemoryPersistence,
} from '../../src/index.ts';
import { aggregateStoreContract, caseClosed } from '../contract/aggregate-store-contract.ts';

aggregateStoreContract('memory', async () => {
  const persistence = new MemoryPersistence();
  return {
    store: <T extends Doc>() => persistence.aggregate<T>(`c-${randomUUID()}`),
    published: async () => persistence.outbox.published.map((e) => e.id),
    storedOutbox: async (store: AggregateStore<Doc>, id: string) =>
      (store as MemoryAggregateStore<Doc>).storedOutbox(id).map((e) => e.id),
  };
});

describe('MemoryPersistence', () => {
  it('gives one store per collection name, all publishing to one outbox in order', async () => {
    const p = new MemoryPersistence();
    const e1 = caseClosed('a');
    const e2 = caseClosed('b');
    await p.aggregate<Doc>('cases').insertOnce({ _id: 'a' }, [e1]);
    expect(await p.aggregate<Doc>('cases').get('a')).toEqual({ _id: 'a' });
    await p.facts<Doc>('facts').insertOnce({ _id: 'b' }, [e2]);
    expect(p.outbox.published.map((e) => e.id)).toEqual([e1.id, e2.id]);
    expect(p.outbox.ofType('homeward.case.closed').map((e) => e.data.caseId)).toEqual(['a', 'b']);
    p.outbox.clear();
    expect(p.outbox.published).toEqual([]);
  });

  it('inserts a chain link by link, each only if the ones before it went in (insertInOrder)', async () => {
    const p = new MemoryPersistence();
    const claims = p.aggregate<Doc>('claims');
    const facts = p.facts<Doc>('facts');
    const chain = (claim: string, fact: string) => [
      linkOf(claims, { _id: claim }),
      linkOf(facts, { _id: fact }, [caseClosed(fact, `closed-${fact}`)]),
      linkOf(p.aggregate<Doc>('cases'), { _id: `k-${fact}` }),
    ];
    expect(await insertInOrder(chain('c-1', 'f-1'))).toEqual([true, true, true]);
    expect(await insertInOrder(chain('c-1', 'f-2'))).toEqual([false, undefined, undefined]);
    expect(await insertInOrder(chain('c-2', 'f-1'))).toEqual([true, false, undefined]);
    expect(await facts.get('f-2')).toBeNull();
    expect(await p.aggregate<Doc>('cases').get('k-f-2')).toBeNull();
    expect(await claims.get('c-2')).toEqual({ _id: 'c-2' });
    expect(p.outbox.published.map((e) => e.id)).toEqual(['closed-f-1']);
  });

  it('hands out copies of what was published', async () => {
    const p = new MemoryPersistence();
    await p.aggregate<Doc>('cases').insertOnce({ _id: 'a' }, [caseClosed('a')]);
    const [first] = p.outbox.published;
    (first as { id: string }).id = 'changed';
    expect(p.outbox.published[0]?.id).not.toBe('changed');
  });

  it('releases the lease when decide throws, and writes nothing', async () => {
    const p = new MemoryPersistence();
    const store = p.aggregate<Doc & { n: number }>('cases');
    await store.insertOnce({ _id: 'a', n: 0 });
    await expect(
      store.update('a', () => {
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    const out = await store.update('a', (c) => ({ doc: { ...c, n: 1 }, result: 'ok' }));
    expect(out.result).toBe('ok');
    expect(p.outbox.published).toEqual([]);
  });
});
