import {
  createTestTopics,
  deleteTestTopics,
  describeFuzzFailure,
  fuzzService,
  summarizeFuzz,
} from '@homeward/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunningPlacement, startPlacement } from '../support.ts';

let prefix: string;
let svc: RunningPlacement;

beforeAll(async () => {
  prefix = await createTestTopics('placement-fuzz');
  svc = await startPlacement({ prefix });
});

afterAll(async () => {
  await svc?.rt.redis.redis.del(svc.app.index.key);
  await svc?.rt.mongo.db.dropDatabase();
  await svc?.stop();
  await deleteTestTopics(prefix);
});

it('no POST or PUT answers 5xx to 1,000 requests generated from the OpenAPI document', async () => {
  const report = await fuzzService(svc.app, { cases: 1_000, roles: ['civil-affairs', 'police'] });
  process.stdout.write(summarizeFuzz('placement', report));
  expect(report.cases).toBeGreaterThanOrEqual(1_000);
  expect(report.failures.map(describeFuzzFailure)).toEqual([]);
}, 120_000);
