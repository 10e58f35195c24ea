import { ManualClock } from '@homeward/service-kit';
import { describe, expect, it } from 'vitest';
import {
  BUYER,
  decision,
  dnaConfirmed,
  ev,
  newCaseId,
  openedMissing,
  openedUnidentified,
  POLICE_REASON,
  rescued,
  usePlacement,
} from '../support.ts';

// 2026-11-28 10:00 in China: decisions below are dated that day.
const clock = new ManualClock('2026-11-28T02:00:00Z');
const placement = usePlacement('placement', clock);

/** Opens and rescues a case with a known birth date, and waits until placement knows it. */
async function rescuedChild(birthDate: string, opts: Parameters<typeof rescued>[1] = {}): Promise<string> {
  const caseId = newCaseId();
  await placement.svc.publish(openedMissing(caseId, birthDate), rescued(caseId, opts));
  await placement.svc.caseDoc(caseId, (d) => d.facts.rescue !== undefined && d.facts.birthDate !== undefined);
  return caseId;
}

const types = (body: { followups: Array<{ type: string; status: string }> }) =>
  body.followups
    .filter((f) => f.status === 'scheduled')
    .map((f) => f.type)
    .sort();

describe('roles', () => {
  it('answers 401 without a key, 403 for police, and lets operators read', async () => {
    const caseId = await rescuedChild('2012-03-01');
    const noKey = await placement.svc.call('POST', '/v1/placements', decision(caseId), { role: null });
    expect(noKey.status).toBe(401);
    expect(noKey.body.code).toBe('HOMEWARD_ERR_UNAUTHORIZED');
    const police = await placement.svc.call('POST', '/v1/placements', decision(caseId), { role: 'police' });
    expect(police.status).toBe(403);
    expect(police.body.code).toBe('HOMEWARD_ERR_FORBIDDEN');
    expect(
      (await placement.svc.call('POST', '/v1/placements', decision(caseId), { role: 'operator' })).status,
    ).toBe(403);
    const placed = await placement.svc.call('POST', '/v1/placements', decision(caseId));
    expect(placed.status).toBe(201);
    expect(
      (await placement.svc.call('GET', `/v1/cases/${caseId}/placement`, undefined, { role: 'police' }))
        .status,
    ).toBe(403);
    expect(
      (await placement.svc.call('GET', `/v1/cases/${caseId}/placement`, undefined, { role: null })).status,
    ).toBe(401);
    expect(
      (await placement.svc.call('GET', `/v1/cases/${caseId}/placement`, undefined, { role: 'operator' }))
        .status,
    ).toBe(200);
    expect((await placement.svc.call('GET', '/v1/followups', undefined, { role: 'police' })).status).toBe(
      403,
    );
    expect((await placement.svc.call('GET', '/v1/followups', undefined, { role: 'operator' })).status).toBe(
      200,
    );
    const fu = placed.body.followups[0].followupId;
    const complete = await placement.svc.call(
      'POST',
      `/v1/followups/${fu}/complete`,
      { hospital: 'x' },
      { role: 'operator' },
    );
    expect(complete.status).toBe(403);
    const put = await placement.svc.call(
      'PUT',
      `/v1/placements/${placed.body.placementId}`,
      { ...decision(caseId), caseId: undefined, reason: 'r' },
      { role: 'police' },
    );
    expect(put.status).toBe(403);
  });
});

