import { deadLetterTopic } from '@homeward/events';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import type { Logger } from 'pino';
import type { ConsumerRunnerOptions } from './consumer-options.ts';
import type { BatchScope, Retrying } from './consumer-retry.ts';
import type { ConsumerTopics } from './consumer-topics.ts';
import type { MessagingMetrics } from './metrics.ts';

/**
 * Sends a message the consumer runner cannot process to `<topic>.dlq`: the original key and
 * value, its headers, and the reason in `dlq_*` headers (the dead-letter reader's input). The
 * dead letter is stored before the caller resolves the original's offset.
 */
export class DeadLetterWriter {
  constructor(
    private readonly opts: Pick<ConsumerRunnerOptions, 'groupId' | 'now' | 'publisher' | 'topicResolver'>,
    private readonly topics: ConsumerTopics,
    private readonly metrics: MessagingMetrics | undefined,
    private readonly retry: Retrying,
  ) {}

  /** Dead-letters `message` with `code` and `reason`, retrying in place while the broker is away. */
  async send(
    topic: string,
    partition: number,
    message: KafkaMessage,
    code: string,
    reason: string,
    log: Logger,
    scope: BatchScope,
  ): Promise<void> {
    const logical = this.topics.deadLetterOf(topic);
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
    await this.retry(
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
    this.metrics?.deadLetters.inc({ group: this.opts.groupId, topic: this.topics.logicalOf(topic), code });
  }
}

function headerText(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  return Array.isArray(v) ? String(v[0]) : String(v);
}
