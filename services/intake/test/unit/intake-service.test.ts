import type { CloudEvent } from '@homeward/events';
import { MemoryPersistence } from '@homeward/persistence';
import { AppError, ManualClock, type Principal } from '@homeward/service-kit';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { duplicateChildKey } from '../../src/domain/duplicate-child.ts';
import { caseIdFor, reportIdFor } from '../../src/domain/ids.ts';
import { IntakeService, type Submission } from '../../src/intake-service.ts';
import { type IntakeStores, intakeStores } from '../../src/store/report-store.ts';

// The application service over the memory stores: the whole pipeline, no infrastructure.

const police = (agencyId = 'hefei-psb'): Principal => ({ agencyId, role: 'police', region: '340100' });
const unit: Principal = { agencyId: 'hefei-south-station', role: 'unit', region: '340100' };

const missingChild = (over: { name?: string; at?: string } = {}) => ({
  kind: 'missing-child',
  child: { name: over.name ?? 'Li Xiaoming', sex: 'male', birthDate: '2019-05-01' },
  lastSeen: {
    at: over.at ?? '2026-11-28T07:00:00Z',
    place: 'Hefei South Station',
    lat: 31.8,
    lon: 117.3,
    region: '340104',
  },
});
const sighting = (caseId: string) => ({
  kind: 'sighting',
  caseId,
  description: 'a boy in a red jacket',
  seenAt: { at: '2026-11-28T07:30:00Z', place: 'bus terminal', lat: 31.85, lon: 117.2, region: '340104' },
});
const event = (data: unknown, id = 'ce-1'): CloudEvent => ({
  specversion: '1.0',
  id,
  source: 'agency/hefei-psb',
  type: 'homeward.report.submitted',
  data,
});
const submission = (data: unknown, id = 'ce-1', principal = police()): Submission => ({
  event: event(data, id),
  principal,
  channel: 'http',
});

let persistence: MemoryPersistence;
let stores: IntakeStores;
let intake: IntakeService;

beforeEach(() => {
  persistence = new MemoryPersistence();
  stores = intakeStores(persistence);
  intake = new IntakeService({
    stores,
    leases: persistence.leases,
    clock: new ManualClock('2026-11-28T08:00:00Z'),
    duplicateWindowDays: 30,
  });
});

async function refusal(p: Promise<unknown>): Promise<{ code: string; status: number }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return { code: (err as AppError).code, status: (err as AppError).status };
}

