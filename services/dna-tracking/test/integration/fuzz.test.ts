import {
  createTestTopics,
  deleteTestTopics,
  describeFuzzFailure,
  fuzzService,
  summarizeFuzz,
} from '@homeward/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunningDna, startDna } from '../support.ts';

let prefix: string;
let svc: RunningDna;

beforeAll(async () => {
  prefix = await createTestTopics('dna-tracking-fuzz');
  svc = await startDna({ prefix });
});

afterAll(async () => {
  await svc?.stop();
  await deleteTestTopics(prefix);
});

it('no POST answers 5xx to 1,000 requests generated from the OpenAPI document', async () => {
  const report = await fuzzService(svc.app, { cases: 1_000, roles: ['dna-lab', 'police'] });
  process.stdout.write(summarizeFuzz('dna-tracking', report));
  expect(report.cases).toBeGreaterThanOrEqual(1_000);
  expect(report.failures.map(describeFuzzFailure)).toEqual([]);
}, 120_000);
