import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import type { KafkaMessage } from 'kafkajs';
import type { ConsumerRunnerOptions } from './consumer-options.ts';
import type { ConsumerProgress } from './consumer-progress.ts';
import type { BatchScope, Retrying } from './consumer-retry.ts';
import type { DeadLetterWriter } from './dead-letter-writer.ts';
import { isRetriable } from './errors.ts';
import type { Admitted, MessageScreen } from './message-screening.ts';
import type { MessagingMetrics } from './metrics.ts';

/**
 * One message's way through the consumer runner: screened (see {@link MessageScreen}), skipped if
 * it was handled before, handled with retries in place, dead-lettered if it fails for good, and
 * recorded as handled. The batch modes use its steps one by one.
 */
export class MessagePath {
  constructor(
    private readonly opts: Pick<ConsumerRunnerOptions, 'groupId' | 'idempotency' | 'now'>,
    private readonly screening: MessageScreen,
    private readonly deadLetters: DeadLetterWriter,
    private readonly metrics: MessagingMetrics | undefined,
    /** The runner's retry in place (see `retrier`). */
    readonly retry: Retrying,
  ) {}

  /** Screens, then handles unless it is a redelivery; the event's span ends here. */
  async process(topic: string, partition: number, message: KafkaMessage, scope: BatchScope): Promise<void> {
    const admitted = await this.screen(topic, partition, message, scope);
    if (!admitted) return;
    try {
      await this.handleIfNew(topic, partition, message, scope, admitted);
    } finally {
      admitted.span.end();
    }
  }

  /** See {@link MessageScreen.screen}: the caller ends the span of what it answers. */
  screen(
    topic: string,
    partition: number,
    message: KafkaMessage,
    scope: BatchScope,
  ): Promise<Admitted | undefined> {
    return this.screening.screen(topic, partition, message, scope);
  }

  /** Under the event's span: skips a redelivery, handles anything else (see `handleOne`). */
  handleIfNew(
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

  /** Runs `fn` under the event's span, marking the span when it fails (the message is retried). */
  async within<R>(a: Admitted, fn: () => Promise<R>): Promise<R> {
    try {
      return await context.with(trace.setSpan(context.active(), a.span), fn);
    } catch (err) {
      a.span.setStatus({ code: SpanStatusCode.ERROR, message: 'retried later' });
      throw err;
    }
  }

  /** Whether the event was handled before (a redelivery); counted as a duplicate if so. */
  async isDuplicate(a: Admitted, scope: BatchScope): Promise<boolean> {
    const group = this.opts.groupId;
    if (!(await this.retry(() => this.opts.idempotency.has(group, a.eventKey), a.ctx.log, scope)))
      return false;
    a.ctx.log.debug('duplicate event skipped');
    this.metrics?.handled.inc({ group, type: a.event.type, outcome: 'duplicate' });
    return true;
  }

  /** Records the event as handled (the idempotency guard), then counts it. */
  async recordHandled(a: Admitted, scope: BatchScope): Promise<void> {
    await this.retry(
      () => this.opts.idempotency.add(this.opts.groupId, a.eventKey, this.opts.now?.() ?? new Date()),
      a.ctx.log,
      scope,
    );
    this.metrics?.handled.inc({ group: this.opts.groupId, type: a.event.type, outcome: 'handled' });
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
      await this.retry(() => a.handler(event, ctx), ctx.log, scope);
    } catch (err) {
      timer?.();
      // Still retriable: the runner is stopping or lost the partition; the message stays
      // unresolved and is handled again (by this member or another), never dead-lettered.
      if (isRetriable(err)) throw err;
      const e = err as { code?: string; message?: string };
      await this.deadLetters.send(
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
}

/** What a batch mode works with: the runner's message path, its progress and its state. */
export interface BatchRun {
  path: MessagePath;
  progress: ConsumerProgress;
  /** True once the runner's stop has begun: no message starts after it. */
  stopping: () => boolean;
  opts: Pick<ConsumerRunnerOptions, 'groupId' | 'logger'>;
  metrics: MessagingMetrics | undefined;
}
