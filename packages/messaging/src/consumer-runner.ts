import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, EachBatchPayload } from 'kafkajs';
import { KeyedLanes } from './batch-by-key.ts';
import { eachBatchTogether } from './batch-together.ts';
import {
  CONSUMER_HEALTH_DEFAULTS,
  CONSUMER_RESTART,
  type ConsumerHealth,
  type ConsumerHealthThresholds,
  type ConsumerRunnerOptions,
} from './consumer-options.ts';
import { ConsumerProgress } from './consumer-progress.ts';
import { retrier } from './consumer-retry.ts';
import { ConsumerTopics } from './consumer-topics.ts';
import { DeadLetterWriter } from './dead-letter-writer.ts';
import { type BatchRun, MessagePath } from './message-path.ts';
import { MessageScreen } from './message-screening.ts';
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
 *
 * This file is the runner's life (start, supervision, health, stop) and its serial mode; the
 * message's way through it is message-screening.ts (poison messages) and message-path.ts
 * (duplicates, handler, record), the other modes batch-together.ts and batch-by-key.ts.
 */
export class ConsumerRunner {
  private consumer: Consumer | undefined;
  private readonly metrics: MessagingMetrics | undefined;
  private stopping = false;
  private supervisor: Promise<void> | undefined;
  private readonly wakeUp = new AbortController();
  private readonly topics: ConsumerTopics;
  private readonly thresholds: ConsumerHealthThresholds;
  private state: ConsumerHealth['state'] = 'starting';
  private restarts = 0;
  private hasJoined = false;
  private readonly progress: ConsumerProgress;
  private readonly path: MessagePath;
  /** What the batch modes work with. */
  private readonly run: BatchRun;
  /** Per partition, the messages in handlers beyond their batch (`concurrencyPerPartition` > 1). */
  private readonly lanes = new KeyedLanes();
  private markJoined: () => void = () => {};
  /** Resolves when this runner first joins its group (registered before `run`, so never missed). */
  private readonly joined = new Promise<void>((resolve) => {
    this.markJoined = resolve;
  });

  constructor(private readonly opts: ConsumerRunnerOptions) {
    this.metrics = opts.registry ? messagingMetrics(opts.registry) : undefined;
    this.thresholds = { ...CONSUMER_HEALTH_DEFAULTS, ...opts.health };
    this.topics = new ConsumerTopics(opts);
    this.progress = new ConsumerProgress(opts.groupId, this.metrics);
    const retry = retrier(() => this.stopping);
    const deadLetters = new DeadLetterWriter(opts, this.topics, this.metrics, retry);
    const screening = new MessageScreen(opts, this.topics, deadLetters, this.metrics);
    this.path = new MessagePath(opts, screening, deadLetters, this.metrics, retry);
    this.run = {
      path: this.path,
      progress: this.progress,
      stopping: () => this.stopping,
      opts,
      metrics: this.metrics,
    };
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
    const stalledMs = this.state === 'stopped' ? 0 : this.progress.stalledMs();
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
    this.progress.made();
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
    await this.lanes.settle();
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
          topics: this.topics.subscriptions(),
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
      maxWaitTimeInMs: this.opts.fetch?.maxWaitTimeInMs ?? 100,
      ...(this.opts.fetch?.minBytes !== undefined ? { minBytes: this.opts.fetch.minBytes } : {}),
      retry: {
        retries: 12,
        initialRetryTime: 300,
        maxRetryTime: 10_000,
        // Every crash is handed to the supervisor, which restarts with backoff and counts it.
        restartOnFailure: async () => false,
      },
    });
    const progress = () => this.progress.made();
    consumer.on(consumer.events.GROUP_JOIN, () => {
      progress();
      this.lanes.newAssignment();
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

  /**
   * One fetched batch of one partition, in the mode the options chose: together (`batchHandler`),
   * by key (`concurrencyPerPartition` > 1), or serial (below): one message after another, each
   * resolved once handled, the batch's offsets committed at its end.
   */
  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    if (this.opts.batchHandler) return eachBatchTogether(payload, this.opts.batchHandler, this.run);
    const limit = this.opts.concurrencyPerPartition ?? 1;
    if (limit > 1) return this.lanes.eachBatch(payload, limit, this.run);
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const slot = `${batch.topic}/${batch.partition}`;
    for (const message of batch.messages) {
      if (this.stopping || !isRunning() || isStale()) break;
      this.progress.begin(slot);
      try {
        await this.path.process(batch.topic, batch.partition, message, {
          heartbeat,
          alive: () => !this.stopping && isRunning() && !isStale(),
        });
      } finally {
        this.progress.end(slot);
      }
      this.progress.made();
      resolveOffset(message.offset);
      await heartbeat();
    }
    await commitOffsetsIfNecessary();
    this.progress.recordLag(batch);
  }
}
