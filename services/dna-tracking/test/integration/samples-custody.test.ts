import { ManualClock } from '@homeward/service-kit';
import {
  createTestTopics,
  deleteTestTopics,
  type TopicCollector,
  testDatabase,
  waitFor,
} from '@homeward/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dnaEventsCollector,
  knownCase,
  newSample,
  type RunningDna,
  sampleAtLab,
  startDna,
} from '../support.ts';

const clock = new ManualClock('2026-11-28T08:00:00Z');
let prefix: string;
let dna: RunningDna;
let events: TopicCollector;

beforeAll(async () => {
  prefix = await createTestTopics('dna-custody');
  dna = await startDna({ prefix, clock });
  events = await dnaEventsCollector(prefix);
  await knownCase(dna, 'case-anhui-1');
});

afterAll(async () => {
  await events.stop();
  await dna.stop();
  await deleteTestTopics(prefix);
});

const parent = (caseId = 'case-anhui-1') => ({ kind: 'parent', relation: 'mother', caseId });
const step = (s: string, at: string, extra: Record<string, unknown> = {}) => ({
  step: s,
  at,
  by: 'tech-12',
  place: 'Anhui forensic lab',
  ...extra,
});

describe('POST /v1/samples', () => {
  it('registers a sample with its first custody record and announces it with ids only', async () => {
    const body = newSample(parent('case-anhui-1'));
    const res = await dna.call('POST', '/v1/samples', body, 'police');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      sampleId: expect.stringMatching(/^smp-/),
      subject: { kind: 'parent', relation: 'mother', caseId: 'case-anhui-1' },
      step: 'collected',
      collectedBy: { agencyId: 'hefei-psb', role: 'police' },
    });
    expect(res.headers.location).toBe(`/v1/samples/${res.body.sampleId}`);
    const e = await events.waitForEvent((x) => x.subject === res.body.sampleId);
    expect(e.type).toBe('homeward.dna.sample-collected');
    expect(e.data).toEqual({
      sampleId: res.body.sampleId,
      subject: { kind: 'parent', relation: 'mother', caseId: 'case-anhui-1' },
      kitBarcode: body.kitBarcode,
      collectedAt: body.collectedAt,
      collectedBy: { agencyId: 'hefei-psb', role: 'police', region: '340100' },
      region: '340104',
    });

    const again = await dna.call('POST', '/v1/samples', body, 'police');
    expect(again.status).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.sampleId).toBe(res.body.sampleId);
    const reused = await dna.call('POST', '/v1/samples', { ...body, place: 'elsewhere' }, 'police');
    expect(reused.status).toBe(409);
    expect(reused.body).toMatchObject({
      code: 'DNA_ERR_KIT_REUSED',
      type: 'urn:homeward:problem:dna-err-kit-reused',
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(events.events.filter((x) => x.subject === res.body.sampleId)).toHaveLength(1);
  });

  it('refuses invalid samples, naming the fields', async () => {
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [newSample({ kind: 'parent', caseId: 'case-1' }), 'DNA_ERR_INVALID_SAMPLE', '/subject/relation'],
      [newSample({ kind: 'parent', relation: 'father' }), 'DNA_ERR_INVALID_SAMPLE', '/subject/caseId'],
      [
        newSample({ kind: 'rescued-child', relation: 'father' }),
        'DNA_ERR_INVALID_SAMPLE',
        '/subject/relation',
      ],
      [
        newSample(parent(), { collectedAt: '2026-11-29T08:00:00Z' }),
        'DNA_ERR_INVALID_SAMPLE',
        '/collectedAt',
      ],
      [newSample({ kind: 'grandparent' }), 'HOMEWARD_ERR_INVALID_INPUT', '/subject/kind'],
      [newSample(parent(), { region: '000000' }), 'HOMEWARD_ERR_INVALID_INPUT', '/region'],
      [newSample(parent(), { kitBarcode: 'a b' }), 'HOMEWARD_ERR_INVALID_INPUT', '/kitBarcode'],
      [newSample(parent(), { collectedAt: 'yesterday' }), 'HOMEWARD_ERR_INVALID_INPUT', '/collectedAt'],
      // No genotypes at registration: an unknown member is refused (the kit names no property here).
      [newSample(parent(), { genotypes: {} }), 'HOMEWARD_ERR_INVALID_INPUT', '/'],
      [{ ...newSample(parent()), collector: undefined }, 'HOMEWARD_ERR_INVALID_INPUT', '/collector'],
    ];
    for (const [body, code, field] of cases) {
      const res = await dna.call('POST', '/v1/samples', body, 'police');
      expect({ field, status: res.status, code: res.body.code }).toEqual({ field, status: 400, code });
      expect(res.body.errors.map((e: { field: string }) => e.field).join(' ')).toContain(field);
    }
  });

  it('admits police and dna-lab only', async () => {
    for (const role of ['health', 'operator', 'volunteer']) {
      const res = await dna.call('POST', '/v1/samples', newSample(parent()), role);
      expect({ role, status: res.status, code: res.body.code }).toEqual({
        role,
        status: 403,
        code: 'HOMEWARD_ERR_FORBIDDEN',
      });
    }
    expect((await dna.call('POST', '/v1/samples', newSample(parent()), null)).status).toBe(401);
    expect((await dna.call('POST', '/v1/samples', newSample(parent()), 'dna-lab')).status).toBe(201);
  });
});

