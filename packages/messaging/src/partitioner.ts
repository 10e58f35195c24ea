import { randomInt } from 'node:crypto';
import type { ICustomPartitioner, PartitionerArgs } from 'kafkajs';

/**
 * Kafka's murmur2 (the Java client's `Utils.murmur2`), in 32-bit integer arithmetic. kafkajs's
 * own computes it with its `Long` class, allocating several objects per 4 bytes of key (about
 * 4 KiB per message for intake's keys, the largest allocator of a report's publication) for a
 * hash whose every step keeps only the low 32 bits. Written by hand: no package on npm computes
 * this hash without those `Long`s or a native build.
 */
export function murmur2(data: Buffer): number {
  const M = 0x5bd1e995;
  const length = data.length;
  let h = 0x9747b28c ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  // The last one to three bytes, as the Java original's falling-through switch mixes them.
  const tail = length & 3;
  if (tail > 0) {
    if (tail === 3) h ^= data[whole + 2]! << 16;
    if (tail >= 2) h ^= data[whole + 1]! << 8;
    h ^= data[whole]!;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/**
 * kafkajs's `Partitioners.DefaultPartitioner` (the Java client's 0.10.2 choice), partition for
 * partition: a message's own partition, else its key's murmur2 modulo the topic's partitions,
 * else round robin over the partitions with a leader. Only faster: the hash above, and the
 * partitions with a leader filtered only for a message without a key.
 */
export const keyPartitioner: ICustomPartitioner = () => {
  const counters = new Map<string, number>();
  return ({ topic, partitionMetadata, message }: PartitionerArgs): number => {
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    const count = partitionMetadata.length;
    if (message.key !== null && message.key !== undefined) {
      const key = Buffer.isBuffer(message.key) ? message.key : Buffer.from(String(message.key));
      return (murmur2(key) & 0x7fffffff) % count;
    }
    const next = (counters.get(topic) ?? randomInt(2 ** 32)) + 1;
    counters.set(topic, next);
    const available = partitionMetadata.filter((p) => p.leader >= 0);
    if (available.length > 0) return available[(next & 0x7fffffff) % available.length]!.partitionId;
    return (next & 0x7fffffff) % count;
  };
};
