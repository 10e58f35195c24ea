import { Redis } from 'ioredis';
import { cacheDir } from '../paths.ts';
import { LauncherError, logPath, readPid, runSetup, spawnDetached, waitUntil, which } from '../processes.ts';

export interface RedisOptions {
  port: number;
  /** Instance name: the pid file, log file and data folder are named after it. */
  name?: string;
  /**
   * Keep the data across restarts (an append-only file, fsync every second), as a production
   * Redis would. Off by default: local Redis holds what the services can rebuild at start.
   */
  persistent?: boolean;
}

/** A Redis PING over a fresh connection: the only proof that the server answers. */
export async function pingRedis(port: number): Promise<boolean> {
  const client = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } finally {
    client.disconnect();
  }
}

async function ensureRedisServer(): Promise<string> {
  const found = which('redis-server');
  if (found) return found;
  // Debian's package; the launcher runs as root on the project's machines.
  await runSetup('redis', 'apt-get', ['update', '-qq']);
  await runSetup('redis', 'apt-get', ['install', '-y', '-qq', 'redis-server'], {
    DEBIAN_FRONTEND: 'noninteractive',
  });
  const installed = which('redis-server');
  if (!installed) throw new LauncherError('redis', 'redis-server is still missing after apt-get install');
  return installed;
}

export async function startRedis(opts: RedisOptions): Promise<'reused' | 'started'> {
  const name = opts.name ?? 'redis';
  if (await pingRedis(opts.port).catch(() => false)) return 'reused';
  const bin = await ensureRedisServer();
  const dir = cacheDir(name);
  // Persistence off unless asked for: local Redis holds caches, locks and indexes the services
  // can rebuild.
  const persistence = opts.persistent
    ? ['--appendonly', 'yes', '--appendfsync', 'everysec']
    : ['--appendonly', 'no'];
  const pid = spawnDetached(name, bin, [
    '--port',
    String(opts.port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    ...persistence,
    '--daemonize',
    'no',
    '--protected-mode',
    'yes',
  ]);
  await waitUntil(name, () => pingRedis(opts.port), { timeoutMs: 15_000, pid, logFile: logPath(name) });
  return 'started';
}

export function redisPid(name = 'redis'): number | undefined {
  return readPid(name);
}
