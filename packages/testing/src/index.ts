/** The headless browser for end-to-end tests (Debian's chromium, installed when missing). */
export { ensureChromium } from '@homeward/infra-local';
export * from './fuzz.ts';
export * from './helpers.ts';
export * from './infra.ts';
export * from './service.ts';
export * from './sse-client.ts';
