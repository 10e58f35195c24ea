import { type Db, Double, MongoClient, ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localEndpoints } from '../src/index.ts';

/** A node of PostgreSQL's plan (EXPLAIN (FORMAT JSON)), as FerretDB's explain returns it. */
interface PgNode {
  'Node Type': string;
  'Index Cond'?: string;
  Plans?: PgNode[];
}

/**
 * What FerretDB's `explain` says of a find: whether the filter went to the database, its plan's
 * text, and whether the plan reads the `_id` index: SQLite's `SEARCH ... USING INDEX`, or
 * PostgreSQL's (Bitmap) Index Scan, whose index conditions `conds` holds.
 */
async function plan(
  db: Db,
  filter: object,
): Promise<{ pushed: boolean; plan: string; indexed: boolean; conds: string }> {
  const r = await db.command({ explain: { find: 'p', filter } });
  const text = JSON.stringify(r.queryPlanner);
  const root = (r.queryPlanner as { Plan?: unknown }).Plan;
  if (typeof root === 'object' && root !== null && 'Node Type' in root) {
    const nodes: PgNode[] = [];
    const walk = (n: PgNode) => {
      nodes.push(n);
      for (const c of n.Plans ?? []) walk(c);
    };
    walk(root as PgNode);
    const indexScans = nodes.filter((n) => /^(Index|Index Only|Bitmap Index) Scan$/.test(n['Node Type']));
    const conds = indexScans.map((n) => n['Index Cond'] ?? '').join(' AND ');
    return { pushed: r.filterPushdown === true, plan: text, indexed: indexScans.length > 0, conds };
  }
  return {
    pushed: r.filterPushdown === true,
    plan: text,
    indexed: /SEARCH \S+ USING INDEX/.test(text),
    conds: '',
  };
}

/** PostgreSQL's text of a pushed-down `_id` comparison with a string, as an index condition. */
const pgCond = (op: string, value: string) =>
  `_jsonb -> '_id'::text) ${op} '${JSON.stringify(value)}'::jsonb`;

/** MongoDB's (and FerretDB's) order of strings: their UTF-8 bytes'. */
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

// The launcher's FerretDB is built with our patches (src/components/ferretdb.ts): these are their
// observable effects, on that server, on SQLite (the default) or PostgreSQL (the plans tell
// which). In a run on given infrastructure (MONGO_URL and the rest in the environment, as
// `npm run test:other-backend` gives its FerretDB on the other backend) they are that server's.
// HOMEWARD_FERRETDB_PATCHES_URL points them at another FerretDB, e.g. one built from changed
// patches and started beside the launcher's (startFerretDb with a name and port of its own), so
// the shared one stays as it is.
const mongoUrl =
  process.env.HOMEWARD_FERRETDB_PATCHES_URL ||
  (process.env.HOMEWARD_TEST_INFRA === 'environment' ? process.env.MONGO_URL : undefined) ||
  localEndpoints.mongoUrl;

// _ids for the $gte/$lt range (the outbox sweep's shape, around 'r:' .. 'r;'). The pushed-down
// SQL compares the _ids' JSON text, whose escapes and closing quote sort unlike the strings: these
// sit at and around the bounds (the upper one itself too), with characters JSON escapes or that
// sort below the closing quote (space, "!") after the prefix, and numbers, a boolean and ObjectIds
// beside. PostgreSQL compares jsonb: strings bytewise (the C collation), below numbers, booleans
// and documents; an ObjectId is its hex string there, so one sits inside some string ranges.
const ranged: (string | number | boolean | ObjectId)[] = [
  '',
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
  true,
  new ObjectId('65a1b2c3d4e5f60718293a4b'),
  new ObjectId('000000000000000000000001'),
];
type Range = { $gt?: string; $gte?: string; $lt?: string; $lte?: string };
/** The string _ids of `ranged` a range of strings matches (no other type can), in order. */
const matching = (range: Range) =>
  ranged
    .filter((id): id is string => typeof id === 'string')
    .filter(
      (id) =>
        (range.$gt === undefined || byteOrder(id, range.$gt) > 0) &&
        (range.$gte === undefined || byteOrder(id, range.$gte) >= 0) &&
        (range.$lt === undefined || byteOrder(id, range.$lt) < 0) &&
        (range.$lte === undefined || byteOrder(id, range.$lte) <= 0),
    )
    .sort(byteOrder);
const stringsIn = ($gte: string, $lt: string) => matching({ $gte, $lt });
const ids = (docs: { _id: unknown }[]) =>
  docs
    .map((d) => d._id)
    .filter((id): id is string => typeof id === 'string')
    .sort(byteOrder);