describe('a report, from its first delivery to its retries', () => {
  it('a missing child opens a case: the report, the case, the claim and case.opened, stored together', async () => {
    const r = await intake.submit(submission(missingChild()));
    const reportId = reportIdFor('hefei-psb', 'ce-1');
    expect(r).toStrictEqual({ reportId, caseId: caseIdFor(reportId), outcome: 'case-opened', replay: false });
    expect(await stores.reports.get(reportId)).toMatchObject({ caseId: r.caseId, channel: 'http' });
    expect(await stores.cases.get(r.caseId)).toMatchObject({ status: 'open', kind: 'missing-child' });
    const key = duplicateChildKey(missingChild() as never);
    expect(await stores.childKeys.get(key)).toMatchObject({ caseId: r.caseId, openerReportId: reportId });
    expect(persistence.outbox.published.map((e) => [e.type, e.id])).toEqual([
      ['homeward.case.opened', `${reportId}.case-opened`],
    ]);
  });

  it('the case it opened is one it recorded (its consumer skips that case.opened undecoded), one of another instance not', async () => {
    const r = await intake.submit(submission(missingChild()));
    expect(intake.hasRecorded(r.caseId)).toBe(true);
    const lead = await intake.submit(submission(sighting(r.caseId), 'ce-s', unit));
    expect(lead.caseId).toBe(r.caseId);
    expect(intake.hasRecorded('case-of-another-instance')).toBe(false);
  });

  it('notes its case before the case insert answers (case.opened may already be out), and takes the note back if the insert fails', async () => {
    const caseId = caseIdFor(reportIdFor('hefei-psb', 'ce-1'));
    const insertCase = stores.cases.insertOnce.bind(stores.cases);
    let release = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    stores.cases.insertOnce = async (...args) => {
      await gate;
      return insertCase(...args);
    };
    const pending = intake.submit(submission(missingChild()));
    await vi.waitFor(() => expect(persistence.outbox.published).toHaveLength(1));
    expect(intake.hasRecorded(caseId)).toBe(true);
    release();
    await pending;
    expect(intake.hasRecorded(caseId)).toBe(true);

    const failing = new IntakeService({
      stores: {
        ...stores,
        cases: Object.assign(Object.create(stores.cases), {
          insertOnce: async () => {
            throw new Error('store down');
          },
        }),
      },
      leases: persistence.leases,
      clock: new ManualClock('2026-11-28T08:00:00Z'),
      duplicateWindowDays: 30,
    });
    await expect(failing.submit(submission(missingChild({ name: 'Wang Fang' }), 'ce-2'))).rejects.toThrow(
      'store down',
    );
    const failedCase = caseIdFor(reportIdFor('hefei-psb', 'ce-2'));
    expect(failing.hasRecorded(failedCase)).toBe(false);
    // The agency's retry replays the stored report and writes the case the failure left out.
    const retried = await intake.submit(submission(missingChild({ name: 'Wang Fang' }), 'ce-2'));
    expect(retried).toMatchObject({ caseId: failedCase, replay: true });
    expect(await stores.cases.get(failedCase)).toMatchObject({ status: 'open' });
    expect(intake.hasRecorded(failedCase)).toBe(true);
  });

  it('a retry gets the first answer and publishes nothing new', async () => {
    const first = await intake.submit(submission(missingChild()));
    const again = await intake.submit(submission(missingChild()));
    expect(again).toStrictEqual({ ...first, replay: true });
    expect(persistence.outbox.published).toHaveLength(1);
  });

  it('the same id with other content is refused, and nothing changes', async () => {
    await intake.submit(submission(missingChild()));
    expect(await refusal(intake.submit(submission(missingChild({ name: 'Wang Fang' }))))).toEqual({
      code: 'INTAKE_ERR_ID_REUSED',
      status: 409,
    });
    expect(persistence.outbox.published).toHaveLength(1);
  });

  it('ten copies at once: one answer, one case, one event', async () => {
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => intake.submit(submission(missingChild()))),
    );
    expect(new Set(answers.map((a) => a.caseId)).size).toBe(1);
    expect(answers.filter((a) => !a.replay)).toHaveLength(1);
    expect(persistence.outbox.published).toHaveLength(1);
  });

  it('a refused report stores nothing', async () => {
    const future = missingChild({ at: '2026-11-29T00:00:00Z' });
    expect(await refusal(intake.submit(submission(future)))).toEqual({
      code: 'INTAKE_ERR_INVALID_REPORT',
      status: 400,
    });
    expect(await refusal(intake.submit(submission(missingChild(), 'ce-2', unit)))).toEqual({
      code: 'INTAKE_ERR_KIND_NOT_ALLOWED',
      status: 403,
    });
    expect(await stores.reports.count()).toBe(0);
    expect(persistence.outbox.published).toEqual([]);
  });
});

describe('the duplicate-child rule', () => {
  it('a second report of the child adds a lead to its case and slides the window on', async () => {
    const first = await intake.submit(submission(missingChild()));
    const second = await intake.submit(
      submission(
        missingChild({ name: 'LI  XIAOMING', at: '2026-11-28T07:40:00Z' }),
        'ce-9',
        police('lu-an-psb'),
      ),
    );
    expect(second).toMatchObject({ caseId: first.caseId, outcome: 'lead-added', replay: false });
    expect(persistence.outbox.ofType('homeward.case.lead-added')[0]?.data).toMatchObject({
      caseId: first.caseId,
      origin: 'duplicate-report',
    });
    const key = duplicateChildKey(missingChild() as never);
    expect((await stores.childKeys.get(key))?.lastSeenAt).toBe('2026-11-28T07:40:00Z');
  });

  it('concurrent reports of one child from five agencies open exactly one case', async () => {
    const answers = await Promise.all(
      ['a', 'b', 'c', 'd', 'e'].map((a) => intake.submit(submission(missingChild(), `ce-${a}`, police(a)))),
    );
    expect(answers.filter((a) => a.outcome === 'case-opened')).toHaveLength(1);
    expect(new Set(answers.map((a) => a.caseId)).size).toBe(1);
    expect(persistence.outbox.ofType('homeward.case.lead-added')).toHaveLength(4);
  });

  it('once the case is closed, the child missing again opens a new case', async () => {
    const first = await intake.submit(submission(missingChild()));
    await intake.caseClosed({ caseId: first.caseId, closedAt: '2026-11-28T07:50:00Z', reason: 'found' });
    expect(await stores.cases.get(first.caseId)).toMatchObject({ status: 'closed' });
    expect(await stores.childKeys.count()).toBe(0);
    const again = await intake.submit(submission(missingChild(), 'ce-2'));
    expect(again).toMatchObject({ outcome: 'case-opened' });
    expect(again.caseId).not.toBe(first.caseId);
  });

  it('a claim a crash left without its report is taken over', async () => {
    const key = duplicateChildKey(missingChild() as never);
    await stores.childKeys.insertOnce({
      _id: key,
      caseId: 'case-never-opened',
      openerReportId: 'rpt-crashed',
      lastSeenAt: '2026-11-28T07:00:00Z',
      claimedAt: new Date('2026-11-28T07:59:00Z'),
    });
    const r = await intake.submit(submission(missingChild()));
    expect(r.outcome).toBe('case-opened');
    expect(await stores.childKeys.get(key)).toMatchObject({ caseId: r.caseId });
  });

  it('past the window, a new case', async () => {
    await intake.submit(submission(missingChild({ at: '2026-10-01T00:00:00Z' })));
    const later = await intake.submit(submission(missingChild({ at: '2026-11-28T07:00:00Z' }), 'ce-2'));
    expect(later.outcome).toBe('case-opened');
  });
});

