export * from './contribution.ts';
export * from './ledger.ts';
export * from './refs.ts';
export * from './victims.ts';
