import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ensureChromium, testLogger } from '@homeward/testing';
import { type Browser, chromium } from 'playwright-core';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHttpServer, type HttpServer } from '../../src/index.ts';

const ARTIFACTS = fileURLToPath(new URL('../../../../test-artifacts/service-kit/', import.meta.url));

let app: HttpServer;
let browser: Browser;
let base: string;

beforeAll(async () => {
  const executablePath = await ensureChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
  app = await buildHttpServer({
    name: 'intake',
    version: '1.0.0',
    description: 'a service',
    logger: testLogger(),
    registry: new Registry(),
    bodyLimit: 1024,
    readiness: {},
    isAccepting: () => true,
  });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  browser = await chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
    ],
  });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('the AsyncAPI page', () => {
  it('renders every topic from the bundled component, offline, under its content security policy', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const problems: string[] = [];
    const elsewhere: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('request', (r) => {
      if (!r.url().startsWith(base) && !r.url().startsWith('data:')) elsewhere.push(r.url());
    });
    await page.goto(`${base}/asyncapi`);
    await page.getByText('Homeward events').first().waitFor({ state: 'attached', timeout: 60_000 });
    await page.getByText('case.events.v1.dlq').first().waitFor({ state: 'attached', timeout: 30_000 });
    await page.screenshot({ path: `${ARTIFACTS}asyncapi.png` });
    const text = await page.textContent('body');
    for (const want of [
      'agency.reports.v1.{agencyId}',
      'homeward.case.opened',
      'SCRAM-SHA-512',
      'ce_traceparent',
    ])
      expect(text, want).toContain(want);
    expect(problems).toEqual([]);
    expect(elsewhere).toEqual([]);
  }, 120_000);
});