describe('custody', () => {
  it('walks the state machine and refuses steps out of order with their own problem type', async () => {
    const id = (await dna.call('POST', '/v1/samples', newSample(parent()), 'police')).body.sampleId;
    const url = `/v1/samples/${id}/custody`;
    const skip = await dna.call('POST', url, step('received', '2026-11-27T12:00:00+08:00'));
    expect(skip.status).toBe(409);
    expect(skip.body).toMatchObject({
      code: 'DNA_ERR_CUSTODY_OUT_OF_ORDER',
      type: 'urn:homeward:problem:dna-err-custody-out-of-order',
      currentStep: 'collected',
      allowedSteps: ['sealed', 'destroyed'],
    });
    expect((await dna.call('POST', url, step('collected', '2026-11-27T12:00:00+08:00'))).status).toBe(409);

    // Police collect; every later step is a lab's (403 for police, before the body is read).
    const byPolice = await dna.call('POST', url, step('sealed', '2026-11-27T10:30:00+08:00'), 'police');
    expect(byPolice.status).toBe(403);
    const sealed = await dna.call('POST', url, step('sealed', '2026-11-27T10:30:00+08:00'));
    expect(sealed.status).toBe(201);
    expect(sealed.body).toMatchObject({
      seq: 1,
      step: 'sealed',
      agencyId: 'anhui-forensic-dna-lab',
      role: 'dna-lab',
    });
    const replay = await dna.call('POST', url, step('sealed', '2026-11-27T10:30:00+08:00'));
    expect(replay.status).toBe(200);
    expect(replay.body.hash).toBe(sealed.body.hash);

    const noTracking = await dna.call('POST', url, step('shipped', '2026-11-27T11:00:00+08:00'));
    expect(noTracking.status).toBe(400);
    expect(noTracking.body).toMatchObject({
      code: 'DNA_ERR_INVALID_CUSTODY_STEP',
      errors: [{ field: '/trackingNumber' }],
    });
    const trackingOnSealed = await dna.call(
      'POST',
      url,
      step('received', '2026-11-27T11:00:00+08:00', { trackingNumber: 'X1' }),
    );
    expect(trackingOnSealed.body.errors).toEqual([
      { field: '/trackingNumber', message: 'only a shipment has a tracking number' },
    ]);
    const before = await dna.call(
      'POST',
      url,
      step('shipped', '2026-11-27T09:00:00+08:00', { trackingNumber: 'SF1' }),
    );
    expect(before.status).toBe(422);
    expect(before.body.code).toBe('DNA_ERR_CUSTODY_TIME_ORDER');
    const future = await dna.call(
      'POST',
      url,
      step('shipped', '2026-11-28T09:00:00Z', { trackingNumber: 'SF1' }),
    );
    expect(future.status).toBe(400);
    expect(future.body.errors).toEqual([{ field: '/at', message: 'is in the future' }]);
    const badStep = await dna.call('POST', url, step('lost', '2026-11-27T11:00:00+08:00'));
    expect(badStep.status).toBe(400);
    expect(badStep.body.code).toBe('HOMEWARD_ERR_INVALID_INPUT');
    expect(
      (
        await dna.call(
          'POST',
          url,
          step('shipped', '2026-11-27T11:00:00+08:00', { trackingNumber: 'SF1' }),
          'health',
        )
      ).status,
    ).toBe(403);

    for (const [s, at, extra] of [
      ['shipped', '2026-11-27T11:00:00+08:00', { trackingNumber: 'SF1234567890' }],
      ['received', '2026-11-27T18:00:00+08:00', {}],
      ['profiled', '2026-11-28T09:00:00+08:00', {}],
      ['stored', '2026-11-28T10:00:00+08:00', {}],
      ['destroyed', '2026-11-28T11:00:00+08:00', { note: 'used up' }],
    ] as const) {
      const res = await dna.call('POST', url, step(s, at, extra));
      expect({ s, status: res.status }).toEqual({ s, status: 201 });
    }
    const after = await dna.call('POST', url, step('stored', '2026-11-28T12:00:00+08:00'));
    expect(after.status).toBe(409);
    expect(after.body).toMatchObject({ code: 'DNA_ERR_CUSTODY_OUT_OF_ORDER', allowedSteps: [] });

    const chain = await dna.call('GET', url, undefined, 'operator');
    expect(chain.status).toBe(200);
    expect(chain.body.records.map((r: { step: string }) => r.step)).toEqual([
      'collected',
      'sealed',
      'shipped',
      'received',
      'profiled',
      'stored',
      'destroyed',
    ]);
    expect(chain.body.records[2].trackingNumber).toBe('SF1234567890');
    expect(chain.body.verification).toEqual({ valid: true, length: 7, head: chain.body.records[6].hash });
    expect(chain.body.records[3].prevHash).toBe(chain.body.records[2].hash);

    const recorded = events.events.filter(
      (e) => e.subject === id && e.type === 'homeward.dna.custody-recorded',
    );
    await waitFor(
      () =>
        events.events.filter((e) => e.subject === id && e.type === 'homeward.dna.custody-recorded').length ===
        6,
    );
    expect(recorded.every((e) => !JSON.stringify(e.data).includes('SF1234567890'))).toBe(true);
    const destroyedFromCollected = (await dna.call('POST', '/v1/samples', newSample(parent()), 'police')).body
      .sampleId;
    expect(
      (
        await dna.call(
          'POST',
          `/v1/samples/${destroyedFromCollected}/custody`,
          step('destroyed', '2026-11-27T11:00:00+08:00'),
        )
      ).body,
    ).toMatchObject({ status: 400, errors: [{ field: '/note', message: 'a destruction needs its reason' }] });
    expect(
      (
        await dna.call(
          'POST',
          `/v1/samples/${destroyedFromCollected}/custody`,
          step('destroyed', '2026-11-27T11:00:00+08:00', { note: 'consent withdrawn' }),
        )
      ).status,
    ).toBe(201);
    expect(
      (await dna.call('POST', '/v1/samples/smp-nope/custody', step('sealed', '2026-11-27T11:00:00+08:00')))
        .status,
    ).toBe(404);
  });

  it('shows a record edited directly in MongoDB, and refuses to extend that chain', async () => {
    const id = await sampleAtLab(dna, parent());
    const { client, close } = await testDatabase('unused');
    try {
      const records = client.db(dna.dbName).collection<{ _id: string }>('custody_records');
      const url = `/v1/samples/${id}/custody`;
      expect((await dna.call('GET', url)).body.verification).toMatchObject({ valid: true, length: 4 });
      await records.updateOne({ _id: `${id}:2` }, { $set: { trackingNumber: 'EMS0000000' } });
      const tampered = await dna.call('GET', url);
      expect(tampered.body.records[2].trackingNumber).toBe('EMS0000000');
      expect(tampered.body.verification).toEqual({
        valid: false,
        length: 4,
        failedAt: 2,
        reason: 'hash-mismatch',
      });
      const extend = await dna.call('POST', url, step('profiled', '2026-11-28T09:00:00+08:00'));
      expect(extend.status).toBe(409);
      expect(extend.body.code).toBe('DNA_ERR_CUSTODY_CHAIN_BROKEN');

      // Deleted records: in the middle, and the last one (its anchor remains).
      const other = await sampleAtLab(dna, parent());
      const otherUrl = `/v1/samples/${other}/custody`;
      await records.deleteOne({ _id: `${other}:3` });
      expect((await dna.call('GET', otherUrl)).body.verification).toEqual({
        valid: false,
        length: 4,
        failedAt: 3,
        reason: 'missing-record',
      });
      await records.deleteOne({ _id: `${other}:1` });
      expect((await dna.call('GET', otherUrl)).body.verification).toMatchObject({
        valid: false,
        failedAt: 1,
        reason: 'missing-record',
      });
    } finally {
      await close();
    }
  });

  it('lists samples overdue in their step by the injected clock', async () => {
    clock.set('2026-12-01T00:00:00Z');
    const id = (
      await dna.call(
        'POST',
        '/v1/samples',
        newSample(parent(), { collectedAt: '2026-11-30T20:00:00Z' }),
        'police',
      )
    ).body.sampleId;
    const url = `/v1/samples/${id}/custody`;
    await dna.call('POST', url, step('sealed', '2026-11-30T21:00:00Z'));
    await dna.call('POST', url, step('shipped', '2026-11-30T22:00:00Z', { trackingNumber: 'SF9' }));
    const listed = async () =>
      (
        (await dna.call('GET', '/v1/samples?overdue=true', undefined, 'operator')).body.samples as Array<{
          sampleId: string;
        }>
      ).find((s) => s.sampleId === id);
    expect(await listed()).toBeUndefined();
    clock.advance(69 * 3_600_000);
    expect(await listed()).toBeUndefined();
    clock.advance(2 * 3_600_000);
    expect(await listed()).toMatchObject({
      step: 'shipped',
      limitHours: 72,
      overdueHours: 1,
      subjectKind: 'parent',
    });
    expect((await dna.call('GET', '/v1/samples?overdue=true', undefined, 'police')).status).toBe(403);
    expect((await dna.call('GET', '/v1/samples?overdue=maybe', undefined, 'dna-lab')).status).toBe(400);
    expect((await dna.call('POST', url, step('received', '2026-12-03T22:30:00Z'))).status).toBe(201);
    expect(await listed()).toBeUndefined();
  });
});
