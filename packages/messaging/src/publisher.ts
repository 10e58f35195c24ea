import {
  type CloudEvent,
  contextOfTraceparent,
  EventCatalogue,
  encodeKafka,
  type HomewardEvent,
  isEventType,
  traceparentOf,
  validateEvent,
} from '@homeward/events';
import { context, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Kafka, Message, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { TopicResolver } from './kafka-client.ts';
import { messagingMetrics } from './metrics.ts';
import { keyPartitioner } from './partitioner.ts';

/** The API's tracer: a no-op until a process starts tracing (the service kit's `startTracing`). */
const tracer = trace.getTracer('@homeward/messaging');

/** An event bound for a topic (logical name, before the resolver) with its partition key. */
export interface OutgoingEvent {
  topic: string;
  key: string | null;
  event: CloudEvent;
}

/** Where a catalogue event goes and under which key, from the catalogue itself. */
export function routeOf(event: HomewardEvent): OutgoingEvent {
  if (!isEventType(event.type)) throw new Error(`unknown event type ${event.type}`);
  const def = EventCatalogue[event.type] as { topic: string; key: (d: unknown) => string };
  const key = def.key(event.data);
  return { topic: def.topic, key: key === '' ? null : key, event };
}

export interface EventPublisherOptions {
  kafka: Kafka;
  topics: TopicResolver;
  logger: Logger;
  registry?: Registry;
}

/**
 * The one producer of a service: idempotent (no duplicates from its own retries), acks from
 * all in-sync replicas, retries long enough to ride out a broker restart. Events are validated
 * against the catalogue before they leave, so a producer bug never reaches a consumer.
 */
export class EventPublisher {
  private readonly producer: Producer;
  private connected = false;
  private readonly metrics;

  constructor(private readonly opts: EventPublisherOptions) {
    this.producer = opts.kafka.producer({
      idempotent: true,
      // kafkajs guarantees ordering with idempotence only with one request in flight.
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // kafkajs's default partitioner's choices, without its allocations (see partitioner.ts).
      createPartitioner: keyPartitioner,
      // kafkajs warns that bounded retries void idempotence; with unbounded ones a send waits
      // out a broker restart instead of failing (the outbox relay is the one that waits).
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 5_000 },
    });
    this.metrics = opts.registry ? messagingMetrics(opts.registry) : undefined;
  }

  get isConnected(): boolean {
    return this.connected;
  }

  async connect(): Promise<void> {
    await this.producer.connect();
    this.connected = true;
  }

  /** Publishes catalogue events to their own topics, keyed as the catalogue says. */
  async publish(...events: HomewardEvent[]): Promise<void> {
    await this.send(events.map(routeOf));
  }

  /** Publishes events in as few round trips as kafkajs allows (one sendBatch). */
  async send(events: OutgoingEvent[]): Promise<void> {
    if (events.length === 0) return;
    for (const { event } of events) {
      if (isEventType(event.type)) {
        const errors = validateEvent(event);
        if (errors.length > 0) {
          throw new Error(
            `refusing to publish an invalid ${event.type} (${event.id}): ${JSON.stringify(errors)}`,
          );
        }
      }
    }
    const byTopic = new Map<string, Message[]>();
    const spans: Span[] = [];
    for (const { topic, key, event } of events) {
      const physical = this.opts.topics(topic);
      // A producer span per event, under the span that caused it (the event's traceparent, set
      // when it was stored) or under the work sending it; an event without a traceparent gets
      // this span's, so its consumers join the trace. No-op spans while tracing is off.
      const span = tracer.startSpan(
        `send ${topic}`,
        {
          kind: SpanKind.PRODUCER,
          attributes: {
            'messaging.system': 'kafka',
            'messaging.operation.type': 'send',
            'messaging.destination.name': physical,
            'messaging.message.id': event.id,
            'cloudevents.event_id': event.id,
            'cloudevents.event_type': event.type,
          },
        },
        event.traceparent === undefined ? context.active() : contextOfTraceparent(event.traceparent),
      );
      spans.push(span);
      const traced =
        event.traceparent === undefined && span.isRecording()
          ? { ...event, traceparent: traceparentOf(span.spanContext()) }
          : event;
      const list = byTopic.get(physical) ?? [];
      list.push(encodeKafka(traced, key));
      byTopic.set(physical, list);
    }
    try {
      await this.sendMessages(byTopic);
    } catch (err) {
      for (const span of spans) span.setStatus({ code: SpanStatusCode.ERROR, message: String(err) });
      throw err;
    } finally {
      for (const span of spans) span.end();
    }
  }

  /** Sends already-encoded messages (dead letters keep the original bytes and headers). */
  async sendMessages(byTopic: Map<string, Message[]>): Promise<void> {
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
    for (const [topic, messages] of byTopic) {
      for (const m of messages) this.metrics?.published.inc({ topic, type: typeOf(m) });
    }
  }

  /** Flushes (kafkajs sends eagerly, so nothing is buffered) and closes the connection. */
  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    await this.producer.disconnect();
    this.opts.logger.debug('producer disconnected');
  }
}

/** The record's `ce_type` header (binary mode), or "raw" for a record without one. */
function typeOf(message: Message): string {
  const h = message.headers?.ce_type;
  const v = Array.isArray(h) ? h[0] : h;
  return v === undefined ? 'raw' : String(v);
}
