import { setTimeout as sleep } from 'node:timers/promises';
import { deadLetterTopic } from '@homeward/events';
import type { Consumer, IHeaders, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { TopicResolver } from './kafka-client.ts';

/** A dead letter as read: the original bytes, every header as text, where it lies. */
export interface DeadLetterMessage {
  /** The dead-letter topic's physical name. */
  topic: string;
  partition: number;
  offset: string;
  headers: Record<string, string | undefined>;
  value: Buffer | null;
}

export interface DeadLetterReaderOptions {
  kafka: Kafka;
  /** The group's logical name; prefixed by the resolver as the consumer runner's groups are. */
  groupId: string;
  /** The logical topic whose `.dlq` twin is read (e.g. `agency.reports.v1`). */
  topic: string;
  topicResolver: TopicResolver;
  /**
   * Called once per dead letter, in order per partition. It must be idempotent: a letter is
   * read again after a crash before its offset was committed. A failure is retried in place
   * (with backoff) until it succeeds or the reader stops: nothing is skipped.
   */
  handle: (letter: DeadLetterMessage) => Promise<void>;
  logger: Logger;
}

const headerText = (v: IHeaders[string]): string | undefined => {
  const one = Array.isArray(v) ? v[0] : v;
  return one === undefined ? undefined : Buffer.isBuffer(one) ? one.toString('utf8') : String(one);
};

/**
 * Reads a dead-letter topic, for a service the ACL table lets read it (DEAD_LETTER_READERS).
 * Unlike the consumer runner it does not decode, validate or dead-letter again: a dead letter
 * is whatever could not be processed, and what the reader makes of it is its handler's. Its
 * consumer restarts with backoff after a crash; `stop` leaves the group after the letter in
 * hand is done.
 */
export class DeadLetterReader {
  private consumer: Consumer | undefined;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private readonly wake = new AbortController();

  constructor(private readonly opts: DeadLetterReaderOptions) {}

  start(): void {
    this.loop ??= this.supervise();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake.abort();
    await this.consumer?.disconnect().catch(() => {});
    await this.loop;
  }

  private async supervise(): Promise<void> {
    const log = this.opts.logger;
    const topic = this.opts.topicResolver(deadLetterTopic(this.opts.topic));
    for (let attempt = 1; !this.stopping; attempt++) {
      const consumer = this.opts.kafka.consumer({
        groupId: this.opts.topicResolver(this.opts.groupId),
        allowAutoTopicCreation: false,
        sessionTimeout: 30_000,
        heartbeatInterval: 3_000,
        maxWaitTimeInMs: 500,
        retry: {
          retries: 8,
          initialRetryTime: 300,
          maxRetryTime: 10_000,
          restartOnFailure: async () => false,
        },
      });
      this.consumer = consumer;
      try {
        const crashed = new Promise<unknown>((resolve) => {
          consumer.on(consumer.events.CRASH, ({ payload }) => resolve(payload.error));
          this.wake.signal.addEventListener('abort', () => resolve(undefined), { once: true });
        });
        await consumer.connect();
        if (this.stopping) break;
        await consumer.subscribe({ topics: [topic], fromBeginning: true });
        await consumer.run({
          autoCommit: true,
          eachMessage: async ({ topic: t, partition, message, heartbeat }) => {
            const letter: DeadLetterMessage = {
              topic: t,
              partition,
              offset: message.offset,
              headers: Object.fromEntries(
                Object.entries(message.headers ?? {}).map(([k, v]) => [k, headerText(v)]),
              ),
              value: message.value,
            };
            await this.handleWithRetry(letter, heartbeat);
          },
        });
        attempt = 0;
        const failure = await crashed;
        if (this.stopping) break;
        log.error({ err: failure, topic }, 'dead-letter reader crashed; restarting');
      } catch (err) {
        if (this.stopping) break;
        log.error({ err, topic, attempt }, 'dead-letter reader could not start; retrying');
      }
      await consumer.disconnect().catch(() => {});
      const cap = Math.min(30_000, 500 * 2 ** Math.min(attempt, 6));
      await sleep(cap / 2 + (Math.random() * cap) / 2, undefined, { signal: this.wake.signal }).catch(
        () => {},
      );
    }
  }

  private async handleWithRetry(letter: DeadLetterMessage, heartbeat: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.opts.handle(letter);
      } catch (err) {
        // Stopping: the offset is not committed, so the letter is read again next time.
        if (this.stopping) throw err;
        const wait = Math.random() * Math.min(10_000, 200 * 2 ** (attempt - 1));
        this.opts.logger.warn(
          { err, partition: letter.partition, offset: letter.offset, attempt },
          'dead letter not handled; retrying',
        );
        await sleep(wait);
        await heartbeat().catch(() => {});
      }
    }
  }
}
