import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The messaging metrics of one service, registered on that service's own registry. */
export interface MessagingMetrics {
  handled: Counter<'group' | 'type' | 'outcome'>;
  handlerSeconds: Histogram<'group' | 'type'>;
  lag: Gauge<'group' | 'topic' | 'partition'>;
  published: Counter<'topic' | 'type'>;
  deadLetters: Counter<'group' | 'topic' | 'code'>;
  outboxPending: Gauge<'collection'>;
  consumerRestarts: Counter<'group'>;
  consumerUp: Gauge<'group'>;
}

const cache = new WeakMap<Registry, MessagingMetrics>();

export function messagingMetrics(registry: Registry): MessagingMetrics {
  const existing = cache.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const m: MessagingMetrics = {
    handled: new Counter({
      name: 'homeward_events_handled_total',
      help: 'Events taken off Kafka, by consumer group, type and outcome (handled, duplicate, dead-lettered; ignored: no handler wants the type, seen: the consumer had seen it, both skipped before decoding)',
      labelNames: ['group', 'type', 'outcome'],
      registers,
    }),
    handlerSeconds: new Histogram({
      name: 'homeward_event_handler_seconds',
      help: "Time spent in event handlers (a batch handler's time shared equally among the batch's events)",
      labelNames: ['group', 'type'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    lag: new Gauge({
      name: 'homeward_consumer_lag',
      help: 'Messages behind the partition high watermark, at the last batch',
      labelNames: ['group', 'topic', 'partition'],
      registers,
    }),
    published: new Counter({
      name: 'homeward_events_published_total',
      help: 'Events published, by topic and event type (ce_type; "raw" for dead letters and other pre-encoded records)',
      labelNames: ['topic', 'type'],
      registers,
    }),
    deadLetters: new Counter({
      name: 'homeward_dead_letters_total',
      help: 'Messages a consumer group sent to <topic>.dlq, by the topic they came from and the reason code (dlq_error_code)',
      labelNames: ['group', 'topic', 'code'],
      registers,
    }),
    outboxPending: new Gauge({
      name: 'homeward_outbox_pending',
      help: 'Documents with unpublished outbox events seen by the last sweep',
      labelNames: ['collection'],
      registers,
    }),
    consumerRestarts: new Counter({
      name: 'homeward_consumer_restarts_total',
      help: 'Times a consumer was restarted by its supervisor after a crash or a failed start',
      labelNames: ['group'],
      registers,
    }),
    consumerUp: new Gauge({
      name: 'homeward_consumer_up',
      help: 'Whether the consumer is a member of its group and fetching (1) or not (0)',
      labelNames: ['group'],
      registers,
    }),
  };
  cache.set(registry, m);
  return m;
}