describe('the case must be rescued', () => {
  it('refuses a placement before the rescue with 422, and places it after', async () => {
    const caseId = newCaseId();
    await placement.svc.publish(openedMissing(caseId, '2015-05-05'));
    await placement.svc.caseDoc(caseId);
    const before = await placement.svc.call('POST', '/v1/placements', decision(caseId));
    expect(before.status).toBe(422);
    expect(before.body.code).toBe('PLACEMENT_ERR_CASE_NOT_RESCUED');
    expect(before.body.type).toBe('urn:homeward:problem:placement-err-case-not-rescued');
    await placement.svc.publish(rescued(caseId));
    await placement.svc.caseDoc(caseId, (d) => d.facts.rescue !== undefined);
    expect((await placement.svc.call('POST', '/v1/placements', decision(caseId))).status).toBe(201);
  });

  it('answers 404 for a case placement has never heard of', async () => {
    const res = await placement.svc.call('POST', '/v1/placements', decision('case-nobody-knows'));
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('PLACEMENT_ERR_CASE_NOT_FOUND');
  });
});

describe('return to the family', () => {
  it('is refused without a DNA match or a police identification', async () => {
    const caseId = await rescuedChild('2016-02-02');
    const res = await placement.svc.call(
      'POST',
      '/v1/placements',
      decision(caseId, { type: 'return-to-family' }),
    );
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('PLACEMENT_ERR_IDENTIFICATION_REQUIRED');
    expect(res.body.type).toBe('urn:homeward:problem:placement-err-identification-required');
  });

  it('is allowed with a confirmed DNA match, with an escorted handover', async () => {
    const caseId = await rescuedChild('2016-02-02');
    await placement.svc.publish(dnaConfirmed(caseId));
    await placement.svc.caseDoc(caseId, (d) => d.facts.dnaIdentifications.length === 1);
    const res = await placement.svc.call(
      'POST',
      '/v1/placements',
      decision(caseId, { type: 'return-to-family' }),
    );
    expect(res.status).toBe(201);
    // A child's return home: school, the escort, care, and the women's federation's legal aid.
    expect(types(res.body)).toEqual([
      'compulsory-education',
      'escorted-handover',
      'legal-aid',
      'medical-psychological-rehabilitation',
    ]);
  });

  it('is allowed with a police identification recorded at rescue or when located', async () => {
    const atRescue = await rescuedChild('2016-02-02', { identified: true });
    // Police identified the child, not its parents: the guardian needs a documented police reason.
    const undocumented = await placement.svc.call(
      'POST',
      '/v1/placements',
      decision(atRescue, { type: 'return-to-family' }),
    );
    expect(undocumented.status).toBe(422);
    expect(undocumented.body.code).toBe('PLACEMENT_ERR_GUARDIAN_NOT_FAMILY');
    const documented = await placement.svc.call(
      'POST',
      '/v1/placements',
      decision(atRescue, { type: 'return-to-family', policeReason: POLICE_REASON }),
    );
    expect(documented.status).toBe(201);
    expect(documented.body.current.policeReason).toEqual(POLICE_REASON);

    const caseId = await rescuedChild('2016-02-02');
    await placement.svc.publish(
      ev('homeward.case.child-located', {
        caseId,
        locatedAt: '2026-11-19T10:00:00+08:00',
        place: 'Lu an',
        identification: { method: 'family-recognition', identifiedBy: 'officer 0571' },
      }),
    );
    await placement.svc.caseDoc(caseId, (d) => d.facts.policeIdentifications.length === 1);
    expect(
      (
        await placement.svc.call(
          'POST',
          '/v1/placements',
          decision(caseId, { type: 'return-to-family', policeReason: POLICE_REASON }),
        )
      ).status,
    ).toBe(201);
  });

  it('goes to a parent the DNA match identified, by identity number or name, or to nobody else', async () => {
    const caseId = await rescuedChild('2016-02-02');
    await placement.svc.publish(dnaConfirmed(caseId));
    await placement.svc.caseDoc(caseId, (d) => d.facts.dnaIdentifications.length === 1);
    const home = (guardian: Record<string, unknown>) =>
      placement.svc.call('POST', '/v1/placements', decision(caseId, { type: 'return-to-family', guardian }));
    // The father was not matched (the match is the mother's alone).
    const father = await home({ name: 'Li Jianguo', address: 'Hefei, Luyang district, 8 Huaihe Road' });
    expect(father.status).toBe(422);
    expect(father.body.code).toBe('PLACEMENT_ERR_GUARDIAN_NOT_FAMILY');
    expect(father.body.type).toBe('urn:homeward:problem:placement-err-guardian-not-family');
    // Her name, but another identity number: another person.
    const namesake = await home({ name: 'Wang Fang', idNumber: '110101199001011111', address: 'Beijing' });
    expect(namesake.body.code).toBe('PLACEMENT_ERR_GUARDIAN_NOT_FAMILY');
    const mother = await home({
      name: 'WANG-fang',
      idNumber: '340104 19850303 5678',
      address: 'Hefei, Luyang district, 8 Huaihe Road',
    });
    expect(mother.status).toBe(201);
  });
});

