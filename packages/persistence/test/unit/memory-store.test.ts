import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type AggregateStore,
  type Doc,
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
