import { createEvent, type EventData, type EventType, type HomewardEvent } from '@homeward/events';
import { ownerSource } from '@homeward/messaging';
import { ManualClock } from '@homeward/service-kit';
import {
  createTestTopics,
  deleteTestTopics,
  type TopicCollector,
  uniqueName,
  waitFor,
} from '@homeward/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseOpenedData, dnaEventsCollector, newSample, type RunningDna, startDna } from '../support.ts';

const clock = new ManualClock('2026-11-28T00:00:00Z');
const LIMIT_HOURS = 72;
let prefix: string;
let dna: RunningDna;
let events: TopicCollector;

beforeAll(async () => {
  prefix = await createTestTopics('dna-duties');
  // The clock does not tick on its own here: the test looks at it with the manual clock.
  dna = await startDna({
    prefix,
    clock,
    env: { SAMPLING_OVERDUE_HOURS: String(LIMIT_HOURS), SAMPLING_CHECK_INTERVAL_MS: '3600000' },
  });
  events = await dnaEventsCollector(prefix);
});

afterAll(async () => {
  await events.stop();
  await dna.stop();
  await deleteTestTopics(prefix);
});

/** A case event from the service that owns its type (intake opens cases; rescue does the rest). */
const caseEvent = <T extends EventType>(type: T, data: EventData<T>) =>
  createEvent(type, data, { source: ownerSource(type), id: uniqueName('evt') }) as HomewardEvent;

type Duty = { caseId: string; subject: string; owedSince: string; overdue: boolean; region: string };

async function dutiesOf(caseId: string, role = 'dna-lab'): Promise<Duty[]> {
  const res = await dna.call('GET', `/v1/sampling-duties?caseId=${caseId}`, undefined, role);
  expect(res.status).toBe(200);
  return res.body.duties;
}

const until = (caseId: string, ready: (d: Duty[]) => boolean) =>
  waitFor(
    async () => {
      const d = await dutiesOf(caseId);
      return ready(d) ? d : undefined;
    },
    { what: `duties of ${caseId}`, timeoutMs: 20_000 },
  );

const overdueOf = (caseId: string) =>
  events.events.filter((e) => e.type === 'homeward.dna.sampling-overdue' && e.subject === caseId);

