import { createTestTopics, deleteTestTopics, devKey, uniqueName, waitFor } from '@homeward/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toView } from '../../src/domain/event-view.ts';
import {
  alertIssued,
  caseOpened,
  childLocated,
  delivered,
  type RunningDashboard,
  reportSubmitted,
  SseClient,
  startDashboard,
} from '../support.ts';

let prefix: string;
let dash: RunningDashboard;
let second: RunningDashboard;
let token: string;
const operator = { authorization: `Bearer ${devKey('operator')}` };

beforeAll(async () => {
  prefix = await createTestTopics('dashboard-stream');
  dash = await startDashboard({ prefix, env: { SSE_HEARTBEAT_MS: '300', SSE_MAX_BUFFER_BYTES: '65536' } });
  // A second instance, serving only: same Redis history, no consumer of its own.
  second = await startDashboard({ prefix, consumers: false });
  const res = await dash.app.http.inject({ method: 'POST', url: '/v1/session', headers: operator });
  token = JSON.parse(res.body).token;
});

afterAll(async () => {
  await Promise.all([dash?.stop(), second?.stop()]);
  await deleteTestTopics(prefix);
});

const streamUrl = (base: string, q: Record<string, string> = {}) =>
  `${base}/v1/stream?${new URLSearchParams(q)}`;

