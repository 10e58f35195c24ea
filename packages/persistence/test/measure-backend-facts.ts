// The storage facts the concurrency rule rests on, measured on whichever server MONGO_URL names
// (FerretDB on SQLite or on PostgreSQL, or MongoDB), with raw driver calls and no lease:
// - isolation of updates: R rounds of W concurrent `$inc` of one document, and of W concurrent
//   `$set` of different fields of one document: how many changes survive;
// - the unique `_id` insert as an atomic claim: R rounds of W concurrent inserts of one `_id`:
//   exactly one must win each round;
// - the cost of a lookup by `_id` at 3,000 documents (is the `_id` index used?).
// Not part of the suite. Run: MONGO_URL=... node_modules/.bin/tsx packages/persistence/test/measure-backend-facts.ts [W] [R]
import { MongoClient } from 'mongodb';
import { isDuplicateKey } from '../src/index.ts';

const W = Number(process.argv[2] ?? 20);
const R = Number(process.argv[3] ?? 10);
const url = process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017';
const out = (s: string) => process.stdout.write(`${s}\n`);

const client = new MongoClient(url, { directConnection: true, maxPoolSize: W + 5 });
await client.connect();
const db = client.db(`facts_${Date.now().toString(36)}`);
const col = db.collection<{ _id: string; n?: number }>('facts');

let incKept = 0;
let setKept = 0;
let claimsOk = 0;
for (let r = 0; r < R; r++) {
  await col.insertOne({ _id: `inc-${r}`, n: 0 });
  await Promise.all(Array.from({ length: W }, () => col.updateOne({ _id: `inc-${r}` }, { $inc: { n: 1 } })));
  incKept += Number((await col.findOne({ _id: `inc-${r}` }))?.n ?? 0);

  await col.insertOne({ _id: `set-${r}` });
  await Promise.all(
    Array.from({ length: W }, (_, i) =>
      col.updateOne({ _id: `set-${r}` }, { $set: { [`f${i}`]: i } as never }),
    ),
  );
  const doc = (await col.findOne({ _id: `set-${r}` })) ?? {};
  setKept += Object.keys(doc).filter((k) => k.startsWith('f')).length;

  const outcomes = await Promise.all(
    Array.from({ length: W }, (_, i) =>
      col.insertOne({ _id: `claim-${r}`, n: i }).then(
        () => 'won',
        (err: unknown) => (isDuplicateKey(err) ? 'duplicate' : `error: ${String(err)}`),
      ),
    ),
  );
  if (
    outcomes.filter((o) => o === 'won').length === 1 &&
    outcomes.every((o) => o === 'won' || o === 'duplicate')
  )
    claimsOk++;
}

await col.insertMany(Array.from({ length: 3000 }, (_, i) => ({ _id: `k${i}`, pad: 'x'.repeat(200) })));
const t0 = performance.now();
for (let i = 0; i < 300; i++) await col.findOne({ _id: `k${(i * 7) % 3000}` });
const lookupMs = (performance.now() - t0) / 300;
const explain = JSON.stringify(await col.find({ _id: 'k5' }).explain()).match(
  /Index Scan|Seq Scan|USING INDEX|SCAN [^"]*/,
)?.[0];

out(`server: ${url}`);
out(`isolation, $inc: ${incKept} of ${W * R} concurrent increments kept (${R} rounds of ${W})`);
out(`isolation, $set of different fields: ${setKept} of ${W * R} kept`);
out(`unique _id insert: exactly one winner in ${claimsOk} of ${R} rounds of ${W} racers`);
out(`findOne by _id at 3,000 documents: ${lookupMs.toFixed(2)} ms (plan: ${explain ?? 'unknown'})`);
await db.dropDatabase();
await client.close();
