import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { cacheDir } from '../paths.ts';
import { LauncherError, logPath, runSetup, spawnDetached, waitUntil, which } from '../processes.ts';

export const FERRETDB_VERSION = 'v1.24.2';

/**
 * Our one-line patch to FerretDB's SQLite backend, applied at build time. Its queries look
 * documents up by `_ferretdb_sjson->'$._id'` while the unique index it creates is on
 * `_ferretdb_sjson->"_id"`; SQLite matches index expressions literally, so every `_id` lookup,
 * update and delete scanned the whole table (measured: 15 ms per findOne at 3,000 documents,
 * growing linearly). `->'_id'` means the same JSON path and matches the index
 * (EXPLAIN QUERY PLAN: SCAN → SEARCH USING INDEX).
 */
const ID_COLUMN_PATCH = {
  file: ['internal', 'backends', 'sqlite', 'metadata', 'metadata.go'],
  from: `IDColumn = DefaultColumn + "->'$._id'"`,
  to: `IDColumn = DefaultColumn + "->'_id'"`,
};
/**
 * Our patch to its PostgreSQL backend: an exact `{ _id: <string or ObjectId> }` filter was
 * pushed down as `_jsonb->$1 @> $2`, which the unique index on `(_jsonb->'_id')` cannot serve
 * (a parameterised path, and containment rather than equality), so every lookup by `_id` was a
 * sequential scan (EXPLAIN: Seq Scan). The patch pushes it down as `_jsonb->'_id' = $n`
 * (EXPLAIN: Index Scan). FerretDB filters every document again after the pushdown, so the
 * narrower SQL changes nothing in what a query returns.
 */
const PG_ID_PATCH = {
  file: ['internal', 'backends', 'postgresql', 'query.go'],
  from: `		case float64, string, types.ObjectID, bool, time.Time, int32, int64:
			if f, a := filterEqual(p, key, v, keyOperator); f != "" {`,
  to: `		case string, types.ObjectID:
			if rootKey == "_id" {
				filters = append(filters, fmt.Sprintf(\`%s = %s\`, metadata.IDColumn, p.Next()))
				args = append(args, string(must.NotFail(sjson.MarshalSingleValue(v))))

				break
			}

			if f, a := filterEqual(p, key, v, keyOperator); f != "" {
				filters = append(filters, f)
				args = append(args, a...)
			}

		case float64, bool, time.Time, int32, int64:
			if f, a := filterEqual(p, key, v, keyOperator); f != "" {`,
};
/**
 * Our patch to its PostgreSQL backend's `_id` ranges: FerretDB pushed no `$gt`/`$gte`/`$lt`/`$lte`
 * down, so the outbox sweep's `{ _id: { $gte: 'outbox:', $lt: 'outbox;' } }` read the whole
 * shared collection every 2 s (EXPLAIN: Seq Scan). The patch pushes each of those operators with
 * a string value on the root `_id` down as `_jsonb->'_id' >= $n` (and `>`, `<`, `<=`), its
 * argument the string's JSON as for equality above, which the unique index on `(_jsonb->'_id')`
 * serves (EXPLAIN: Bitmap Index Scan, Index Cond `>=` and `<`). FerretDB filters every document
 * again after the pushdown, so the SQL only has to select a superset, and does: jsonb orders a
 * string below every number, boolean, array and object and above null, and strings among
 * themselves by the database's default collation, which we pin to C in initdb (postgresql.ts,
 * which refuses a data folder that compares otherwise): bytewise, as FerretDB and MongoDB compare
 * strings, so the SQL range holds exactly the string `_id`s the range matches (jsonb holds the
 * unescaped string, unlike SQLite's JSON text below). Under a linguistic collation it would not
 * (measured, ICU en-US: 'r:'..'r;' found none of the 14 test documents it holds). Anything else in
 * the SQL range is no match and FerretDB drops it: ObjectIds are stored as their hex string, so
 * one may fall inside a string range; a lone `$gt` or `$gte` also takes in the numbers, booleans
 * and documents above the strings, a lone `$lt` or `$lte` the nulls below. A value with NUL (no
 * jsonb string holds one) or invalid UTF-8 (which json.Marshal would alter) is not pushed down.
 */
