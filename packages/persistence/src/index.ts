export * from './aggregate-store.ts';
export { copyDoc } from './documents.ts';
export * from './duplicate-key.ts';
export * from './group-commit.ts';
export * from './insert-in-order.ts';
export * from './leases.ts';
export * from './memory-store.ts';
export * from './mongo-store.ts';
export * from './write-lane.ts';
