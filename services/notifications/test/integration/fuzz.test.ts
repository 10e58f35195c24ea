import {
  createTestTopics,
  deleteTestTopics,
  describeFuzzFailure,
  fuzzService,
  summarizeFuzz,
  uniqueName,
  waitFor,
} from '@homeward/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  dropTestState,
  issued,
  newDbName,
  putUnit,
  Receiver,
  type RunningNotifications,
  startNotifications,
} from '../support.ts';

const dbName = newDbName('notif_fuzz');

let prefix: string;
let svc: RunningNotifications;
let receiver: Receiver;
const unitId = uniqueName('fuzz-unit');
const alertId = uniqueName('alert-fuzz');
// Far from every other test's centre, so no other test's alert reaches this unit.
const HARBIN = { lat: 45.75, lon: 126.65 };

beforeAll(async () => {
  prefix = await createTestTopics('notifications-fuzz');
  receiver = await new Receiver().start();
  svc = await startNotifications({ prefix, dbName });
  // A unit of the unit role's agency, sent an alert and acknowledging it, so that part of the
  // requests name a unit and an alert that exist and reach the ack logic.
  await putUnit(svc, receiver, unitId, HARBIN, { agencyId: 'hefei-south-station-police-post' });
  await svc.publish(issued(alertId, { radiusKm: 50, center: HARBIN }));
  await waitFor(
    async () =>
      (await svc.call('POST', `/v1/alerts/${alertId}/acks`, { role: 'unit', body: { unitId } })).status ===
      201,
    { what: `alert ${alertId} sent to ${unitId}` },
  );
});

afterAll(async () => {
  await svc?.stop();
  await receiver?.stop();
  await dropTestState(prefix, dbName);
  await deleteTestTopics(prefix);
});

it('no POST or PUT answers 5xx to 1,000 requests generated from the OpenAPI document', async () => {
  const report = await fuzzService(svc.app, {
    cases: 1_000,
    roles: ['admin', 'unit', 'police'],
    knownValues: { unitId: [unitId], alertId: [alertId] },
  });
  process.stdout.write(summarizeFuzz('notifications', report));
  expect(report.cases).toBeGreaterThanOrEqual(1_000);
  expect(report.failures.map(describeFuzzFailure)).toEqual([]);
}, 120_000);