const PG_ID_RANGE_PATCH = {
  file: ['internal', 'backends', 'postgresql', 'query.go'],
  // Anchored on the end of the `$ne` case: ours goes in front of the `default` that skipped
  // every other operator (its comment, upstream's, names the ranges this case now handles).
  from: `					default:
						panic(fmt.Sprintf("Unexpected type of value: %v", v))
					}

				default:`,
  to: `					default:
						panic(fmt.Sprintf("Unexpected type of value: %v", v))
					}

				case "$gt", "$gte", "$lt", "$lte":
					// Homeward's patch: a string range on _id, by the _id index (ferretdb.ts says
					// why it is a superset: the database's collation is C).
					s, ok := v.(string)
					if !ok || rootKey != "_id" || strings.ContainsRune(s, 0) || strings.ToValidUTF8(s, "") != s {
						continue
					}

					op := map[string]string{"$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}[k]
					filters = append(filters, fmt.Sprintf(\`%s %s %s\`, metadata.IDColumn, op, p.Next()))
					args = append(args, string(must.NotFail(sjson.MarshalSingleValue(s))))

				default:`,
};
/**
 * A delete whose filter names its documents by string `_id` (`{ _id: <string> }` or
 * `{ _id: { $in: [<string>, ...] } }`) deletes them by `_id`, without reading them first. FerretDB
 * 1.24 reads every document a delete's filter selects, decodes it, filters it again in Go (an
 * `$in` of n ids against each of n documents) and only then deletes by the `_id`s it found; the
 * outbox's removal of published pointers is such a delete, one `$in` for all the pointers one
 * linger published. Profiled at intake's peak (perf, 2026-12-03): the read and the decoding were
 * 58% of FerretDB's time in deletes, the filter 13%, the delete itself 22%. The documents such a
 * filter matches are exactly those whose `_id` is one of the strings (a string equals only the
 * same string, and a string `_id` is stored as its own JSON text, which both backends' delete by
 * `_id` compares), so the answer's count is the same. Anything else (numbers, which compare
 * equal across types but are stored apart, ObjectIds, regular expressions, more than 1,000 ids, a
 * `limit: 1` delete of several) takes FerretDB's own path, as does everything with pushdown off.
 */
const DELETE_BY_IDS_PATCHES = [
  {
    file: ['internal', 'handler', 'msg_delete.go'],
    from: `func (h *Handler) execDelete(ctx context.Context, c backends.Collection, p *common.Delete) (int32, error) {
	var qp backends.QueryParams
`,
    to: `func (h *Handler) execDelete(ctx context.Context, c backends.Collection, p *common.Delete) (int32, error) {
	if ids, ok := homewardDeleteIDs(p); ok && !h.DisablePushdown {
		d, err := c.DeleteAll(ctx, &backends.DeleteAllParams{IDs: ids})
		if err != nil {
			return 0, lazyerrors.Error(err)
		}

		return d.Deleted, nil
	}

	var qp backends.QueryParams
`,
  },
  {
    file: ['internal', 'handler', 'msg_delete.go'],
    from: `// execDelete performs a single delete operation.
`,
    to: `// homewardDeleteIDs returns the _ids a delete's filter names when it is {_id: <string>} or
// {_id: {$in: [<string>, ...]}} (1 to 1,000 strings; a limited delete only with one), so that the
// delete goes by _id without reading the documents first (Homeward's patch).
func homewardDeleteIDs(p *common.Delete) ([]any, bool) {
	if p.Filter == nil || p.Filter.Len() != 1 {
		return nil, false
	}

	v, err := p.Filter.Get("_id")
	if err != nil {
		return nil, false
	}

	switch v := v.(type) {
	case string:
		return []any{v}, true
	case *types.Document:
		in, _ := v.Get("$in")
		a, ok := in.(*types.Array)
		if !ok || v.Len() != 1 || a.Len() == 0 || a.Len() > 1000 || (p.Limited && a.Len() != 1) {
			return nil, false
		}

		ids := make([]any, a.Len())
		for i := 0; i < a.Len(); i++ {
			s, ok := must.NotFail(a.Get(i)).(string)
			if !ok {
				return nil, false
			}

			ids[i] = s
		}

		return ids, true
	}

	return nil, false
}

// execDelete performs a single delete operation.
`,
  },
];

/**
 * Our patch to its SQLite backend's queries (find, the documents a delete or an update matches,
 * and explain): only an exact `{ _id: <string or ObjectId> }` was pushed down, so `{ _id: { $in:
 * [...] } }` read the whole table, in a delete while holding the database's single writer (the
 * outbox's removal of published pointers: 50 ids among 6,600 documents 162 ms median, 6.3 with
 * the patch), and so did the outbox sweep's `{ _id: { $gte: 'outbox:', $lt: 'outbox;' } }`. The
 * patch pushes down an `$in` of up to 1,000 strings or ObjectIds as `_id IN (...)`, and a
 * `{ $gte: <string>, $lt: <string> }` (exactly those two) as `_id >= ? AND _id < ?`, both served
 * by the `_id` index; the query and its explain take the clause from one function,
 * `homewardIDWhere`. FerretDB filters every document again after the pushdown, so the SQL only
 * has to select a superset. For a range that is not automatic: the column is the `_id`'s JSON
 * text, whose escapes and closing quote do not sort like the string (`"a b"` sorts before
 * `"a"`, `"a<"` (`"a\u003c"`) after `"aA"`), so the JSON text of the bounds themselves would
 * drop matching documents; `homewardIDRange` (its comment says why) derives bounds that cannot,
 * and pushes nothing down when it cannot tell cheaply. For the sweep they are the bounds' JSON
 * text without the closing quote, `"outbox:` and `"outbox;`.
 */
