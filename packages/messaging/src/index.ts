export type { Kafka } from 'kafkajs';
export * from './consumer-options.ts';
export * from './consumer-runner.ts';
export * from './errors.ts';
export * from './idempotency.ts';
export * from './kafka-client.ts';
export * from './metrics.ts';
export * from './outbox.ts';
export * from './publisher.ts';
