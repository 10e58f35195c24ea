import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { cacheDir } from '../paths.ts';
import { LauncherError, logPath, runSetup, spawnDetached, waitUntil, which } from '../processes.ts';

export const FERRETDB_VERSION = 'v1.24.2';

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
 * module, write that file, and `go build` its `cmd/ferretdb`: the same source, a working binary.
 */
function ensureFerretDb(): string {
  const binDir = cacheDir('bin');
  const bin = join(binDir, 'ferretdb');
  if (existsSync(bin)) return bin;
  if (!which('go'))
    throw new LauncherError('ferretdb', 'Go is needed to build FerretDB and was not found on PATH');
  const module = `github.com/FerretDB/FerretDB@${FERRETDB_VERSION}`;
  const dl = spawnSync('go', ['mod', 'download', '-json', module], { encoding: 'utf8' });
  if (dl.status !== 0)
    throw new LauncherError('ferretdb', `go mod download ${module} failed: ${dl.stderr || dl.stdout}`);
  const moduleDir = (JSON.parse(dl.stdout) as { Dir: string }).Dir;
  const src = join(cacheDir('build'), `ferretdb-${FERRETDB_VERSION}`);
  rmSync(src, { recursive: true, force: true });
  cpSync(moduleDir, src, { recursive: true });
  runSetup('ferretdb', 'chmod', ['-R', 'u+w', src]);
  writeFileSync(join(src, 'build', 'version', 'version.txt'), `${FERRETDB_VERSION}\n`);
  runSetup('ferretdb', 'go', ['build', '-C', src, '-trimpath', '-o', bin, './cmd/ferretdb']);
  return bin;
}

export async function startFerretDb(opts: FerretOptions): Promise<'reused' | 'started'> {
  const name = opts.name ?? 'ferretdb';
  if (await pingMongo(opts.port).catch(() => false)) return 'reused';
  const bin = ensureFerretDb();
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
