/** The headless browser for end-to-end tests (Debian's chromium, installed when missing). */
/** pdftoppm and pdftotext for PDF tests (Debian's poppler-utils, installed when missing). */
export { ensureChromium, ensurePoppler } from '@homeward/infra-local';
export * from './fuzz.ts';
export * from './helpers.ts';
export * from './infra.ts';
export * from './service.ts';
export * from './sse-client.ts';
