import { createEvent, type HomewardEvent } from '@homeward/events';
import { ManualClock } from '@homeward/service-kit';
import {
  createTestTopics,
  deleteTestTopics,
  devKey,
  testLogger,
  uniqueName,
  waitFor,
} from '@homeward/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectEvent } from '../../src/handlers/project-event.ts';
import {
  acknowledged,
  alertCancelled,
  alertEscalated,
  alertIssued,
  caseClosed,
  caseOpened,
  childLocated,
  childRescued,
  custody,
  delivered,
  ev,
  followupCompleted,
  followupOverdue,
  followupScheduled,
  leadAdded,
  matchConfirmed,
  matchFound,
  placementDecided,
  type RunningDashboard,
  reportSubmitted,
  sampleCollected,
  startDashboard,
} from '../support.ts';

let prefix: string;
let dash: RunningDashboard;
const id = uniqueName('x');
const c1 = `c1-${id}`;
const c2 = `c2-${id}`;
const a1 = `a1-${id}`;
const a2 = `a2-${id}`;
const s1 = `s1-${id}`;
const s2 = `s2-${id}`;

// Creations first (the later events are placed through what these establish).
const phase1: HomewardEvent[] = [
  caseOpened(c1, { region: '340104', openedAt: '2026-03-01T09:00:00+08:00', reporter: 'police' }),
  caseOpened(c2, { region: '341502', openedAt: '2026-03-01T09:00:00+08:00', reporter: 'hotline' }),
  alertIssued(a1, c1, { region: '340104' }),
  alertIssued(a2, c2, { region: '341502' }),
  sampleCollected(s1, c1, '340104'),
  sampleCollected(s2, c2, '341502'),
  followupScheduled(`f1-${id}`, c1),
  followupScheduled(`f2-${id}`, c1),
  reportSubmitted('Zhang San'),
];
const phase2: HomewardEvent[] = [
  leadAdded(c1),
  alertEscalated(a2, c2),
  delivered(a2, 'unit-1'),
  delivered(a2, 'unit-2'),
  acknowledged(a2, 'unit-1'),
  childLocated(c1, '2026-03-01T13:00:00+08:00'),
  childLocated(c2, '2026-03-01T11:00:00+08:00'),
  childRescued(c1, '2026-03-01T14:00:00+08:00'),
  alertCancelled(a1, c1, 'found'),
  caseClosed(c1),
  custody(s1, 'sealed', '2026-03-09T20:00:00+08:00'),
  matchFound(`m1-${id}`, s1, c1),
  matchConfirmed(`m1-${id}`, s1, c1),
  matchFound(`m2-${id}`, s2, c2),
  placementDecided(c1, 'return-to-family', 1),
  placementDecided(c1, 'foster-family', 2),
  followupCompleted(`f1-${id}`, c1),
  followupOverdue(`f2-${id}`, c1),
];
// The same id from another source is another event (CloudEvents: source + id is unique).
const sameIdOtherSource = ev(
  'homeward.case.lead-added',
  leadAdded(c1, '2026-03-01T15:00:00+08:00').data,
  'homeward/other',
  phase2[0]!.id,
);

beforeAll(async () => {
  prefix = await createTestTopics('dashboard-stats');
  dash = await startDashboard({ prefix, clock: new ManualClock('2026-03-10T00:00:00Z') });
  await dash.publish(...phase1);
  await waitFor(async () => (await dash.get('/v1/stats')).body.total === phase1.length, {
    what: 'phase 1 projected',
  });
  // Redeliveries: the same events again (a producer retry, a rebalance), and one twice in one batch.
  await dash.publish(...phase2, phase2[0]!, sameIdOtherSource);
  await dash.publish(phase1[0]!, phase2[5]!);
  await waitFor(async () => (await dash.get('/v1/stats')).body.total >= phase1.length + phase2.length + 1, {
    what: 'phase 2 projected',
  });
  // Let any wrongly counted redelivery land before the assertions.
  await new Promise((r) => setTimeout(r, 500));
});

