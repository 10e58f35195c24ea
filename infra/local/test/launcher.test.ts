import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  ensureTopics,
  FERRET_BUILD,
  ferretEnv,
  LauncherError,
  staleFerretBuilds,
  startRedis,
  status,
} from '../src/index.ts';

describe('the local launcher', () => {
  it('reports every component answering, with its endpoint and log', async () => {
    const all = await status();
    expect(all.map((s) => s.component)).toEqual(['kafka', 'ferretdb', 'redis']);
    for (const s of all) {
      expect(s.answering).toBe(true);
      expect(s.log).toMatch(/\.log$/);
    }
  });

  it("starts FerretDB with Go's collector at GOGC=400, unless the operator set GOGC", () => {
    expect(ferretEnv({ PATH: '/usr/bin' })).toEqual({ PATH: '/usr/bin', GOGC: '400' });
    expect(ferretEnv({ GOGC: '150' }).GOGC).toBe('150');
    expect(ferretEnv({ GOGC: '' }).GOGC).toBe('400');
  });

  it("names the FerretDB builds of earlier patch sets in the cache as stale, never this launcher's or other tools", () => {
    const files = [
      'ferretdb-v1.24.2-homeward.3',
      FERRET_BUILD,
      'ferretdb-v1.23.0-homeward.7',
      'helm-v3.22.0',
      'promtool-v0.316.0',
    ];
    expect(staleFerretBuilds(files)).toEqual(['ferretdb-v1.24.2-homeward.3', 'ferretdb-v1.23.0-homeward.7']);
    expect(FERRET_BUILD).toMatch(/^ferretdb-v1\.24\.2-homeward\.\d+$/);
  });

  it('creates topics once: a second call creates nothing', async () => {
    const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
    const prefix = `launcher-${Date.now().toString(36)}.`;
    const first = await ensureTopics(brokers, ['x.v1'], { prefix, partitions: 1 });
    expect(first.sort()).toEqual([`${prefix}x.v1`, `${prefix}x.v1.dlq`]);
    expect(await ensureTopics(brokers, ['x.v1'], { prefix, partitions: 1 })).toEqual([]);
  });

  it('says which component failed, why, and where its log is', async () => {
    // Something that is not Redis holds the port: the Redis it starts cannot bind and exits.
    const squatter = createServer((socket) => socket.end('not redis\r\n'));
    await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', r));
    const port = (squatter.address() as { port: number }).port;
    try {
      const err = await startRedis({ port, name: 'redis-launcher-test' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LauncherError);
      expect((err as LauncherError).component).toBe('redis-launcher-test');
      expect((err as Error).message).toMatch(
        /^redis-launcher-test: the process exited during start-up \(log: .*redis-launcher-test\.log\)$/,
      );
    } finally {
      squatter.close();
    }
  });
});
