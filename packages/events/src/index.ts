export * from './catalogue.ts';
export * from './codec.ts';
export * from './common.ts';
export * from './envelope.ts';
export * from './reports.ts';
export * from './topics.ts';
export * from './trace.ts';
export * from './validation.ts';