describe('never with the buying household', () => {
  it('refuses a guardian with the buyer identity number, whatever the type', async () => {
    const caseId = await rescuedChild('2014-04-04', { identified: true });
    for (const type of ['foster-family', 'kinship-care', 'return-to-family']) {
      const res = await placement.svc.call(
        'POST',
        '/v1/placements',
        decision(caseId, {
          type,
          guardian: {
            name: 'Zhang Xiaohua',
            address: 'somewhere else entirely',
            idNumber: '34010419800101123x',
          },
        }),
      );
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('PLACEMENT_ERR_GUARDIAN_IS_BUYER');
      expect(res.body.errors).toEqual([expect.objectContaining({ field: '/guardian/idNumber' })]);
    }
  });

  it('refuses a guardian with the normalised buyer name and address, and accepts another person', async () => {
    const caseId = await rescuedChild('2014-04-04', {
      buyer: { headName: BUYER.headName, address: BUYER.address },
    });
    const res = await placement.svc.call(
      'POST',
      '/v1/placements',
      decision(caseId, {
        guardian: { name: 'ＺＨＡＮＧ-san', address: '安徽省 合肥市 蜀山区 长江西路 12 号' },
      }),
    );
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('PLACEMENT_ERR_GUARDIAN_IS_BUYER');
    expect(res.body.type).toBe('urn:homeward:problem:placement-err-guardian-is-buyer');
    // Same name, another address: not the buyer.
    const other = await placement.svc.call(
      'POST',
      '/v1/placements',
      decision(caseId, { guardian: { name: 'Zhang San', address: '安徽省合肥市包河区，徽州大道1号' } }),
    );
    expect(other.status).toBe(201);
  });
});

