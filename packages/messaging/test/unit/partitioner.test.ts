import { randomBytes } from 'node:crypto';
import { type PartitionerArgs, Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { keyPartitioner } from '../../src/partitioner.ts';

const metadata = (count: number, leaderless: number[] = []) =>
  Array.from({ length: count }, (_, partitionId) => ({
    partitionId,
    leader: leaderless.includes(partitionId) ? -1 : 0,
    partitionErrorCode: 0,
    replicas: [0],
    isr: [0],
  }));

describe('keyPartitioner', () => {
  it("puts every keyed message where kafkajs's DefaultPartitioner puts it (the Java client's murmur2)", () => {
    const ours = keyPartitioner();
    const theirs = Partitioners.DefaultPartitioner();
    // Lengths 0 to 80 (every tail of the hash), ASCII, multi-byte text and raw bytes.
    const keys: Array<string | Buffer> = [];
    for (let n = 0; n <= 80; n++) {
      keys.push('k'.repeat(n), `case-${randomBytes(n).toString('hex')}`.slice(0, n), randomBytes(n));
      keys.push('é😀ü'.repeat(n % 7), Buffer.from(Array.from({ length: n }, (_, i) => 255 - i)));
    }
    for (let i = 0; i < 5_000; i++) keys.push(`case-${crypto.randomUUID()}`);
    let compared = 0;
    for (const count of [1, 2, 3, 12, 24, 100]) {
      const partitionMetadata = metadata(count);
      for (const key of keys) {
        const args = { topic: 't', partitionMetadata, message: { key, value: null } } as PartitionerArgs;
        expect(ours(args), `key ${JSON.stringify(key)} over ${count}`).toBe(theirs(args));
        compared++;
      }
    }
    expect(compared).toBe(6 * keys.length);
  });

  it('keeps a partition given, and spreads keyless messages over the partitions that have a leader', () => {
    const partition = keyPartitioner();
    const partitionMetadata = metadata(6, [1, 4]);
    expect(
      partition({ topic: 't', partitionMetadata, message: { key: 'x', partition: 5, value: null } }),
    ).toBe(5);
    const seen = new Set<number>();
    for (let i = 0; i < 40; i++)
      seen.add(partition({ topic: 't', partitionMetadata, message: { value: null } }));
    expect([...seen].sort()).toEqual([0, 2, 3, 5]);
    // With no partition led, still a partition of the topic.
    expect(
      partition({ topic: 'u', partitionMetadata: metadata(3, [0, 1, 2]), message: { value: null } }),
    ).toBeLessThan(3);
  });
});