describe('retries and reused ids, with no read before the first write', () => {
  // The report's own insert is the idempotency check: these are the paths where a retry meets a
  // world that moved on since its first delivery.
  const unidentified = {
    kind: 'unidentified-child',
    child: { sex: 'female', apparentAge: 5 },
    foundAt: {
      at: '2026-11-28T07:00:00Z',
      place: 'Hefei bus terminal',
      lat: 31.8,
      lon: 117.3,
      region: '340104',
    },
  };

  it('a retry of a sighting accepted before its case closed gets its first answer, not 409', async () => {
    const opened = await intake.submit(submission(missingChild()));
    const lead = await intake.submit(submission(sighting(opened.caseId), 'ce-s', unit));
    await intake.caseClosed({ caseId: opened.caseId, closedAt: '2026-11-28T07:55:00Z', reason: 'found' });
    const again = await intake.submit(submission(sighting(opened.caseId), 'ce-s', unit));
    expect(again).toStrictEqual({ ...lead, replay: true });
    expect(persistence.outbox.ofType('homeward.case.lead-added')).toHaveLength(1);
  });

  it('a retry after a later report took the child over neither takes it back nor adds a lead', async () => {
    const first = await intake.submit(submission(missingChild({ at: '2026-10-01T00:00:00Z' })));
    const later = await intake.submit(submission(missingChild({ at: '2026-11-28T07:00:00Z' }), 'ce-2'));
    expect(later.outcome).toBe('case-opened');
    const again = await intake.submit(submission(missingChild({ at: '2026-10-01T00:00:00Z' })));
    expect(again).toStrictEqual({ ...first, replay: true });
    const key = duplicateChildKey(missingChild() as never);
    expect(await stores.childKeys.get(key)).toMatchObject({ caseId: later.caseId });
    expect(persistence.outbox.published).toHaveLength(2);
  });

  it('a retry of a lead after its case closed answers as before, and the child later opens a new case', async () => {
    const opened = await intake.submit(submission(missingChild()));
    const lead = await intake.submit(submission(missingChild({ at: '2026-11-28T07:30:00Z' }), 'ce-2'));
    expect(lead.outcome).toBe('lead-added');
    await intake.caseClosed({ caseId: opened.caseId, closedAt: '2026-11-28T07:50:00Z', reason: 'found' });
    // The key is free: the retry claims it on its way to finding its first answer.
    const again = await intake.submit(submission(missingChild({ at: '2026-11-28T07:30:00Z' }), 'ce-2'));
    expect(again).toStrictEqual({ ...lead, replay: true });
    // That claim names a case no report opened: the next report of the child takes it over.
    const next = await intake.submit(submission(missingChild({ at: '2026-11-28T07:45:00Z' }), 'ce-3'));
    expect(next.outcome).toBe('case-opened');
    expect(next.caseId).not.toBe(opened.caseId);
    expect(await stores.cases.get(next.caseId)).toMatchObject({ status: 'open' });
    expect(persistence.outbox.ofType('homeward.case.opened').map((e) => e.data.caseId)).toEqual([
      opened.caseId,
      next.caseId,
    ]);
  });

  it('an id reused for another child is refused, and leaves no claim that misroutes that child', async () => {
    await intake.submit(submission(unidentified));
    expect(await refusal(intake.submit(submission(missingChild())))).toEqual({
      code: 'INTAKE_ERR_ID_REUSED',
      status: 409,
    });
    // The refused copy's case record is taken back: the first report opened its own case.
    expect(await stores.cases.count()).toBe(1);
    const real = await intake.submit(submission(missingChild(), 'ce-2'));
    expect(real).toMatchObject({ outcome: 'case-opened', replay: false });
    expect(await stores.childKeys.get(duplicateChildKey(missingChild() as never))).toMatchObject({
      caseId: real.caseId,
    });
  });

  it('ten copies of a report that opens a case without a lease: one case, one event', async () => {
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => intake.submit(submission(unidentified))),
    );
    expect(answers.filter((a) => !a.replay)).toHaveLength(1);
    expect(new Set(answers.map((a) => a.caseId)).size).toBe(1);
    expect(await stores.cases.get(answers[0]!.caseId)).toMatchObject({ status: 'open' });
    expect(await stores.cases.count()).toBe(1);
    expect(persistence.outbox.published).toHaveLength(1);
  });

  it('a crash between the claim and the report: the retry opens the case it claimed', async () => {
    const reportId = reportIdFor('hefei-psb', 'ce-1');
    const key = duplicateChildKey(missingChild() as never);
    await stores.childKeys.insertOnce({
      _id: key,
      caseId: caseIdFor(reportId),
      openerReportId: reportId,
      lastSeenAt: '2026-11-28T07:00:00Z',
      claimedAt: new Date('2026-11-28T07:59:00Z'),
    });
    const r = await intake.submit(submission(missingChild()));
    expect(r).toMatchObject({ caseId: caseIdFor(reportId), outcome: 'case-opened', replay: false });
    expect(await stores.cases.get(r.caseId)).toMatchObject({ status: 'open', childKey: key });
    expect(persistence.outbox.ofType('homeward.case.opened')).toHaveLength(1);
  });

  it('a crash that left the case record without its report: another report of the child opens its own', async () => {
    const crashedId = reportIdFor('hefei-psb', 'ce-crashed');
    const key = duplicateChildKey(missingChild() as never);
    await stores.childKeys.insertOnce({
      _id: key,
      caseId: caseIdFor(crashedId),
      openerReportId: crashedId,
      lastSeenAt: '2026-11-28T07:00:00Z',
      claimedAt: new Date('2026-11-28T07:59:00Z'),
    });
    await stores.cases.insertOnce({
      _id: caseIdFor(crashedId),
      status: 'open',
      kind: 'missing-child',
      region: '340104',
      openedAt: new Date('2026-11-28T07:59:00Z'),
      reportId: crashedId,
      childKey: key,
    });
    const r = await intake.submit(submission(missingChild(), 'ce-2'));
    expect(r).toMatchObject({ outcome: 'case-opened', replay: false });
    expect(r.caseId).not.toBe(caseIdFor(crashedId));
    expect(persistence.outbox.ofType('homeward.case.lead-added')).toHaveLength(0);
  });
});

