import {
  createTestTopics,
  deleteTestTopics,
  describeFuzzFailure,
  fuzzService,
  summarizeFuzz,
} from '@homeward/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  decision,
  newCaseId,
  openedMissing,
  type RunningPlacement,
  rescued,
  startPlacement,
} from '../support.ts';

let prefix: string;
let svc: RunningPlacement;
const known = { caseId: [] as string[], placementId: [] as string[], id: [] as string[] };

beforeAll(async () => {
  prefix = await createTestTopics('placement-fuzz');
  svc = await startPlacement({ prefix });
  // Rescued children placement knows of, one of them already placed, so that part of the
  // requests name a case, a placement and follow-ups that exist.
  for (const caseId of [newCaseId(), newCaseId(), newCaseId()]) {
    await svc.publish(openedMissing(caseId, '2014-06-01'), rescued(caseId));
    await svc.caseDoc(caseId, (d) => d.facts.rescue !== undefined && d.facts.birthDate !== undefined);
    known.caseId.push(caseId);
  }
  const placed = await svc.call('POST', '/v1/placements', decision(known.caseId[0]!));
  if (placed.status !== 201) throw new Error(`placement refused: ${JSON.stringify(placed.body)}`);
  known.placementId.push(placed.body.placementId);
  known.id.push(...placed.body.followups.map((f: { followupId: string }) => f.followupId));
});

afterAll(async () => {
  await svc?.rt.redis.redis.del(svc.app.index.key);
  await svc?.rt.mongo.db.dropDatabase();
  await svc?.stop();
  await deleteTestTopics(prefix);
});

it('no POST or PUT answers 5xx to 1,000 requests generated from the OpenAPI document', async () => {
  const report = await fuzzService(svc.app, {
    cases: 1_000,
    roles: ['civil-affairs', 'police'],
    knownValues: known,
  });
  process.stdout.write(summarizeFuzz('placement', report));
  expect(report.cases).toBeGreaterThanOrEqual(1_000);
  expect(report.failures.map(describeFuzzFailure)).toEqual([]);
}, 120_000);