afterAll(async () => {
  await dash?.stop();
  await deleteTestTopics(prefix);
});

describe('GET /v1/stats', () => {
  it('reconciles exactly with the events sent: each event once, however often delivered', async () => {
    const all = [...phase1, ...phase2, sameIdOtherSource];
    const { status, body } = await dash.get('/v1/stats');
    expect(status).toBe(200);
    expect(body.total).toBe(all.length);
    const byType: Record<string, number> = {};
    for (const e of all) byType[e.type] = (byType[e.type] ?? 0) + 1;
    expect(body.byType).toEqual(byType);
    expect(body.byTopic).toEqual({
      'agency.reports.v1': 1,
      'case.events.v1': 2 + 1 + 2 + 1 + 1 + 1,
      'alert.events.v1': 2 + 1 + 1,
      'notification.events.v1': 3,
      'dna.events.v1': 2 + 1 + 3,
      'placement.events.v1': 2 + 2 + 2,
    });
  });

  it('a redelivery that slips past the consumer guard changes nothing either', async () => {
    const project = projectEvent({
      annual: dash.app.annual,
      live: dash.app.live,
      topicPrefix: prefix,
      historyMaxLen: 10_000,
      utcOffsetMinutes: 480,
    });
    const before = (await dash.get('/v1/stats')).body;
    const reportBefore = (await dash.get('/v1/annual-report?year=2026')).body;
    const ctx = {
      log: testLogger(),
      topic: `${prefix}case.events.v1`,
      partition: 0,
      offset: '0',
      traceparent: '',
    };
    expect(await project(phase2[5]!, ctx)).toEqual({ counted: false });
    expect(await project(phase1[0]!, ctx)).toEqual({ counted: false });
    expect((await dash.get('/v1/stats')).body).toEqual(before);
    expect((await dash.get('/v1/annual-report?year=2026')).body).toEqual(reportBefore);
  });

  it('counts every one of many concurrent contributions to one row, and each once', async () => {
    const row = { year: 2031, region: '340104', department: 'police', counts: { alertsIssued: 1 } };
    const applied = await Promise.all(
      Array.from({ length: 60 }, (_, i) => dash.app.annual.add(`concurrent|${id}-${i % 30}`, row)),
    );
    expect(applied.filter(Boolean)).toHaveLength(30);
    const report = await dash.get('/v1/annual-report?year=2031');
    expect(report.body.totals.counts.alertsIssued).toBe(30);
  });

  it('is for operators only', async () => {
    expect((await dash.get('/v1/stats', { role: null })).status).toBe(401);
    const admin = await dash.get('/v1/stats', { role: 'admin' });
    expect(admin.status).toBe(403);
    expect(admin.body.code).toBe('HOMEWARD_ERR_FORBIDDEN');
  });
});

