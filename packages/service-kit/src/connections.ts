import { Redis } from 'ioredis';
import { type Db, MongoClient } from 'mongodb';
import type { Logger } from 'pino';

export interface MongoConnection {
  client: MongoClient;
  db: Db;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** Connects to the MongoDB-protocol server; the database name is the service's own. */
export async function connectMongo(url: string, dbName: string): Promise<MongoConnection> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 5000, maxPoolSize: 20 });
  await client.connect();
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

export async function connectRedis(url: string, logger: Logger): Promise<RedisConnection> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 5, enableOfflineQueue: true });
  redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
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
