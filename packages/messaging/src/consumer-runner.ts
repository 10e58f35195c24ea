import { setTimeout as sleep } from 'node:timers/promises';
import {
  type CloudEvent,
  childTraceparent,
  contextOfTraceparent,
  deadLetterTopic,
  decodeKafka,
  EventDecodeError,
  type HomewardEvent,
  isEventType,
  traceIdOf,
  traceparentOf,
  validateEvent,
} from '@homeward/events';
import { context, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Consumer, EachBatchPayload, IHeaders, KafkaMessage, Message } from 'kafkajs';
import type { Logger } from 'pino';
import {
  CONSUMER_HEALTH_DEFAULTS,
  CONSUMER_RESTART,
  type ConsumerHealth,
  type ConsumerHealthThresholds,
  type ConsumerRunnerOptions,
  type EventHandler,
  HANDLER_RETRY,
  type HandlerContext,
} from './consumer-options.ts';
import { isRetriable } from './errors.ts';
import { type MessagingMetrics, messagingMetrics } from './metrics.ts';

/**
 * Runs a consumer group: decode, validate, skip duplicates, handle, record, commit. Poison
 * messages go to `<topic>.dlq` with the reason in headers and the consumer goes on; retriable
 * failures are retried in place, so a partition waits rather than lose its order.
 *
 * The runner supervises its kafkajs consumer: whatever makes it crash (a broker outage, a lock
 * timeout inside kafkajs, a failed join), it is replaced by a new one after a backoff, for as
 * long as the runner is not stopped, with a log line and a metric per restart. kafkajs' own
 * restart (`restartOnFailure`) is declined so that every restart goes through this one path.
 */
export class ConsumerRunner {
  private consumer: Consumer | undefined;
  private readonly metrics: MessagingMetrics | undefined;
  private stopping = false;
  private supervisor: Promise<void> | undefined;
  private readonly wakeUp = new AbortController();
  private readonly physicalToLogical = new Map<string, string>();
  private readonly thresholds: ConsumerHealthThresholds;
  private state: ConsumerHealth['state'] = 'starting';
  private restarts = 0;
  private hasJoined = false;
  private lastProgressAt = Date.now();
  /** Start times of the messages in handlers now, by topic/partition. */
  private readonly inFlight = new Map<string, number>();
  /** Per partition, the messages in handlers beyond their batch (`concurrencyPerPartition` > 1). */
  private readonly lanes = new Map<string, Lane>();
  /** Bumped at each join of the group: a lane of an earlier assignment is stale. */
  private generation = 0;
  private markJoined: () => void = () => {};
  /** Resolves when this runner first joins its group (registered before `run`, so never missed). */
  private readonly joined = new Promise<void>((resolve) => {
    this.markJoined = resolve;
  });

  constructor(private readonly opts: ConsumerRunnerOptions) {
    this.metrics = opts.registry ? messagingMetrics(opts.registry) : undefined;
    this.thresholds = { ...CONSUMER_HEALTH_DEFAULTS, ...opts.health };
    for (const t of opts.topics) this.physicalToLogical.set(opts.topicResolver(t), t);
  }

  /** The consumer group's name as the runner was given it (before the resolver). */
  get groupId(): string {
    return this.opts.groupId;
  }

  get isRunning(): boolean {
    return this.state === 'running' && !this.stopping;
  }

  /**
   * Whether the consumer works now, and for how long it has not; `thresholds` overrides the
   * runner's own (a deployment's configuration, applied by the service host).
   */
  health(thresholds: ConsumerHealthThresholds = this.thresholds): ConsumerHealth {
    const now = Date.now();
    let since = this.lastProgressAt;
    for (const started of this.inFlight.values()) since = Math.min(since, started);
    const stalledMs = this.state === 'stopped' ? 0 : Math.max(0, now - since);
    const everJoined = this.hasJoined;
    return {
      group: this.opts.groupId,
      state: this.state,
      ready: everJoined && this.state !== 'stopped' && stalledMs < thresholds.notReadyAfterMs,
      live: stalledMs < thresholds.notLiveAfterMs,
      stalledMs,
      restarts: this.restarts,
    };
  }

  /**
   * Starts the supervisor and resolves once the first consumer has been started (connected,
   * subscribed and running), or once `stop` is called if that never happens. While the broker
   * is away it keeps trying, with backoff, for ever.
   */
  async start(): Promise<void> {
    if (this.supervisor) return;
    this.lastProgressAt = Date.now();
    let firstStarted: () => void = () => {};
    const started = new Promise<void>((resolve) => {
      firstStarted = resolve;
    });
    this.supervisor = this.supervise(firstStarted).finally(firstStarted);
    await started;
  }

