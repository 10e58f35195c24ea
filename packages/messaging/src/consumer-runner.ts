import { setTimeout as sleep } from 'node:timers/promises';
import {
  type CloudEvent,
  childTraceparent,
  deadLetterTopic,
  decodeKafka,
  EventDecodeError,
  type EventType,
  type HomewardEvent,
  isEventType,
  traceIdOf,
  validateEvent,
} from '@homeward/events';
import type { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage, Message } from 'kafkajs';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { isRetriable } from './errors.ts';
import type { IdempotencyStore } from './idempotency.ts';
import type { TopicResolver } from './kafka-client.ts';
import { type MessagingMetrics, messagingMetrics } from './metrics.ts';
import type { EventPublisher } from './publisher.ts';

/** What a handler gets besides the event: a logger bound to the message, and where it came from. */
export interface HandlerContext {
  log: Logger;
  topic: string;
  partition: number;
  offset: string;
  /** The traceparent to put on events this handler causes (same trace, new span). */
  traceparent: string;
}

export type EventHandler<T extends EventType = EventType> = (
  event: HomewardEvent<T>,
  ctx: HandlerContext,
) => Promise<void>;

/** One handler per event type this consumer cares about; other types on its topics are skipped. */
export type EventHandlers = { [T in EventType]?: EventHandler<T> };

/** Retry of retriable failures: exponential backoff with full jitter, capped. */
export const HANDLER_RETRY = { initialMs: 100, maxMs: 5_000 } as const;

export interface ConsumerRunnerOptions {
  kafka: Kafka;
  groupId: string;
  /** Logical topic names; the resolver maps them to physical ones. */
  topics: string[];
  topicResolver: TopicResolver;
  handlers: EventHandlers;
  publisher: EventPublisher;
  idempotency: IdempotencyStore;
  logger: Logger;
  registry?: Registry;
  /** Partitions processed at once; each partition is still handled in order. */
  partitionsConcurrently?: number;
  fromBeginning?: boolean;
  /** Time source for the idempotency record (tests inject theirs). */
  now?: () => Date;
}

/**
 * Runs a consumer group: decode, validate, skip duplicates, handle, record, commit. Poison
 * messages go to `<topic>.dlq` with the reason in headers and the consumer goes on; retriable
 * failures are retried in place, so a partition waits rather than lose its order.
 */
export class ConsumerRunner {
  private readonly consumer: Consumer;
  private readonly metrics: MessagingMetrics | undefined;
  private stopping = false;
  private running = false;
  private readonly physicalToLogical = new Map<string, string>();
  private markJoined: () => void = () => {};
  /** Resolves when this member first joins its group (registered before `run`, so never missed). */
  private readonly joined = new Promise<void>((resolve) => {
    this.markJoined = resolve;
  });

