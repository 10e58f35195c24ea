import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../paths.ts';
import { LauncherError, logPath, runSetup, spawnDetached, stopProcess, waitUntil } from '../processes.ts';

export interface PostgresOptions {
  port: number;
  /** Instance name: the pid file, log file and data folder are named after it. */
  name?: string;
}

/** The unprivileged account Debian's package creates; PostgreSQL refuses to run as root. */
const PG_USER = 'postgres';

/** The folder of Debian's PostgreSQL binaries (`/usr/lib/postgresql/<major>/bin`), the newest. */
function pgBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root)
    .filter((d) => existsSync(join(root, d, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] ? join(root, majors[0], 'bin') : undefined;
}

async function ensurePostgres(): Promise<string> {
  const found = pgBinDir();
  if (found) return found;
  // Debian's package, as Redis; the launcher runs as root on the project's machines.
  await runSetup('postgresql', 'apt-get', ['update', '-qq']);
  await runSetup('postgresql', 'apt-get', ['install', '-y', '-qq', 'postgresql'], {
    DEBIAN_FRONTEND: 'noninteractive',
  });
  const installed = pgBinDir();
  if (!installed) throw new LauncherError('postgresql', 'postgres is still missing after apt-get install');
  return installed;
}

/** The connection string FerretDB uses: the instance's own `postgres` database, trusted locally. */
export function postgresUrl(port: number): string {
  return `postgres://${PG_USER}@127.0.0.1:${port}/postgres`;
}

/** Whether the server accepts connections (`pg_isready`, which answers at once). */
async function pgReady(bin: string, port: number): Promise<boolean> {
  return spawnSync(join(bin, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(port)]).status === 0;
}

/**
 * Starts a PostgreSQL server of its own (a data folder under the cache, its own port), for
 * FerretDB's PostgreSQL backend. Run as the `postgres` account with `setpriv`, which executes
 * the server in place, so the recorded pid is the postmaster's and `down` stops it (SIGTERM,
 * a clean shutdown). Local trust authentication on 127.0.0.1 only, as the local Redis.
 */
export async function startPostgres(opts: PostgresOptions): Promise<'reused' | 'started'> {
  const name = opts.name ?? 'postgresql';
  const bin = await ensurePostgres();
  if (await pgReady(bin, opts.port)) return 'reused';
  const dir = cacheDir(name);
  const data = join(dir, 'data');
  const sockets = join(dir, 'sockets');
  mkdirSync(sockets, { recursive: true });
  await runSetup(name, 'chown', ['-R', `${PG_USER}:${PG_USER}`, dir]);
  const asPostgres = ['--reuid', PG_USER, '--regid', PG_USER, '--init-groups', '--'];
  if (!existsSync(join(data, 'PG_VERSION'))) {
    await runSetup(name, 'setpriv', [
      ...asPostgres,
      join(bin, 'initdb'),
      '-D',
      data,
      '-U',
      PG_USER,
      '--auth=trust',
      '-E',
      'UTF8',
      // Strings compared bytewise (the C collation), as MongoDB and FerretDB compare them:
      // FerretDB (our patch, ferretdb.ts' PG_ID_RANGE_PATCH) pushes an `_id` string range down as a
      // jsonb comparison, which orders strings by the database's collation. Under a linguistic
      // one ('en_US.UTF-8': punctuation ignored, case folded) the SQL would leave out documents
      // the range matches ('outbox:x' sorts after 'outbox;'), and FerretDB never sees them.
      '--locale=C',
    ]);
  }
  const pid = spawnDetached(name, 'setpriv', [
    ...asPostgres,
    join(bin, 'postgres'),
    '-D',
    data,
    '-p',
    String(opts.port),
    '-k',
    sockets,
    '-c',
    'listen_addresses=127.0.0.1',
  ]);
  await waitUntil(name, () => pgReady(bin, opts.port), { timeoutMs: 30_000, pid, logFile: logPath(name) });
  const notBytewise = await collationProblem(name, bin, opts.port, data);
  if (notBytewise) {
    await stopProcess(name);
    throw new LauncherError(name, notBytewise, logPath(name));
  }
  return 'started';
}

/**
 * Why the server may not serve FerretDB, or undefined: its `postgres` database does not compare
 * strings by their bytes (a data folder made before initdb's `--locale=C` above, under a
 * linguistic locale), so FerretDB's `_id` range pushdown would miss documents. C and POSIX
 * compare bytes; glibc's C.UTF-8 and the builtin provider (PostgreSQL 17) compare code points,
 * the same order for UTF-8; ICU's are linguistic. `to_jsonb(d)` reads the provider where the column
 * exists (PostgreSQL 15 and later; libc before).
 */
async function collationProblem(
  name: string,
  bin: string,
  port: number,
  data: string,
): Promise<string | undefined> {
  const sql =
    "SELECT coalesce(to_jsonb(d)->>'datlocprovider', 'c') || ' ' || datcollate FROM pg_database d " +
    'WHERE datname = current_database()';
  const psql = [
    '-X',
    '-A',
    '-t',
    '-h',
    '127.0.0.1',
    '-p',
    String(port),
    '-U',
    PG_USER,
    '-d',
    'postgres',
    '-c',
    sql,
  ];
  const [provider, collate] = (await runSetup(name, join(bin, 'psql'), psql)).trim().split(' ');
  if (provider === 'b' || (provider === 'c' && /^(C|POSIX|C\.UTF-?8)$/i.test(collate ?? '')))
    return undefined;
  return (
    `${data} collates strings by ${provider === 'i' ? 'ICU' : `libc '${collate}'`}, not bytewise (C): ` +
    'FerretDB would miss documents in _id ranges; remove the folder to make it anew with --locale=C'
  );
}
