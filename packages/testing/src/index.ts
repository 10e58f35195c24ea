export * from './infra.ts';
export * from './helpers.ts';
