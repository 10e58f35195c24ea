import {
  createTestTopics,
  deleteTestTopics,
  describeFuzzFailure,
  fuzzService,
  summarizeFuzz,
} from '@homeward/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { knownCase, newSample, type RunningDna, sampleAtLab, startDna } from '../support.ts';

let prefix: string;
let svc: RunningDna;
const sampleIds: string[] = [];

beforeAll(async () => {
  prefix = await createTestTopics('dna-tracking-fuzz');
  svc = await startDna({ prefix });
  await knownCase(svc, 'case-fuzz');
  // Samples that exist, one registered only and two at the lab, so that part of the requests
  // reach the custody chain and the profile logic rather than a 404.
  const registered = await svc.call(
    'POST',
    '/v1/samples',
    newSample({ kind: 'rescued-child', caseId: 'case-fuzz' }),
    'police',
  );
  if (registered.status !== 201) throw new Error(`sample refused: ${JSON.stringify(registered.body)}`);
  sampleIds.push(
    registered.body.sampleId,
    await sampleAtLab(svc, { kind: 'rescued-child', caseId: 'case-fuzz' }),
    await sampleAtLab(svc, { kind: 'parent', caseId: 'case-fuzz', relation: 'mother' }),
  );
});

afterAll(async () => {
  await svc?.stop();
  await deleteTestTopics(prefix);
});

it('no POST answers 5xx to 1,000 requests generated from the OpenAPI document', async () => {
  const report = await fuzzService(svc.app, {
    cases: 1_000,
    roles: ['dna-lab', 'police'],
    knownValues: { sampleId: sampleIds },
  });
  process.stdout.write(summarizeFuzz('dna-tracking', report));
  expect(report.cases).toBeGreaterThanOrEqual(1_000);
  expect(report.failures.map(describeFuzzFailure)).toEqual([]);
}, 120_000);
