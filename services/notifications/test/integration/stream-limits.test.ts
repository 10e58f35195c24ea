import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTestTopics,
  deleteTestTopics,
  devKey,
  SseClient,
  uniqueName,
  waitFor,
} from '@homeward/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dropTestState,
  newDbName,
  putUnit,
  Receiver,
  type RunningNotifications,
  startNotifications,
} from '../support.ts';

// Two instances on one database and one Redis, as a deployment scales out: the limits hold over
// both. A second `unit` key of the same agency, to tell the per-key limit from the per-unit one.
const UNIT_AGENCY = 'hefei-south-station-police-post';
const SECOND_KEY = 'hw_test_unit_second_terminal_0123456789abcd';
const dir = mkdtempSync(join(tmpdir(), 'notif-stream-limits-'));
const credentialsFile = join(dir, 'credentials.json');
writeFileSync(
  credentialsFile,
  JSON.stringify([
    ...(JSON.parse(
      readFileSync(new URL('../../../../infra/local/dev-credentials.json', import.meta.url), 'utf8'),
    ) as unknown[]),
    { key: SECOND_KEY, agencyId: UNIT_AGENCY, role: 'unit', region: '340104' },
  ]),
);
const env = {
  CREDENTIALS_FILE: credentialsFile,
  STREAM_MAX_PER_UNIT: '2',
  STREAM_MAX_PER_KEY: '3',
  STREAM_SLOT_TTL_MS: '3000',
};

let prefix: string;
const dbName = newDbName('notif_stream_limits');
let one: RunningNotifications;
let two: RunningNotifications;
let receiver: Receiver;
const bases: string[] = [];

beforeAll(async () => {
  prefix = await createTestTopics('notif-stream-limits');
  receiver = await new Receiver().start();
  one = await startNotifications({ prefix, dbName, env });
  two = await startNotifications({ prefix, dbName, env });
  for (const svc of [one, two]) {
    await svc.app.http.listen({ port: 0, host: '127.0.0.1' });
    bases.push(`http://127.0.0.1:${(svc.app.http.server.address() as AddressInfo).port}`);
  }
});

afterAll(async () => {
  await one.stop();
  await two.stop();
  await receiver.stop();
  await dropTestState(prefix, dbName);
  await deleteTestTopics(prefix);
});

const open = (instance: number, unitId: string, key = devKey('unit')) =>
  new SseClient(`${bases[instance]}/v1/units/${unitId}/stream`, { authorization: `Bearer ${key}` }).open();

async function refused(instance: number, unitId: string, key = devKey('unit')) {
  const res = await fetch(`${bases[instance]}/v1/units/${unitId}/stream`, {
    headers: { authorization: `Bearer ${key}` },
  });
  const body = (await res.json()) as { code: string; detail: string };
  return {
    status: res.status,
    code: body.code,
    detail: body.detail,
    retryAfter: res.headers.get('retry-after'),
  };
}

describe('live channel limits', () => {
  it('at most a few channels per unit and per key, over every instance; 429 beyond; a closed channel frees its slot', async () => {
    const tag = uniqueName('limits');
    const [a, b] = [`${tag}-a`, `${tag}-b`];
    for (const unitId of [a, b])
      await putUnit(one, receiver, unitId, { lat: 31.8, lon: 117.29 }, { agencyId: UNIT_AGENCY });

    const a1 = await open(0, a);
    const a2 = await open(1, a);
    expect([a1.status, a2.status]).toEqual([200, 200]);
    for (const instance of [0, 1]) {
      const third = await refused(instance, a);
      expect(third).toMatchObject({ status: 429, code: 'NOTIFICATIONS_ERR_TOO_MANY_STREAMS' });
      expect(Number(third.retryAfter)).toBeGreaterThan(0);
      expect(third.detail).toContain('unit');
    }

    // The key holds a1, a2 and b1: its fourth channel is refused, for any unit.
    const b1 = await open(0, b);
    expect(b1.status).toBe(200);
    const fourth = await refused(1, b);
    expect(fourth).toMatchObject({ status: 429, code: 'NOTIFICATIONS_ERR_TOO_MANY_STREAMS' });
    expect(fourth.detail).toContain('API key');
    // Another key of the agency has its own allowance, within the unit's.
    const b2 = await open(1, b, SECOND_KEY);
    expect(b2.status).toBe(200);
    expect((await refused(0, b, SECOND_KEY)).status).toBe(429);

    // A channel that closes frees its slot on every instance.
    a1.close();
    const a3 = await waitFor(
      async () => {
        const c = await open(1, a);
        if (c.status === 200) return c;
        c.close();
        return null;
      },
      { what: 'the closed channel let go' },
    );
    expect(a3.status).toBe(200);
    for (const c of [a2, a3, b1, b2]) c.close();
    await waitFor(() => one.app.hub.clientCount === 0 && two.app.hub.clientCount === 0, {
      what: 'all closed',
    });
  });

  it('the slots of channels still open are renewed past their TTL', async () => {
    const unitId = uniqueName('renewed');
    await putUnit(one, receiver, unitId, { lat: 31.8, lon: 117.29 }, { agencyId: UNIT_AGENCY });
    const c1 = await open(0, unitId);
    const c2 = await open(0, unitId);
    // Twice the TTL: without renewal both slots would have expired and a third would be let in.
    await new Promise((r) => setTimeout(r, 6_500));
    expect((await refused(1, unitId)).status).toBe(429);
    c1.close();
    c2.close();
    await waitFor(() => one.app.hub.clientCount === 0, { what: 'closed' });
  });
});