describe('follow-ups by age on the decision date', () => {
  // Decision date 2026-11-28; a birthday on that very day counts.
  const cases: Array<[string, number, string[]]> = [
    // Every child (victim 1 of a case from before victims) also gets the federation's legal aid.
    ['2020-11-29', 5, ['legal-aid', 'medical-psychological-rehabilitation']],
    ['2020-11-28', 6, ['compulsory-education', 'legal-aid', 'medical-psychological-rehabilitation']],
    ['2010-11-29', 15, ['compulsory-education', 'legal-aid', 'medical-psychological-rehabilitation']],
    ['2010-11-28', 16, ['legal-aid', 'medical-psychological-rehabilitation', 'vocational-training']],
  ];
  it.each(cases)(
    'born %s is %i: schedules the follow-ups the policy calls for',
    async (birthDate, age, expected) => {
      const caseId = await rescuedChild(birthDate);
      const res = await placement.svc.call('POST', '/v1/placements', decision(caseId));
      expect(res.status).toBe(201);
      expect(res.body.current.ageOnDecisionDate).toBe(age);
      expect(res.body.current.ageBasis).toBe('birth-date');
      expect(types(res.body)).toEqual(expected);
      const due = Object.fromEntries(
        res.body.followups.map((f: { type: string; dueDate: string }) => [f.type, f.dueDate]),
      );
      if (expected.includes('compulsory-education')) expect(due['compulsory-education']).toBe('2026-12-28');
      expect(due['medical-psychological-rehabilitation']).toBe('2026-12-12');
      if (expected.includes('vocational-training')) expect(due['vocational-training']).toBe('2027-01-27');
      for (const f of res.body.followups) {
        const e = await placement.placementEvents.waitForEvent(
          (x) =>
            x.type === 'homeward.followup.scheduled' &&
            (x.data as { followupId: string }).followupId === f.followupId,
        );
        expect(e.data).toMatchObject({ caseId, type: f.type, dueDate: f.dueDate, region: '341500' });
      }
    },
  );

  it('gives no vocational training to a 16-year-old who returns home', async () => {
    const caseId = await rescuedChild('2010-11-28', { identified: true });
    const res = await placement.svc.call(
      'POST',
      '/v1/placements',
      decision(caseId, { type: 'return-to-family', policeReason: POLICE_REASON }),
    );
    expect(types(res.body)).toEqual([
      'escorted-handover',
      'legal-aid',
      'medical-psychological-rehabilitation',
    ]);
    expect(res.body.followups.find((f: { type: string }) => f.type === 'escorted-handover').dueDate).toBe(
      '2026-12-05',
    );
  });

  it('estimates the age from the apparent age plus the years since the child was found', async () => {
    const caseId = newCaseId();
    await placement.svc.publish(openedUnidentified(caseId, 5, '2025-11-01T10:00:00+08:00'), rescued(caseId));
    await placement.svc.caseDoc(caseId, (d) => d.facts.rescue !== undefined);
    const res = await placement.svc.call('POST', '/v1/placements', decision(caseId));
    expect(res.status).toBe(201);
    expect(res.body.current).toMatchObject({ ageOnDecisionDate: 6, ageBasis: 'apparent-age' });
    expect(types(res.body)).toContain('compulsory-education');
  });

  it('refuses independent living below 18 and allows it at 18', async () => {
    const minor = await rescuedChild('2008-11-29');
    const refused = await placement.svc.call(
      'POST',
      '/v1/placements',
      decision(minor, { type: 'independent-living' }),
    );
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('PLACEMENT_ERR_MINOR_INDEPENDENT_LIVING');
    const adult = await rescuedChild('2008-11-28');
    const ok = await placement.svc.call(
      'POST',
      '/v1/placements',
      decision(adult, { type: 'independent-living' }),
    );
    expect(ok.status).toBe(201);
    // Now a woman of 18: she keeps the women's federation's legal aid.
    expect(types(ok.body)).toEqual([
      'legal-aid',
      'medical-psychological-rehabilitation',
      'vocational-training',
    ]);
  });
});

describe('input', () => {
  it('answers 400 with the field for bad input', async () => {
    const caseId = await rescuedChild('2012-03-01');
    const badDate = await placement.svc.call(
      'POST',
      '/v1/placements',
      decision(caseId, { decisionDate: '2026-02-30' }),
    );
    expect(badDate.status).toBe(400);
    expect(badDate.body.errors).toEqual([expect.objectContaining({ field: '/decisionDate' })]);
    const badType = await placement.svc.call(
      'POST',
      '/v1/placements',
      decision(caseId, { type: 'sold-again' }),
    );
    expect(badType.status).toBe(400);
    const noGuardian = await placement.svc.call('POST', '/v1/placements', {
      ...decision(caseId),
      guardian: undefined,
    });
    expect(noGuardian.status).toBe(400);
    expect(noGuardian.body.code).toBe('PLACEMENT_ERR_INVALID_PARTY');
    expect(noGuardian.body.errors).toEqual([expect.objectContaining({ field: '/guardian' })]);
    const noInstitution = await placement.svc.call(
      'POST',
      '/v1/placements',
      decision(caseId, { type: 'civil-affairs-institution', institution: undefined }),
    );
    expect(noInstitution.status).toBe(400);
    expect(noInstitution.body.errors).toEqual([expect.objectContaining({ field: '/institution' })]);
  });
});

