import {
  KafkaJSConnectionError,
  KafkaJSLockTimeout,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
} from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { isRetriable, isUnavailableError, PoisonMessageError } from '../../src/index.ts';

const refused = () => new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092');

describe('isRetriable', () => {
  it('retries a broker that is away however deeply kafkajs wrapped the connection error', () => {
    // What a publish into a two-minute outage threw (and the runner dead-lettered, before):
    // the inner retrier gives up, the outer one wraps that as non-retriable.
    // kafkajs' type declarations leave out the constructor options its own retrier passes.
    const exhausted: Error = Reflect.construct(KafkaJSNumberOfRetriesExceeded, [
      refused(),
      { retryCount: 5, retryTime: 1000, cause: refused() },
    ]);
    const outer: Error & { retriable?: boolean } = Reflect.construct(KafkaJSNonRetriableError, [
      exhausted,
      { cause: refused() },
    ]);
    expect(outer.retriable).toBe(false);
    expect(outer.message).toBe('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
    expect(isRetriable(outer)).toBe(true);
    expect(isRetriable(exhausted)).toBe(true);
    expect(isRetriable(refused())).toBe(true);
    expect(
      isRetriable(
        Reflect.construct(KafkaJSLockTimeout, [
          'Timeout while acquiring lock (3 waiting locks): "updating target topics"',
        ]),
      ),
    ).toBe(true);
  });

  it('retries store and Redis unavailability, by name, code or message', () => {
    expect(isRetriable(Object.assign(new Error('x'), { name: 'MongoServerSelectionError' }))).toBe(true);
    expect(isRetriable(Object.assign(new Error('x'), { name: 'MaxRetriesPerRequestError' }))).toBe(true);
    expect(isRetriable(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(
      true,
    );
    expect(isRetriable(new Error('Connection is closed.'))).toBe(true);
    expect(
      isRetriable(
        new Error('wrapped', { cause: Object.assign(new Error('x'), { name: 'MongoNetworkError' }) }),
      ),
    ).toBe(true);
  });

  it('dead-letters what can never succeed, whatever caused it', () => {
    expect(isRetriable(new Error('a bug'))).toBe(false);
    expect(isRetriable(new TypeError("Cannot read properties of null (reading 'specversion')"))).toBe(false);
    expect(isRetriable(new PoisonMessageError('X_ERR', 'never', { cause: refused() }))).toBe(false);
    expect(isRetriable(new KafkaJSNonRetriableError('Invalid topic'))).toBe(false);
    expect(
      isRetriable(
        new KafkaJSProtocolError({
          message: 'too large',
          type: 'MESSAGE_TOO_LARGE',
          code: 10,
          retriable: false,
        } as never),
      ),
    ).toBe(false);
    expect(isUnavailableError(new KafkaJSNonRetriableError('Invalid topic'))).toBe(false);
  });
});
