import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Topics } from '@homeward/events';
import { bannerUrls } from '@homeward/infra-local';
import {
  createTestTopics,
  deleteTestTopics,
  ensureChromium,
  TopicCollector,
  testInfra,
  waitFor,
} from '@homeward/testing';
import { pino } from 'pino';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  agenciesOf,
  CASE_PATH_TYPES,
  credentialFor,
  dateAt8,
  type ExpectedEndState,
  expectedEndState,
  KafkaReports,
  loadCredentials,
  loadScenario,
  type Plan,
  planScenario,
  type RunResult,
  runPlan,
} from '../../src/index.ts';
import { startPlatform, type TestPlatform } from './platform.ts';

const SCREENSHOTS = fileURLToPath(new URL('../../../../docs/images/', import.meta.url));

// The drill, told by the simulator to a platform of its own (six services in this process, on
// this test's topics and databases), through the public HTTP APIs and the agency topic only;
// then the end state read back through the same APIs, held to what the plan says, exactly.
const credentials = loadCredentials();
const operator = credentialFor(credentials, 'operator').key;
const lab = credentialFor(credentials, 'dna-lab').key;
const civil = credentialFor(credentials, 'civil-affairs').key;

let prefix: string;
let platform: TestPlatform;
let kafka: KafkaReports;
let dlq: TopicCollector;
let caseEvents: TopicCollector;
let plan: Plan;
let result: RunResult;
let expected: ExpectedEndState;

