import {
  createTestTopics,
  deleteTestTopics,
  describeFuzzFailure,
  fuzzService,
  summarizeFuzz,
  waitFor,
} from '@homeward/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  dropDatabases,
  dropRedisKeys,
  missingChildOpened,
  type RunningRescue,
  startRescue,
  suspectedTraffickingOpened,
} from '../support.ts';

let prefix: string;
let svc: RunningRescue;
const caseIds: string[] = [];

beforeAll(async () => {
  prefix = await createTestTopics('rescue-fuzz');
  svc = await startRescue({ prefix });
  // Cases that exist, so that part of the requests reach the case logic rather than a 404.
  const opened = [missingChildOpened({ lastSeenAt: new Date() }), suspectedTraffickingOpened()];
  await svc.publish(...opened);
  for (const e of opened) {
    await waitFor(async () => (await svc.call('GET', `/v1/cases/${e.data.caseId}`)).status === 200, {
      what: `case ${e.data.caseId}`,
    });
    caseIds.push(e.data.caseId);
  }
});

afterAll(async () => {
  await svc.stop();
  await dropDatabases([svc.dbName]);
  await dropRedisKeys(prefix);
  await deleteTestTopics(prefix);
});

it('refuses an unknown key inside a nested object with 400 (found by the fuzz: `$set` in a buyer household reached MongoDB, 500)', async () => {
  const rescued = await svc.call('POST', `/v1/cases/${caseIds[1]}/rescued`, {
    place: 'a village in Lu an',
    region: '341500',
    buyerHousehold: { headName: 'Zhang San', address: 'Lu an', $set: 'x' },
  });
  expect(rescued.status).toBe(400);
  expect(rescued.body.code).toBe('HOMEWARD_ERR_INVALID_INPUT');
  const team = await svc.call('POST', `/v1/cases/${caseIds[0]}/team`, {
    chiefId: 'hf-psb-0001',
    investigationLeadId: 'hf-psb-0101',
    rescueLeadId: 'hf-psb-0102',
    familyLiaisonLeadId: 'hf-psb-0103',
    $where: '1',
  });
  expect(team.status).toBe(400);
  expect(team.body.code).toBe('HOMEWARD_ERR_INVALID_INPUT');
});

it('no POST answers 5xx to 1,000 requests generated from the OpenAPI document', async () => {
  const report = await fuzzService(svc.app, {
    cases: 1_000,
    roles: ['police', 'operator'],
    knownValues: { caseId: caseIds },
  });
  process.stdout.write(summarizeFuzz('rescue-coordination', report));
  expect(report.cases).toBeGreaterThanOrEqual(1_000);
  expect(report.failures.map(describeFuzzFailure)).toEqual([]);
}, 120_000);