describe('GET /v1/stream', () => {
  it('refuses without a key (401), with a non-operator key (403), with an unknown token (401)', async () => {
    const none = await dash.get('/v1/stream', { role: null });
    expect(none.status).toBe(401);
    expect(none.body.code).toBe('HOMEWARD_ERR_UNAUTHORIZED');
    const police = await dash.get('/v1/stream', { role: 'police' });
    expect(police.status).toBe(403);
    expect(police.body.type).toBe('urn:homeward:problem:homeward-err-forbidden');
    const stale = await dash.get('/v1/stream?token=not-a-session', { role: null });
    expect(stale.status).toBe(401);
    expect(stale.body.code).toBe('DASHBOARD_ERR_SESSION_EXPIRED');
    // A session is only for operators too.
    const session = await dash.app.http.inject({
      method: 'POST',
      url: '/v1/session',
      headers: { authorization: `Bearer ${devKey('dna-lab')}` },
    });
    expect(session.statusCode).toBe(403);
  });

  it('tells the page the deployment’s time zone with its session (TIME_ZONE; UTC+08:00 by default)', async () => {
    const session = await dash.app.http.inject({ method: 'POST', url: '/v1/session', headers: operator });
    expect(JSON.parse(session.body).timeZone).toBe('Asia/Shanghai');
    const xinjiang = await startDashboard({ prefix, consumers: false, env: { TIME_ZONE: 'Asia/Urumqi' } });
    try {
      const there = await xinjiang.app.http.inject({ method: 'POST', url: '/v1/session', headers: operator });
      expect(JSON.parse(there.body).timeZone).toBe('Asia/Urumqi');
    } finally {
      await xinjiang.stop();
    }
  });

  it('refuses bad filters and bad event ids with the field named', async () => {
    const region = await dash.get('/v1/stream?region=12345');
    expect(region.status).toBe(400);
    expect(region.body.errors[0].field).toContain('region');
    const type = await dash.get('/v1/stream?type=Homeward%20Alert');
    expect(type.status).toBe(400);
    expect(type.body.code).toBe('DASHBOARD_ERR_INVALID_FILTER');
    expect(type.body.errors[0].field).toBe('/querystring/type');
    const id = await dash.get('/v1/stream', { headers: { 'last-event-id': 'yesterday' } });
    expect(id.status).toBe(400);
    expect(id.body.code).toBe('DASHBOARD_ERR_INVALID_EVENT_ID');
    expect(id.body.errors[0].field).toBe('/headers/last-event-id');
  });

  it('streams live events through the filters, with heartbeats, and resumes from Last-Event-ID', async () => {
    const caseA = uniqueName('case-a');
    const caseB = uniqueName('case-b');
    const all = await new SseClient(streamUrl(dash.baseUrl, { token })).open();
    const alertsOnly = await new SseClient(
      streamUrl(dash.baseUrl, { type: 'homeward.alert.', token }),
    ).open();
    const province = await new SseClient(streamUrl(dash.baseUrl, { region: '340000' }), operator).open();
    const county = await new SseClient(streamUrl(dash.baseUrl, { region: '341502' }), operator).open();
    const oneCase = await new SseClient(streamUrl(dash.baseUrl, { caseId: caseB }), operator).open();
    expect(all.status).toBe(200);

    await dash.publish(
      reportSubmitted('Zhang San'),
      caseOpened(caseA, { region: '340104' }),
      caseOpened(caseB, { region: '341502' }),
    );
    await dash.publish(alertIssued(`al-${caseB}`, caseB, { region: '341502' }));
    // Carries neither region nor case: placed through the alert the dashboard remembers (as
    // in production, the delivery follows the alert's projection: notifications reacts to it).
    await waitFor(() => all.events.some((e) => e.type === 'homeward.alert.issued'), { what: 'the alert' });
    await dash.publish(delivered(`al-${caseB}`, 'unit-7'));
    await dash.publish(childLocated(caseA, '2026-03-01T11:00:00+08:00'));

    const events = await all.waitForEvents(6);
    expect(events.map((e) => e.type).sort()).toEqual(
      [
        'homeward.report.submitted',
        'homeward.case.opened',
        'homeward.case.opened',
        'homeward.alert.issued',
        'homeward.notification.delivered',
        'homeward.case.child-located',
      ].sort(),
    );
    // Ids increase: they are positions in the history.
    const ids = events.map((e) => e.streamId as string);
    expect(ids.every((id) => /^\d+-\d+$/.test(id))).toBe(true);
    // By allowlist: the case's ids, kind and region; no report, so no name and no contact.
    const opened = events.find((e) => e.type === 'homeward.case.opened' && e.caseId === caseA);
    expect(opened.data.report).toBeUndefined();
    expect(opened.data.kind).toBe('missing-child');
    expect(JSON.stringify(events)).not.toContain('Li Xiaoming');
    expect(opened.region).toBe('340104');

    await waitFor(() => oneCase.events.length >= 3, {
      what: 'case B events',
      timeoutMs: 5000,
    }).catch((err) => {
      throw new Error(
        `${err.message}: ${JSON.stringify(oneCase.events.map((e) => e.type))} / all: ${JSON.stringify(all.events.map((e) => [e.type, e.caseId, e.region]))}`,
      );
    });
    await waitFor(() => county.events.length >= 3, { what: 'county events' });
    await waitFor(() => alertsOnly.events.length >= 1, { what: 'alert events' });
    await waitFor(() => province.events.length >= 6, { what: 'province events' });
    // Wait long enough for anything wrongly routed to have arrived too.
    await new Promise((r) => setTimeout(r, 400));
    expect(alertsOnly.events.map((e) => e.type)).toEqual(['homeward.alert.issued']);
    expect(oneCase.events.map((e) => e.type)).toEqual([
      'homeward.case.opened',
      'homeward.alert.issued',
      'homeward.notification.delivered',
    ]);
    expect(county.events.map((e) => e.caseId)).toEqual([caseB, caseB, caseB]);
    expect(province.events).toHaveLength(6);
    expect(all.comments).toBeGreaterThan(1); // ": connected" and heartbeats every 300 ms

    // A reload: the browser sends the last id it saw, here to the other instance.
    const resumed = await new SseClient(streamUrl(second.baseUrl), {
      ...operator,
      'last-event-id': ids[2]!,
    }).open();
    await resumed.waitForEvents(3);
    expect(resumed.events.map((e) => e.streamId)).toEqual(ids.slice(3));
    // The query parameter works the same way, with the filters applied to the backlog.
    const resumedFiltered = await new SseClient(
      streamUrl(second.baseUrl, { lastEventId: ids[0]!, caseId: caseA, token }),
    ).open();
    await resumedFiltered.waitForEvents(2);
    await new Promise((r) => setTimeout(r, 200));
    expect(resumedFiltered.events.map((e) => e.type)).toEqual([
      'homeward.case.opened',
      'homeward.case.child-located',
    ]);
    // And it continues live after the backlog.
    await dash.publish(childLocated(caseA, '2026-03-01T12:00:00+08:00'));
    await resumedFiltered.waitForEvents(3);
    await resumed.waitForEvents(4);
    // Backlog instead of an id: the last N matching events.
    const backlog = await new SseClient(
      streamUrl(second.baseUrl, { backlog: '2', type: 'homeward.case.', token }),
    ).open();
    await backlog.waitForEvents(2);
    expect(backlog.events.map((e) => e.type)).toEqual([
      'homeward.case.child-located',
      'homeward.case.child-located',
    ]);
    for (const c of [all, alertsOnly, province, county, oneCase, resumed, resumedFiltered, backlog])
      c.close();
  });

  it('keeps each operator to its own region when clients of one scope share their frames', async () => {
    const hefei = { authorization: `Bearer ${devKey('operator', '340100')}` };
    const luan = { authorization: `Bearer ${devKey('operator', '341500')}` };
    // Two clients per scope with the same query (they share each batch's frames), and one with a
    // query of its own.
    const clients = await Promise.all(
      [hefei, hefei, luan, luan].map((h) => new SseClient(streamUrl(dash.baseUrl), h).open()),
    );
    const hefeiCases = await new SseClient(streamUrl(dash.baseUrl, { type: 'homeward.case.' }), hefei).open();
    const [h1, h2, l1, l2] = clients as [SseClient, SseClient, SseClient, SseClient];
    const inHefei = uniqueName('case-hf');
    const inLuan = uniqueName('case-la');
    await dash.publish(caseOpened(inHefei, { region: '340104' }), caseOpened(inLuan, { region: '341502' }));
    await dash.publish(alertIssued(`al-${inLuan}`, inLuan, { region: '341502' }));
    await dash.publish(alertIssued(`al-${inHefei}`, inHefei, { region: '340104' }));
    for (const c of [...clients, hefeiCases]) await c.waitForEvents(1);
    await waitFor(() => [h1, h2, l1, l2].every((c) => c.events.length >= 2), { what: 'two events each' });
    await new Promise((r) => setTimeout(r, 400));
    const ours = (c: SseClient) => c.events.filter((e) => e.caseId === inHefei || e.caseId === inLuan);
    for (const c of [h1, h2])
      expect(ours(c).map((e) => [e.type, e.caseId])).toEqual([
        ['homeward.case.opened', inHefei],
        ['homeward.alert.issued', inHefei],
      ]);
    for (const c of [l1, l2])
      expect(ours(c).map((e) => [e.type, e.caseId])).toEqual([
        ['homeward.case.opened', inLuan],
        ['homeward.alert.issued', inLuan],
      ]);
    expect(ours(hefeiCases).map((e) => [e.type, e.caseId])).toEqual([['homeward.case.opened', inHefei]]);
    for (const c of [...clients, hefeiCases]) c.close();
  });

  it('sends a slow client a notice and drops it, while a fast client gets everything', async () => {
    const slow = await new SseClient(streamUrl(dash.baseUrl), operator).open();
    const fast = await new SseClient(
      streamUrl(dash.baseUrl, { type: 'homeward.test-load' }),
      operator,
    ).open();
    // Stop reading: the slow client's socket fills, then the server's buffer for it grows.
    (slow as unknown as { req: { socket: { pause(): void } } }).req.socket.pause();
    const redis = dash.rt.redis.redis;
    const big = 'x'.repeat(16_000);
    let sent = 0;
    // Fill the history directly (what the projector writes), until the server gives up on it.
    // Paced so the fast client stays within the buffer bound even on a loaded machine: a batch
    // of 20 (about 320 KB), then wait until the fast client has read everything so far.
    while (dash.app.hub.dropped === 0 && sent < 4000) {
      const p = redis.pipeline();
      for (let i = 0; i < 20; i++) {
        const view = {
          ...toView(caseOpened(`load-${sent + i}`), 'case.events.v1', {}),
          type: 'homeward.test-load',
          summary: big,
        };
        p.xadd(dash.app.live.keys.history, '*', 'v', JSON.stringify(view), 't', view.type, 'r', '', 'c', '');
      }
      await p.exec();
      sent += 20;
      await fast.waitForEvents(sent, 20_000);
    }
    await waitFor(() => dash.app.hub.dropped >= 1, { what: 'the slow client dropped', timeoutMs: 10_000 });
    // What comes after the drop goes to the fast client only.
    const after = redis.pipeline();
    for (let i = 0; i < 50; i++) {
      const view = { ...toView(caseOpened(`after-${i}`), 'case.events.v1', {}), type: 'homeward.test-load' };
      after.xadd(
        dash.app.live.keys.history,
        '*',
        'v',
        JSON.stringify(view),
        't',
        view.type,
        'r',
        '',
        'c',
        '',
      );
    }
    await after.exec();
    sent += 50;
    // Once it reads again, it finds the notice after what was queued, and the stream closed.
    (slow as unknown as { req: { socket: { resume(): void } } }).req.socket.resume();
    await waitFor(() => slow.ended, { what: 'the slow client ended', timeoutMs: 10_000 });
    expect(slow.notices.at(-1)?.reason).toBe('slow-consumer');
    expect(slow.events.length).toBeLessThan(sent);
    // Nobody waited for it: the fast client got every event and is still connected.
    await fast.waitForEvents(sent, 20_000);
    expect(fast.events).toHaveLength(sent);
    expect(fast.ended).toBe(false);
    fast.close();
    slow.close();
  });
});