  /** Waits until the group has assigned this member its partitions (tests and start-up). */
  async waitForAssignment(timeoutMs = 60_000): Promise<void> {
    if (!Number.isFinite(timeoutMs)) return this.joined;
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
    if (!this.supervisor || this.stopping) return;
    this.stopping = true;
    this.wakeUp.abort();
    // Handlers running beyond their batch finish first (no new ones start once stopping).
    await Promise.all([...this.lanes.values()].flatMap((l) => [...l.running]));
    // Leaves the group (and ends a connect or join in progress) ...
    await this.consumer?.disconnect().catch((err: unknown) => {
      this.opts.logger.warn({ err }, 'consumer disconnect failed');
    });
    await this.supervisor;
    // ... and closes a connection that a connect finishing meanwhile opened.
    await this.consumer?.disconnect().catch(() => {});
    this.setState('stopped');
  }

  /** One consumer after another, until stopped: each lives until it crashes. */
  private async supervise(firstStarted: () => void): Promise<void> {
    const log = this.opts.logger;
    let attempt = 0;
    while (!this.stopping) {
      const consumer = this.createConsumer();
      this.consumer = consumer;
      const bornAt = Date.now();
      let failure: unknown;
      let onAbort = () => {};
      try {
        const died = new Promise<unknown>((resolve) => {
          consumer.on(consumer.events.CRASH, ({ payload }) => resolve(payload.error));
          onAbort = () => resolve(undefined);
          this.wakeUp.signal.addEventListener('abort', onAbort, { once: true });
        });
        await consumer.connect();
        // A stop that came while connecting: do not join a group only to leave it.
        if (this.stopping) break;
        await consumer.subscribe({
          topics: [
            ...this.physicalToLogical.keys(),
            ...(this.opts.topicPattern ? [this.opts.topicPattern.regex] : []),
          ],
          fromBeginning: this.opts.fromBeginning ?? true,
        });
        if (this.stopping) break;
        await consumer.run({
          autoCommit: true,
          eachBatchAutoResolve: false,
          partitionsConsumedConcurrently: this.opts.partitionsConcurrently ?? 3,
          eachBatch: (payload) => this.eachBatch(payload),
        });
        firstStarted();
        failure = await died;
      } catch (err) {
        failure = err;
      } finally {
        this.wakeUp.signal.removeEventListener('abort', onAbort);
      }
      if (this.stopping) break;
      if (this.hasJoined) this.setState('restarting');
      await consumer.disconnect().catch(() => {});
      // A consumer that ran for a while before it crashed starts the backoff again from the bottom.
      attempt = Date.now() - bornAt > CONSUMER_RESTART.stableAfterMs ? 1 : attempt + 1;
      const initialMs = this.opts.restart?.initialMs ?? CONSUMER_RESTART.initialMs;
      const maxMs = this.opts.restart?.maxMs ?? CONSUMER_RESTART.maxMs;
      const cap = Math.min(maxMs, initialMs * 2 ** (attempt - 1));
      const waitMs = Math.round(cap / 2 + (Math.random() * cap) / 2);
      this.restarts++;
      this.metrics?.consumerRestarts.inc({ group: this.opts.groupId });
      log.error(
        { err: failure, restart: this.restarts, attempt, waitMs },
        `consumer ${this.opts.groupId} crashed; restarting in ${waitMs} ms`,
      );
      await sleep(waitMs, undefined, { signal: this.wakeUp.signal }).catch(() => {});
    }
  }

  private createConsumer(): Consumer {
    const consumer = this.opts.kafka.consumer({
      // The resolver names the group as it names the topics: prefixed deployments (tests,
      // tenants) never share a group, whose members would otherwise split each other's topics.
      groupId: this.opts.topicResolver(this.opts.groupId),
      allowAutoTopicCreation: false,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      maxWaitTimeInMs: 100,
      retry: {
        retries: 12,
        initialRetryTime: 300,
        maxRetryTime: 10_000,
        // Every crash is handed to the supervisor, which restarts with backoff and counts it.
        restartOnFailure: async () => false,
      },
    });
    const progress = () => {
      this.lastProgressAt = Date.now();
    };
    consumer.on(consumer.events.GROUP_JOIN, () => {
      progress();
      this.generation++;
      this.hasJoined = true;
      this.setState('running');
      this.markJoined();
    });
    consumer.on(consumer.events.FETCH, progress);
    consumer.on(consumer.events.CRASH, () => {
      if (this.hasJoined) this.setState('restarting');
    });
    return consumer;
  }