const get = async (base: string, path: string, key = operator) => {
  const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${key}` } });
  // biome-ignore lint/suspicious/noExplicitAny: answers read field by field
  return { status: res.status, body: (await res.json()) as any };
};

beforeAll(async () => {
  prefix = await createTestTopics('simulator-story');
  platform = await startPlatform(prefix);
  dlq = await new TopicCollector(`${prefix}${Topics.agencyReports}.dlq`).start();
  caseEvents = await new TopicCollector(`${prefix}${Topics.caseEvents}`).start();
  kafka = new KafkaReports({
    brokers: testInfra().kafkaBrokers,
    topicPrefix: prefix,
    logger: pino({ level: 'silent' }),
  });
  await kafka.connect();
  plan = planScenario(loadScenario('drill'), 2026, agenciesOf(credentials));
  expected = expectedEndState(plan, dateAt8(new Date()));
  result = await runPlan({
    plan,
    credentials,
    urls: platform.urls,
    kafka,
    runId: `t${Date.now().toString(36)}`,
    unitNamespace: prefix.replace(/\W+$/, ''),
    // A loaded 2-core machine: give downstream consumers time before a step counts as failed.
    settleTimeoutMs: 60_000,
    logger: pino({ level: 'silent' }),
  });
}, 240_000);

afterAll(async () => {
  await kafka?.close();
  await dlq?.stop();
  await caseEvents?.stop();
  await platform?.stop();
  await deleteTestTopics(prefix);
});

describe('the drill, from outside', () => {
  it('plays every step the platform should accept, and the malformed ones are refused', () => {
    expect(result.failures).toEqual([]);
    const malformedHttp = result.steps.filter((s) => s.do === 'report' && s.detail === 'malformed');
    expect(malformedHttp.map((s) => s.status)).toEqual([400]);
  });

  it('dead-letters the malformed report sent on the agency topic, with its reason', async () => {
    await waitFor(() => dlq.messages.length >= 1, { what: 'the dead letter', timeoutMs: 20_000 });
    await waitFor(() => dlq.messages.length >= 2, { what: 'both dead letters', timeoutMs: 20_000 });
    const letters = dlq.messages.map((m) => ({
      id: m.event?.id ?? String(m.message.headers?.ce_id ?? ''),
      headers: Object.fromEntries(
        Object.entries(m.message.headers ?? {})
          .filter(([k]) => !k.startsWith('ce_') || k === 'ce_type')
          .map(([k, v]) => [k, String(v)]),
      ),
    }));
    // Refused by intake (its pipeline) and by the dashboard's projection, each with the reason.
    expect(
      letters.every((l) => l.id.endsWith('-malformed-kafka-1')),
      JSON.stringify(letters),
    ).toBe(true);
    expect(letters.map((l) => l.headers.dlq_consumer_group).sort()).toEqual(['dashboard', 'intake.reports']);
    expect(letters.every((l) => l.headers.dlq_reason?.includes('/data/child'))).toBe(true);
  });

  it('shows the malformed Kafka report on the dashboard as refused by intake, not as received', async () => {
    const malformedKafka = plan.actions.filter(
      (a) => a.do === 'report' && a.purpose === 'malformed' && a.channel === 'kafka',
    ).length;
    const refused = async () =>
      (await get(platform.urls.dashboard, '/v1/stats')).body.byType['homeward.report.refused'] ?? 0;
    await waitFor(async () => (await refused()) >= malformedKafka, {
      what: 'the refused report on the dashboard',
      timeoutMs: 30_000,
      intervalMs: 500,
    }).catch(() => undefined);
    expect(await refused()).toBe(malformedKafka);
  });

  it('leaves every case where its story ends, with its leads', async () => {
    const rescue = platform.urls['rescue-coordination'];
    const seen = await waitFor(
      async () => {
        const out = [];
        for (const c of expected.cases) {
          const res = await get(rescue, `/v1/cases/${result.refs[c.story]!.caseId}`);
          out.push({
            story: c.story,
            kind: res.body.kind,
            status: res.body.status,
            leads: res.body.leads.length,
          });
        }
        const want = expected.cases.map(({ story, kind, status, leads }) => ({ story, kind, status, leads }));
        return JSON.stringify(out) === JSON.stringify(want) ? out : undefined;
      },
      { what: 'the cases in their end states', timeoutMs: 30_000, intervalMs: 500 },
    ).catch(() => undefined);
    const now = [];
    for (const c of expected.cases) {
      const res = await get(rescue, `/v1/cases/${result.refs[c.story]!.caseId}`);
      now.push({
        story: c.story,
        kind: res.body.kind,
        status: res.body.status,
        leads: res.body.leads.length,
      });
    }
    expect(seen ?? now).toEqual(
      expected.cases.map(({ story, kind, status, leads }) => ({ story, kind, status, leads })),
    );
    // The drill's story, in figures: four missing children (two searched for to the end), one of
    // unknown origin, two suspected-trafficking leads.
    expect(expected.cases.map((c) => `${c.story}:${c.status}`)).toEqual([
      'mc1:closed',
      'mc2:rescued',
      'mc3:rescued',
      'mc4:searching',
      'uc1:rescued',
      'st1:closed',
      'st2:opened',
    ]);
  });

  it('takes every case along its path: opened, team, located, rescued, closed, as its story goes', async () => {
    const moving = new Set<string>(CASE_PATH_TYPES);
    const paths = () =>
      expected.cases.map((c) => {
        const caseId = result.refs[c.story]!.caseId;
        return {
          story: c.story,
          path: caseEvents.events
            .filter((e) => moving.has(e.type) && (e.data as { caseId?: string }).caseId === caseId)
            .map((e) => e.type),
        };
      });
    const want = expected.cases.map(({ story, path }) => ({ story, path }));
    const got = await waitFor(
      () => (JSON.stringify(paths()) === JSON.stringify(want) ? paths() : undefined),
      {
        what: 'every case’s path on case.events.v1',
        timeoutMs: 30_000,
        intervalMs: 500,
      },
    ).catch(paths);
    expect(got).toEqual(want);
    // The drill's paths: a rescued and returned child's case runs the whole way.
    expect(want.find((c) => c.story === 'mc1')!.path).toEqual([...CASE_PATH_TYPES]);
  });

  it('targets every unit inside each alert’s radius, and counts each acknowledgement of a unit that received it', async () => {
    const notifications = platform.urls.notifications;
    const answering = new Set(plan.units.filter((u) => u.acks && !u.broken).map((u) => u.unitId));
    const read = async () => {
      const out = [];
      for (const a of expected.alerts) {
        const alertId = (result.refs[a.story] as { alertId?: string }).alertId;
        const c = (await get(notifications, `/v1/alerts/${alertId}/coverage`)).body;
        // What the units saw: the units that received the alert (any step), signed.
        const reached = new Set(
          result.received
            .filter((r) => r.alertId === alertId && r.type !== 'homeward.alert.cancelled')
            .map((r) => r.unitId.split('-sim-').pop()!)
            .map((id) => (id.startsWith('sim-') ? id : `sim-${id}`)),
        );
        out.push({
          story: a.story,
          status: c.status,
          radiusKm: c.radiusKm,
          targeted: c.targeted,
          pending: c.pending,
          acknowledged: c.acknowledged,
          acknowledgedByThoseReached: [...reached].filter((u) => answering.has(u)).length,
        });
      }
      return out;
    };
    const got = await waitFor(
      async () => {
        const r = await read();
        return r.every((x) => x.pending === 0 && x.acknowledged === x.acknowledgedByThoseReached)
          ? r
          : undefined;
      },
      { what: 'every alert’s deliveries settled', timeoutMs: 30_000, intervalMs: 500 },
    ).catch(read);
    // Every unit inside the radius (working or broken) is targeted; every acknowledgement of a
    // unit that received the alert is counted. Whether notifications records each delivery as
    // delivered or failed is not held to the plan: under a heavily loaded machine it recorded as
    // failed deliveries that units received and acknowledged (see the package README).
    expect(got).toEqual(
      expected.alerts.map((a, i) => ({
        story: a.story,
        // A child located ends its alert (found); the others are still out.
        status: a.active ? 'active' : 'cancelled',
        radiusKm: a.radiusKm,
        targeted: a.notified + a.failed,
        pending: 0,
        acknowledged: got[i]!.acknowledgedByThoseReached,
        acknowledgedByThoseReached: got[i]!.acknowledgedByThoseReached,
      })),
    );
    // Broken units never receive anything; most working ones do.
    const brokenReached = result.received.filter((r) =>
      plan.units.some((u) => u.broken && r.unitId.endsWith(u.unitId)),
    );
    expect(brokenReached).toEqual([]);
  });

  it('confirms the parent-pair match of the DNA story, its single-parent ones folded into it', async () => {
    const dna = platform.urls['dna-tracking'];
    const confirmed = (await get(dna, '/v1/matches?status=confirmed&limit=50', lab)).body.matches;
    const rejected = (await get(dna, '/v1/matches?status=rejected&limit=50', lab)).body.matches;
    const folded = (await get(dna, '/v1/matches?status=folded&limit=50', lab)).body.matches;
    expect(confirmed).toHaveLength(expected.matchesConfirmed);
    expect(rejected).toHaveLength(expected.matchesRejected);
    expect(folded).toHaveLength(expected.matchesFolded);
    // Every match on the case of its story: by case, confirmed, folded and rejected.
    const byCase = (ms: Array<{ caseId: string }>, caseId: string | undefined) =>
      ms.filter((m) => m.caseId === caseId).length;
    const got = expected.cases.map((c) => {
      const caseId = result.refs[c.story]!.caseId;
      return {
        story: c.story,
        confirmed: byCase(confirmed, caseId),
        folded: byCase(folded, caseId),
        rejected: byCase(rejected, caseId),
      };
    });
    expect(got).toEqual(
      expected.cases.map((c) => ({
        story: c.story,
        ...(c.matches ?? { confirmed: 0, folded: 0, rejected: 0 }),
      })),
    );
  });

  it('places every rescued child, with its follow-ups done or overdue as the story says', async () => {
    const placement = platform.urls.placement;
    const types: Record<string, number> = {};
    const perCase = [];
    for (const c of expected.cases.filter((x) => x.placement)) {
      const caseId = result.refs[c.story]!.caseId;
      const p = (await get(placement, `/v1/cases/${caseId}/placement`, civil)).body;
      const type = p.current?.type ?? p.type;
      types[type] = (types[type] ?? 0) + 1;
      const items = (await get(placement, `/v1/followups?caseId=${caseId}&limit=200`, civil)).body
        .items as Array<{
        status: string;
        overdue: boolean;
      }>;
      perCase.push({
        story: c.story,
        type,
        followups: {
          completed: items.filter((f) => f.status === 'completed').length,
          overdue: items.filter((f) => f.status === 'scheduled' && f.overdue).length,
          scheduled: items.filter((f) => f.status === 'scheduled' && !f.overdue).length,
        },
      });
    }
    expect(types).toEqual(expected.placements);
    // Each rescued child placed as its story says, with its own follow-ups where they stand.
    expect(perCase).toEqual(
      expected.cases
        .filter((x) => x.placement)
        .map((c) => ({ story: c.story, type: c.placement, followups: c.followups })),
    );
    const count = async () => {
      const all = (await get(placement, '/v1/followups?limit=200', civil)).body.items as Array<{
        status: string;
        overdue: boolean;
      }>;
      return {
        completed: all.filter((f) => f.status === 'completed').length,
        overdue: all.filter((f) => f.status === 'scheduled' && f.overdue).length,
        scheduled: all.filter((f) => f.status === 'scheduled' && !f.overdue).length,
      };
    };
    expect(await count()).toEqual(expected.followups);
  });

  it('adds up in the annual report to exactly the story told', async () => {
    const year = dateAt8(new Date()).slice(0, 4);
    const pick = (counts: Record<string, number>) =>
      Object.fromEntries(Object.keys(expected.annual).map((k) => [k, counts[k] ?? 0]));
    const read = async () =>
      pick((await get(platform.urls.dashboard, `/v1/annual-report?year=${year}`)).body.totals.counts);
    const got = await waitFor(
      async () => {
        const r = await read();
        return JSON.stringify(r) === JSON.stringify(expected.annual) ? r : undefined;
      },
      { what: 'the annual figures', timeoutMs: 30_000, intervalMs: 500 },
    ).catch(read);
    expect(got).toEqual(expected.annual);
  });

  it('answers at every address the start-up banner names', async () => {
    const urls = bannerUrls(platform.urls);
    expect(urls.map((u) => u.label)).toEqual([
      'dashboard',
      'dashboard API',
      'intake API',
      'rescue-coordination API',
      'notifications API',
      'dna-tracking API',
      'placement API',
    ]);
    for (const u of urls) {
      const res = await fetch(u.url);
      const text = await res.text();
      expect(res.status, u.url).toBe(200);
      expect(text, u.url).toMatch(
        u.label === 'dashboard' ? /<div id="root">/ : /swagger|openapi|redoc|scalar/i,
      );
    }
  });

  it('shows the story on the dashboard (the README’s screenshot, refreshed by this test)', async () => {
    const browser = await chromium.launch({
      executablePath: await ensureChromium(),
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
      ],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      await page.goto(`${platform.urls.dashboard}/`);
      await page.getByTestId('signin-key').fill(operator);
      await page.getByTestId('signin-submit').click();
      await page.locator('[data-testid=stream-status]', { hasText: 'live' }).waitFor({ timeout: 20_000 });
      // The drill's one alert still out (the child not found yet) is on the map.
      await page.locator('[data-testid=alert-ring]').first().waitFor({ timeout: 20_000 });
      await page.locator('[data-testid=event-row]').nth(10).waitFor({ timeout: 20_000 });
      await expect(page.locator('[data-testid=prefecture]').count()).resolves.toBe(16);
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: `${SCREENSHOTS}first-five-minutes.png` });
    } finally {
      await browser.close();
    }
  });
});
