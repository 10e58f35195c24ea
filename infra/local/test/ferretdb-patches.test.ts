import { type Db, MongoClient, ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localEndpoints } from '../src/index.ts';

/** What FerretDB's `explain` says of a find: whether the filter went to SQLite, and SQLite's plan. */
async function plan(db: Db, filter: object): Promise<{ pushed: boolean; plan: string }> {
  const r = await db.command({ explain: { find: 'p', filter } });
  return { pushed: r.filterPushdown === true, plan: JSON.stringify(r.queryPlanner) };
}

/** MongoDB's (and FerretDB's) order of strings: their UTF-8 bytes'. */
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

// The launcher's FerretDB (SQLite) is built with our patches (src/components/ferretdb.ts): these
// are their observable effects, on that server. HOMEWARD_FERRETDB_PATCHES_URL points them at
// another FerretDB, e.g. one built from changed patches and started beside the launcher's
// (startFerretDb with a name and port of its own), so the shared one stays as it is.
const mongoUrl = process.env.HOMEWARD_FERRETDB_PATCHES_URL || localEndpoints.mongoUrl;

// _ids for the $gte/$lt range (the outbox sweep's shape, around 'r:' .. 'r;'). The pushed-down
// SQL compares the _ids' JSON text, whose escapes and closing quote sort unlike the strings: these
// sit at and around the bounds (the upper one itself too), with characters JSON escapes or that
// sort below the closing quote (space, "!") after the prefix, and numbers and ObjectIds beside.
const ranged: (string | number | ObjectId)[] = [
  'r',
  'r9',
  'r:',
  'r: x',
  'r:!x',
  'r:"q',
  'r:#',
  'r:&',
  'r:<',
  'r:\n',
  'r:\\',
  'r:a',
  'r:~',
  'r:\u2028',
  'r:é',
  'r:😀',
  'r;',
  'r;a',
  'r<',
  'r\\',
  'q~',
  's',
  'A',
  'a<',
  'aA',
  '65',
  '6',
  42,
  -1.5,
  new ObjectId('65a1b2c3d4e5f60718293a4b'),
  new ObjectId('000000000000000000000001'),
];
const stringsIn = (gte: string, lt: string) =>
  ranged
    .filter((id): id is string => typeof id === 'string')
    .filter((id) => byteOrder(id, gte) >= 0 && byteOrder(id, lt) < 0)
    .sort(byteOrder);
const ids = (docs: { _id: unknown }[]) =>
  docs
    .map((d) => d._id)
    .filter((id): id is string => typeof id === 'string')
    .sort(byteOrder);

describe("the launcher's FerretDB", () => {
  let client: MongoClient;
  let db: Db;
  beforeAll(async () => {
    client = await new MongoClient(mongoUrl).connect();
    db = client.db(`ferretdb_patches_${Date.now().toString(36)}`);
    const docs = Array.from({ length: 1_200 }, (_, i) => ({ _id: `d${i}` }));
    await db.collection<{ _id: string }>('p').insertMany(docs);
    await db.collection<{ _id: string | number | ObjectId }>('r').insertMany(ranged.map((_id) => ({ _id })));
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

  it('looks a $gte/$lt range of string _ids up by the _id index; other ranges scan', async () => {
    for (const filter of [
      { _id: { $gte: 'r:', $lt: 'r;' } },
      { _id: { $lt: 'r;', $gte: 'r:' } },
      { _id: { $gte: 'outbox:', $lt: 'outbox;' } },
    ]) {
      const p = await plan(db, filter);
      expect(p.pushed).toBe(true);
      expect(p.plan).toMatch(/SEARCH \S+ USING INDEX \S+ \(<expr>>\? AND <expr><\?\)/);
    }
    for (const filter of [
      { _id: { $gte: 'r:' } },
      { _id: { $lt: 'r;' } },
      { _id: { $gt: 'r:', $lte: 'r;' } },
      { _id: { $gte: 'r:', $lt: 5 } },
      { _id: { $gte: 1, $lt: 50 } },
      {
        _id: {
          $gte: new ObjectId('000000000000000000000000'),
          $lt: new ObjectId('ffffffffffffffffffffffff'),
        },
      },
      { _id: { $gte: 'r:', $lt: 'r;', $ne: 'r:a' } },
      { _id: { $gte: 'r;', $lt: 'r:' } },
    ]) {
      const p = await plan(db, filter);
      expect(p.pushed).toBe(false);
      expect(p.plan).toMatch(/SCAN/);
    }
  });

  it('finds and deletes by a string range exactly what the filter says, pushed down or not', async () => {
    const col = db.collection<{ _id: string | number | ObjectId }>('r');
    // Pushed down: the sweep's shape; bounds JSON escapes, or with a space after the prefix; a
    // range that holds ObjectIds' text (quoted hex) but matches only strings. Not pushed down, and
    // as exact: an inverted range, non-ASCII where the bounds part.
    for (const [gte, lt, pushed] of [
      ['r:', 'r;', true],
      ['r: ', 'r:a', true],
      ['r:<', 'r:=', true],
      ['r:\n', 'r:!', true],
      ['', 'r:', true],
      ['0', 'g', true],
      ['A', 'a', true],
      ['q', 's', true],
      ['r;', 'r:', false],
      ['r:é', 'r:😀', false],
    ] as const) {
      const range = `${JSON.stringify(gte)}..${JSON.stringify(lt)}`;
      expect((await plan(db, { _id: { $gte: gte, $lt: lt } })).pushed, range).toBe(pushed);
      const found = await col.find({ _id: { $gte: gte, $lt: lt } }).toArray();
      expect(found.length, range).toBe(ids(found).length);
      expect(ids(found), range).toEqual(stringsIn(gte, lt));
    }
    expect(await col.find({ _id: { $gte: 'r:', $lt: 'r;' } }).toArray()).toHaveLength(14);
    // Not pushed down: the same answers.
    expect(ids(await col.find({ _id: { $gte: 'r:' } }).toArray())).toEqual(stringsIn('r:', '\u{10FFFF}'));
    expect(ids(await col.find({ _id: { $gt: 'r:', $lte: 'r;' } }).toArray())).toEqual([
      ...stringsIn('r:', 'r;').slice(1),
      'r;',
    ]);
    expect(await col.countDocuments({ _id: { $gte: 'r:', $lt: 5 } })).toBe(0);
    expect(await col.countDocuments({ _id: { $gte: -2, $lt: 50 } })).toBe(2);

    const swept = stringsIn('r:', 'r;');
    expect((await col.deleteMany({ _id: { $gte: 'r:', $lt: 'r;' } })).deletedCount).toBe(swept.length);
    const left = await col.find({}).toArray();
    expect(left).toHaveLength(ranged.length - swept.length);
    expect(ids(left)).toEqual(stringsIn('', '\u{10FFFF}').filter((id) => !swept.includes(id)));
    expect(await col.findOne({ _id: 'r;' })).toEqual({ _id: 'r;' });
    expect(await col.countDocuments({ _id: { $in: [42, -1.5] } })).toBe(2);
    expect(await col.countDocuments({ _id: new ObjectId('65a1b2c3d4e5f60718293a4b') })).toBe(1);
    expect((await col.deleteMany({ _id: { $gte: '0', $lt: 'g' } })).deletedCount).toBe(
      stringsIn('0', 'g').length,
    );
    expect(await col.countDocuments()).toBe(ranged.length - swept.length - stringsIn('0', 'g').length);
  });
});
