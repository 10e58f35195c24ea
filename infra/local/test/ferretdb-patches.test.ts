import { type Db, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localEndpoints } from '../src/index.ts';

/** What FerretDB's `explain` says of a find: whether the filter went to SQLite, and SQLite's plan. */
async function plan(db: Db, filter: object): Promise<{ pushed: boolean; plan: string }> {
  const r = await db.command({ explain: { find: 'p', filter } });
  return { pushed: r.filterPushdown === true, plan: JSON.stringify(r.queryPlanner) };
}

// The launcher's FerretDB (SQLite) is built with our patches (src/components/ferretdb.ts): these
// are their observable effects, on that server.
describe("the launcher's FerretDB", () => {
  let client: MongoClient;
  let db: Db;
  beforeAll(async () => {
    client = await new MongoClient(localEndpoints.mongoUrl).connect();
    db = client.db(`ferretdb_patches_${Date.now().toString(36)}`);
    const docs = Array.from({ length: 1_200 }, (_, i) => ({ _id: `d${i}` }));
    await db.collection<{ _id: string }>('p').insertMany(docs);
  });
  afterAll(async () => {
    await db.dropDatabase();
    await client.close();
  });

  it('looks an exact _id and an $in of _ids up by the _id index; anything else scans', async () => {
    for (const filter of [{ _id: 'd1' }, { _id: { $in: ['d1', 'd2', 'absent'] } }]) {
      const p = await plan(db, filter);
      expect(p.pushed).toBe(true);
      expect(p.plan).toMatch(/SEARCH \S+ USING INDEX/);
    }
    // Not all strings, or more than 1,000 ids: no pushdown (FerretDB filters it itself).
    const many = Array.from({ length: 1_001 }, (_, i) => `d${i}`);
    for (const filter of [{ _id: { $in: ['d1', 2] } }, { _id: { $in: many } }, { _id: { $nin: ['d1'] } }]) {
      const p = await plan(db, filter);
      expect(p.pushed).toBe(false);
      expect(p.plan).toMatch(/SCAN/);
    }
  });

  it('finds and deletes by $in exactly what the filter says, pushed down or not', async () => {
    const col = db.collection<{ _id: string | number }>('p');
    const found = await col.find({ _id: { $in: ['d3', 'd4', 'absent'] } }).toArray();
    expect(found.map((d) => d._id).sort()).toEqual(['d3', 'd4']);
    expect((await col.deleteMany({ _id: { $in: ['d5', 'd6', 'absent'] } })).deletedCount).toBe(2);
    expect((await col.deleteMany({ _id: { $in: ['d7', 8] } })).deletedCount).toBe(1);
    const many = Array.from({ length: 1_001 }, (_, i) => `d${i + 100}`);
    expect((await col.deleteMany({ _id: { $in: many } })).deletedCount).toBe(1_001);
    expect(await col.countDocuments()).toBe(1_200 - 2 - 1 - 1_001);
    expect(await col.findOne({ _id: 'd5' })).toBeNull();
    expect(await col.findOne({ _id: 'd9' })).toEqual({ _id: 'd9' });
  });
});