describe('GET /v1/annual-report', () => {
  it('answers per region and department, with totals and the median time to located', async () => {
    const { status, body } = await dash.get('/v1/annual-report?year=2026');
    expect(status).toBe(200);
    const line = (region: string, department: string) =>
      body.lines.find(
        (l: { region: string; department: string }) => l.region === region && l.department === department,
      );
    expect(line('340104', 'police').counts).toMatchObject({
      reportsReceived: 1,
      casesOpened: 1,
      casesClosed: 1,
      alertsIssued: 1,
      'alertsEnded:found': 1,
      childrenLocated: 1,
      childrenRescued: 1,
    });
    expect(line('340104', 'police').medianReportToLocatedHours).toBe(4);
    // The lead and its twin from another source are two reports.
    expect(line('340104', 'hotline').counts.reportsReceived).toBe(2);
    expect(line('341502', 'hotline').counts).toMatchObject({ reportsReceived: 1, casesOpened: 1 });
    expect(line('341502', 'police').counts).toMatchObject({ alertsIssued: 1, childrenLocated: 1 });
    expect(line('340104', 'dna-lab').counts).toMatchObject({
      samplesCollected: 1,
      matchesFound: 1,
      matchesConfirmed: 1,
    });
    expect(line('341502', 'dna-lab').counts).toMatchObject({ samplesCollected: 1, matchesFound: 1 });
    // A revision is not a second placement.
    expect(line('340104', 'civil-affairs').counts['placements:return-to-family']).toBe(1);
    expect(line('340104', 'civil-affairs').counts['placements:foster-family']).toBe(0);
    expect(line('340104', 'education').counts).toMatchObject({
      followupsScheduled: 2,
      followupsCompleted: 1,
      followupsOverdue: 1,
    });
    expect(body.totals.counts).toMatchObject({
      reportsReceived: 4,
      casesOpened: 2,
      alertsIssued: 2,
      childrenLocated: 2,
    });
    expect(body.totals.medianReportToLocatedHours).toBe(3);
  });

  it('selects a division and what lies within it, and another year is empty', async () => {
    const city = await dash.get('/v1/annual-report?year=2026&region=341500');
    expect(city.body.lines.map((l: { region: string }) => l.region)).toEqual(
      expect.arrayContaining(['341502']),
    );
    expect(city.body.lines.every((l: { region: string }) => l.region.startsWith('3415'))).toBe(true);
    expect(city.body.totals.counts.casesOpened).toBe(1);
    const province = await dash.get('/v1/annual-report?year=2026&region=340000');
    expect(province.body.totals.counts.reportsReceived).toBe(4);
    const before = await dash.get('/v1/annual-report?year=2025');
    expect(before.body.lines).toEqual([]);
    expect(before.body.totals.counts.reportsReceived).toBe(0);
  });

  it('answers CSV to Accept: text/csv, and a printable page', async () => {
    const csv = await dash.get('/v1/annual-report?year=2026', { headers: { accept: 'text/csv' } });
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toContain('homeward-annual-report-2026.csv');
    const rows = csv.text
      .trim()
      .split('\r\n')
      .map((l) => l.split(','));
    const header = rows[0]!;
    expect(header.slice(0, 4)).toEqual(['year', 'region', 'department', 'reportsReceived']);
    const json = (await dash.get('/v1/annual-report?year=2026')).body;
    expect(rows).toHaveLength(json.lines.length + 2);
    const police = rows.find((r) => r[1] === '340104' && r[2] === 'police')!;
    expect(police[header.indexOf('casesOpened')]).toBe('1');
    expect(police[header.indexOf('medianReportToLocatedHours')]).toBe('4');
    const total = rows.at(-1)!;
    expect(total.slice(0, 3)).toEqual(['2026', 'all', 'all']);
    expect(total[header.indexOf('reportsReceived')]).toBe('4');

    const session = await dash.app.http.inject({
      method: 'POST',
      url: '/v1/session',
      headers: { authorization: `Bearer ${devKey('operator')}` },
    });
    const html = await dash.get(
      `/v1/annual-report?year=2026&format=html&token=${JSON.parse(session.body).token}`,
      {
        role: null,
      },
    );
    expect(html.status).toBe(200);
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    expect(html.text).toContain('Homeward annual report 2026');
    expect(html.text).toContain('<td>4</td>');
  });

  it('refuses bad input (400 with the field) and other roles', async () => {
    const missing = await dash.get('/v1/annual-report');
    expect(missing.status).toBe(400);
    expect(missing.body.code).toBe('HOMEWARD_ERR_INVALID_INPUT');
    expect(JSON.stringify(missing.body.errors)).toContain('year');
    const word = await dash.get('/v1/annual-report?year=last');
    expect(word.status).toBe(400);
    const region = await dash.get('/v1/annual-report?year=2026&region=99');
    expect(region.status).toBe(400);
    expect(region.body.errors[0].field).toContain('region');
    const format = await dash.get('/v1/annual-report?year=2026&format=pdf');
    expect(format.status).toBe(400);
    expect((await dash.get('/v1/annual-report?year=2026', { role: null })).status).toBe(401);
    expect((await dash.get('/v1/annual-report?year=2026', { role: 'civil-affairs' })).status).toBe(403);
  });
});

