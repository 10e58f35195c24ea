import type { EventType, HomewardEvent } from '@homeward/events';
import type { IHeaders, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { IdempotencyStore } from './idempotency.ts';
import type { TopicResolver } from './kafka-client.ts';
import type { EventPublisher } from './publisher.ts';

// What a consumer is given and what it promises: handlers, retry and restart policies, health
// thresholds and options. The runner that keeps these promises is consumer-runner.ts.

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

/**
 * Per event type, a consumer's cheap, synchronous check (the message's key as text, its headers)
 * that it has already seen an event and that handling it again would change nothing (say, a
 * case it recorded itself): the runner then skips the message before decoding it (see
 * message-screening.ts for what is still checked first).
 */
export type SeenChecks = {
  [T in EventType]?: (key: string | null, headers: IHeaders | undefined) => boolean;
};

/** One event of a batch handed to a {@link BatchHandler}, with its context. */
export interface BatchItem {
  event: HomewardEvent;
  ctx: HandlerContext;
}

/**
 * Handles the events of one fetched batch of one partition together (see
 * `ConsumerRunnerOptions.batchHandler`), in offset order: idempotent per event, like any handler,
 * and keeping each key's events in their order.
 */
export type BatchHandler = (items: BatchItem[]) => Promise<void>;

/** Retry of retriable failures: exponential backoff with full jitter, capped. */
export const HANDLER_RETRY = { initialMs: 100, maxMs: 5_000 } as const;

/**
 * Restart of a crashed consumer by its supervisor: exponential backoff with jitter, capped, for
 * ever. The cap keeps recovery after an outage within seconds of the broker's return.
 */
export const CONSUMER_RESTART = { initialMs: 500, maxMs: 10_000, stableAfterMs: 60_000 } as const;

/**
 * How long a consumer may go without progress before it says so. Past `notReadyAfterMs` its
 * service is not ready (a load balancer stops sending work); past `notLiveAfterMs` not live
 * (an orchestrator restarts it). Progress is a fetch or a handled message; a message still in
 * its handler counts as no progress from the moment it started.
 */
export interface ConsumerHealthThresholds {
  notReadyAfterMs: number;
  notLiveAfterMs: number;
}

export const CONSUMER_HEALTH_DEFAULTS: ConsumerHealthThresholds = {
  notReadyAfterMs: 20_000,
  notLiveAfterMs: 120_000,
};

/** What a consumer says about itself, for readiness, liveness and people. */
export interface ConsumerHealth {
  group: string;
  /** starting: never joined yet; running: a member that fetches; restarting: between lives. */
  state: 'starting' | 'running' | 'restarting' | 'stopped';
  ready: boolean;
  live: boolean;
  /** Milliseconds since the last progress (or since the oldest message in flight started). */
  stalledMs: number;
  restarts: number;
}

export interface ConsumerRunnerOptions {
  kafka: Kafka;
  groupId: string;
  /** Logical topic names; the resolver maps them to physical ones. */
  topics: string[];
  topicResolver: TopicResolver;
  handlers: EventHandlers;
  /** Skips before decoding what a handler would find done already (opt-in, see {@link SeenChecks}). */
  seen?: SeenChecks;
  publisher: EventPublisher;
  idempotency: IdempotencyStore;
  logger: Logger;
  registry?: Registry;
  /** Partitions processed at once; each partition is still handled in order. */
  partitionsConcurrently?: number;
  /**
   * Messages of one partition in their handlers at once (default 1: one after another). Above
   * 1, messages with the same key still run in order, one at a time, while messages with other
   * keys run beside them; an offset is resolved (and committed) only when it and every message
   * before it are handled, so a crash redelivers whatever was not finished and nothing is
   * skipped. For handlers that wait on slow outside parties per key (a fan-out waiting on its
   * slowest unit), so one key's wait does not hold up the others.
   */
  concurrencyPerPartition?: number;
  /**
   * Handles each fetched batch of a partition in one call (up to 200 events a call) instead of one
   * handler call per event
   * (it takes precedence over `concurrencyPerPartition`): the batch's messages are decoded and
   * checked one by one as ever (dead letters, types without a handler, schema and sources), the
   * duplicate checks run together, and the events left go to this handler at once, so that it
   * can pay its round trips once per batch. A retriable failure retries the whole batch (the
   * handler must be idempotent per event); any other failure hands the batch's events to their
   * `handlers` one by one, so the one at fault is dead-lettered alone. The batch's offsets are
   * resolved once it is done. `homeward_event_handler_seconds` then shares the batch's time
   * equally among its events.
   */
  batchHandler?: BatchHandler;
  /**
   * How a fetch waits (default: answered as soon as any message is there, or after 100 ms).
   * A consumer that needs few of its topic's messages, and none of them at once, can wait for
   * `minBytes` (or `maxWaitTimeInMs`): fewer, fuller fetches, each paying its round trip and
   * per-batch bookkeeping once for many messages, at the price of that much delay.
   */
  fetch?: { minBytes?: number; maxWaitTimeInMs?: number };
  fromBeginning?: boolean;
  /** Time source for the idempotency record (tests inject theirs). */
  now?: () => Date;
  /** When a stalled consumer stops being ready and live (defaults above). */
  health?: Partial<ConsumerHealthThresholds>;
  /** Restart backoff (tests shorten it). */
  restart?: { initialMs?: number; maxMs?: number };
  /**
   * Topics matched by a pattern besides `topics` (one per agency system, say): matched against
   * the physical names the broker lets this principal see, when each consumer starts.
   */
  topicPattern?: TopicPattern;
  /**
   * The `ce_source` values an event type may carry on a (logical) topic; undefined: not
   * checked. An event from any other source is dead-lettered (code `source`): the broker's
   * ACLs say who may write a topic, this says which of its writers an event must come from.
   */
  allowedSources?: (logicalTopic: string, type: string) => readonly string[] | undefined;
}

/** A family of topics subscribed to by pattern. */
export interface TopicPattern {
  /** Matches physical topic names (prefix included). */
  regex: RegExp;
  /** The logical name of a matching physical topic. */
  logical: (physical: string) => string;
  /** Where their dead letters go: `deadLetterTopic(deadLetterOf)` (logical), one for the family. */
  deadLetterOf: string;
}
