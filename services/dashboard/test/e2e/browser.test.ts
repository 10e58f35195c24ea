import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { deadLetterTopic, encodeKafka, Topics } from '@homeward/events';
import {
  createTestTopics,
  deleteTestTopics,
  devKey,
  ensureChromium,
  sendRaw,
  uniqueName,
  waitFor,
} from '@homeward/testing';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import anhui from '../../web/src/geo/anhui.json' with { type: 'json' };
import {
  acknowledged,
  alertIssued,
  caseOpened,
  delivered,
  failed,
  followupOverdue,
  followupScheduled,
  leadAdded,
  matchFound,
  type RunningDashboard,
  reportSubmitted,
  startDashboard,
  unitRegistered,
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
  // A browser far from the deployment: times must still be shown at UTC+08:00.
  const context = await browser.newContext({
    acceptDownloads: true,
    viewport: { width: 1440, height: 900 },
    timezoneId: 'America/Los_Angeles',
  });
  page = await context.newPage();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await dash?.stop();
  await deleteTestTopics(prefix);
});

interface DOMRectLike {
  left: number;
  right: number;
  top: number;
  bottom: number;
}
/** What the fit check reads of an element in the page (the tests' types have no DOM). */
interface El {
  tagName: string;
  textContent: string | null;
  scrollWidth: number;
  clientWidth: number;
  getBoundingClientRect(): DOMRectLike & { width: number; height: number };
  getAttribute(name: string): string | null;
  querySelectorAll(selector: string): ArrayLike<El>;
  closest(selector: string): El | null;
}
const overlaps = (a: DOMRectLike, b: DOMRectLike) =>
  a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
type Geometry = (typeof anhui.features)[number]['geometry'];
const ringsOf = (g: Geometry): number[][][] =>
  g.type === 'Polygon' ? (g.coordinates as number[][][]) : (g.coordinates as number[][][][]).flat();
