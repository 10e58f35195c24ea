/**
 * Errors of kafkajs that mean "the broker is away or busy", whatever their own `retriable`
 * flag says: kafkajs marks a connection failure retriable, but once its own retries run out it
 * wraps it in `KafkaJSNumberOfRetriesExceeded`, and lock and coordinator timeouts, which are
 * non-retriable to kafkajs (it will not retry them itself), still pass when the broker is back.
 * See https://github.com/tulios/kafkajs/blob/v2.2.4/src/errors.js.
 */
const KAFKA_UNAVAILABLE =
  /^KafkaJS(NumberOfRetriesExceeded|ConnectionError|ConnectionClosedError|RequestTimeoutError|BrokerNotFound|MetadataNotLoaded|TopicMetadataNotLoaded|StaleTopicMetadataAssignment|NoBrokerAvailableError|GroupCoordinatorNotFound|LockTimeout|Timeout)$/;

/** MongoDB driver errors that mean the server cannot be reached (not that the command is wrong). */
const MONGO_UNAVAILABLE =
  /^Mongo(Network|NetworkTimeout|ServerSelection|NotConnected|PoolCleared|TopologyClosed)Error$/;

/** Socket-level failures, as Node reports them (ioredis passes them through). */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTCONN',
]);

/** ioredis' messages when a command cannot reach the server (it has no error classes for them). */
const REDIS_UNAVAILABLE_MESSAGES = [
  'Connection is closed.',
  "Stream isn't writeable and enableOfflineQueue options is false",
];

interface ErrorLike {
  retriable?: unknown;
  name?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  hasErrorLabel?: (l: string) => boolean;
}

/**
 * True when `err` (or what caused it) says a piece of infrastructure (Kafka, the document store,
 * Redis) cannot be reached right now. Such a failure is nobody's fault and passes by itself:
 * HTTP answers 503 with Retry-After, the consumer runner retries in place, nothing is
 * dead-lettered.
 */
export function isUnavailableError(err: unknown): boolean {
  for (let e = err as ErrorLike | undefined, depth = 0; e && typeof e === 'object' && depth < 8; depth++) {
    const name = typeof e.name === 'string' ? e.name : '';
    if (KAFKA_UNAVAILABLE.test(name) || MONGO_UNAVAILABLE.test(name)) return true;
    if (name === 'MaxRetriesPerRequestError') return true;
    if (typeof e.code === 'string' && SOCKET_CODES.has(e.code)) return true;
    if (typeof e.message === 'string' && REDIS_UNAVAILABLE_MESSAGES.includes(e.message)) return true;
    e = e.cause as ErrorLike | undefined;
  }
  return false;
}

/**
 * How the consumer runner treats a failure: retriable errors (the database is away, the broker
 * is electing) are retried with backoff and never dead-lettered, since they are not the
 * message's fault; everything else sends the message to the dead-letter topic with the reason.
 */
export function isRetriable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as ErrorLike;
  if (e.retriable === true) return true;
  // kafkajs' give-up errors say non-retriable although the broker may be back in a second: its
  // nested retriers wrap an exhausted `Connection error: connect ECONNREFUSED` in
  // KafkaJSNumberOfRetriesExceeded and that again in KafkaJSNonRetriableError (with the
  // connection error as `cause`). For kafkajs' errors the cause decides.
  if (typeof e.name === 'string' && e.name.startsWith('KafkaJS') && isUnavailableError(err)) return true;
  // Any other explicit verdict stands (a poison message stays poison whatever caused it).
  if (e.retriable === false) return false;
  if (isUnavailableError(err)) return true;
  if (
    typeof e.hasErrorLabel === 'function' &&
    (e.hasErrorLabel('RetryableWriteError') || e.hasErrorLabel('TransientTransactionError'))
  )
    return true;
  return false;
}

/** A handler's verdict that a message can never be processed (the runner dead-letters it). */
export class PoisonMessageError extends Error {
  readonly retriable = false;
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PoisonMessageError';
  }
}