const SQLITE_ID_WHERE = '\t\tswitch v.(type) {\n\t\tcase string, types.ObjectID:\n';
const SQLITE_ID_IN_PATCHES = [
  {
    file: ['internal', 'backends', 'sqlite', 'collection.go'],
    from: `${SQLITE_ID_WHERE}\t\t\twhereClause = fmt.Sprintf(\` WHERE %s = ?\`, metadata.IDColumn)
			args = []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}
		}`,
    to: '\t\twhereClause, args = homewardIDWhere(v)',
  },
  {
    file: ['internal', 'backends', 'sqlite', 'collection.go'],
    from: `${SQLITE_ID_WHERE}\t\t\tfilterPushdown = true
			whereClause = fmt.Sprintf(\` WHERE %s = ?\`, metadata.IDColumn)
			args = []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}
		}`,
    to: `\t\twhereClause, args = homewardIDWhere(v)
		filterPushdown = whereClause != ""`,
  },
  {
    file: ['internal', 'backends', 'sqlite', 'collection.go'],
    from: '// Explain implements backends.Collection interface.',
    to: `// homewardIDWhere is the WHERE clause an \`_id\` filter value pushes down, or "" for none
// (Homeward's patch): an exact string or ObjectId, an $in of up to 1,000 of them, or a range
// {$gte: <string>, $lt: <string>} (exactly those two operators; see homewardIDRange).
func homewardIDWhere(v any) (string, []any) {
	switch v := v.(type) {
	case string, types.ObjectID:
		return fmt.Sprintf(\` WHERE %s = ?\`, metadata.IDColumn), []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}
	case *types.Document:
		if v.Len() == 2 {
			gte, _ := v.Get("$gte")
			lt, _ := v.Get("$lt")
			from, okFrom := gte.(string)
			to, okTo := lt.(string)
			if !okFrom || !okTo {
				return "", nil
			}
			lo, hi, ok := homewardIDRange(from, to)
			if !ok {
				return "", nil
			}
			return fmt.Sprintf(\` WHERE %s >= ? AND %s < ?\`, metadata.IDColumn, metadata.IDColumn), []any{lo, hi}
		}
		in, _ := v.Get("$in")
		a, ok := in.(*types.Array)
		if !ok || v.Len() != 1 || a.Len() == 0 || a.Len() > 1000 {
			return "", nil
		}
		marks := make([]string, a.Len())
		ids := make([]any, a.Len())
		for i := 0; i < a.Len(); i++ {
			e := must.NotFail(a.Get(i))
			switch e.(type) {
			case string, types.ObjectID:
				marks[i] = "?"
				ids[i] = string(must.NotFail(sjson.MarshalSingleValue(e)))
			default:
				return "", nil
			}
		}
		return fmt.Sprintf(\` WHERE %s IN (%s)\`, metadata.IDColumn, strings.Join(marks, ", ")), ids
	}
	return "", nil
}

// homewardIDRange returns [lo, hi), a range of \`_id\` JSON text (IDColumn, compared bytewise)
// holding the text of every string s with gte <= s < lt (FerretDB compares strings bytewise
// too), or ok false. The text of s is a quote, E(s), a quote, E escaping character by character
// (encoding/json: control characters, the quote, the backslash, &, <, >, U+2028 and U+2029
// become escapes, each beginning with a backslash, 0x5c). The bounds' own JSON text is no
// superset: an escape does not sort as its character ("a\\u003c" and "a\\n" sort after "aA",
// though "a<" and "a\\n" sort before), and the closing quote, 0x22, sorts after a space and "!"
// ("a b" before "a"). So the bounds are derived from the strings:
//   - every s in range begins with c, gte's and lt's longest common prefix (required: valid
//     UTF-8, followed by an ASCII byte in lt and in gte unless gte = c), so its text begins with
//     P, c's text without the closing quote;
//   - hi: the byte after P in s's text is the closing quote (only if s = c = gte) or the first
//     byte of E(y), y = s[len(c)], an ASCII byte from gte[len(c)] (or 0 if gte = c) up to
//     lt[len(c)] (itself only if lt goes on after it); hi is P and one more than the largest
//     such byte;
//   - lo: P, then gte[len(c)] if it is not escaped, then gte's next bytes while they are neither
//     escaped nor above 0x5b; no closing quote. An s in range has them as a prefix or first
//     differs from them by a larger character y. At len(c), y is ASCII: unescaped, it is its own
//     text; escaped, it is at most 0x5c, so gte[len(c)] is below the backslash its escape begins
//     with. Further on, gte's byte is below 0x5c, and so below y's text, raw or escaped.
//
// Non-string _ids cannot match string bounds (FerretDB brackets by type, as MongoDB does);
// ObjectIds are quoted hex in the text and may fall in the range, numbers and documents cannot;
// FerretDB's filter after the pushdown drops what does not match. For gte "outbox:" and lt
// "outbox;" the range is the two bounds' text without the closing quote.
func homewardIDRange(gte, lt string) (lo, hi string, ok bool) {
	k := 0
	for k < len(gte) && k < len(lt) && gte[k] == lt[k] {
		k++
	}
	if k == len(lt) || lt[k] >= 0x80 || (k < len(gte) && gte[k] > lt[k]) || strings.ToValidUTF8(gte[:k], "") != gte[:k] {
		return "", "", false
	}
	escaped := func(b byte) bool { return b < 0x20 || b == '"' || b == '&' || b == '<' || b == '>' || b == 0x5c }
	var top byte
	from, to := 0, int(lt[k])
	if k+1 == len(lt) {
		to--
	}
	if k == len(gte) {
		top = '"'
	} else {
		from = int(gte[k])
	}
	for x := from; x <= to; x++ {
		if escaped(byte(x)) {
			top = max(top, 0x5c)
		} else {
			top = max(top, byte(x))
		}
	}
	if top >= 0x7f {
		return "", "", false
	}
	p := string(must.NotFail(sjson.MarshalSingleValue(gte[:k])))
	p = p[:len(p)-1]
	lo, hi = p, p+string(rune(top+1))
	for i := k; i < len(gte) && !escaped(gte[i]) && (i == k || gte[i] < 0x5c); i++ {
		lo += gte[i : i+1]
	}
	return lo, hi, true
}

// Explain implements backends.Collection interface.`,
  },
];
/** Bumped with the patches, so a cached binary without them is rebuilt. */
const BUILD_ID = `${FERRETDB_VERSION}-homeward.7`;

