export * from './helpers.ts';
export * from './infra.ts';