describe('revisions', () => {
  it('keeps the history, cancels what no longer applies and schedules what now does', async () => {
    // Rescued in Hefei's Shushan (340104): within the Hefei HRSS bureau's region.
    const caseId = await rescuedChild('2009-06-01', { identified: true, region: '340104' });
    const first = await placement.svc.call(
      'POST',
      '/v1/placements',
      decision(caseId, { type: 'civil-affairs-institution' }),
    );
    expect(first.status).toBe(201);
    expect(types(first.body)).toEqual([
      'legal-aid',
      'medical-psychological-rehabilitation',
      'vocational-training',
    ]);
    const medical = first.body.followups.find(
      (f: { type: string }) => f.type === 'medical-psychological-rehabilitation',
    );
    const vocational = first.body.followups.find((f: { type: string }) => f.type === 'vocational-training');

    const noReason = await placement.svc.call(
      'POST',
      '/v1/placements',
      decision(caseId, { type: 'return-to-family' }),
    );
    expect(noReason.status).toBe(409);
    expect(noReason.body.code).toBe('PLACEMENT_ERR_REVISION_REASON_REQUIRED');

    const second = await placement.svc.call(
      'POST',
      '/v1/placements',
      decision(caseId, {
        type: 'return-to-family',
        decisionDate: '2026-12-01',
        reason: 'the parents were identified',
        policeReason: POLICE_REASON,
      }),
    );
    expect(second.status).toBe(200);
    expect(second.body.revision).toBe(2);
    expect(second.body.placementId).toBe(first.body.placementId);
    const byId = Object.fromEntries(
      second.body.followups.map((f: { followupId: string }) => [f.followupId, f]),
    );
    expect(byId[medical.followupId]).toMatchObject({ status: 'scheduled', dueDate: medical.dueDate });
    expect(byId[vocational.followupId]).toMatchObject({ status: 'cancelled', cancelledByRevision: 2 });
    const handover = second.body.followups.find((f: { type: string }) => f.type === 'escorted-handover');
    expect(handover).toMatchObject({ status: 'scheduled', dueDate: '2026-12-08', scheduledByRevision: 2 });
    expect(second.body.current).toMatchObject({
      followupsCancelled: [vocational.followupId],
      followupsScheduled: [handover.followupId],
    });

    // A cancelled follow-up cannot be completed (even by its owner).
    const cancelled = await placement.svc.call(
      'POST',
      `/v1/followups/${vocational.followupId}/complete`,
      { course: 'welding' },
      { role: 'human-resources-social-security' },
    );
    expect(cancelled.status).toBe(409);
    expect(cancelled.body.code).toBe('PLACEMENT_ERR_FOLLOWUP_CANCELLED');

    const put = await placement.svc.call('PUT', `/v1/placements/${first.body.placementId}`, {
      type: 'kinship-care',
      guardian: { name: 'Li Min', address: 'Hefei, Shushan, 3 Wangjiang Road', relation: 'aunt' },
      decisionDate: '2026-12-03',
      handoverPlan: 'the aunt collects the child from the family',
      reason: 'the parents cannot care for the child',
    });
    expect(put.status).toBe(200);
    expect(put.body.revision).toBe(3);
    expect(put.body.history.map((r: { revision: number; type: string }) => [r.revision, r.type])).toEqual([
      [1, 'civil-affairs-institution'],
      [2, 'return-to-family'],
      [3, 'kinship-care'],
    ]);
    expect(put.body.history[1].reason).toBe('the parents were identified');

    const got = await placement.svc.call('GET', `/v1/cases/${caseId}/placement`, undefined, {
      role: 'operator',
    });
    expect(got.body.history).toHaveLength(3);
    expect(got.body.current.type).toBe('kinship-care');
    const decided = await Promise.all(
      [1, 2, 3].map((r) =>
        placement.placementEvents.waitForEvent(
          (e) =>
            e.type === 'homeward.placement.decided' &&
            (e.data as { caseId: string; revision: number }).caseId === caseId &&
            (e.data as { revision: number }).revision === r,
        ),
      ),
    );
    expect(decided.map((e) => (e.data as { type: string }).type)).toEqual([
      'civil-affairs-institution',
      'return-to-family',
      'kinship-care',
    ]);
    expect(decided[2]?.data).toMatchObject({
      reason: 'the parents cannot care for the child',
      decisionDate: '2026-12-03',
    });

    const unknown404 = await placement.svc.call('PUT', '/v1/placements/pl-unknown', {
      type: 'foster-family',
      guardian: { name: 'A', address: 'B' },
      decisionDate: '2026-12-03',
      handoverPlan: 'p',
      reason: 'r',
    });
    expect(unknown404.status).toBe(404);
    expect(unknown404.body.code).toBe('PLACEMENT_ERR_PLACEMENT_NOT_FOUND');
  });
});