/** The file name of this launcher's FerretDB build in the cache. */
export const FERRET_BUILD = `ferretdb-${BUILD_ID}`;

/** FerretDB's storage: SQLite (the default) or PostgreSQL (a server of its own, see postgresql.ts). */
export type FerretBackend = 'sqlite' | 'postgresql';

/** The backend `HOMEWARD_FERRETDB_BACKEND` asks for (sqlite when unset). */
export function ferretBackendFromEnv(env: Record<string, string | undefined> = process.env): FerretBackend {
  const v = env.HOMEWARD_FERRETDB_BACKEND || 'sqlite';
  if (v !== 'sqlite' && v !== 'postgresql')
    throw new LauncherError('ferretdb', `HOMEWARD_FERRETDB_BACKEND must be sqlite or postgresql, got "${v}"`);
  return v;
}

/**
 * FerretDB's environment: the launcher's, with Go's garbage collector at GOGC=400 unless the
 * operator set GOGC. At Go's default (100) its collector was the largest cost in FerretDB:
 * `runtime` held 41-43% of FerretDB's CPU samples (perf, intake's benchmark at its peak), the
 * background marking alone 15.6%. Its live heap is small, so a heap allowed to grow five times
 * it costs little memory (RSS 96 MiB after a run at 800). Measured on SQLite, 14 reports per
 * ordered insert, each a claim, an outbox pointer, a report and a case, then the pointers'
 * delete, one command at a time as intake's write lane sends them (2026-12-03, two runs each,
 * the settings alternated): FerretDB CPU per report 347-371 µs at 100, 275-296 at 400, 261-276
 * at 800; wall time per report 388-427 µs, 350-381, 337-367.
 */
export function ferretEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...env, GOGC: env.GOGC || '400' };
}

export interface FerretOptions {
  port: number;
  name?: string;
  /** SQLite by default; PostgreSQL needs `postgresUrl`. */
  backend?: FerretBackend;
  /** The PostgreSQL server's connection string (postgresql.ts' `postgresUrl`). */
  postgresUrl?: string;
}

