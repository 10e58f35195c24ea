import type { HomewardEvent } from '@homeward/events';
import { createTestTopics, deleteTestTopics, devKey, uniqueName, waitFor } from '@homeward/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acknowledged,
  alertIssued,
  caseOpened,
  delivered,
  failed,
  type RunningDashboard,
  SseClient,
  startDashboard,
} from '../support.ts';

// An alert (alert.events.v1) and its notifications (notification.events.v1) travel on two topics
// with no order between them, so the dashboard may project a notification before its alert.
// Notifications now name the alert's case and region; one that does is placed by them whatever
// came first. One from before (no case, no region) is placed through its alert's remembered fact,
// which exists only once the alert is projected.

let prefix: string;
let dash: RunningDashboard;

beforeAll(async () => {
  prefix = await createTestTopics('dashboard-notes');
  dash = await startDashboard({ prefix });
});

afterAll(async () => {
  await dash?.stop();
  await deleteTestTopics(prefix);
});

const DEADLINE = { timeoutMs: 60_000 };

/** Publishes events and waits until the dashboard has projected (counted) every one. */
async function publishProjected(...events: HomewardEvent[]): Promise<void> {
  const before = (await dash.get('/v1/stats')).body.total as number;
  await dash.publish(...events);
  await waitFor(async () => (await dash.get('/v1/stats')).body.total >= before + events.length, {
    ...DEADLINE,
    what: `${events.length} events projected`,
  });
}

/** A stream of the history (backlog) with a filter, as an operator of `region` sees it. */
function stream(query: Record<string, string>, region?: string): Promise<SseClient> {
  return new SseClient(`${dash.baseUrl}/v1/stream?${new URLSearchParams({ backlog: '100', ...query })}`, {
    authorization: `Bearer ${devKey('operator', region)}`,
  }).open();
}

const ids = (events: Array<{ id: string }>) => events.map((e) => e.id);

describe('notifications projected before their alert', () => {
  it('are shown by case and by region, only to operators of the alert’s region, when they name them', async () => {
    const caseId = uniqueName('case');
    const alertId = `al-${caseId}`;
    const region = '341502';
    const place = { caseId, region };
    const notes = [
      delivered(alertId, 'unit-1', place),
      failed(alertId, 'unit-2', place),
      acknowledged(alertId, 'unit-1', place),
    ];
    // The notifications are projected before the dashboard has seen anything of the alert.
    await publishProjected(...notes);
    await publishProjected(caseOpened(caseId, { region }), alertIssued(alertId, caseId, { region }));

    const byCase = await stream({ caseId, type: 'homeward.notification.' });
    await byCase.waitForEvents(notes.length, DEADLINE.timeoutMs);
    expect(ids(byCase.events)).toEqual(ids(notes));
    for (const e of byCase.events) expect(e).toMatchObject({ caseId, region });
    byCase.close();

    // By region: Lu'an prefecture holds 341502.
    const byRegion = await stream({ region: '341500', type: 'homeward.notification.' });
    await byRegion.waitForEvents(notes.length, DEADLINE.timeoutMs);
    expect(ids(byRegion.events)).toEqual(expect.arrayContaining(ids(notes)));
    byRegion.close();

    // An operator of Hefei (340100) is not shown them. A notification of a Hefei alert projected
    // after them marks the end of what its backlog holds: theirs would have come before it.
    const marker = delivered(`al-${uniqueName('hefei')}`, 'unit-9', {
      caseId: uniqueName('case'),
      region: '340104',
    });
    await publishProjected(marker);
    const hefei = await stream({ type: 'homeward.notification.' }, '340100');
    await waitFor(() => ids(hefei.events).includes(marker.id), { ...DEADLINE, what: 'the marker' });
    for (const n of notes) expect(ids(hefei.events)).not.toContain(n.id);
    hefei.close();
  });
});

describe('notifications from before they named their case (events still in flight at the change)', () => {
  it('are placed through their alert once it is projected; one projected before it stays without its case', async () => {
    const caseId = uniqueName('case');
    const alertId = `al-${caseId}`;
    const region = '341502';
    const early = delivered(alertId, 'unit-1');
    await publishProjected(early);
    await publishProjected(alertIssued(alertId, caseId, { region }));
    const late = [delivered(alertId, 'unit-2'), acknowledged(alertId, 'unit-2')];
    await publishProjected(...late);

    const byCase = await stream({ caseId, type: 'homeward.notification.' });
    await byCase.waitForEvents(late.length, DEADLINE.timeoutMs);
    expect(ids(byCase.events)).toEqual(ids(late));
    for (const e of byCase.events) expect(e).toMatchObject({ caseId, region });
    // The early one was projected before the late ones: had it been placed, the backlog would
    // have sent it first. The history is append-only, so nothing places it afterwards (see the
    // README's limits).
    expect(ids(byCase.events)).not.toContain(early.id);
    byCase.close();
  });
});
