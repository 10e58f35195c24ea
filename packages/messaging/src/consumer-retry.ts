import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { HANDLER_RETRY } from './consumer-options.ts';
import { isRetriable } from './errors.ts';

/** What the retry loop needs of the batch a message came in. */
export interface BatchScope {
  heartbeat: () => Promise<void>;
  /** False once the runner stops or the batch is stale (its partition went elsewhere). */
  alive: () => boolean;
}

/** A runner's retry in place (see {@link retrier}). */
export type Retrying = <R>(fn: () => Promise<R>, log: Logger, scope?: BatchScope) => Promise<R>;

/**
 * The runner's retry in place: runs `fn`, retrying retriable failures (broker, store or Redis
 * away) until it succeeds or the runner stops (`stopping`) or its batch is no longer its own (a
 * crash or a rebalance: another consumer takes the message over); between attempts the member
 * heartbeats, so a long outage of a store does not also cost it its partitions.
 */
export function retrier(stopping: () => boolean): Retrying {
  return async <R>(fn: () => Promise<R>, log: Logger, scope?: BatchScope): Promise<R> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (!isRetriable(err) || stopping() || (scope && !scope.alive())) throw err;
        const cap = Math.min(HANDLER_RETRY.maxMs, HANDLER_RETRY.initialMs * 2 ** (attempt - 1));
        const wait = Math.random() * cap;
        log.warn({ err, attempt, waitMs: Math.round(wait) }, 'retriable failure, retrying');
        await sleep(wait);
        // The broker may be the thing that is away: a failed heartbeat is not this message's fault.
        await scope?.heartbeat().catch(() => {});
      }
    }
  };
}
