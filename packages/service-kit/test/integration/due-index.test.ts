import { testRedis, uniqueName } from '@homeward/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RedisDueIndex } from '../../src/index.ts';
import { dueIndexContract } from '../due-index-contract.ts';

let redis: Redis;
let current: RedisDueIndex | undefined;
beforeAll(() => {
  redis = testRedis();
});
afterAll(async () => {
  await redis.quit();
});

dueIndexContract('redis', {
  make: async () => {
    current = new RedisDueIndex(redis, { prefix: `${uniqueName('due-index')}:`, name: 'kit:due' });
    return current;
  },
  dispose: async () => {
    if (current) await redis.del(current.key);
  },
});

it('keys the sorted set by prefix and name, scored in epoch milliseconds', async () => {
  const index = new RedisDueIndex(redis, {
    prefix: `${uniqueName('due-key')}:`,
    name: 'placement:followups-due',
  });
  try {
    expect(index.key.endsWith(':placement:followups-due')).toBe(true);
    await index.set('case-1', new Date('2026-11-28T08:30:00Z'));
    expect(Number(await redis.zscore(index.key, 'case-1'))).toBe(new Date('2026-11-28T08:30:00Z').getTime());
  } finally {
    await redis.del(index.key);
  }
});
