import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  createTestTopics,
  deleteTestTopics,
  devKey,
  ensureChromium,
  uniqueName,
  waitFor,
} from '@homeward/testing';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  alertIssued,
  caseOpened,
  type RunningDashboard,
  reportSubmitted,
  startDashboard,
} from '../support.ts';

const ARTIFACTS = fileURLToPath(new URL('../../../../test-artifacts/dashboard/', import.meta.url));
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let prefix: string;
let dash: RunningDashboard;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  // The first install of Debian's chromium takes minutes; afterwards this is a file check.
  const executablePath = await ensureChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
  prefix = await createTestTopics('dashboard-e2e');
  dash = await startDashboard({ prefix });
  browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1440, height: 900 } });
  page = await context.newPage();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await dash?.stop();
  await deleteTestTopics(prefix);
});

const shot = (name: string) => page.screenshot({ path: `${ARTIFACTS}${name}`, fullPage: true });
const row = (caseId: string) => page.locator(`[data-testid=event-row][data-case-id="${caseId}"]`);

describe('the operators’ page in a browser', () => {
  it('signs in with an operator key (and refuses another role’s)', async () => {
    await page.goto(dash.baseUrl);
    await page.getByTestId('signin-key').fill(devKey('police'));
    await page.getByTestId('signin-submit').click();
    await expect(page.getByTestId('signin-error').textContent()).resolves.toContain('may not');
    await shot('sign-in.png');
    await page.getByTestId('signin-key').fill(devKey('operator'));
    await page.getByTestId('signin-submit').click();
    await page.getByTestId('event-log').waitFor();
    await page.locator('[data-testid=stream-status]', { hasText: 'live' }).waitFor();
  });

  it('shows a report within two seconds of its publication', async () => {
    const caseId = uniqueName('case');
    const t0 = Date.now();
    await dash.publish(reportSubmitted('Wang Wu'), caseOpened(caseId, { name: 'Wang Wu' }));
    await row(caseId).waitFor({ timeout: 2000 });
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeLessThan(2000);
    await expect(row(caseId).textContent()).resolves.toContain(`case ${caseId} opened in 340104`);
    await page
      .locator('[data-testid=event-row][data-type="homeward.report.submitted"]')
      .first()
      .waitFor({ timeout: 2000 });
    await shot('live-log.png');
  });

  it('filters by type and by case, and pauses and resumes', async () => {
    const caseA = uniqueName('case-a');
    const caseB = uniqueName('case-b');
    await page.getByTestId('filter-type').selectOption('homeward.case.');
    await dash.publish(caseOpened(caseA), alertIssued(`al-${caseA}`, caseA), caseOpened(caseB));
    await row(caseB).waitFor({ timeout: 5000 });
    await row(caseA).first().waitFor({ timeout: 5000 });
    const types = await page
      .locator('[data-testid=event-row]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-type')));
    expect(types.length).toBeGreaterThan(0);
    expect(types.every((t) => t?.startsWith('homeward.case.'))).toBe(true);

    await page.getByTestId('filter-type').selectOption('');
    await page.getByTestId('filter-case').fill(caseA);
    await page.getByTestId('filter-apply').click();
    await page
      .locator(`[data-testid=event-row][data-type="homeward.alert.issued"][data-case-id="${caseA}"]`)
      .waitFor({ timeout: 5000 });
    const cases = await page
      .locator('[data-testid=event-row]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-case-id')));
    expect(new Set(cases)).toEqual(new Set([caseA]));
    await shot('filtered-log.png');

    await page.getByTestId('pause').click();
    await dash.publish(caseOpened(uniqueName('other')), alertIssued(`al2-${caseA}`, caseA));
    await page.locator('[data-testid=pause]', { hasText: 'Resume (1 new)' }).waitFor({ timeout: 5000 });
    expect(await page.locator(`[data-testid=event-row]`).count()).toBe(cases.length);
    await page.getByTestId('pause').click();
    await page.locator('[data-testid=event-row]').nth(cases.length).waitFor({ timeout: 2000 });
    await page.getByTestId('filter-case').fill('');
    await page.getByTestId('filter-apply').click();
  });

  it('draws a ring around the last-seen point when an alert is issued', async () => {
    const caseId = uniqueName('case-ring');
    const alertId = `al-${caseId}`;
    await dash.publish(caseOpened(caseId, { region: '341502' }));
    await dash.publish(alertIssued(alertId, caseId, { region: '341502', radiusKm: 300 }));
    const ring = page.locator(`[data-testid=alert-ring][data-alert-id="${alertId}"]`);
    await ring.waitFor({ timeout: 5000 });
    const r = await ring.locator('circle.ring').getAttribute('r');
    expect(Number(r)).toBeGreaterThan(10);
    await shot('alerts-and-board.png');
  });

  it('downloads the annual report as CSV', async () => {
    // Five cases were opened above (all reported by police in March 2026): wait until the
    // last of them is in the aggregate, then the download must say exactly that.
    await waitFor(
      async () => (await dash.get('/v1/annual-report?year=2026')).body.totals.counts.casesOpened === 5,
      {
        what: 'five cases in the annual aggregate',
        timeoutMs: 10_000,
      },
    );
    await page.getByTestId('annual-year').fill('2026');
    await page.getByTestId('annual-show').click();
    await page.getByTestId('annual-totals').waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('annual-download').click(),
    ]);
    expect(download.suggestedFilename()).toBe('homeward-annual-report-2026.csv');
    const csv = readFileSync((await download.path())!, 'utf8')
      .trim()
      .split('\r\n');
    const header = csv[0]!.split(',');
    expect(header.slice(0, 4)).toEqual(['year', 'region', 'department', 'reportsReceived']);
    const total = csv.at(-1)!.split(',');
    expect(total.slice(0, 3)).toEqual(['2026', 'all', 'all']);
    expect(Number(total[header.indexOf('casesOpened')])).toBe(5);
    expect(Number(total[header.indexOf('alertsIssued')])).toBe(3);
    await shot('annual-report.png');
  });

  it('fits a laptop and a wall display', async () => {
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.screenshot({ path: `${ARTIFACTS}laptop-1366.png` });
    await page.setViewportSize({ width: 2560, height: 1440 });
    await page.screenshot({ path: `${ARTIFACTS}wall-2560.png` });
    const columns = await page
      .locator('main.grid')
      .evaluate(
        (el) =>
          (globalThis as unknown as { getComputedStyle(e: unknown): { gridTemplateColumns: string } })
            .getComputedStyle(el)
            .gridTemplateColumns.split(' ').length,
      );
    expect(columns).toBe(4);
  });
});