  constructor(private readonly opts: ConsumerRunnerOptions) {
    this.consumer = opts.kafka.consumer({
      // The resolver names the group as it names the topics: prefixed deployments (tests,
      // tenants) never share a group, whose members would otherwise split each other's topics.
      groupId: opts.topicResolver(opts.groupId),
      allowAutoTopicCreation: false,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      maxWaitTimeInMs: 100,
      retry: { retries: 12, initialRetryTime: 300, maxRetryTime: 10_000 },
    });
    this.metrics = opts.registry ? messagingMetrics(opts.registry) : undefined;
    for (const t of opts.topics) this.physicalToLogical.set(opts.topicResolver(t), t);
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => this.markJoined());
  }

  get isRunning(): boolean {
    return this.running && !this.stopping;
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: [...this.physicalToLogical.keys()],
      fromBeginning: this.opts.fromBeginning ?? true,
    });
    await this.consumer.run({
      autoCommit: true,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.opts.partitionsConcurrently ?? 3,
      eachBatch: (payload) => this.eachBatch(payload),
    });
    this.running = true;
  }

  /** Waits until the group has assigned this member its partitions (tests and start-up). */
  async waitForAssignment(timeoutMs = 60_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.joined,
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`consumer ${this.opts.groupId} not assigned within ${timeoutMs} ms`)),
          timeoutMs,
        );
      }),
    ]).finally(() => clearTimeout(timer));
  }

  /**
   * Graceful stop: no new fetches, the batch in hand finishes its current message, resolved
   * offsets are committed, and the member leaves the group so the others take over at once.
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.stopping = true;
    await this.consumer.disconnect();
    this.running = false;
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    for (const message of batch.messages) {
      if (this.stopping || !isRunning() || isStale()) break;
      await this.processMessage(batch.topic, batch.partition, message);
      resolveOffset(message.offset);
      await heartbeat();
    }
    await commitOffsetsIfNecessary();
    this.metrics?.lag.set(
      { group: this.opts.groupId, topic: batch.topic, partition: String(batch.partition) },
      Number(batch.offsetLag()),
    );
  }

  private async processMessage(topic: string, partition: number, message: KafkaMessage): Promise<void> {
    const group = this.opts.groupId;
    const baseLog = this.opts.logger.child({ topic, partition, offset: message.offset });
    let event: CloudEvent;
    try {
      event = decodeKafka(message);
    } catch (err) {
      const reason =
        err instanceof EventDecodeError
          ? `${err.message}${err.errors.length ? `: ${JSON.stringify(err.errors)}` : ''}`
          : String(err);
      await this.deadLetter(topic, partition, message, 'decode', reason, baseLog);
      return;
    }
    const log = baseLog.child({ eventId: event.id, type: event.type, traceId: traceIdOf(event.traceparent) });
    if (!isEventType(event.type)) {
      await this.deadLetter(
        topic,
        partition,
        message,
        'unknown-type',
        `unknown event type "${event.type}"`,
        log,
      );
      return;
    }
    const handler = this.opts.handlers[event.type] as EventHandler | undefined;
    if (!handler) {
      this.metrics?.handled.inc({ group, type: event.type, outcome: 'ignored' });
      return;
    }
    const errors = validateEvent(event);
    if (errors.length > 0) {
      await this.deadLetter(topic, partition, message, 'schema', JSON.stringify(errors), log);
      return;
    }
    // CloudEvents make source + id unique, not id alone: two agencies may both send id "1".
    const eventKey = `${event.source}|${event.id}`;
    if (await this.withRetry(() => this.opts.idempotency.has(group, eventKey), log)) {
      log.debug('duplicate event skipped');
      this.metrics?.handled.inc({ group, type: event.type, outcome: 'duplicate' });
      return;
    }
    const ctx: HandlerContext = {
      log,
      topic,
      partition,
      offset: message.offset,
      traceparent: childTraceparent(event.traceparent),
    };
    const timer = this.metrics?.handlerSeconds.startTimer({ group, type: event.type });
    try {
      await this.withRetry(() => handler(event as HomewardEvent, ctx), log);
    } catch (err) {
      timer?.();
      const e = err as { code?: string; message?: string };
      await this.deadLetter(topic, partition, message, e.code ?? 'handler', e.message ?? String(err), log);
      return;
    }
    timer?.();
    await this.withRetry(
      () => this.opts.idempotency.add(group, eventKey, this.opts.now?.() ?? new Date()),
      log,
    );
    this.metrics?.handled.inc({ group, type: event.type, outcome: 'handled' });
  }

  /** Runs `fn`, retrying retriable failures until it succeeds or the runner stops. */
  private async withRetry<R>(fn: () => Promise<R>, log: Logger): Promise<R> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (!isRetriable(err) || this.stopping) throw err;
        const cap = Math.min(HANDLER_RETRY.maxMs, HANDLER_RETRY.initialMs * 2 ** (attempt - 1));
        const wait = Math.random() * cap;
        log.warn({ err, attempt, waitMs: Math.round(wait) }, 'retriable failure, retrying');
        await sleep(wait);
      }
    }
  }

  private async deadLetter(
    topic: string,
    partition: number,
    message: KafkaMessage,
    code: string,
    reason: string,
    log: Logger,
  ): Promise<void> {
    const logical = this.physicalToLogical.get(topic) ?? topic;
    const headers: IHeaders = {
      ...message.headers,
      dlq_reason: reason.slice(0, 4000),
      dlq_error_code: code,
      dlq_original_topic: topic,
      dlq_original_partition: String(partition),
      dlq_original_offset: message.offset,
      dlq_consumer_group: this.opts.groupId,
      dlq_failed_at: (this.opts.now?.() ?? new Date()).toISOString(),
    };
    const dead: Message = { key: message.key, value: message.value, headers };
    // The dead letter must be stored before the offset moves past the original.
    await this.withRetry(
      () =>
        this.opts.publisher.sendMessages(
          new Map([[this.opts.topicResolver(deadLetterTopic(logical)), [dead]]]),
        ),
      log,
    );
    log.warn({ code, reason: reason.slice(0, 500) }, 'message dead-lettered');
    this.metrics?.handled.inc({
      group: this.opts.groupId,
      type: headerText(message.headers?.ce_type) ?? 'unknown',
      outcome: 'dead-lettered',
    });
  }
}

function headerText(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  return Array.isArray(v) ? String(v[0]) : String(v);
}
