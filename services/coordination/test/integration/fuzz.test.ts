import { ManualClock } from '@homeward/service-kit';
import {
  createTestTopics,
  deleteTestTopics,
  describeFuzzFailure,
  devKey,
  fuzzService,
  summarizeFuzz,
} from '@homeward/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCoordination } from '../support.ts';

let prefix: string;
let svc: Awaited<ReturnType<typeof startCoordination>>;
const known = {
  submissionId: [] as string[],
  region: ['340104', '340100', '340103'],
  agencyId: ['shushan-psb'],
};

beforeAll(async () => {
  prefix = await createTestTopics('coordination-fuzz');
  svc = await startCoordination({
    prefix,
    clock: new ManualClock('2027-01-10T02:00:00Z'),
    credentialsFile: new URL('../../../../infra/local/dev-credentials.json', import.meta.url).pathname,
  });
  // A submission under review and an enrolled member, so that part of the requests reach them.
  const r = await svc.call(
    'PUT',
    '/v1/submissions/2026',
    { own: { publicityCampaigns: 1, trainingSessions: 1, peopleScreened: 1 }, narrative: 'n' },
    { role: null, headers: { authorization: `Bearer ${devKey('police')}` } },
  );
  if (r.status !== 201) throw new Error(`submission refused: ${r.text}`);
  known.submissionId.push(r.body.submissionId);
});

afterAll(async () => {
  await svc?.stop();
  await deleteTestTopics(prefix);
});

it('no POST or PUT answers 5xx to 600 requests generated from the OpenAPI document', async () => {
  const report = await fuzzService(svc.app, {
    cases: 600,
    roles: ['coordination-office', 'police'],
    knownValues: known,
  });
  process.stdout.write(summarizeFuzz('coordination', report));
  expect(report.cases).toBeGreaterThanOrEqual(600);
  expect(report.failures.map(describeFuzzFailure)).toEqual([]);
}, 120_000);
