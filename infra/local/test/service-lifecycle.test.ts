import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { allTopics } from '@homeward/events';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient, deleteTopics, ensureTopics, repoRoot, serviceCommand } from '../src/index.ts';

// A real service (intake) as `npm start` runs it: its own process, signals, consumer groups.
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const suffix = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
const prefix = `lifecycle-${suffix}.`;
const dbName = `lifecycle_${suffix.replaceAll('-', '_')}`;
const port = 18_000 + Math.floor(Math.random() * 2_000);
const base = `http://127.0.0.1:${port}`;
const admin = adminClient(brokers);

beforeAll(async () => {
  await ensureTopics(brokers, allTopics, { prefix, partitions: 1 });
  await admin.connect();
}, 60_000);

afterAll(async () => {
  await admin.disconnect();
  await deleteTopics(brokers, prefix).catch(() => {});
  const client = await MongoClient.connect(process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017');
  await client
    .db(dbName)
    .dropDatabase()
    .catch(() => {});
  await client.close();
});

interface Running {
  child: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
}

function startIntake(): Running {
  const { command, args } = serviceCommand('intake');
  const child = spawn(command, args, {
    cwd: repoRoot,
    env: {
      ...process.env,
      PORT: String(port),
      TOPIC_PREFIX: prefix,
      MONGO_DB: dbName,
      LOG_LEVEL: 'info',
      CONSUMER_NOT_READY_AFTER_MS: '60000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const lines: string[] = [];
  for (const s of [child.stdout, child.stderr])
    createInterface({ input: s! }).on('line', (l) => lines.push(l));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, lines, exited };
}

async function status(path: string): Promise<number> {
  try {
    return (await fetch(`${base}${path}`, { signal: AbortSignal.timeout(2_000) })).status;
  } catch {
    return 0;
  }
}

async function until(
  probe: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 90_000,
): Promise<number> {
  const t0 = Date.now();
  while (!(await probe())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
  return Date.now() - t0;
}

async function members(): Promise<number> {
  const { groups } = await admin.describeGroups([`${prefix}intake.reports`, `${prefix}intake.cases`]);
  return groups.reduce((n, g) => n + g.members.length, 0);
}

describe('a service under the launcher', () => {
  it('answers HTTP before it joins its groups, leaves them on one SIGTERM, and a kill -9 restart is reachable at once', async ({
    annotate,
  }) => {
    const first = startIntake();
    const liveMs = await until(async () => (await status('/health/live')) === 200, 'live');
    const readyMs = await until(async () => (await status('/health/ready')) === 200, 'ready');
    expect(await members()).toBe(2);

    // One SIGTERM: a graceful stop that leaves both groups (no dead members for the next start).
    const t0 = Date.now();
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const stopMs = Date.now() - t0;
    expect(first.lines.some((l) => l.includes('second SIGTERM'))).toBe(false);
    expect(first.lines.some((l) => l.includes('shutdown: stop consumers'))).toBe(true);
    expect(await members()).toBe(0);

    // A start after a clean stop is ready without waiting out anyone's session.
    const second = startIntake();
    const secondReadyMs = await until(async () => (await status('/health/ready')) === 200, 'ready again');

    // kill -9 leaves its members behind: the next process answers at once but is not ready until
    // the group has given up on them (the session timeout), and says so.
    second.child.kill('SIGKILL');
    await second.exited;
    const third = startIntake();
    const t1 = Date.now();
    await until(async () => (await status('/health/live')) === 200, 'live after kill -9');
    const thirdLiveMs = Date.now() - t1;
    const notReadyWhileJoining = (await status('/health/ready')) === 503;
    await until(async () => (await status('/health/ready')) === 200, 'ready after kill -9');
    const thirdReadyMs = Date.now() - t1;
    third.child.kill('SIGTERM');
    expect(await third.exited).toBe(0);

    await annotate(
      `first start: live ${liveMs} ms, ready ${readyMs} ms; graceful stop ${stopMs} ms; ` +
        `start after a clean stop: ready ${secondReadyMs} ms; after kill -9: live ${thirdLiveMs} ms, ready ${thirdReadyMs} ms`,
    );
    expect(notReadyWhileJoining).toBe(true);
    expect(thirdLiveMs).toBeLessThan(thirdReadyMs);
  }, 240_000);
});
