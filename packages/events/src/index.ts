export * from './topics.ts';
export * from './common.ts';
export * from './reports.ts';
export * from './catalogue.ts';
export * from './envelope.ts';
export * from './validation.ts';
export * from './codec.ts';
export * from './trace.ts';
