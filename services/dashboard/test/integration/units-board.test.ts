import { createTestTopics, deleteTestTopics, devKey, uniqueName, waitFor } from '@homeward/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acknowledged,
  alertCancelled,
  alertIssued,
  delivered,
  failed,
  type RunningDashboard,
  startDashboard,
  unitRegistered,
  unitRemoved,
  unitUpdated,
} from '../support.ts';

let prefix: string;
let dash: RunningDashboard;

beforeAll(async () => {
  prefix = await createTestTopics('dashboard-units');
  dash = await startDashboard({ prefix });
});

afterAll(async () => {
  await dash?.stop();
  await deleteTestTopics(prefix);
});

interface UnitRow {
  unitId: string;
  kind: string;
  region: string;
  lat: number;
  lon: number;
  status: string;
}

const unitsOf = async (headers?: Record<string, string>) => {
  const res = await dash.get('/v1/board', headers ? { headers } : {});
  expect(res.status).toBe(200);
  return res.body.units as { total: number; byStatus: Record<string, number>; list: UnitRow[] };
};

describe('units on the board (notifications’ unit events)', () => {
  it('projects registrations, moves and removals once each, coloured by the active alerts, scoped by region', async () => {
    const id = (n: string) => uniqueName(`unit-${n}`);
    const [acked, notified, unreached, idle, moved, gone, luan] = [
      id('acked'),
      id('notified'),
      id('unreached'),
      id('idle'),
      id('moved'),
      id('gone'),
      id('luan'),
    ];
    const registrations = [acked, notified, unreached, idle, moved, gone].map((u) => unitRegistered(u));
    await dash.publish(
      ...registrations,
      unitRegistered(luan, { lat: 31.73, lon: 116.5 }, '341502'),
      unitUpdated(moved, { lat: 31.0, lon: 117.5 }, '340102'),
      unitRemoved(gone),
    );
    // A redelivered registration changes nothing (the projection runs once per event).
    await dash.publish(registrations[0]!);
    const caseId = uniqueName('case');
    const alertId = `al-${caseId}`;
    const ended = `al-${uniqueName('case')}`;
    await dash.publish(
      alertIssued(alertId, caseId),
      alertIssued(ended, `c-${ended}`),
      delivered(alertId, acked),
      acknowledged(alertId, acked),
      delivered(alertId, notified),
      failed(alertId, unreached),
      // An alert that ended colours nobody.
      delivered(ended, idle),
      alertCancelled(ended, `c-${ended}`, 'found'),
    );

    const province = await waitFor(
      async () => {
        const u = await unitsOf();
        const settled =
          u.byStatus.acknowledged === 1 &&
          u.byStatus.notified === 1 &&
          u.byStatus.failed === 1 &&
          u.total === 6 &&
          u.list.some((x) => x.unitId === moved && x.region === '340102');
        return settled ? u : undefined;
      },
      { what: 'six units on the board, one acknowledged and one not reached', timeoutMs: 20_000 },
    );
    const status = Object.fromEntries(province.list.map((u) => [u.unitId, u.status]));
    expect(status).toEqual({
      [acked]: 'acknowledged',
      [notified]: 'notified',
      [unreached]: 'failed',
      [idle]: 'not-targeted',
      [moved]: 'not-targeted',
      [luan]: 'not-targeted',
    });
    expect(province.list.find((u) => u.unitId === moved)).toEqual({
      unitId: moved,
      kind: 'police-station',
      region: '340102',
      lat: 31,
      lon: 117.5,
      status: 'not-targeted',
    });
    // Nothing but id, kind, region, place and status reaches the page.
    for (const u of province.list)
      expect(Object.keys(u).sort()).toEqual(['kind', 'lat', 'lon', 'region', 'status', 'unitId']);

    // Hefei's operator sees Hefei's units; Lu'an's only Lu'an's.
    const hefei = await unitsOf({ authorization: `Bearer ${devKey('operator', '340100')}` });
    expect(hefei.list.map((u) => u.unitId).sort()).toEqual([acked, notified, unreached, idle, moved].sort());
    const luanOnly = await unitsOf({ authorization: `Bearer ${devKey('operator', '341500')}` });
    expect(luanOnly.list.map((u) => u.unitId)).toEqual([luan]);

    // The stream shows the unit events as the allowlist keeps them.
    const stats = (await dash.get('/v1/stats')).body as { byType: Record<string, number> };
    expect(stats.byType['homeward.notification.unit-registered']).toBe(7);
    expect(stats.byType['homeward.notification.unit-updated']).toBe(1);
    expect(stats.byType['homeward.notification.unit-removed']).toBe(1);
  });
});