/** The mean of a prefecture's outer ring: a point well inside it, for an alert's centre. */
const centreOf = (g: Geometry): [number, number] => {
  const ring = ringsOf(g)[0]!;
  return [
    ring.reduce((s, p) => s + p[0]!, 0) / ring.length,
    ring.reduce((s, p) => s + p[1]!, 0) / ring.length,
  ];
};

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
    // The unfiltered rows (case A's alert among them) can still be on screen when the click
    // returns, until the filtered stream replaces them: wait for the filtered view itself.
    const shown = () =>
      page
        .locator('[data-testid=event-row]')
        .evaluateAll((els) => els.map((e) => [e.getAttribute('data-case-id'), e.getAttribute('data-type')]));
    await waitFor(
      async () => {
        const rows = await shown();
        return rows.every(([c]) => c === caseA) && rows.some(([, t]) => t === 'homeward.alert.issued');
      },
      { what: `only case ${caseA}'s events on screen, its alert among them`, timeoutMs: 5000 },
    );
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
    const box = await ring.locator('path.ring').boundingBox();
    expect(box!.width).toBeGreaterThan(10);
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

  it('holds up under a province’s load: 45 cases, 29 alerts, a busy log', async () => {
    await page.setViewportSize({ width: 1366, height: 768 });
    const prefectures = anhui.features.map((f) => String(f.id));
    const cases = Array.from({ length: 45 }, (_, i) => uniqueName(`load-${i}`));
    await dash.publish(
      ...cases.map((c, i) => caseOpened(c, { region: `${prefectures[i % 16]!.slice(0, 4)}02` })),
    );
    // 29 alerts over the province: centres near each city (two or three on some), 100 to 500 km.
    const alerts = cases.slice(0, 29).map((caseId, i) => {
      const f = anhui.features[i % 16]!;
      const [lon, lat] = centreOf(f.geometry);
      return {
        alertId: `al-${caseId}`,
        caseId,
        center: { lat: lat + (i >= 16 ? 0.05 : 0), lon: lon + (i >= 16 ? 0.05 : 0) },
        radiusKm: [100, 200, 300, 500][i % 4]!,
      };
    });
    await dash.publish(
      ...alerts.map((a) =>
        alertIssued(a.alertId, a.caseId, {
          region: '340104',
          radiusKm: a.radiusKm,
          center: a.center,
          place: 'a long place name: the east square of the long-distance bus station',
        }),
      ),
    );
    // A sighting on a searched case is drawn where it was seen.
    await dash.publish(leadAdded(alerts[0]!.caseId));
    await waitFor(async () => (await page.locator('[data-testid=alert-ring]').count()) >= 30, {
      what: 'the rings of 29 more alerts',
      timeoutMs: 15_000,
    });

    await page.locator('[data-testid=sighting]').first().waitFor({ timeout: 10_000 });
    // Along the way: from the alert's last-seen point to where the child was seen.
    await page.locator(`[data-testid=sighting-trail][data-case-id="${alerts[0]!.caseId}"]`).waitFor();

    // The province and its sixteen prefectures, drawn from the shipped boundaries.
    await expect(page.locator('[data-testid=prefecture]').count()).resolves.toBe(16);

    // A ring of the right size: its north-south extent in the SVG is what Mercator gives for
    // 300 km at that latitude, with the scale read from the drawn province (independently of
    // the page's own projection code).
    const lons = anhui.features.flatMap((f) =>
      ringsOf(f.geometry)
        .flat()
        .map((p) => p[0]!),
    );
    const lonSpan = ((Math.max(...lons) - Math.min(...lons)) * Math.PI) / 180;
    const provinceWidth = await page.locator('[data-testid=alert-map]').evaluate((svg) =>
      [...svg.querySelectorAll('[data-testid=prefecture]')].reduce(
        (b, el) => {
          const r = (el as unknown as { getBBox(): { x: number; width: number } }).getBBox();
          return { min: Math.min(b.min, r.x), max: Math.max(b.max, r.x + r.width) };
        },
        { min: Infinity, max: -Infinity },
      ),
    );
    const k = (provinceWidth.max - provinceWidth.min) / lonSpan;
    const probe = alerts.find((a) => a.radiusKm === 300)!;
    const dPhi = 300 / 6371.0088;
    const phi = (probe.center.lat * Math.PI) / 180;
    const merc = (p: number) => Math.log(Math.tan(Math.PI / 4 + p / 2));
    const expectedHeight = k * (merc(phi + dPhi) - merc(phi - dPhi));
    const ringBox = await page
      .locator(`[data-testid=alert-ring][data-alert-id="${probe.alertId}"] path.ring`)
      .evaluate((el) => {
        const b = (el as unknown as { getBBox(): { height: number; width: number } }).getBBox();
        return { height: b.height, width: b.width };
      });
    expect(Math.abs(ringBox.height - expectedHeight) / expectedHeight).toBeLessThan(0.01);

    // Ring labels never overlap: where one would, it is left out and the table lists the alert.
    const labels = await page
      .locator('[data-testid=ring-label]')
      .evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON() as DOMRectLike));
    expect(labels.length).toBeGreaterThan(5);
    for (let i = 0; i < labels.length; i++)
      for (let j = i + 1; j < labels.length; j++)
        expect(overlaps(labels[i]!, labels[j]!), `labels ${i}, ${j}`).toBe(false);

    // The alerts table fits its panel, every column shown, and pages through the 30 alerts.
    const fit = await page.locator('[data-testid=alerts-table]').evaluate((table) => {
      const panel = table.closest('section')!.getBoundingClientRect();
      const heads = [...table.querySelectorAll('th')].map((th) => th.getBoundingClientRect());
      return {
        tableRight: table.getBoundingClientRect().right,
        panelRight: panel.right,
        headsInside: heads.every((h) => h.right <= panel.right + 0.5 && h.width > 8),
        columns: heads.length,
        rows: table.querySelectorAll('tbody tr').length,
      };
    });
    expect(fit.tableRight).toBeLessThanOrEqual(fit.panelRight + 0.5);
    expect(fit).toMatchObject({ headsInside: true, columns: 6, rows: 8 });
    await page.getByTestId('alerts-pager').waitFor();

    // Log columns keep apart: a type never runs into the region beside it.
    const columns = await page.locator('[data-testid=event-row]').evaluateAll((rows) =>
      rows.slice(0, 40).map((r) => {
        const [time, type, region] = [...r.children].map((c) => c.getBoundingClientRect());
        return {
          timeRight: time!.right,
          typeLeft: type!.left,
          typeRight: type!.right,
          regionLeft: region!.left,
        };
      }),
    );
    for (const c of columns) {
      expect(c.timeRight).toBeLessThanOrEqual(c.typeLeft);
      expect(c.typeRight).toBeLessThanOrEqual(c.regionLeft);
    }

    // Times in the deployment's zone (UTC+08:00), not the browser's (Los Angeles).
    await expect(page.getByTestId('time-zone').textContent()).resolves.toContain('UTC+08:00');
    const shown = (await page.locator('[data-testid=event-row] .log-time').first().textContent())!;
    const [h, m] = shown.split(':').map(Number);
    const beijing = new Date(Date.now() + 8 * 3_600_000);
    const minutes = (x: number, y: number) =>
      (((x * 60 + y - (beijing.getUTCHours() * 60 + beijing.getUTCMinutes())) % 1440) + 1440) % 1440;
    expect(Math.min(minutes(h!, m!), 1440 - minutes(h!, m!))).toBeLessThanOrEqual(2);

    // The board and the annual report each say what they count.
    await expect(page.getByTestId('cases-note').textContent()).resolves.toContain('by its status now');
    await page.screenshot({ path: `${ARTIFACTS}load-laptop-1366.png` });
  });

  it('keeps every panel readable with hundreds of cases, at laptop and wall sizes', async () => {
    // Hundreds of cases over the province's counties, on top of the 45 above.
    const counties = anhui.features.flatMap((f) =>
      ['02', '03', '04', '11', '21', '22'].map((c) => `${String(f.id).slice(0, 4)}${c}`),
    );
    const many = Array.from({ length: 300 }, (_, i) => uniqueName(`many-${i}`));
    await dash.publish(...many.map((c, i) => caseOpened(c, { region: counties[i % counties.length]! })));
    // Every list busy enough to page: coverage on the first alerts (sparklines drawn), a dozen
    // matches awaiting review, a dozen overdue follow-ups.
    const shownAlerts = await page
      .locator('[data-testid=alert-ring]')
      .evaluateAll((els) => els.slice(0, 8).map((e) => e.getAttribute('data-alert-id')!));
    // Hundreds of units over the province (as notifications publishes their registrations),
    // some notified, some acknowledging, some not reached; the rest not targeted.
    const unitIds = Array.from({ length: 300 }, (_, i) => `unit-${i + 1}`);
    await dash.publish(
      ...unitIds.map((u, i) => {
        const f = anhui.features[i % 16]!;
        const [lon, lat] = centreOf(f.geometry);
        const jitter = (k: number) => (((i * k) % 101) - 50) / 200;
        return unitRegistered(
          u,
          { lat: lat + jitter(37), lon: lon + jitter(53) },
          `${String(f.id).slice(0, 4)}02`,
        );
      }),
    );
    await dash.publish(
      ...shownAlerts.flatMap((a) => [
        delivered(a, 'unit-1'),
        delivered(a, 'unit-2'),
        delivered(a, 'unit-3'),
        acknowledged(a, 'unit-1'),
        failed(a, 'unit-4'),
      ]),
      ...many
        .slice(0, 12)
        .flatMap((c, i) => [
          matchFound(`m-${c}`, `s-${c}`, c),
          followupScheduled(`fu-${i}-${c}`, c),
          followupOverdue(`fu-${i}-${c}`, c),
        ]),
    );
    await waitFor(async () => (await dash.get('/v1/board')).body.cases.total >= 350, {
      what: '350 cases on the board',
      timeoutMs: 30_000,
    });
    await page.locator('[data-testid=case-board-pager]').waitFor({ timeout: 10_000 });
    await page.locator('[data-testid=followups-pager]').waitFor({ timeout: 10_000 });
    await page.locator('[data-testid=alerts-table] svg.spark').first().waitFor({ timeout: 10_000 });
    await waitFor(async () => (await page.locator('[data-testid=unit-point]').count()) >= 300, {
      what: '300 units on the map',
      timeoutMs: 30_000,
    });
    // Each unit a point coloured by where it stands for the active alerts, with a legend.
    const statuses = await page
      .locator('[data-testid=unit-point]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-status')));
    const tally = (s: string) => statuses.filter((x) => x === s).length;
    expect(tally('acknowledged')).toBe(1);
    expect(tally('notified')).toBe(2);
    expect(tally('failed')).toBe(1);
    expect(tally('not-targeted')).toBe(296);
    await expect(
      page.locator('[data-testid=unit-legend] li').evaluateAll((lis) => lis.map((li) => li.textContent)),
    ).resolves.toEqual(['acknowledged 1', 'notified, no ack 2', 'not reached 1', 'not targeted 296']);
    // Every unit lies on the drawn province, inside the map.
    const outside = await page.locator('[data-testid=alert-map]').evaluate((svg) => {
      const box = svg.getBoundingClientRect();
      return [...svg.querySelectorAll('[data-testid=unit-point]')].filter((c) => {
        const r = c.getBoundingClientRect();
        return r.left < box.left || r.right > box.right || r.top < box.top || r.bottom > box.bottom;
      }).length;
    });
    expect(outside).toBe(0);

    for (const [width, height, name] of [
      [1366, 768, 'laptop-1366'],
      [1920, 1080, 'wall-1920'],
      [3840, 2160, 'wall-3840'],
    ] as const) {
      await page.setViewportSize({ width, height });
      await page.waitForTimeout(300);
      const misfits = await page.evaluate(() => {
        const out: string[] = [];
        const doc = globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<El> } };
        for (const panel of Array.from(doc.document.querySelectorAll('section.panel'))) {
          const p = panel.getBoundingClientRect();
          const name = panel.getAttribute('aria-label');
          if (panel.scrollWidth > panel.clientWidth + 1) out.push(`${name}: scrolls sideways`);
          for (const el of Array.from(panel.querySelectorAll('*'))) {
            // Drawn shapes are clipped to the map; the map itself is checked.
            if (el.closest('svg') && el.tagName.toLowerCase() !== 'svg') continue;
            const r = el.getBoundingClientRect();
            if (r.width === 0 || r.height === 0) continue;
            if (r.right > p.right + 1 || r.left < p.left - 1)
              out.push(
                `${name}: <${el.tagName.toLowerCase()} class="${el.getAttribute('class') ?? ''}"> past its panel`,
              );
          }
          // Column heads are never cut: a narrow panel must not hide what a column is.
          for (const th of Array.from(panel.querySelectorAll('th')))
            if (th.scrollWidth > th.clientWidth + 1) out.push(`${name}: head "${th.textContent}" cut`);
        }
        return out;
      });
      expect(misfits, name).toEqual([]);

      // Ring labels never overlap (units are unlabelled points, their legend outside the map),
      // nor the legend's entries, nor the log's columns.
      const labels = await page
        .locator('[data-testid=ring-label]')
        .evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON() as DOMRectLike));
      expect(labels.length).toBeGreaterThan(5);
      for (let i = 0; i < labels.length; i++)
        for (let j = i + 1; j < labels.length; j++)
          expect(overlaps(labels[i]!, labels[j]!), `${name}: labels ${i}, ${j}`).toBe(false);
      const legend = await page
        .locator('[data-testid=unit-legend] li')
        .evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON() as DOMRectLike));
      expect(legend).toHaveLength(4);
      for (let i = 0; i < legend.length; i++)
        for (let j = i + 1; j < legend.length; j++)
          expect(overlaps(legend[i]!, legend[j]!), `${name}: legend ${i}, ${j}`).toBe(false);
      const cells = await page
        .locator('[data-testid=event-row]')
        .evaluateAll((rows) =>
          rows.map((r) => [...r.children].map((c) => c.getBoundingClientRect().toJSON() as DOMRectLike)),
        );
      expect(cells.length).toBeGreaterThan(5);
      for (const row of cells)
        for (let i = 0; i < row.length; i++)
          for (let j = i + 1; j < row.length; j++)
            expect(overlaps(row[i]!, row[j]!), `${name}: log cells ${i}, ${j}`).toBe(false);
      // The alerts table shows all six columns, acknowledgements and coverage included.
      const heads = await page
        .locator('[data-testid=alerts-table] th')
        .evaluateAll((ths) => ths.map((th) => th.getBoundingClientRect().width));
      expect(heads).toHaveLength(6);
      expect(heads.every((w) => w > 20)).toBe(true);
      await page.screenshot({ path: `${ARTIFACTS}load-${name}.png` });
    }

    // The board pages through the regions, busiest first; each figure says what it counts.
    const firstRows = await page
      .locator('[data-testid=case-board] tbody tr')
      .evaluateAll((trs) => trs.map((tr) => Number(tr.lastElementChild?.textContent?.replace(/,/g, ''))));
    expect(firstRows).toHaveLength(8);
    expect([...firstRows].sort((a, b) => b - a)).toEqual(firstRows);
    await expect(page.getByTestId('cases-total').textContent()).resolves.toMatch(/^\(3\d\d\)$/);
  });

  it('marks a report that intake refused as refused, not as an ordinary report', async () => {
    await page.setViewportSize({ width: 1440, height: 900 });
    const shown = reportSubmitted('Zhao Liu');
    await dash.publish(shown);
    const submitted = page.locator(`[data-testid=event-row][data-type="homeward.report.submitted"]`).first();
    await submitted.waitFor({ timeout: 5000 });
    const enc = encodeKafka(shown, null);
    await sendRaw(
      `${prefix}${deadLetterTopic(Topics.agencyReports)}`,
      [
        {
          value: enc.value,
          headers: {
            ...enc.headers,
            dlq_reason: 'refused by intake',
            dlq_error_code: 'source',
            dlq_consumer_group: 'intake.reports',
            dlq_failed_at: new Date().toISOString(),
          },
        },
      ],
      'intake',
    );
    const refusal = page.locator('[data-testid=event-row][data-type="homeward.report.refused"]');
    await refusal.waitFor({ timeout: 20_000 });
    await expect(refusal.textContent()).resolves.toContain(
      'missing-child report from agency/hefei-psb refused by intake (source)',
    );
    // The report.submitted shown when it arrived is marked too.
    await page
      .locator('[data-testid=event-row][data-type="homeward.report.submitted"][data-refused=true]')
      .waitFor();
    await page.screenshot({ path: `${ARTIFACTS}refused-report.png` });
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
