import {
  createTestTopics,
  deleteTestTopics,
  describeFuzzFailure,
  fuzzService,
  summarizeFuzz,
} from '@homeward/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { dropTestState, newDbName, type RunningNotifications, startNotifications } from '../support.ts';

const dbName = newDbName('notif_fuzz');

let prefix: string;
let svc: RunningNotifications;

beforeAll(async () => {
  prefix = await createTestTopics('notifications-fuzz');
  svc = await startNotifications({ prefix, dbName });
});

afterAll(async () => {
  await svc?.stop();
  await dropTestState(prefix, dbName);
  await deleteTestTopics(prefix);
});

it('no POST or PUT answers 5xx to 1,000 requests generated from the OpenAPI document', async () => {
  const report = await fuzzService(svc.app, { cases: 1_000, roles: ['admin', 'unit', 'police'] });
  process.stdout.write(summarizeFuzz('notifications', report));
  expect(report.cases).toBeGreaterThanOrEqual(1_000);
  expect(report.failures.map(describeFuzzFailure)).toEqual([]);
}, 120_000);