describe('sightings and the view of cases', () => {
  it('a sighting needs a known, open case', async () => {
    expect(await refusal(intake.submit(submission(sighting('case-x'), 'ce-s', unit)))).toEqual({
      code: 'INTAKE_ERR_CASE_NOT_FOUND',
      status: 404,
    });
    const opened = await intake.submit(submission(missingChild()));
    const lead = await intake.submit(submission(sighting(opened.caseId), 'ce-s2', unit));
    expect(lead).toMatchObject({ caseId: opened.caseId, outcome: 'lead-added' });
    await intake.caseClosed({ caseId: opened.caseId, closedAt: '2026-11-28T07:55:00Z', reason: 'found' });
    expect(await refusal(intake.submit(submission(sighting(opened.caseId), 'ce-s3', unit)))).toEqual({
      code: 'INTAKE_ERR_CASE_CLOSED',
      status: 409,
    });
  });

  it('a case closed twice, or never seen, changes nothing more', async () => {
    await intake.caseClosed({ caseId: 'case-unknown', closedAt: '2026-11-28T07:55:00Z', reason: 'found' });
    const opened = await intake.submit(submission(missingChild()));
    const close = { caseId: opened.caseId, closedAt: '2026-11-28T07:55:00Z', reason: 'found' };
    await intake.caseClosed(close);
    await intake.caseClosed({ ...close, closedAt: '2026-11-28T07:58:00Z' });
    expect(await stores.cases.get(opened.caseId)).toMatchObject({
      status: 'closed',
      closedAt: new Date('2026-11-28T07:55:00Z'),
    });
    expect(await stores.cases.count()).toBe(1);
  });

  it('case.opened repairs a case record a crash left unwritten, with its child key', async () => {
    const r = await intake.submit(submission(missingChild()));
    const event = persistence.outbox.ofType('homeward.case.opened')[0]!;
    const fresh = intakeStores(new MemoryPersistence());
    await fresh.reports.insertOnce((await stores.reports.get(r.reportId))!);
    const repaired = new IntakeService({
      stores: fresh,
      leases: persistence.leases,
      clock: new ManualClock(),
      duplicateWindowDays: 30,
    });
    await repaired.caseOpened(event.data);
    expect(await fresh.cases.get(r.caseId)).toMatchObject({
      status: 'open',
      reportId: r.reportId,
      childKey: duplicateChildKey(missingChild() as never),
    });
  });

  it("an agency reads its own reports only; another's is not found", async () => {
    const r = await intake.submit(submission(missingChild()));
    expect(await intake.reportFor('hefei-psb', r.reportId)).toMatchObject({ caseId: r.caseId });
    expect(await refusal(intake.reportFor('lu-an-psb', r.reportId))).toEqual({
      code: 'INTAKE_ERR_REPORT_NOT_FOUND',
      status: 404,
    });
  });
});
