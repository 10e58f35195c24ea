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
  type BatchHandler,
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
    if (this.opts.batchHandler) return this.eachBatchTogether(payload, this.opts.batchHandler);
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
    this.recordLag(batch);
  }

  /**
   * A partition's batch in handler calls of at most {@link BATCH_HANDLER_MAX} events (see
   * `batchHandler`): each message screened in order (dead letters sent before the offsets move),
   * the duplicate checks together, one call for the events left, their records together, then the
   * part's offsets resolved. Nothing of a part is resolved until all of it is done, so a crash or a
   * lost partition redelivers the part, which the handler's idempotency absorbs; a stop waits for
   * the part in hand only.
   */
  private async eachBatchTogether(payload: EachBatchPayload, handleBatch: BatchHandler): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const scope: BatchScope = { heartbeat, alive: () => !this.stopping && isRunning() && !isStale() };
    for (let from = 0; from < batch.messages.length; from += BATCH_HANDLER_MAX) {
      if (!scope.alive()) break;
      const part = batch.messages.slice(from, from + BATCH_HANDLER_MAX);
      await this.handlePart(batch.topic, batch.partition, part, scope, handleBatch);
      this.lastProgressAt = Date.now();
      resolveOffset(part[part.length - 1]!.offset);
      await heartbeat();
    }
    await commitOffsetsIfNecessary();
    this.recordLag(batch);
  }

  /** The partition's lag after a batch, for the lag gauge. */
  private recordLag(batch: { topic: string; partition: number; offsetLag(): string }): void {
    this.metrics?.lag.set(
      { group: this.opts.groupId, topic: batch.topic, partition: String(batch.partition) },
      Number(batch.offsetLag()),
    );
  }

  private async handlePart(
    topic: string,
    partition: number,
    messages: KafkaMessage[],
    scope: BatchScope,
    handleBatch: BatchHandler,
  ): Promise<void> {
    const slot = `${topic}/${partition}`;
    const group = this.opts.groupId;
    this.inFlight.set(slot, Date.now());
    const admitted: Array<{ message: KafkaMessage; a: Admitted }> = [];
    try {
      for (const message of messages) {
        const a = await this.screen(topic, partition, message, scope);
        if (a) admitted.push({ message, a });
      }
      const duplicate = await Promise.all(
        admitted.map(({ a }) => this.within(a, () => this.isDuplicate(a, scope))),
      );
      const fresh = admitted.filter((_, i) => !duplicate[i]);
      if (fresh.length === 0) return;
      const started = performance.now();
      let failure: unknown;
      try {
        await this.withRetry(
          () => handleBatch(fresh.map(({ a }) => ({ event: a.event, ctx: a.ctx }))),
          this.opts.logger,
          scope,
        );
      } catch (err) {
        // Retriable still: the runner is stopping or lost the partition; nothing is resolved.
        if (isRetriable(err)) throw err;
        failure = err;
      }
      if (failure === undefined) {
        const share = (performance.now() - started) / 1000 / fresh.length;
        for (const { a } of fresh) this.metrics?.handlerSeconds.observe({ group, type: a.event.type }, share);
        await Promise.all(fresh.map(({ a }) => this.within(a, () => this.recordHandled(a, scope))));
        return;
      }
      // One of them is at fault (or the batch as a whole): each on its own, the faulty one
      // dead-lettered alone. What the batch did apply is absorbed by the handlers' idempotency.
      this.opts.logger.warn(
        { err: failure, partition: slot, events: fresh.length },
        'batch handler failed; handling its events one by one',
      );
      for (const { message, a } of fresh) await this.handleIfNew(topic, partition, message, scope, a);
    } catch (err) {
      for (const { a } of admitted)
        a.span.setStatus({ code: SpanStatusCode.ERROR, message: 'retried later' });
      throw err;
    } finally {
      for (const { a } of admitted) a.span.end();
      this.inFlight.delete(slot);
    }
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
    this.recordLag(batch);
  }

  private async processMessage(
    topic: string,
    partition: number,
    message: KafkaMessage,
    scope: BatchScope,
  ): Promise<void> {
    const admitted = await this.screen(topic, partition, message, scope);
    if (!admitted) return;
    try {
      await this.handleIfNew(topic, partition, message, scope, admitted);
    } finally {
      admitted.span.end();
    }
  }

  /** Under the event's span: skips a redelivery, handles anything else (see `handleOne`). */
  private handleIfNew(
    topic: string,
    partition: number,
    message: KafkaMessage,
    scope: BatchScope,
    a: Admitted,
  ): Promise<void> {
    return this.within(a, async () => {
      if (await this.isDuplicate(a, scope)) return;
      await this.handleOne(topic, partition, message, scope, a);
    });
  }

  /**
   * Decodes and checks a message: dead-letters what cannot be handled (undecodable, of an unknown
   * type, invalid, from a source not allowed), counts what no handler wants, and answers the rest
   * with its event, handler and context, under a consumer span of its own (started here, ended by
   * the caller) that continues the trace the event carries.
   */
  private async screen(
    topic: string,
    partition: number,
    message: KafkaMessage,
    scope: BatchScope,
  ): Promise<Admitted | undefined> {
    let event: CloudEvent;
    try {
      event = decodeKafka(message);
    } catch (err) {
      const reason =
        err instanceof EventDecodeError
          ? `${err.message}${err.errors.length ? `: ${JSON.stringify(err.errors)}` : ''}`
          : String(err);
      const log = this.opts.logger.child({ topic, partition, offset: message.offset });
      await this.deadLetter(topic, partition, message, 'decode', reason, log, scope);
      return undefined;
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
    let admitted: Admitted | undefined;
    try {
      admitted = await context.with(trace.setSpan(context.active(), span), () =>
        this.check(topic, partition, message, scope, event, span),
      );
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'retried later' });
      span.end();
      throw err;
    }
    if (!admitted) span.end();
    return admitted;
  }

  private async check(
    topic: string,
    partition: number,
    message: KafkaMessage,
    scope: BatchScope,
    event: CloudEvent,
    span: Span,
  ): Promise<Admitted | undefined> {
    const group = this.opts.groupId;
    // One child logger per message (it is made for every event: one, not one per binding level).
    const log = this.opts.logger.child({
      topic,
      partition,
      offset: message.offset,
      eventId: event.id,
      type: event.type,
      traceId: traceIdOf(event.traceparent),
    });
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
      return undefined;
    }
    const handler = this.opts.handlers[event.type] as EventHandler | undefined;
    if (!handler) {
      this.metrics?.handled.inc({ group, type: event.type, outcome: 'ignored' });
      return undefined;
    }
    const errors = validateEvent(event);
    if (errors.length > 0) {
      await this.deadLetter(topic, partition, message, 'schema', JSON.stringify(errors), log, scope);
      return undefined;
    }
    const logical = this.logicalOf(topic);
    const allowed = this.opts.allowedSources?.(logical, event.type);
    if (allowed && !allowed.includes(event.source)) {
      const reason =
        allowed.length === 0
          ? `nothing on ${logical} proves its sender: ce_source "${event.source}" is not accepted here`
          : `ce_source "${event.source}" may not send ${event.type} on ${logical} (only ${allowed.map((a) => `"${a}"`).join(', ')})`;
      await this.deadLetter(topic, partition, message, 'source', reason, log, scope);
      return undefined;
    }
    // Made when a handler first asks (a new span id takes random bytes): most handlers of a
    // read-only projection never publish, and pay nothing for it.
    let traceparent: string | undefined;
    const ctx: HandlerContext = {
      log,
      topic,
      partition,
      offset: message.offset,
      get traceparent() {
        traceparent ??= span.isRecording()
          ? traceparentOf(span.spanContext())
          : childTraceparent(event.traceparent);
        return traceparent;
      },
    };
    return {
      event: event as HomewardEvent,
      handler,
      ctx,
      // CloudEvents make source + id unique, not id alone: two agencies may both send id "1".
      eventKey: `${event.source}|${event.id}`,
      span,
    };
  }

  /** Runs `fn` under the event's span, marking the span when it fails (the message is retried). */
  private async within<R>(a: Admitted, fn: () => Promise<R>): Promise<R> {
    try {
      return await context.with(trace.setSpan(context.active(), a.span), fn);
    } catch (err) {
      a.span.setStatus({ code: SpanStatusCode.ERROR, message: 'retried later' });
      throw err;
    }
  }

  /** Whether the event was handled before (a redelivery); counted as a duplicate if so. */
  private async isDuplicate(a: Admitted, scope: BatchScope): Promise<boolean> {
    const group = this.opts.groupId;
    if (!(await this.withRetry(() => this.opts.idempotency.has(group, a.eventKey), a.ctx.log, scope)))
      return false;
    a.ctx.log.debug('duplicate event skipped');
    this.metrics?.handled.inc({ group, type: a.event.type, outcome: 'duplicate' });
    return true;
  }

  /** Handles one admitted event: its handler with retries, a dead letter if it fails for good, the record. */
  private async handleOne(
    topic: string,
    partition: number,
    message: KafkaMessage,
    scope: BatchScope,
    a: Admitted,
  ): Promise<void> {
    const group = this.opts.groupId;
    const { event, ctx } = a;
    const timer = this.metrics?.handlerSeconds.startTimer({ group, type: event.type });
    try {
      await this.withRetry(() => a.handler(event, ctx), ctx.log, scope);
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
        ctx.log,
        scope,
      );
      return;
    }
    timer?.();
    await this.recordHandled(a, scope);
  }

  private async recordHandled(a: Admitted, scope: BatchScope): Promise<void> {
    await this.withRetry(
      () => this.opts.idempotency.add(this.opts.groupId, a.eventKey, this.opts.now?.() ?? new Date()),
      a.ctx.log,
      scope,
    );
    this.metrics?.handled.inc({ group: this.opts.groupId, type: a.event.type, outcome: 'handled' });
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
/**
 * The most events one `batchHandler` call gets: a bigger fetched batch (a backlog after downtime)
 * goes in parts, so that one call's writes stay a reasonable pipeline and a stop waits for one
 * part, not for a partition's whole backlog.
 */
const BATCH_HANDLER_MAX = 200;

/** The API's tracer: a no-op until a process starts tracing (the service kit's `startTracing`). */
const tracer = trace.getTracer('@homeward/messaging');

/** A message decoded and checked, on its way to its handler (see `screen`). */
interface Admitted {
  event: HomewardEvent;
  handler: EventHandler;
  ctx: HandlerContext;
  /** `source|id`: what the idempotency guard records. */
  eventKey: string;
  span: Span;
}

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
