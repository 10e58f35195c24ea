/**
 * The identification loop from outside (issue 15): intake, rescue coordination, DNA tracking and
 * placement started together on one set of test topics, each with its own database, driven only
 * through their HTTP APIs (and the events they exchange on Kafka). A child found in screening is
 * matched to the parents who reported her missing; the two cases are linked; she is rescued from
 * the household that bought her and goes home to her father, never to the buyer's wife nor to
 * anyone else.
 */
import { readFileSync } from 'node:fs';
import { type CloudEvent, encodeHttpStructured } from '@homeward/events';
import { ManualClock, type ServiceParts } from '@homeward/service-kit';
import {
  createTestTopics,
  deleteTestTopics,
  type ServiceUnderTest,
  startServiceForTest,
  uniqueName,
  waitFor,
} from '@homeward/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp as buildDna } from '../../services/dna-tracking/src/app.ts';
import { DnaTrackingConfig, SHIPPED_FREQUENCY_SOURCE } from '../../services/dna-tracking/src/config.ts';
import { loadFrequencyTable } from '../../services/dna-tracking/src/domain/allele-frequencies.ts';
import type { StrProfile } from '../../services/dna-tracking/src/domain/profile.ts';
import { SyntheticPopulation } from '../../services/dna-tracking/src/domain/synthetic-population.ts';
import { buildApp as buildIntake } from '../../services/intake/src/app.ts';
import { IntakeConfig } from '../../services/intake/src/config.ts';
import { buildApp as buildPlacement } from '../../services/placement/src/app.ts';
import { PlacementConfig } from '../../services/placement/src/config.ts';
import { buildApp as buildRescue } from '../../services/rescue-coordination/src/app.ts';
import { RescueConfig } from '../../services/rescue-coordination/src/config.ts';

// biome-ignore lint/suspicious/noExplicitAny: answers are asserted field by field
type Json = any;

const table = loadFrequencyTable(
  JSON.parse(
    readFileSync(
      new URL('../../services/dna-tracking/data/fbi-2015-expanded-codis.json', import.meta.url),
      'utf8',
    ),
  ),
  { population: 'Caucasian', source: SHIPPED_FREQUENCY_SOURCE },
);
const population = new SyntheticPopulation(table, 1515);

// 2026-11-28 10:00 in China; every report and step below happened before.
const clock = new ManualClock('2026-11-28T02:00:00Z');
let prefix: string;
let intake: ServiceUnderTest<ServiceParts>;
let rescue: ServiceUnderTest<ServiceParts>;
let dna: ServiceUnderTest<ServiceParts>;
let placement: ServiceUnderTest<ServiceParts>;

beforeAll(async () => {
  prefix = await createTestTopics('journey-identification');
  const common = { prefix, clock, dropDatabaseOnStop: true };
  [intake, rescue, dna, placement] = await Promise.all([
    startServiceForTest({
      ...common,
      name: 'intake',
      configSchema: IntakeConfig,
      buildApp: buildIntake,
      defaultRole: 'police',
    }),
    startServiceForTest({
      ...common,
      name: 'rescue-coordination',
      configSchema: RescueConfig,
      buildApp: buildRescue,
      defaultRole: 'police',
      env: { SCHEDULER_TICK_MS: '3600000', TEAM_CHECK_INTERVAL_MS: '3600000' },
    }),
    startServiceForTest({
      ...common,
      name: 'dna-tracking',
      configSchema: DnaTrackingConfig,
      buildApp: buildDna,
      defaultRole: 'dna-lab',
      env: { INDEX_CONSUMER_GROUP: uniqueName('dna-tracking.index'), SAMPLING_CHECK_INTERVAL_MS: '3600000' },
    }),
    startServiceForTest({
      ...common,
      name: 'placement',
      configSchema: PlacementConfig,
      buildApp: buildPlacement,
      defaultRole: 'civil-affairs',
      env: { OVERDUE_CHECK_INTERVAL_MS: '3600000' },
    }),
  ]);
}, 180_000);

afterAll(async () => {
  await Promise.all([intake, rescue, dna, placement].map((s) => s?.stop()));
  await deleteTestTopics(prefix);
});

/** An agency's report, as its system sends it to intake (structured CloudEvent). */
async function report(data: Record<string, unknown>, role: string, agencyId: string): Promise<string> {
  const event: CloudEvent = {
    specversion: '1.0',
    id: uniqueName('ce'),
    source: `agency/${agencyId}`,
    type: 'homeward.report.submitted',
    time: clock.now().toISOString(),
    datacontenttype: 'application/json',
    data,
  };
  const encoded = encodeHttpStructured(event);
  const res = await intake.call('POST', '/v1/reports', encoded.body, { role, headers: encoded.headers });
  expect(res.status).toBe(202);
  return res.body.caseId as string;
}

