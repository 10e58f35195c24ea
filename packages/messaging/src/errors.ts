/**
 * How the consumer runner treats a failure: retriable errors (the database is away, the broker
 * is electing) are retried with backoff and never dead-lettered, since they are not the
 * message's fault; everything else sends the message to the dead-letter topic with the reason.
 */
export function isRetriable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as {
    retriable?: unknown;
    name?: unknown;
    hasErrorLabel?: (l: string) => boolean;
    code?: unknown;
  };
  if (e.retriable === true) return true;
  if (e.retriable === false) return false;
  const name = typeof e.name === 'string' ? e.name : '';
  if (
    /^Mongo(Network|NetworkTimeout|ServerSelection|NotConnected|PoolCleared|TopologyClosed)Error$/.test(name)
  )
    return true;
  if (
    typeof e.hasErrorLabel === 'function' &&
    (e.hasErrorLabel('RetryableWriteError') || e.hasErrorLabel('TransientTransactionError'))
  )
    return true;
  // ioredis connection trouble.
  if (
    name === 'MaxRetriesPerRequestError' ||
    e.code === 'ECONNREFUSED' ||
    e.code === 'ECONNRESET' ||
    e.code === 'ETIMEDOUT'
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