describe("the launcher's FerretDB", () => {
  let client: MongoClient;
  let db: Db;
  let backend: 'sqlite' | 'postgresql';
  beforeAll(async () => {
    client = await new MongoClient(mongoUrl).connect();
    db = client.db(`ferretdb_patches_${Date.now().toString(36)}`);
    const docs = Array.from({ length: 1_200 }, (_, i) => ({ _id: `d${i}` }));
    await db.collection<{ _id: string }>('p').insertMany(docs);
    await db
      .collection<{ _id: string | number | boolean | ObjectId }>('r')
      .insertMany(ranged.map((_id) => ({ _id })));
    backend = (await plan(db, { _id: 'd1' })).plan.includes('"Node Type"') ? 'postgresql' : 'sqlite';
    // PostgreSQL plans by the table's statistics: collStats runs ANALYZE there, so a range that
    // holds no document is planned as one (not the planner's default guess for a fresh table).
    if (backend === 'postgresql') await db.command({ collStats: 'p' });
  });
  afterAll(async () => {
    await db.dropDatabase();
    await client.close();
  });

  it('looks an exact _id (on SQLite an $in of _ids too) up by the _id index; anything else scans', async () => {
    const p = await plan(db, { _id: 'd1' });
    expect(p.pushed).toBe(true);
    expect(p.indexed, p.plan).toBe(true);
    if (backend === 'postgresql') expect(p.conds).toContain(pgCond('=', 'd1'));
    // PostgreSQL: no $in pushdown (our $in patch is SQLite's).
    const inFilter = { _id: { $in: ['d1', 'd2', 'absent'] } };
    const inPlan = await plan(db, inFilter);
    expect(inPlan.pushed).toBe(backend === 'sqlite');
    expect(inPlan.indexed, inPlan.plan).toBe(backend === 'sqlite');
    // Not all strings, or more than 1,000 ids: no pushdown (FerretDB filters it itself).
    const many = Array.from({ length: 1_001 }, (_, i) => `d${i}`);
    for (const filter of [{ _id: { $in: ['d1', 2] } }, { _id: { $in: many } }, { _id: { $nin: ['d1'] } }]) {
      const p = await plan(db, filter);
      expect(p.pushed).toBe(false);
      expect(p.indexed, p.plan).toBe(false);
      expect(p.plan).toMatch(backend === 'sqlite' ? /SCAN/ : /"Node Type":"Seq Scan"/);
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

  it('deletes by string _ids (the outbox removing its pointers) exactly what the filter names, and counts it', async () => {
    // Our delete patch goes by _id for { _id: <string> } and { _id: { $in: [<string>...] } }
    // without reading the documents first; JSON's escapes must not make it miss one.
    const strings = ranged.filter((id): id is string => typeof id === 'string');
    const col = db.collection<{ _id: string | number | Double | ObjectId | { k: string }; n?: number }>(
      'del',
    );
    await col.insertMany([
      ...strings.map((_id) => ({ _id, n: 1 })),
      { _id: 1 },
      { _id: 2.5 },
      { _id: new ObjectId('65a1b2c3d4e5f60718293a4b') },
      { _id: { k: 'v' } },
    ]);
    const some = strings.filter((_, i) => i % 2 === 0);
    // Names present, absent and twice: counts each document once.
    const del = await col.deleteMany({ _id: { $in: [...some, 'absent', some[0]!] } });
    expect(del.deletedCount).toBe(some.length);
    expect(ids(await col.find({}).toArray())).toEqual(
      strings.filter((id) => !some.includes(id)).sort(byteOrder),
    );
    // One id, with deleteOne and deleteMany; an absent one deletes nothing.
    const [a, b, c, d] = strings.filter((id) => !some.includes(id));
    expect((await col.deleteOne({ _id: a! })).deletedCount).toBe(1);
    expect((await col.deleteMany({ _id: b! })).deletedCount).toBe(1);
    expect((await col.deleteOne({ _id: 'absent' })).deletedCount).toBe(0);
    // FerretDB's own path, as exact: deleteOne of several deletes one; a number matches across
    // its types; an ObjectId, a document, a regular expression, another condition beside.
    expect((await col.deleteOne({ _id: { $in: [c!, d!, 'absent'] } })).deletedCount).toBe(1);
    const [kept] = (await col.find({ _id: { $in: [c!, d!] } }).toArray()).map((doc) => doc._id);
    expect((await col.deleteMany({ _id: { $in: [new Double(1), 2.5] } })).deletedCount).toBe(2);
    expect(
      (await col.deleteMany({ _id: { $in: [new ObjectId('65a1b2c3d4e5f60718293a4b')] } })).deletedCount,
    ).toBe(1);
    expect((await col.deleteMany({ _id: { $in: [{ k: 'v' }] } })).deletedCount).toBe(1);
    const left = strings
      .filter((id) => !some.includes(id) && ![a, b, c, d].includes(id))
      .concat([kept as string]);
    expect((await col.deleteMany({ _id: { $in: [/^r:/] }, n: 1 })).deletedCount).toBe(
      left.filter((id) => id.startsWith('r:')).length,
    );
    expect(ids(await col.find({}).toArray())).toEqual(
      left.filter((id) => !id.startsWith('r:')).sort(byteOrder),
    );
    expect(await col.countDocuments()).toBe(left.filter((id) => !id.startsWith('r:')).length);
  });

  it('looks a $gte/$lt range of string _ids up by the _id index; other ranges scan (on SQLite)', async () => {
    // The outbox sweep's shape: pushed down and read by the index on both backends.
    for (const filter of [
      { _id: { $gte: 'r:', $lt: 'r;' } },
      { _id: { $lt: 'r;', $gte: 'r:' } },
      { _id: { $gte: 'outbox:', $lt: 'outbox;' } },
    ]) {
      const p = await plan(db, filter);
      expect(p.pushed).toBe(true);
      expect(p.indexed, p.plan).toBe(true);
      if (backend === 'sqlite')
        expect(p.plan).toMatch(/SEARCH \S+ USING INDEX \S+ \(<expr>>\? AND <expr><\?\)/);
      else {
        expect(p.conds).toContain(pgCond('>=', filter._id.$gte));
        expect(p.conds).toContain(pgCond('<', filter._id.$lt));
      }
    }
    // SQLite pushes down that shape only. PostgreSQL pushes each of $gt, $gte, $lt and $lte with
    // a string (without NUL, which no jsonb string holds) on _id, and nothing for other types.
    const others: [object, boolean][] = [
      [{ _id: { $gte: 'r:' } }, true],
      [{ _id: { $lt: 'r;' } }, true],
      [{ _id: { $gt: 'r:', $lte: 'r;' } }, true],
      [{ _id: { $gte: 'r:', $lt: 5 } }, true],
      [{ _id: { $gte: 1, $lt: 50 } }, false],
      [
        {
          _id: {
            $gte: new ObjectId('000000000000000000000000'),
            $lt: new ObjectId('ffffffffffffffffffffffff'),
          },
        },
        false,
      ],
      [{ _id: { $gte: 'r:', $lt: 'r;', $ne: 'r:a' } }, true],
      [{ _id: { $gte: 'r;', $lt: 'r:' } }, true],
      [{ v: { $gte: 'r:', $lt: 'r;' } }, false],
    ];
    for (const [filter, onPostgres] of others) {
      const p = await plan(db, filter);
      const what = `${JSON.stringify(filter)}: ${p.plan}`;
      if (backend === 'sqlite') {
        expect(p.pushed, what).toBe(false);
        expect(p.plan, what).toMatch(/SCAN/);
      } else {
        expect(p.pushed, what).toBe(onPostgres);
        if (!onPostgres) expect(p.indexed, what).toBe(false);
      }
    }
    if (backend === 'postgresql') {
      // Two-sided string ranges read the index; so does a one-sided one that holds no document.
      for (const [filter, conds] of [
        [{ _id: { $gt: 'r:', $lte: 'r;' } }, [pgCond('>', 'r:'), pgCond('<=', 'r;')]],
        [{ _id: { $gte: 'r:' } }, [pgCond('>=', 'r:')]],
        [{ _id: { $gte: 'r:', $lt: 'r;', $ne: 'r:a' } }, [pgCond('>=', 'r:'), pgCond('<', 'r;')]],
      ] as const) {
        const p = await plan(db, filter);
        expect(p.indexed, p.plan).toBe(true);
        for (const c of conds) expect(p.conds).toContain(c);
      }
    }
  });

  it('finds and deletes by a string range exactly what the filter says, pushed down or not', async () => {
    const col = db.collection<{ _id: string | number | boolean | ObjectId }>('r');
    // Pushed down on SQLite: the sweep's shape; bounds JSON escapes, or with a space after the
    // prefix; a range that holds ObjectIds' text (quoted hex) but matches only strings. Not pushed
    // down, and as exact: an inverted range, non-ASCII where the bounds part. PostgreSQL pushes
    // every one of these down (a NUL bound excepted), $gt and $lte and one-sided ones too.
    for (const [range, onSqlite] of [
      [{ $gte: 'r:', $lt: 'r;' }, true],
      [{ $gte: 'r: ', $lt: 'r:a' }, true],
      [{ $gte: 'r:<', $lt: 'r:=' }, true],
      [{ $gte: 'r:\n', $lt: 'r:!' }, true],
      [{ $gte: 'r:"', $lt: 'r:<' }, true],
      [{ $gte: '', $lt: 'r:' }, true],
      [{ $gte: '0', $lt: 'g' }, true],
      [{ $gte: '6', $lt: '7' }, true],
      [{ $gte: 'A', $lt: 'a' }, true],
      [{ $gte: 'q', $lt: 's' }, true],
      [{ $gte: 'r;', $lt: 'r:' }, false],
      [{ $gte: 'r:é', $lt: 'r:😀' }, false],
      [{ $gte: 'r:\u0000', $lt: 'r;' }, true],
      [{ $gte: 'r:\u0000', $lt: 'r:\u0000a' }, true],
      [{ $gt: 'r:', $lte: 'r;' }, false],
      [{ $gt: 'r: x', $lt: 'r:é' }, false],
      [{ $gte: 'r:é', $lte: 'r:😀' }, false],
      [{ $gte: '65a1b2c3d4e5f60718293a4b', $lte: '65a1b2c3d4e5f60718293a4b' }, false],
      [{ $gte: 'r:' }, false],
      [{ $gt: 'r:' }, false],
      [{ $lt: 'r;' }, false],
      [{ $lte: 'r;' }, false],
    ] as [Range, boolean][]) {
      const what = JSON.stringify(range);
      const pushed =
        backend === 'sqlite' ? onSqlite : Object.values(range).some((v) => !v.includes('\u0000'));
      expect((await plan(db, { _id: range })).pushed, what).toBe(pushed);
      const found = await col.find({ _id: range }).toArray();
      expect(found.length, what).toBe(ids(found).length);
      expect(ids(found), what).toEqual(matching(range));
    }
    expect(await col.find({ _id: { $gte: 'r:', $lt: 'r;' } }).toArray()).toHaveLength(14);
    expect(ids(await col.find({ _id: { $gte: 'r:' } }).toArray())).toEqual(stringsIn('r:', '\u{10FFFF}'));
    expect(ids(await col.find({ _id: { $gt: 'r:', $lte: 'r;' } }).toArray())).toEqual([
      ...stringsIn('r:', 'r;').slice(1),
      'r;',
    ]);
    expect(await col.countDocuments({ _id: { $gte: 'r:', $lt: 5 } })).toBe(0);
    expect(await col.countDocuments({ _id: { $gte: -2, $lt: 50 } })).toBe(2);
    const allObjectIds = {
      $gte: new ObjectId('000000000000000000000000'),
      $lt: new ObjectId('ffffffffffffffffffffffff'),
    };
    expect(await col.countDocuments({ _id: allObjectIds })).toBe(2);

    const swept = stringsIn('r:', 'r;');
    expect((await col.deleteMany({ _id: { $gte: 'r:', $lt: 'r;' } })).deletedCount).toBe(swept.length);
    const left = await col.find({}).toArray();
    expect(left).toHaveLength(ranged.length - swept.length);
    expect(ids(left)).toEqual(stringsIn('', '\u{10FFFF}').filter((id) => !swept.includes(id)));
    expect(await col.findOne({ _id: 'r;' })).toEqual({ _id: 'r;' });
    expect(await col.countDocuments({ _id: { $in: [42, -1.5] } })).toBe(2);
    expect(await col.countDocuments({ _id: true })).toBe(1);
    expect(await col.countDocuments({ _id: new ObjectId('65a1b2c3d4e5f60718293a4b') })).toBe(1);
    expect((await col.deleteMany({ _id: { $gte: '0', $lt: 'g' } })).deletedCount).toBe(
      stringsIn('0', 'g').length,
    );
    // $gt/$lte (pushed down on PostgreSQL, which then reads numbers and ObjectIds' hex too).
    const upper = matching({ $gt: 'r9', $lte: 'r;' }).filter((id) => !swept.includes(id));
    expect(upper).toEqual(['r;']);
    expect((await col.deleteMany({ _id: { $gt: 'r9', $lte: 'r;' } })).deletedCount).toBe(upper.length);
    const rest = ranged.length - swept.length - stringsIn('0', 'g').length - upper.length;
    expect(await col.countDocuments()).toBe(rest);
    expect(await col.countDocuments({ _id: allObjectIds })).toBe(2);
    expect(await col.countDocuments({ _id: { $gte: -2, $lt: 50 } })).toBe(2);
    expect(await col.countDocuments({ _id: true })).toBe(1);
  });
});