  private setState(state: ConsumerHealth['state']): void {
    if (this.state === 'stopped') return;
    this.state = state;
    this.metrics?.consumerUp.set({ group: this.opts.groupId }, state === 'running' ? 1 : 0);
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const limit = this.opts.concurrencyPerPartition ?? 1;
    if (limit > 1) return this.eachBatchByKey(payload, limit);
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const slot = `${batch.topic}/${batch.partition}`;
    for (const message of batch.messages) {
      if (this.stopping || !isRunning() || isStale()) break;
      this.inFlight.set(slot, Date.now());
      try {
        await this.processMessage(batch.topic, batch.partition, message, {
          heartbeat,
          alive: () => !this.stopping && isRunning() && !isStale(),
        });
      } finally {
        this.inFlight.delete(slot);
      }
      this.lastProgressAt = Date.now();
      resolveOffset(message.offset);
      await heartbeat();
    }
    await commitOffsetsIfNecessary();
    this.metrics?.lag.set(
      { group: this.opts.groupId, topic: batch.topic, partition: String(batch.partition) },
      Number(batch.offsetLag()),
    );
  }

  /**
   * Keyed concurrency within a partition (see `concurrencyPerPartition`). kafkajs hands a
   * partition's batches over one at a time and fetches from the last resolved offset, so the
   * partition's work lives in a lane that outlasts a batch: each batch starts the messages the
   * lane has not started yet (up to `limit` in handlers, one at a time per key) and returns
   * without waiting for them; a message's offset is resolved once it and every one before it
   * are handled. A batch that brings nothing new (the unresolved messages fetched again) waits
   * for one to finish, so the fetch loop does not spin. A handler's failure (the runner stopping,
   * the partition lost) stops the lane and goes up from the next batch, as in serial mode.
   */
  private async eachBatchByKey(payload: EachBatchPayload, limit: number): Promise<void> {
    const { batch, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const name = `${batch.topic}/${batch.partition}`;
    let lane = this.lanes.get(name);
    // A lane from before a rebalance belongs to the old assignment: its handlers finish, but it
    // resolves nothing more, and this batch (fetched from the committed offset) starts afresh.
    if (!lane || lane.isStale()) {
      const generation = this.generation;
      lane = {
        startedUpTo: -1,
        order: [],
        running: new Set(),
        tails: new Map(),
        isStale: () => generation !== this.generation || isStale(),
        resolve: () => {},
        commit: async () => {},
      };
      this.lanes.set(name, lane);
    }
    const current = lane;
    current.resolve = payload.resolveOffset;
    // kafkajs commits resolved offsets after each batch; a lane's offsets resolved after its batch
    // ended are committed explicitly (the next offset to read), or none would be until the next.
    current.commit = (next) =>
      commitOffsetsIfNecessary({
        topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] }],
      });
    const alive = () => !this.stopping && isRunning() && !isStale();
    let startedNow = 0;
    for (const message of batch.messages) {
      if (current.failure) break;
      const offset = Number(message.offset);
      if (offset <= current.startedUpTo) continue;
      while (current.running.size >= limit && !current.failure) await Promise.race(current.running);
      if (!alive() || current.failure) break;
      current.startedUpTo = offset;
      startedNow++;
      const key = message.key ? message.key.toString('utf8') : '';
      const before = current.tails.get(key);
      const entry = { offset: message.offset, done: false };
      current.order.push(entry);
      const run = (async () => {
        // The same key's previous message first (it never rejects: failures are caught below).
        if (before) await before;
        if (current.failure || current.isStale()) return;
        const slot = `${name}@${message.offset}`;
        this.inFlight.set(slot, Date.now());
        try {
          // No heartbeat from here: the batch this came in may be over, and kafkajs beats between
          // batches (which come every fetch, at most 200 ms apart while a lane has work).
          await this.processMessage(batch.topic, batch.partition, message, {
            heartbeat: async () => {},
            alive: () => !this.stopping && !current.isStale(),
          });
          entry.done = true;
        } catch (err) {
          current.failure ??= { err };
        } finally {
          this.inFlight.delete(slot);
        }
        this.lastProgressAt = Date.now();
        if (current.isStale()) return;
        let last: string | undefined;
        try {
          while (current.order[0]?.done) {
            last = current.order.shift()!.offset;
            current.resolve(last);
          }
          // Committed now, not at the next batch: there may be none (the partition went quiet,
          // or the runner is stopping and waits for this lane before it leaves the group).
          if (last !== undefined) await current.commit(String(Number(last) + 1));
        } catch (err) {
          // The partition went elsewhere meanwhile: its next owner reads from the committed offset.
          this.opts.logger.debug(
            { err, partition: name },
            'offset not resolved or committed: partition reassigned',
          );
        }
      })();
      current.tails.set(key, run);
      current.running.add(run);
      void run.then(() => {
        current.running.delete(run);
        if (current.tails.get(key) === run) current.tails.delete(key);
      });
    }
    if (startedNow === 0 && current.running.size > 0 && !current.failure)
      await Promise.race([...current.running, sleep(200)]);
    if (current.failure) {
      this.lanes.delete(name);
      await Promise.all(current.running);
      throw current.failure.err;
    }
    await commitOffsetsIfNecessary();
    this.metrics?.lag.set(
      { group: this.opts.groupId, topic: batch.topic, partition: String(batch.partition) },
      Number(batch.offsetLag()),
    );
  }

  private async processMessage(
    topic: string,
    partition: number,
    message: KafkaMessage,
    scope: BatchScope,
  ): Promise<void> {
    const baseLog = this.opts.logger.child({ topic, partition, offset: message.offset });
    let event: CloudEvent;
    try {
      event = decodeKafka(message);
    } catch (err) {
      const reason =
        err instanceof EventDecodeError
          ? `${err.message}${err.errors.length ? `: ${JSON.stringify(err.errors)}` : ''}`
          : String(err);
      await this.deadLetter(topic, partition, message, 'decode', reason, baseLog, scope);
      return;
    }
    // One consumer span per event, under the span that caused it (the event's traceparent):
    // with tracing off it is the API's no-op span and the handler runs as it would without it.
    const span = tracer.startSpan(
      `process ${this.logicalOf(topic)}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'process',
          'messaging.destination.name': topic,
          'messaging.destination.partition.id': String(partition),
          'messaging.consumer.group.name': this.opts.groupId,
          'messaging.kafka.offset': Number(message.offset),
          'messaging.message.id': event.id,
          'cloudevents.event_id': event.id,
          'cloudevents.event_type': event.type,
          'cloudevents.event_source': event.source,
        },
      },
      contextOfTraceparent(event.traceparent),
    );
    try {
      await context.with(trace.setSpan(context.active(), span), () =>
        this.processEvent(topic, partition, message, scope, event, baseLog, span),
      );
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'retried later' });
      throw err;
    } finally {
      span.end();
    }
  }

  private async processEvent(
    topic: string,
    partition: number,
    message: KafkaMessage,
    scope: BatchScope,
    event: CloudEvent,
    baseLog: Logger,
    span: Span,
  ): Promise<void> {
    const group = this.opts.groupId;
    const log = baseLog.child({ eventId: event.id, type: event.type, traceId: traceIdOf(event.traceparent) });
    if (!isEventType(event.type)) {
      await this.deadLetter(
        topic,
        partition,
        message,
        'unknown-type',
        `unknown event type "${event.type}"`,
        log,
        scope,
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
      await this.deadLetter(topic, partition, message, 'schema', JSON.stringify(errors), log, scope);
      return;
    }
    const logical = this.logicalOf(topic);
    const allowed = this.opts.allowedSources?.(logical, event.type);
    if (allowed && !allowed.includes(event.source)) {
      const reason =
        allowed.length === 0
          ? `nothing on ${logical} proves its sender: ce_source "${event.source}" is not accepted here`
          : `ce_source "${event.source}" may not send ${event.type} on ${logical} (only ${allowed.map((a) => `"${a}"`).join(', ')})`;
      await this.deadLetter(topic, partition, message, 'source', reason, log, scope);
      return;
    }
    // CloudEvents make source + id unique, not id alone: two agencies may both send id "1".
    const eventKey = `${event.source}|${event.id}`;
    if (await this.withRetry(() => this.opts.idempotency.has(group, eventKey), log, scope)) {
      log.debug('duplicate event skipped');
      this.metrics?.handled.inc({ group, type: event.type, outcome: 'duplicate' });
      return;
    }
    const ctx: HandlerContext = {
      log,
      topic,
      partition,
      offset: message.offset,
      traceparent: span.isRecording()
        ? traceparentOf(span.spanContext())
        : childTraceparent(event.traceparent),
    };
    const timer = this.metrics?.handlerSeconds.startTimer({ group, type: event.type });
    try {
      await this.withRetry(() => handler(event as HomewardEvent, ctx), log, scope);
    } catch (err) {
      timer?.();
      // Still retriable: the runner is stopping or lost the partition; the message stays
      // unresolved and is handled again (by this member or another), never dead-lettered.
      if (isRetriable(err)) throw err;
      const e = err as { code?: string; message?: string };
      await this.deadLetter(
        topic,
        partition,
        message,
        e.code ?? 'handler',
        e.message ?? String(err),
        log,
        scope,
      );
      return;
    }
    timer?.();
    await this.withRetry(
      () => this.opts.idempotency.add(group, eventKey, this.opts.now?.() ?? new Date()),
      log,
      scope,
    );
    this.metrics?.handled.inc({ group, type: event.type, outcome: 'handled' });
  }

  /**
   * Runs `fn`, retrying retriable failures (broker, store or Redis away) until it succeeds or the
   * runner stops or its batch is no longer its own (a crash or a rebalance: another consumer
   * takes the message over); between attempts the member heartbeats, so a long outage of a
   * store does not also cost it its partitions.
   */
  private async withRetry<R>(fn: () => Promise<R>, log: Logger, scope?: BatchScope): Promise<R> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (!isRetriable(err) || this.stopping || (scope && !scope.alive())) throw err;
        const cap = Math.min(HANDLER_RETRY.maxMs, HANDLER_RETRY.initialMs * 2 ** (attempt - 1));
        const wait = Math.random() * cap;
        log.warn({ err, attempt, waitMs: Math.round(wait) }, 'retriable failure, retrying');
        await sleep(wait);
        // The broker may be the thing that is away: a failed heartbeat is not this message's fault.
        await scope?.heartbeat().catch(() => {});
      }
    }
  }

  /** The logical name of a physical topic this runner reads. */
  private logicalOf(topic: string): string {
    const named = this.physicalToLogical.get(topic);
    if (named !== undefined) return named;
    const pattern = this.opts.topicPattern;
    return pattern?.regex.test(topic) ? pattern.logical(topic) : topic;
  }

  /** The logical topic whose `.dlq` twin receives this topic's dead letters. */
  private deadLetterOf(topic: string): string {
    if (this.physicalToLogical.has(topic)) return this.physicalToLogical.get(topic)!;
    const pattern = this.opts.topicPattern;
    return pattern?.regex.test(topic) ? pattern.deadLetterOf : topic;
  }

  private async deadLetter(
    topic: string,
    partition: number,
    message: KafkaMessage,
    code: string,
    reason: string,
    log: Logger,
    scope: BatchScope,
  ): Promise<void> {
    const logical = this.deadLetterOf(topic);
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
      scope,
    );
    log.warn({ code, reason: reason.slice(0, 500) }, 'message dead-lettered');
    trace.getActiveSpan()?.setStatus({ code: SpanStatusCode.ERROR, message: `dead-lettered: ${code}` });
    this.metrics?.handled.inc({
      group: this.opts.groupId,
      type: headerText(message.headers?.ce_type) ?? 'unknown',
      outcome: 'dead-lettered',
    });
    this.metrics?.deadLetters.inc({ group: this.opts.groupId, topic: this.logicalOf(topic), code });
  }
}

/** A partition's messages in handlers beyond their batch (keyed concurrency). */
interface Lane {
  /** The highest offset started (a batch fetched again from the resolved offset skips these). */
  startedUpTo: number;
  /** Started messages in offset order, resolved from the front as they are done. */
  order: Array<{ offset: string; done: boolean }>;
  running: Set<Promise<void>>;
  /** The last started message of each key. */
  tails: Map<string, Promise<void>>;
  /** The assignment this lane belongs to has ended (a rebalance). */
  isStale: () => boolean;
  /** The latest batch's resolveOffset (offsets are the partition's, not the batch's). */
  resolve: (offset: string) => void;
  /** Commits the partition up to (not including) this offset, through the latest batch. */
  commit: (next: string) => Promise<void>;
  failure?: { err: unknown };
}
/** The API's tracer: a no-op until a process starts tracing (the service kit's `startTracing`). */
const tracer = trace.getTracer('@homeward/messaging');

/** What the retry loop needs of the batch a message came in. */
interface BatchScope {
  heartbeat: () => Promise<void>;
  /** False once the runner stops or the batch is stale (its partition went elsewhere). */
  alive: () => boolean;
}

function headerText(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  return Array.isArray(v) ? String(v[0]) : String(v);
}