describe('concurrent decisions', () => {
  it('lets one of two simultaneous first decisions win; the other must state a reason', async () => {
    const caseId = await rescuedChild('2011-05-05');
    const [x, y] = await Promise.all([
      placement.svc.call('POST', '/v1/placements', decision(caseId)),
      placement.svc.call('POST', '/v1/placements', decision(caseId, { type: 'civil-affairs-institution' })),
    ]);
    expect([x.status, y.status].sort()).toEqual([201, 409]);
    expect([x, y].find((r) => r.status === 409)?.body.code).toBe('PLACEMENT_ERR_REVISION_REASON_REQUIRED');
    const got = await placement.svc.call('GET', `/v1/cases/${caseId}/placement`);
    expect(got.body.history).toHaveLength(1);
    expect(got.body.followups).toHaveLength(3);
  });
});

describe('completing follow-ups and listing them', () => {
  it('records what was done, publishes it once, and filters the list', async () => {
    // Rescued in Shushan (340104): the school's own county, where it may complete the follow-up.
    const caseId = await rescuedChild('2016-07-07', { region: '340104' });
    const placed = await placement.svc.call('POST', '/v1/placements', decision(caseId));
    const edu = placed.body.followups.find((f: { type: string }) => f.type === 'compulsory-education');

    // Schools answer for compulsory education: civil affairs may not complete it.
    const notOwner = await placement.svc.call('POST', `/v1/followups/${edu.followupId}/complete`, {
      school: 'Chaohu No. 3 primary school',
    });
    expect(notOwner.status).toBe(403);
    expect(notOwner.body.code).toBe('PLACEMENT_ERR_NOT_FOLLOWUP_OWNER');
    const education = { role: 'education' };
    const incomplete = await placement.svc.call(
      'POST',
      `/v1/followups/${edu.followupId}/complete`,
      { note: 'enrolled' },
      education,
    );
    expect(incomplete.status).toBe(400);
    expect(incomplete.body.code).toBe('PLACEMENT_ERR_OUTCOME_INCOMPLETE');
    expect(incomplete.body.errors).toEqual([expect.objectContaining({ field: '/school' })]);

    const done = await placement.svc.call(
      'POST',
      `/v1/followups/${edu.followupId}/complete`,
      { school: 'Chaohu No. 3 primary school', note: 'grade 5, with a tutor' },
      education,
    );
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({
      status: 'completed',
      caseId,
      outcome: { school: 'Chaohu No. 3 primary school' },
    });
    const e = await placement.placementEvents.waitForEvent(
      (x) =>
        x.type === 'homeward.followup.completed' &&
        (x.data as { followupId: string }).followupId === edu.followupId,
    );
    expect(e.data).toMatchObject({
      caseId,
      type: 'compulsory-education',
      outcome: 'school-enrolled',
    });
    expect(JSON.stringify(e.data)).not.toContain('Chaohu');

    const again = await placement.svc.call(
      'POST',
      `/v1/followups/${edu.followupId}/complete`,
      { school: 'x' },
      education,
    );
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('PLACEMENT_ERR_FOLLOWUP_COMPLETED');
    const missing = await placement.svc.call(
      'POST',
      '/v1/followups/fu-nothing/complete',
      { school: 'x' },
      education,
    );
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('PLACEMENT_ERR_FOLLOWUP_NOT_FOUND');

    const completed = await placement.svc.call('GET', `/v1/followups?status=completed&caseId=${caseId}`);
    expect(completed.body.items.map((f: { followupId: string }) => f.followupId)).toEqual([edu.followupId]);
    const byRegion = await placement.svc.call(
      'GET',
      '/v1/followups?region=340100&type=medical-psychological-rehabilitation',
    );
    expect(byRegion.body.items.map((f: { caseId: string }) => f.caseId)).toContain(caseId);
    expect(
      byRegion.body.items.every((f: { region: string; type: string }) => f.region.startsWith('3401')),
    ).toBe(true);
    const otherRegion = await placement.svc.call('GET', `/v1/followups?region=341500&caseId=${caseId}`);
    expect(otherRegion.body.total).toBe(0);
    const notOverdue = await placement.svc.call(
      'GET',
      `/v1/followups?overdue=false&status=scheduled&caseId=${caseId}`,
    );
    expect(notOverdue.body.total).toBe(2);
    expect((await placement.svc.call('GET', `/v1/followups?overdue=true&caseId=${caseId}`)).body.total).toBe(
      0,
    );
    const badFilter = await placement.svc.call('GET', '/v1/followups?status=forgotten');
    expect(badFilter.status).toBe(400);
  });
});

