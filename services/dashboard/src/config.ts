import { serviceConfig } from '@homeward/service-kit';
import { Type } from '@sinclair/typebox';

/** The contract ports of the services whose readiness the dashboard shows. */
export const DEFAULT_HEALTH_TARGETS =
  'intake=http://127.0.0.1:8081,rescue-coordination=http://127.0.0.1:8082,placement=http://127.0.0.1:8083,' +
  'dna-tracking=http://127.0.0.1:8084,notifications=http://127.0.0.1:8085,coordination=http://127.0.0.1:8086';

export const DashboardConfig = serviceConfig({
  PORT: Type.Integer({ default: 8080, minimum: 0, maximum: 65535 }),
  MONGO_DB: Type.String({ default: 'dashboard' }),
  /** Entries kept in the Redis history stream (approximate: XADD MAXLEN ~). */
  HISTORY_MAX_LEN: Type.Integer({ default: 10_000, minimum: 100 }),
  /** How long a processed event id is remembered in Redis (guards counters against redelivery). */
  SEEN_TTL_SECONDS: Type.Integer({ default: 7 * 24 * 3600, minimum: 60 }),
  /** Comment lines keep proxies and browsers from timing an idle stream out. */
  SSE_HEARTBEAT_MS: Type.Integer({ default: 15_000, minimum: 100 }),
  /** A client whose unsent bytes exceed this is sent a notice and dropped. */
  SSE_MAX_BUFFER_BYTES: Type.Integer({ default: 1_048_576, minimum: 1024 }),
  /**
   * At most one fan-out per this interval: what arrives within it is written to each client at
   * once. 0: none; what arrives while a fan-out is being written goes out in the next, which
   * already batches under load, without holding an entry back for the interval.
   */
  SSE_FLUSH_INTERVAL_MS: Type.Integer({ default: 0, minimum: 0, maximum: 1000 }),
  /** Session tokens for EventSource (which cannot send headers): lifetime in seconds. */
  SESSION_TTL_SECONDS: Type.Integer({ default: 12 * 3600, minimum: 60 }),
  /** `name=url` pairs, comma-separated: the services whose `/health/ready` is polled. */
  HEALTH_TARGETS: Type.String({ default: DEFAULT_HEALTH_TARGETS }),
  HEALTH_POLL_MS: Type.Integer({ default: 5_000, minimum: 100 }),
  /** A DNA sample whose last custody step is older than this, and not yet stored, is overdue. */
  SAMPLE_OVERDUE_HOURS: Type.Integer({ default: 72, minimum: 1 }),
  /** The calendar the annual report counts years in (minutes east of UTC; China: +480, no DST). */
  REPORT_UTC_OFFSET_MINUTES: Type.Integer({ default: 480, minimum: -720, maximum: 840 }),
  /**
   * The deployment's time zone (IANA), in which the page shows every time whatever the
   * browser's; told to the page with its session. China Standard Time (UTC+08:00) by default.
   */
  TIME_ZONE: Type.String({ default: 'Asia/Shanghai', minLength: 1, maxLength: 64 }),
  /** Build the web page at start when `web/dist` is missing (off only where it is prebuilt). */
  WEB_BUILD: Type.Boolean({ default: true }),
});
