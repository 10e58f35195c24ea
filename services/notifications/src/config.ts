import { serviceConfig } from '@homeward/service-kit';
import { Type } from '@sinclair/typebox';

/** The notifications service's environment (beside the base variables every service reads). */
export const NotificationsConfig = serviceConfig({
  PORT: Type.Integer({ default: 8085, minimum: 1, maximum: 65535 }),
  MONGO_DB: Type.String({ default: 'notifications' }),
  /**
   * The deployment: `production` requires https webhooks and allows no private target unless
   * WEBHOOK_ALLOWED_NETS names it; elsewhere both default to what development needs.
   */
  NODE_ENV: Type.Union([Type.Literal('development'), Type.Literal('test'), Type.Literal('production')], {
    default: 'development',
  }),
  /** Webhook URLs must be https (default: in production only). */
  WEBHOOK_REQUIRE_HTTPS: Type.Optional(Type.Boolean()),
  /**
   * Networks a webhook may reach although they are loopback, private or otherwise reserved:
   * comma-separated CIDRs. Default: none in production; this host and the private networks
   * elsewhere (receivers of development and tests). Link-local (the metadata service) only if
   * named here.
   */
  WEBHOOK_ALLOWED_NETS: Type.Optional(Type.String({ maxLength: 4000 })),
  /** Webhook requests in flight at once, over every unit (the global bound). */
  WEBHOOK_CONCURRENCY: Type.Integer({ default: 256, minimum: 1, maximum: 10_000 }),
  /** Keep-alive connections per receiving origin. */
  WEBHOOK_CONNECTIONS_PER_ORIGIN: Type.Integer({ default: 64, minimum: 1, maximum: 1024 }),
  /** One attempt's deadline (headers and body). */
  WEBHOOK_TIMEOUT_MS: Type.Integer({ default: 2_000, minimum: 10 }),
  /** Attempts per delivery, the first included. */
  WEBHOOK_ATTEMPTS: Type.Integer({ default: 4, minimum: 1, maximum: 20 }),
  /** Backoff between attempts: full jitter over min(max, base * 2^n). */
  WEBHOOK_BACKOFF_BASE_MS: Type.Integer({ default: 100, minimum: 1 }),
  WEBHOOK_BACKOFF_MAX_MS: Type.Integer({ default: 2_000, minimum: 1 }),
  /** Requests in flight to one unit at once: a hanging unit holds at most this many slots. */
  WEBHOOK_PER_UNIT_IN_FLIGHT: Type.Integer({ default: 4, minimum: 1, maximum: 256 }),
  /**
   * One delivery's whole time: no attempt starts, and no wait for an open circuit's probe lasts,
   * past it. Attempt n waits n × WEBHOOK_TIMEOUT_MS for the answer, within this budget.
   */
  WEBHOOK_DELIVERY_BUDGET_MS: Type.Integer({ default: 15_000, minimum: 10 }),
  /**
   * Consecutive failed attempts that open a unit's circuit, and how long it stays open before a
   * probe; deliveries the open circuit refuses wait for the probe within their budget.
   */
  BREAKER_THRESHOLD: Type.Integer({ default: 5, minimum: 1 }),
  BREAKER_COOLDOWN_MS: Type.Integer({ default: 5_000, minimum: 1 }),
  /**
   * Alert events of one partition fanned out at once (different alerts side by side, one alert's
   * events in order): an alert waiting on a slow unit holds up no other alert.
   */
  ALERT_CONCURRENCY: Type.Integer({ default: 256, minimum: 1, maximum: 10_000 }),
  /**
   * How long a claim on (alert, unit) stays with the instance that made it before another may
   * take it over: longer than the slowest delivery (WEBHOOK_DELIVERY_BUDGET_MS) plus a flush.
   */
  CLAIM_LEASE_MS: Type.Integer({ default: 30_000, minimum: 100 }),
  /**
   * Outcome batches: published (one send) and recorded every this many ms or this many outcomes.
   * Capped at 1,000: a batch goes to Kafka as one produce request, and 5,000 outcomes exceed
   * the broker's default message.max.bytes (1 MB per partition batch) — measured, not guessed.
   */
  OUTCOME_FLUSH_MS: Type.Integer({ default: 50, minimum: 1 }),
  OUTCOME_BATCH_SIZE: Type.Integer({ default: 500, minimum: 1, maximum: 1_000 }),
  /**
   * While a fan-out is under way (webhooks queued, claims on their way, answers still coming),
   * settling outcomes waits up to this long, so its CPU goes to deliveries first. Longer means a
   * wider resend window after a crash.
   */
  OUTCOME_MAX_DEFER_MS: Type.Integer({ default: 2_000, minimum: 0, maximum: 10_000 }),
  /** Entries kept per unit for the live channel's resume (Redis stream MAXLEN, approximate). */
  STREAM_HISTORY: Type.Integer({ default: 500, minimum: 10 }),
  STREAM_HEARTBEAT_MS: Type.Integer({ default: 15_000, minimum: 50 }),
  /** A terminal whose unsent bytes exceed this is sent a notice and dropped (it resumes on reconnect). */
  STREAM_MAX_BUFFER_BYTES: Type.Integer({ default: 1_048_576, minimum: 1024 }),
  /** Live channels open at once for one unit, and for one API key, over every instance; 429 beyond. */
  STREAM_MAX_PER_UNIT: Type.Integer({ default: 3, minimum: 1, maximum: 100 }),
  STREAM_MAX_PER_KEY: Type.Integer({ default: 5, minimum: 1, maximum: 1000 }),
  /** How long an open channel's slot lives without renewal (an instance that died frees its slots after this). */
  STREAM_SLOT_TTL_MS: Type.Integer({ default: 60_000, minimum: 1_000 }),
});