describe('redelivered events', () => {
  it('change nothing, whether redelivered with the same id or repeated with a new one', async () => {
    const caseId = newCaseId();
    const opened = openedMissing(caseId, '2013-03-03');
    const rescue = rescued(caseId, { identified: true });
    const dna = dnaConfirmed(caseId, 'match-1');
    await placement.svc.publish(opened, rescue, dna);
    const before = await placement.svc.caseDoc(
      caseId,
      (d) => d.facts.rescue !== undefined && d.facts.dnaIdentifications.length === 1,
    );
    const placed = await placement.svc.call('POST', '/v1/placements', decision(caseId));
    expect(placed.status).toBe(201);
    const afterPlacement = await placement.svc.caseDoc(caseId);

    // The same events again, and copies of them with new ids (a producer that re-sent them).
    const copy = <T extends { id: string }>(e: T): T => ({ ...e, id: `${e.id}-again` });
    await placement.svc.publish(opened, rescue, dna, copy(opened), copy(rescue), copy(dna));
    // Sentinels on the same partitions: once they are applied, everything before them was too.
    await placement.svc.publish(
      ev('homeward.case.closed', { caseId, closedAt: '2026-11-28T12:00:00+08:00', reason: 'placed' }),
      dnaConfirmed(caseId, 'match-2', dna.data.childSampleId),
    );
    const after = await placement.svc.caseDoc(
      caseId,
      (d) => d.facts.closed !== undefined && d.facts.dnaIdentifications.length === 2,
    );
    expect(after.version).toBe(afterPlacement.version + 2);
    expect(after.facts.buyerHouseholds).toEqual(before.facts.buyerHouseholds);
    expect(after.facts.buyerHouseholds).toHaveLength(1);
    expect(after.facts.policeIdentifications).toEqual(before.facts.policeIdentifications);
    expect(after.facts.rescue).toEqual(before.facts.rescue);
    expect(after.placements).toEqual(afterPlacement.placements);
    expect(after.followups).toEqual(afterPlacement.followups);
  });
});