/** A MongoDB `ping` command over the wire protocol. */
export async function pingMongo(port: number): Promise<boolean> {
  const client = new MongoClient(`mongodb://127.0.0.1:${port}/`, {
    serverSelectionTimeoutMS: 1000,
    connectTimeoutMS: 1000,
    directConnection: true,
  });
  try {
    await client.connect();
    const res = await client.db('admin').command({ ping: 1 });
    return res.ok === 1;
  } finally {
    await client.close().catch(() => {});
  }
}

/**
 * Builds FerretDB from its module on the Go module proxy, once, into the cache.
 *
 * A plain `go install ...@v1.24.2` builds a binary that panics at start: the module zip lacks
 * `build/version/version.txt`, which FerretDB's release tooling generates
 * (https://pkg.go.dev/github.com/FerretDB/FerretDB/build/version). So we download the same
 * module, write that file, apply our patches (above), and `go build` its `cmd/ferretdb`.
 */
async function ensureFerretDb(): Promise<string> {
  const binDir = cacheDir('bin');
  const bin = join(binDir, FERRET_BUILD);
  if (existsSync(bin)) return bin;
  if (!which('go'))
    throw new LauncherError('ferretdb', 'Go is needed to build FerretDB and was not found on PATH');
  const module = `github.com/FerretDB/FerretDB@${FERRETDB_VERSION}`;
  const downloaded = await runSetup('ferretdb', 'go', ['mod', 'download', '-json', module]);
  const moduleDir = (JSON.parse(downloaded) as { Dir: string }).Dir;
  const src = join(cacheDir('build'), `ferretdb-${FERRETDB_VERSION}`);
  rmSync(src, { recursive: true, force: true });
  cpSync(moduleDir, src, { recursive: true });
  await runSetup('ferretdb', 'chmod', ['-R', 'u+w', src]);
  writeFileSync(join(src, 'build', 'version', 'version.txt'), `${FERRETDB_VERSION}\n`);
  for (const patch of [
    ID_COLUMN_PATCH,
    PG_ID_PATCH,
    PG_ID_RANGE_PATCH,
    ...SQLITE_ID_IN_PATCHES,
    ...DELETE_BY_IDS_PATCHES,
  ]) {
    const patchFile = join(src, ...patch.file);
    const source = readFileSync(patchFile, 'utf8');
    if (!source.includes(patch.from))
      throw new LauncherError('ferretdb', `the _id index patch no longer applies to ${patchFile}`);
    writeFileSync(patchFile, source.replace(patch.from, patch.to));
  }
  await runSetup('ferretdb', 'go', ['build', '-C', src, '-trimpath', '-o', bin, './cmd/ferretdb']);
  // Each patch change is a new build of 46 MB; the ones before it would pile up in the cache.
  for (const stale of staleFerretBuilds(readdirSync(binDir))) rmSync(join(binDir, stale), { force: true });
  return bin;
}

/**
 * The FerretDB builds among a cache directory's files that are not this launcher's (an earlier
 * patch set's): removed once this one is built. A process still running one keeps its file open;
 * a checkout of an older commit builds its own again.
 */
export function staleFerretBuilds(files: readonly string[]): string[] {
  return files.filter((f) => f.startsWith('ferretdb-') && f !== FERRET_BUILD);
}

export async function startFerretDb(opts: FerretOptions): Promise<'reused' | 'started'> {
  const name = opts.name ?? 'ferretdb';
  if (await pingMongo(opts.port).catch(() => false)) return 'reused';
  const bin = await ensureFerretDb();
  const backend = opts.backend ?? 'sqlite';
  if (backend === 'postgresql' && !opts.postgresUrl)
    throw new LauncherError(name, 'the PostgreSQL backend needs the server to use (postgresUrl)');
  const storage =
    backend === 'postgresql'
      ? ['--handler=postgresql', `--postgresql-url=${opts.postgresUrl}`]
      : ['--handler=sqlite', `--sqlite-url=file:${cacheDir(name, 'sqlite')}/`];
  const pid = spawnDetached(
    name,
    bin,
    [
      ...storage,
      `--listen-addr=127.0.0.1:${opts.port}`,
      // The debug (pprof/metrics) listener is not needed locally; "-" turns it off.
      '--debug-addr=-',
      `--state-dir=${cacheDir(name)}`,
      '--telemetry=disable',
      '--log-level=warn',
    ],
    { env: ferretEnv() },
  );
  await waitUntil(name, () => pingMongo(opts.port), { timeoutMs: 20_000, pid, logFile: logPath(name) });
  return 'started';
}