const until = <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> =>
  waitFor(probe, { what, timeoutMs: 30_000 }) as Promise<T>;

async function duties(caseId: string): Promise<Json[]> {
  const res = await dna.call('GET', `/v1/sampling-duties?caseId=${caseId}`, undefined, { role: 'police' });
  expect(res.status).toBe(200);
  return res.body.duties;
}

/** A sample registered by police, carried to the lab, and its profile entered by the lab. */
async function sampled(subject: Record<string, unknown>, profile: StrProfile): Promise<Json> {
  const created = await dna.call(
    'POST',
    '/v1/samples',
    {
      subject,
      kitBarcode: uniqueName('KIT').replaceAll('_', '-'),
      collectedAt: '2026-11-27T10:00:00+08:00',
      place: 'Hefei PSB forensic centre',
      region: '340104',
      collector: 'officer-3401-0457',
    },
    { role: 'police' },
  );
  expect(created.status).toBe(201);
  const id = created.body.sampleId as string;
  for (const step of [
    { step: 'sealed', at: '2026-11-27T10:30:00+08:00' },
    { step: 'shipped', at: '2026-11-27T12:00:00+08:00', trackingNumber: 'SF1234567890' },
    { step: 'received', at: '2026-11-27T18:00:00+08:00' },
  ]) {
    const res = await dna.call('POST', `/v1/samples/${id}/custody`, {
      ...step,
      by: 'lab-tech-7',
      place: 'Anhui forensic lab',
    });
    expect(res.status).toBe(201);
  }
  const loci = Object.fromEntries(Object.entries(profile.loci).map(([l, g]) => [l, [...g!]]));
  const entered = await dna.call('POST', `/v1/samples/${id}/profile`, { loci });
  expect(entered.status).toBe(201);
  return { sampleId: id, matches: entered.body.matches };
}

const FATHER = { name: 'Li Jianguo', idNumber: '340104198001011234' };
const MOTHER = { name: 'Wang Fang', idNumber: '340104198203034567' };
const BUYER = {
  headName: 'Zhao Si',
  address: 'Lu an, Yu an district, 3 Village Road, No. 8',
  members: [{ name: 'Qian Hua', relation: 'wife' }],
};

