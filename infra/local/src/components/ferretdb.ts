import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
/** Bumped with the patch, so a cached unpatched binary is rebuilt. */
const BUILD_ID = `${FERRETDB_VERSION}-homeward.1`;

export interface FerretOptions {
  port: number;
  name?: string;
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
 * module, write that file, apply {@link ID_COLUMN_PATCH}, and `go build` its `cmd/ferretdb`.
 */
async function ensureFerretDb(): Promise<string> {
  const binDir = cacheDir('bin');
  const bin = join(binDir, `ferretdb-${BUILD_ID}`);
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
  const patchFile = join(src, ...ID_COLUMN_PATCH.file);
  const source = readFileSync(patchFile, 'utf8');
  if (!source.includes(ID_COLUMN_PATCH.from))
    throw new LauncherError('ferretdb', `the _id index patch no longer applies to ${patchFile}`);
  writeFileSync(patchFile, source.replace(ID_COLUMN_PATCH.from, ID_COLUMN_PATCH.to));
  await runSetup('ferretdb', 'go', ['build', '-C', src, '-trimpath', '-o', bin, './cmd/ferretdb']);
  return bin;
}

export async function startFerretDb(opts: FerretOptions): Promise<'reused' | 'started'> {
  const name = opts.name ?? 'ferretdb';
  if (await pingMongo(opts.port).catch(() => false)) return 'reused';
  const bin = await ensureFerretDb();
  const dataDir = cacheDir(name, 'sqlite');
  const pid = spawnDetached(name, bin, [
    '--handler=sqlite',
    `--sqlite-url=file:${dataDir}/`,
    `--listen-addr=127.0.0.1:${opts.port}`,
    // The debug (pprof/metrics) listener is not needed locally; "-" turns it off.
    '--debug-addr=-',
    `--state-dir=${cacheDir(name)}`,
    '--telemetry=disable',
    '--log-level=warn',
  ]);
  await waitUntil(name, () => pingMongo(opts.port), { timeoutMs: 20_000, pid, logFile: logPath(name) });
  return 'started';
}
