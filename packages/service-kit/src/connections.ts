import { Redis } from 'ioredis';
import { type Db, MongoClient, MongoServerSelectionError } from 'mongodb';
import type { Logger } from 'pino';

/**
 * How long a request waits for an unreachable store before it gives up: about a second, so a
 * store outage answers 503 with Retry-After at once instead of hanging (the driver's default
 * server selection waits 30 s). https://www.mongodb.com/docs/drivers/node/current/fundamentals/connection/connection-options/
 */
export const STORE_TIMEOUTS = {
  mongoServerSelectionMs: 1_000,
  /** ioredis: a command fails after this many reconnection attempts ... */
  redisMaxRetriesPerRequest: 1,
  /** ... made this often at most, so a command waits about a second while Redis is away. */
  redisReconnectMaxMs: 500,
  redisConnectMs: 1_000,
  /**
   * A service starting while the store is merely busy (FerretDB answering a hello late under a
   * load spike) keeps selecting for this long before its start fails: one slow answer is not an
   * outage, and a start that fails on it leaves a supervisor restart loop to do the same wait.
   */
  mongoStartMs: 15_000,
} as const;

export interface MongoConnection {
  client: MongoClient;
  db: Db;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** Connects to the MongoDB-protocol server; the database name is the service's own. */
export async function connectMongo(url: string, dbName: string): Promise<MongoConnection> {
  const client = await connectMongoClient(url);
  const db = client.db(dbName);
  return {
    client,
    db,
    ping: async () => (await db.command({ ping: 1 })).ok === 1,
    close: () => client.close(),
  };
}

export interface RedisConnection {
  redis: Redis;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Connects to Redis. While Redis is away ioredis keeps reconnecting (every half second at most)
 * and fails each command after one failed attempt, so a route that needs Redis answers 503
 * within about a second and a handler's retry loop gets a retriable error to wait on.
 */
export async function connectRedis(url: string, logger: Logger): Promise<RedisConnection> {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: true,
    maxRetriesPerRequest: STORE_TIMEOUTS.redisMaxRetriesPerRequest,
    connectTimeout: STORE_TIMEOUTS.redisConnectMs,
    retryStrategy: (times) => Math.min(times * 50, STORE_TIMEOUTS.redisReconnectMaxMs),
    // Commands issued in one turn of the event loop (concurrent requests' rate-limit hits, lease
    // takes and releases) leave in one socket write: on a loaded host a write is a syscall that
    // costs as much as the command. Blocking reads (the SSE hub's own connection) stay alone.
    enableAutoPipelining: true,
    autoPipeliningIgnoredCommands: ['xread', 'xreadgroup', 'blpop', 'brpop'],
  });
  let down = false;
  // One line when the connection goes and one when it comes back, not one per reconnect attempt.
  redis.on('error', (err) => {
    if (!down) logger.warn({ err: err.message }, 'redis connection error');
    down = true;
  });
  redis.on('ready', () => {
    if (down) logger.info('redis connection restored');
    down = false;
  });
  await redis.connect();
  return {
    redis,
    ping: async () => (await redis.ping()) === 'PONG',
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** An index a service needs; created at start (idempotent). */
export interface IndexSpec {
  collection: string;
  key: Record<string, 1 | -1>;
  unique?: boolean;
  name?: string;
}

export async function ensureIndexes(db: Db, specs: IndexSpec[]): Promise<void> {
  for (const s of specs) {
    await db
      .collection(s.collection)
      .createIndex(s.key, { unique: s.unique ?? false, ...(s.name ? { name: s.name } : {}) });
  }
}

/**
 * Opens a client, selecting a server again (a new client each time) while the store does not
 * answer, for at most `mongoStartMs`: a refused login or a bad URL fails at once.
 */
async function connectMongoClient(url: string): Promise<MongoClient> {
  const deadline = Date.now() + STORE_TIMEOUTS.mongoStartMs;
  for (;;) {
    const client = new MongoClient(url, {
      // Only selection is shortened: the connect timeout also bounds the monitor's heartbeat, and
      // a short one marks a merely busy server unknown (and clears the pool) on a loaded machine.
      serverSelectionTimeoutMS: STORE_TIMEOUTS.mongoServerSelectionMs,
      maxPoolSize: 20,
      // For the store's metrics (store-metrics.ts): one event per command, no extra round trip.
      monitorCommands: true,
    });
    try {
      await client.connect();
      return client;
    } catch (err) {
      await client.close().catch(() => undefined);
      if (!(err instanceof MongoServerSelectionError) || Date.now() >= deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
