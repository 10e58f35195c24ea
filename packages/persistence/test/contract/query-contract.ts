import { expect, it } from 'vitest';
import type { AggregateStore, Doc } from '../../src/index.ts';
import { type ContractHarness, caseClosed } from './harness.ts';

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

/** Reads: list with filters, sorts, pages and projections; count; the outbox never read back. */
export function queryContract(harness: () => ContractHarness): void {
  it('lists with a filter, sort, skip, limit and projection, and counts', async () => {
    const store = harness().store<Row>();
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

  it('implements the filter operators the README promises, as FerretDB does', async () => {
    const store = harness().store<Row>();
    for (const row of rows) await store.insertOnce(row);
    const ids = async (filter: Parameters<typeof store.list>[0]) =>
      (await store.list(filter, { sort: { _id: 1 } })).map((d) => d._id);
    expect(await ids({ region: { $eq: 'south' } })).toEqual(['r3']);
    expect(await ids({ region: { $ne: 'north' } })).toEqual(['r3', 'r5']);
    expect(await ids({ region: { $nin: ['north', 'east'] } })).toEqual(['r3']);
    expect(await ids({ rank: { $lte: 1 } })).toEqual(['r2', 'r6']);
    expect(await ids({ rank: { $gt: 3 } })).toEqual(['r5']);
    expect(await ids({ 'details.colour': { $exists: false } })).toEqual(['r1', 'r3', 'r5', 'r6']);
    expect(await ids({ 'details.size': { $in: [2, 3] } })).toEqual(['r2', 'r3']);
    expect(await ids({ $and: [{ region: 'north' }, { rank: 3 }] })).toEqual(['r1', 'r4']);
    expect(await ids({ $nor: [{ region: 'north' }, { rank: 2 }] })).toEqual(['r5']);
    expect(await ids({ rank: { $not: { $gte: 2 } } })).toEqual(['r2', 'r6']);
    expect(await ids({ name: { $regex: '^t' } })).toEqual(['r2', 'r3']);
    expect(await ids({ tags: { $size: 2 } })).toEqual(['r2']);
    expect(await ids({ tags: { $all: ['a', 'b'] } })).toEqual(['r2']);
    expect(await ids({ tags: { $elemMatch: { $eq: 'c' } } })).toEqual(['r5']);
    expect(await ids({ _id: 'r4' })).toEqual(['r4']);
    expect(await ids({ _id: { $in: ['r1', 'r6', 'nope'] } })).toEqual(['r1', 'r6']);
    expect(await ids({ region: 'north', 'details.size': { $gte: 4 } })).toEqual(['r4', 'r6']);
    // A sort on a nested field, and a limit of 0 meaning none (as MongoDB reads it).
    expect((await store.list({}, { sort: { 'details.size': -1 }, limit: 0 })).map((d) => d._id)).toEqual([
      'r6',
      'r5',
      'r4',
      'r3',
      'r2',
      'r1',
    ]);
  });

  it('never returns the outbox, whatever the read', async () => {
    const store = harness().store<Row>();
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
    expect((await harness().storedOutbox(store as unknown as AggregateStore<Doc>, 'r1')).length).toBe(2);
  });
}