describe('the board, service health and the page', () => {
  it('shows cases by status and region, active alerts with their rings, DNA, placements, follow-ups', async () => {
    const { status, body } = await dash.get('/v1/board');
    expect(status).toBe(200);
    expect(body.cases.byStatus).toMatchObject({ closed: 1, located: 1 });
    expect(body.cases.byRegion).toEqual(
      expect.arrayContaining([expect.objectContaining({ region: '341502', located: 1 })]),
    );
    expect(body.alerts).toHaveLength(1);
    expect(body.alerts[0]).toMatchObject({
      alertId: a2,
      caseId: c2,
      radiusKm: 200,
      step: 1,
      notified: 2,
      acknowledged: 1,
      center: { lat: 31.7979, lon: 117.2906 },
    });
    expect(body.alerts[0].steps.map((s: { radiusKm: number }) => s.radiusKm)).toEqual([100, 200]);
    expect(body.alerts[0].coverage.at(-1)).toMatchObject({ notified: 2, acknowledged: 1 });
    expect(body.dna.byStep).toMatchObject({ collected: 1, sealed: 1 });
    // Collected on 2 March and not moved since: overdue by the (manual) clock of 10 March.
    expect(body.dna.overdueSamples.map((s: { sampleId: string }) => s.sampleId)).toEqual([s2]);
    expect(body.dna.awaitingReview.map((m: { matchId: string }) => m.matchId)).toEqual([`m2-${id}`]);
    expect(body.placements.byType['foster-family']).toBe(1);
    expect(body.followups).toMatchObject({ scheduled: 0, completed: 1, overdue: 1 });
    expect(body.followups.overdueList[0].followupId).toBe(`f2-${id}`);
  });

  it('shows the clocks that ran out until what resolves them happens', async () => {
    const caseId = `clock-${id}`;
    const raised = [
      createEvent(
        'homeward.case.team-overdue',
        {
          caseId,
          kind: 'missing-child',
          region: '340104',
          openedAt: '2026-03-01T00:00:00Z',
          limitHours: 24,
          detectedAt: '2026-03-02T00:00:00Z',
        },
        { source: 'homeward/rescue-coordination', id: `${caseId}.team-overdue` },
      ),
      createEvent(
        'homeward.placement.overdue',
        {
          caseId,
          clock: 'rescued-not-placed',
          since: '2026-03-01T00:00:00Z',
          limitDays: 15,
          detectedAt: '2026-03-16T00:00:00Z',
          region: '340104',
        },
        { source: 'homeward/placement', id: `${caseId}.rescued-not-placed.overdue` },
      ),
    ] as HomewardEvent[];
    await dash.publish(...raised);
    const clocksOf = async () =>
      ((await dash.get('/v1/board')).body.clocks.list as Array<{ clock: string; caseId: string }>)
        .filter((c) => c.caseId === caseId)
        .map((c) => c.clock)
        .sort();
    await waitFor(async () => (await clocksOf()).length === 2, { what: 'both clocks on the board' });
    expect(await clocksOf()).toEqual(['rescued-not-placed', 'team']);
    await dash.publish(
      createEvent(
        'homeward.case.closed',
        { caseId, closedAt: '2026-03-20T00:00:00Z', reason: 'closed' },
        { source: 'homeward/rescue-coordination', id: `${caseId}.closed` },
      ) as HomewardEvent,
    );
    await waitFor(async () => (await clocksOf()).length === 0, { what: 'the clocks cleared by the closing' });
  });

  it('reports every service’s readiness, polled server-side', async () => {
    const { status, body } = await dash.get('/v1/health-summary');
    expect(status).toBe(200);
    expect(body.services[0]).toMatchObject({ name: 'dashboard', status: 'ready' });
    await waitFor(async () => (await dash.get('/v1/health-summary')).body.services[1].status === 'down', {
      what: 'intake reported down',
    });
    expect((await dash.get('/v1/health-summary', { role: 'unit' })).status).toBe(403);
  });

  it('serves the page at / and problem details elsewhere', async () => {
    const page = await dash.get('/', { role: null });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('<div id="root">');
    const missing = await dash.get('/v1/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});