describe('sampling duties', () => {
  it('appear from the case events, clear as samples are taken, retire when the case closes', async () => {
    const m = uniqueName('case-m');
    const u = uniqueName('case-u');
    const openedAt = '2026-11-28T00:00:00.000Z';
    await dna.publish(
      caseEvent(
        'homeward.case.opened',
        caseOpenedData(m, 'missing-child', {
          openedAt,
          parents: [
            { relation: 'father', name: 'Li Jianguo', idNumber: '340104198001011234' },
            { relation: 'mother', name: 'Wang Fang', living: false },
          ],
        }),
      ),
      caseEvent('homeward.case.opened', caseOpenedData(u, 'unidentified-child', { openedAt })),
    );
    // Only the living parent owes; the unidentified child owes its own.
    expect((await until(m, (d) => d.length > 0)).map((d) => d.subject)).toEqual(['father']);
    expect(await until(u, (d) => d.length > 0)).toMatchObject([
      { caseId: u, subject: 'child', owedSince: openedAt, overdue: false, region: '340104' },
    ]);
    // Police of Hefei and the province's operator see them; nobody outside DNA, police and operators.
    expect(await dutiesOf(u, 'police')).toHaveLength(1);
    expect(await dutiesOf(u, 'operator')).toHaveLength(1);
    expect((await dna.call('GET', '/v1/sampling-duties', undefined, 'civil-affairs')).status).toBe(403);
    expect((await dna.call('GET', '/v1/sampling-duties', undefined, null)).status).toBe(401);

    // Samples name a case that exists, and a parent names a missing child's case.
    const unknown = await dna.call(
      'POST',
      '/v1/samples',
      newSample({ kind: 'parent', relation: 'father', caseId: uniqueName('nowhere') }),
      'police',
    );
    expect(unknown.status).toBe(422);
    expect(unknown.body.code).toBe('DNA_ERR_CASE_UNKNOWN');
    const mismatch = await dna.call(
      'POST',
      '/v1/samples',
      newSample({ kind: 'parent', relation: 'father', caseId: u }),
      'police',
    );
    expect(mismatch.status).toBe(422);
    expect(mismatch.body.code).toBe('DNA_ERR_CASE_MISMATCH');

    const father = await dna.call(
      'POST',
      '/v1/samples',
      newSample({ kind: 'parent', relation: 'father', caseId: m }),
      'police',
    );
    expect(father.status).toBe(201);
    expect(await dutiesOf(m)).toEqual([]);
    const child = await dna.call('POST', '/v1/samples', newSample({ kind: 'unidentified-child', caseId: u }));
    expect(child.status).toBe(201);
    expect(await dutiesOf(u)).toEqual([]);

    // A rescued child of a missing-child case owes its own sample; closing the case retires it.
    const rescuedAt = '2026-11-29T00:00:00.000Z';
    await dna.publish(
      caseEvent('homeward.case.child-rescued', { caseId: m, rescuedAt, place: 'Hefei', region: '340104' }),
    );
    expect(await until(m, (d) => d.length > 0)).toMatchObject([{ subject: 'child', owedSince: rescuedAt }]);
    await dna.publish(caseEvent('homeward.case.closed', { caseId: m, closedAt: rescuedAt, reason: 'found' }));
    await until(m, (d) => d.length === 0);
  });

  it('lists only the cases inside the caller region', async () => {
    const far = uniqueName('case-js');
    await dna.publish(
      caseEvent('homeward.case.opened', caseOpenedData(far, 'unidentified-child', { region: '320102' })),
    );
    await waitFor(() => dna.app.store.findCase(far), { what: 'the Jiangsu case known' });
    // Hefei police (340100) and Anhui's operator (340000) are outside Nanjing (320102).
    expect(await dutiesOf(far, 'police')).toEqual([]);
    expect(await dutiesOf(far, 'operator')).toEqual([]);
    const overdue = await dna.call('GET', '/v1/overdue', undefined, 'operator');
    expect(overdue.body.overdue.map((o: { caseId: string }) => o.caseId)).not.toContain(far);
  });

  it('raises sampling-overdue once per duty at its boundary, not before, and lists it', async () => {
    const m = uniqueName('case-m');
    clock.set('2026-12-01T00:00:00Z');
    const openedAt = '2026-12-01T00:00:00.000Z';
    await dna.publish(caseEvent('homeward.case.opened', caseOpenedData(m, 'missing-child', { openedAt })));
    await until(m, (d) => d.length === 2);
    const mother = await dna.call(
      'POST',
      '/v1/samples',
      newSample({ kind: 'parent', relation: 'mother', caseId: m }),
      'police',
    );
    expect(mother.status).toBe(201);

    const boundary = Date.parse(openedAt) + LIMIT_HOURS * 3_600_000;
    clock.set(new Date(boundary - 1));
    await dna.app.samplingClock.tick();
    expect((await dutiesOf(m))[0]).toMatchObject({ subject: 'father', overdue: false });
    clock.set(new Date(boundary));
    const pass = await dna.app.samplingClock.tick();
    expect(pass.results.find((r) => r.id === m)?.result).toBe(1);
    await dna.app.samplingClock.tick();
    clock.advance(24 * 3_600_000);
    await dna.app.samplingClock.tick();
    await dna.app.sampling.raiseOverdue(m);

    const raised = await waitFor(() => (overdueOf(m).length > 0 ? overdueOf(m) : undefined), {
      what: 'sampling-overdue',
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(overdueOf(m)).toHaveLength(1);
    expect(raised[0]!.id).toBe(`${m}.sampling-overdue.father`);
    expect(raised[0]!.data).toEqual({
      caseId: m,
      subject: 'father',
      region: '340104',
      owedSince: openedAt,
      limitHours: LIMIT_HOURS,
      detectedAt: new Date(boundary).toISOString(),
    });
    const listed = await dna.call('GET', '/v1/overdue', undefined, 'police');
    expect(listed.status).toBe(200);
    expect(listed.body.overdue.filter((o: { caseId: string }) => o.caseId === m)).toEqual([
      {
        clock: 'sampling',
        caseId: m,
        region: '340104',
        subject: 'father',
        since: openedAt,
        dueAt: new Date(boundary).toISOString(),
      },
    ]);
  });
});
