import {
  createTestTopics,
  deleteTestTopics,
  describeFuzzFailure,
  fuzzService,
  summarizeFuzz,
} from '@homeward/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunningDashboard, startDashboard } from '../support.ts';

let prefix: string;
let svc: RunningDashboard;

beforeAll(async () => {
  prefix = await createTestTopics('dashboard-fuzz');
  svc = await startDashboard({ prefix });
});

afterAll(async () => {
  await svc?.rt.mongo.db.dropDatabase();
  await svc?.stop();
  await deleteTestTopics(prefix);
});

it('no POST answers 5xx to 1,000 requests generated from the OpenAPI document', async () => {
  const report = await fuzzService(svc.app, { cases: 1_000, roles: ['operator', 'admin'] });
  process.stdout.write(summarizeFuzz('dashboard', report));
  expect(report.cases).toBeGreaterThanOrEqual(1_000);
  expect(report.failures.map(describeFuzzFailure)).toEqual([]);
}, 120_000);