describe('the identification loop', () => {
  it('identifies a found child by DNA, links both cases, and returns her only to her matched family', async () => {
    // 1. Her parents report her missing (M); the police record them.
    const m = await report(
      {
        kind: 'missing-child',
        child: { name: 'Li Xiaoyu', sex: 'female', birthDate: '2019-05-01' },
        lastSeen: {
          at: '2024-05-01T16:00:00+08:00',
          place: 'Hefei South Station',
          lat: 31.7979,
          lon: 117.2906,
          region: '340104',
        },
        parents: [
          { relation: 'father', ...FATHER },
          { relation: 'mother', ...MOTHER },
        ],
      },
      'police',
      'hefei-psb',
    );
    // 2. Screening finds a girl of unknown origin (U), living with a man who says he is her father.
    const u = await report(
      {
        kind: 'unidentified-child',
        child: { sex: 'female', apparentAge: 7, description: 'no birth record at the village clinic' },
        foundAt: {
          at: '2026-11-27T09:00:00+08:00',
          place: 'Lu an village clinic',
          lat: 31.75,
          lon: 116.5,
          region: '340102',
        },
        currentGuardian: { name: BUYER.headName, relation: 'says he is her father', address: BUYER.address },
      },
      'health',
      'anhui-provincial-hospital',
    );

    // 3. Sampling duties appear: both parents of M, the child of U.
    const owedM = await until('M owes its parents', async () => {
      const d = await duties(m);
      return d.length === 2 ? d : undefined;
    });
    expect(owedM.map((d: Json) => d.subject).sort()).toEqual(['father', 'mother']);
    const owedU = await until('U owes its child', async () => {
      const d = await duties(u);
      return d.length === 1 ? d : undefined;
    });
    expect(owedU).toEqual([
      expect.objectContaining({ caseId: u, subject: 'child', caseKind: 'unidentified-child' }),
    ]);
    // A sample naming a case nobody reported is refused.
    const stray = await dna.call(
      'POST',
      '/v1/samples',
      {
        subject: { kind: 'parent', relation: 'father', caseId: 'case-nobody-reported' },
        kitBarcode: uniqueName('KIT').replaceAll('_', '-'),
        collectedAt: '2026-11-27T10:00:00+08:00',
        place: 'x',
        region: '340104',
        collector: 'officer-1',
      },
      { role: 'police' },
    );
    expect(stray.status).toBe(422);
    expect(stray.body.code).toBe('DNA_ERR_CASE_UNKNOWN');

    // 4. The parents and the child are sampled; the duties clear; the lab's search finds the family.
    const mother = population.person();
    const father = population.person();
    const girl = population.childOf(mother, father);
    const fatherSample = await sampled({ kind: 'parent', relation: 'father', caseId: m }, father);
    const motherSample = await sampled({ kind: 'parent', relation: 'mother', caseId: m }, mother);
    expect(await duties(m)).toEqual([]);
    const childSample = await sampled({ kind: 'unidentified-child', caseId: u }, girl);
    expect(await duties(u)).toEqual([]);
    expect(childSample.matches).toHaveLength(3);

    // 5. One review task for the family: the pair, its singles folded in.
    const pending = await dna.call('GET', `/v1/matches?status=pending-review&caseId=${u}`);
    expect(pending.body.matches).toHaveLength(1);
    const pair = pending.body.matches[0];
    expect(pair).toMatchObject({
      kind: 'pair',
      caseId: m,
      childCaseId: u,
      parentSampleIds: [motherSample.sampleId, fatherSample.sampleId],
    });
    const confirmed = await dna.call('POST', `/v1/matches/${pair.matchId}/confirm`, {
      reviewer: 'lab-director-2',
      note: 'trio consistent at every locus',
    });
    expect(confirmed.status).toBe(200);

    // 6. Rescue coordination links the two cases; each timeline shows the other.
    const linked = (caseId: string) =>
      until(`links of ${caseId}`, async () => {
        const res = await rescue.call('GET', `/v1/cases/${caseId}`);
        return res.body.links?.length > 0 ? res.body : undefined;
      });
    const uCase = await linked(u);
    const mCase = await linked(m);
    expect(uCase.links).toEqual([
      expect.objectContaining({ caseId: m, as: 'parents-case', matchId: pair.matchId }),
    ]);
    expect(mCase.links).toEqual([
      expect.objectContaining({ caseId: u, as: 'child-case', matchId: pair.matchId }),
    ]);
    const linkEntry = (c: Json) =>
      c.timeline.find((t: Json) => t.type === 'homeward.dna.match-confirmed')?.details;
    expect(linkEntry(uCase)).toMatchObject({ linkedCaseId: m });
    expect(linkEntry(mCase)).toMatchObject({ linkedCaseId: u });

    // 7. Police rescue her on U from the household that bought her, its members recorded.
    const rescued = await rescue.call('POST', `/v1/cases/${u}/rescued`, {
      place: 'Lu an, Yu an district, 3 Village Road',
      region: '340102',
      buyerHousehold: BUYER,
    });
    expect(rescued.status).toBe(200);

    // 8. Placement knows U as rescued and identified, with M's parents as the family.
    const home = (guardian: Record<string, unknown>) =>
      placement.call('POST', '/v1/placements', {
        caseId: u,
        type: 'return-to-family',
        guardian,
        decisionDate: '2026-11-28',
        handoverPlan: 'escorted handover by the family-liaison lead and a social worker',
      });
    await until('placement knows U rescued and identified', async () => {
      const res = await home({ name: 'Nobody Yet', address: 'nowhere' });
      return res.body.code === 'PLACEMENT_ERR_GUARDIAN_NOT_FAMILY' ? res : undefined;
    });
    const wife = await home({ name: 'Qian Hua', address: 'Lu an, Yu an district, 3 Village Road, No. 8' });
    expect(wife.status).toBe(422);
    expect(wife.body.code).toBe('PLACEMENT_ERR_GUARDIAN_IS_BUYER');
    const stranger = await home({ name: 'Sun Qiang', address: 'Hefei, Baohe district, 1 Huizhou Avenue' });
    expect(stranger.status).toBe(422);
    expect(stranger.body.code).toBe('PLACEMENT_ERR_GUARDIAN_NOT_FAMILY');
    const dad = await home({
      name: 'Li Jianguo',
      idNumber: '340104 19800101 1234',
      address: 'Hefei, Shushan district, 12 Changjiang West Road',
      relation: 'father',
    });
    expect(dad.status).toBe(201);
    expect(dad.body).toMatchObject({ caseId: u, current: { type: 'return-to-family' }, warnings: [] });
  });
});
