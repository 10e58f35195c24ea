import {
  type CloudEvent,
  childTraceparent,
  contextOfTraceparent,
  decodeKafka,
  EventDecodeError,
  type HomewardEvent,
  isEventType,
  kafkaAttribute,
  traceIdOf,
  traceparentOf,
  validateEvent,
} from '@homeward/events';
import { context, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { KafkaMessage } from 'kafkajs';
import type { ConsumerRunnerOptions, EventHandler, HandlerContext } from './consumer-options.ts';
import type { BatchScope } from './consumer-retry.ts';
import type { ConsumerTopics } from './consumer-topics.ts';
import type { DeadLetterWriter } from './dead-letter-writer.ts';
import type { MessagingMetrics } from './metrics.ts';

/** A message decoded and checked, on its way to its handler (see {@link MessageScreen.screen}). */
export interface Admitted {
  event: HomewardEvent;
  handler: EventHandler;
  ctx: HandlerContext;
  /** `source|id`: what the idempotency guard records. */
  eventKey: string;
  span: Span;
}

/** The API's tracer: a no-op until a process starts tracing (the service kit's `startTracing`). */
const tracer = trace.getTracer('@homeward/messaging');

/**
 * The consumer runner's first step for every message, before any duplicate check or handler:
 * poison messages (undecodable, of an unknown type, invalid, from a source not allowed) are
 * dead-lettered here, so one bad message never holds up its partition.
 */
export class MessageScreen {
  constructor(
    private readonly opts: Pick<
      ConsumerRunnerOptions,
      'groupId' | 'logger' | 'handlers' | 'allowedSources' | 'seen'
    >,
    private readonly topics: ConsumerTopics,
    private readonly deadLetters: DeadLetterWriter,
    private readonly metrics: MessagingMetrics | undefined,
  ) {}

  /**
   * Decodes and checks a message: dead-letters what cannot be handled (undecodable, of an unknown
   * type, invalid, from a source not allowed), counts what no handler wants, and answers the rest
   * with its event, handler and context, under a consumer span of its own (started here, ended by
   * the caller) that continues the trace the event carries.
   */
  async screen(
    topic: string,
    partition: number,
    message: KafkaMessage,
    scope: BatchScope,
  ): Promise<Admitted | undefined> {
    if (this.skipUndecoded(topic, message)) return undefined;
    let event: CloudEvent;
    try {
      event = decodeKafka(message);
    } catch (err) {
      const reason =
        err instanceof EventDecodeError
          ? `${err.message}${err.errors.length ? `: ${JSON.stringify(err.errors)}` : ''}`
          : String(err);
      const log = this.opts.logger.child({ topic, partition, offset: message.offset });
      await this.deadLetters.send(topic, partition, message, 'decode', reason, log, scope);
      return undefined;
    }
    // One consumer span per event, under the span that caused it (the event's traceparent):
    // with tracing off it is the API's no-op span and the handler runs as it would without it.
    const span = tracer.startSpan(
      `process ${this.topics.logicalOf(topic)}`,
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

  /**
   * Whether the message can be skipped before it is decoded, from its headers (and key) alone:
   * counted, its offset then resolved as a handled one's is. Two kinds, and why each is safe:
   * - No handler wants its type (`ce_type`, read as the decoder reads it): decoded, it would be
   *   `ignored` too, before any schema or source check (so on an agency topic no principal check
   *   is lost: that check is only ever made for a type a handler takes). What this consumer no
   *   longer does is dead-letter such a message that is also undecodable: a consumer that wants
   *   the type still decodes it and dead-letters it (dead letters are per topic, so the poison is
   *   still kept, once per group that wants it instead of once per group that reads the topic),
   *   and a message nobody wants harms nobody. A type outside the catalogue or a message without
   *   `ce_type` goes the whole way and is dead-lettered as before (`unknown-type`, `decode`).
   * - The consumer's own `seen` check says handling it again would change nothing. The source
   *   check comes first, from `ce_source` (the same test the decoded event would pass): a
   *   message from a writer not allowed to send the type goes the whole way and is dead-lettered
   *   (`source`), so a forged copy of a seen event is never skipped quietly. A malformed message
   *   with a seen key is skipped (its handler would have done nothing with a good one).
   */
  private skipUndecoded(topic: string, message: KafkaMessage): boolean {
    const type = kafkaAttribute(message.headers, 'type');
    if (type === undefined || !isEventType(type)) return false;
    const group = this.opts.groupId;
    if (!this.opts.handlers[type]) {
      this.metrics?.handled.inc({ group, type, outcome: 'ignored' });
      return true;
    }
    const seen = this.opts.seen?.[type];
    if (!seen) return false;
    const allowed = this.opts.allowedSources?.(this.topics.logicalOf(topic), type);
    if (allowed) {
      const source = kafkaAttribute(message.headers, 'source');
      if (source === undefined || !allowed.includes(source)) return false;
    }
    if (!seen(message.key ? message.key.toString() : null, message.headers)) return false;
    this.metrics?.handled.inc({ group, type, outcome: 'seen' });
    return true;
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
      await this.deadLetters.send(
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
      // Skipped before decoding as a rule (the decoder reads the same header); kept for a
      // decoder that would ever read the type elsewhere.
      this.metrics?.handled.inc({ group, type: event.type, outcome: 'ignored' });
      return undefined;
    }
    const errors = validateEvent(event);
    if (errors.length > 0) {
      await this.deadLetters.send(topic, partition, message, 'schema', JSON.stringify(errors), log, scope);
      return undefined;
    }
    const logical = this.topics.logicalOf(topic);
    const allowed = this.opts.allowedSources?.(logical, event.type);
    if (allowed && !allowed.includes(event.source)) {
      const reason =
        allowed.length === 0
          ? `nothing on ${logical} proves its sender: ce_source "${event.source}" is not accepted here`
          : `ce_source "${event.source}" may not send ${event.type} on ${logical} (only ${allowed.map((a) => `"${a}"`).join(', ')})`;
      await this.deadLetters.send(topic, partition, message, 'source', reason, log, scope);
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
}
