export * from './kafka-client.ts';
export * from './errors.ts';
export * from './metrics.ts';
export * from './publisher.ts';
export * from './idempotency.ts';
export * from './consumer-runner.ts';
export * from './outbox.ts';
