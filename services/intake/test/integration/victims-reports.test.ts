import { createTestTopics, type TopicCollector } from '@homeward/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseEventsCollector, type RunningIntake, reportEvent, startIntake } from '../support.ts';

let intake: RunningIntake;
let cases: TopicCollector;

beforeAll(async () => {
  const prefix = await createTestTopics('intake-victims');
  intake = await startIntake({ prefix });
  cases = await caseEventsCollector(prefix);
});

afterAll(async () => {
  await cases.stop();
  await intake.stop();
});

const lastSeen = {
  at: '2026-11-20T08:00:00+08:00',
  place: 'Feixi bus station',
  lat: 31.7,
  lon: 117.1,
  region: '340123',
};
const missingWoman = {
  kind: 'missing-woman',
  woman: { name: 'Wang Fang', birthDate: '1998-03-02', description: 'green coat' },
  lastSeen,
  trafficked: true,
  reporter: { name: 'Wang Jun', phone: '+86 138 0000 0000', relation: 'brother' },
};
const finding = {
  kind: 'suspected-trafficking',
  description: 'the bride could not say where she was born',
  observedAt: '2026-11-27T10:00:00+08:00',
  location: { place: 'Shushan marriage registry', region: '340104' },
  marriageRegistration: {
    registryOffice: 'Shushan marriage registry',
    applicationDate: '2026-11-27',
    signs: ['bride-cannot-state-own-details', 'intermediary-present'],
    bride: { sex: 'female', apparentAge: 22, description: 'speaks no Mandarin' },
    groom: { name: 'Zhao Gang', address: 'Village 3, Feixi' },
    intermediary: { description: 'a woman who did the talking' },
  },
};

const opened = (caseId: string) =>
  cases.waitForEvent(
    (e) => e.type === 'homeward.case.opened' && (e.data as { caseId: string }).caseId === caseId,
  );

describe('a missing or trafficked woman', () => {
  it('the women federation reports her: a case whose one victim is an adult woman', async () => {
    const res = await intake.post(reportEvent(missingWoman, { role: 'womens-federation' }), {
      role: 'womens-federation',
    });
    expect(res.status).toBe(202);
    const e = await opened(res.body.caseId);
    expect(e.data).toMatchObject({
      kind: 'missing-woman',
      region: '340123',
      victims: [
        { victimId: `${res.body.caseId}.v1`, category: 'adult', sex: 'female', birthDate: '1998-03-02' },
      ],
    });
  });

  it('is refused from a volunteer (403) and for a girl (400: a missing child instead)', async () => {
    const volunteer = await intake.post(reportEvent(missingWoman, { role: 'volunteer' }), {
      role: 'volunteer',
    });
    expect(volunteer.status).toBe(403);
    expect(volunteer.body.code).toBe('INTAKE_ERR_KIND_NOT_ALLOWED');
    const girl = await intake.post(
      reportEvent({ ...missingWoman, woman: { name: 'W', birthDate: '2010-01-01' } }),
    );
    expect(girl.status).toBe(400);
    expect(girl.body.errors).toEqual([expect.objectContaining({ field: '/data/woman/birthDate' })]);
  });
});

describe('a marriage-registration finding', () => {
  it('from the registry clerk (civil affairs) opens a suspected-trafficking case naming the bride', async () => {
    const res = await intake.post(reportEvent(finding, { role: 'civil-affairs' }), { role: 'civil-affairs' });
    expect(res.status).toBe(202);
    const e = await opened(res.body.caseId);
    expect(e.data).toMatchObject({
      kind: 'suspected-trafficking',
      victims: [{ victimId: `${res.body.caseId}.v1`, category: 'adult', sex: 'female', apparentAge: 22 }],
      report: { marriageRegistration: { signs: ['bride-cannot-state-own-details', 'intermediary-present'] } },
    });
  });

  it('from anyone else is refused; an unknown sign is 400', async () => {
    const hotline = await intake.post(reportEvent(finding, { role: 'hotline' }), { role: 'hotline' });
    expect(hotline.status).toBe(403);
    expect(hotline.body.detail).toContain('marriage-registration');
    const bad = await intake.post(
      reportEvent(
        { ...finding, marriageRegistration: { ...finding.marriageRegistration, signs: ['looked-sad'] } },
        { role: 'civil-affairs' },
      ),
      { role: 'civil-affairs' },
    );
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.errors)).toContain('/data/marriageRegistration/signs/0');
  });
});
