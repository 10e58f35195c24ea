import { MEDIA } from '@homeward/events';
import { createTestTopics, deleteTestTopics, uniqueName } from '@homeward/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingChild, type RunningIntake, reportEvent, startIntake } from '../support.ts';

let intake: RunningIntake;
let prefix: string;

beforeAll(async () => {
  prefix = await createTestTopics('intake-malformed');
  intake = await startIntake({ prefix });
});

afterAll(async () => {
  await intake.stop();
  await deleteTestTopics(prefix);
});

const batch = (items: unknown[]) =>
  intake.post(undefined, { raw: JSON.stringify(items), headers: { 'content-type': MEDIA.batch } });

describe('POST /v1/reports in batch mode with malformed items', () => {
  it('answers each non-object item with its own 400, never a 500', async () => {
    for (const item of [null, 1, 'a string', true, [], [null], {}]) {
      const res = await batch([item]);
      expect(res.status, `item ${JSON.stringify(item)}`).toBe(207);
      expect(res.body.results).toHaveLength(1);
      expect(res.body.results[0]).toMatchObject({ id: null, status: 400 });
      expect(res.body.results[0].problem.code).toBe('INTAKE_ERR_MALFORMED_EVENT');
    }
  });

  it('accepts the valid items of a batch and answers the malformed ones per item', async () => {
    const valid = reportEvent(missingChild({ name: uniqueName('child') }));
    const res = await batch([valid, null, 42]);
    expect(res.status).toBe(207);
    expect(res.body.results.map((r: { status: number }) => r.status)).toEqual([202, 400, 400]);
    expect(res.body.results[0]).toMatchObject({ id: valid.id, caseId: expect.stringMatching(/^case-/) });
    expect(res.body.results[1].problem.errors).toEqual([
      { field: '/', message: 'must be a JSON object (a CloudEvent)' },
    ]);
    // The retry of the same batch replays the first answer for the valid item.
    const again = await batch([valid, null]);
    expect(again.body.results[0]).toMatchObject({ status: 202, caseId: res.body.results[0].caseId });
  });

  it('answers items whose attributes or data have the wrong shapes with 400s', async () => {
    const base = reportEvent(missingChild({ name: uniqueName('child') }));
    const items = [
      { ...base, id: uniqueName('ce'), data: null },
      { ...base, id: uniqueName('ce'), data: [] },
      { ...base, id: uniqueName('ce'), data: 'text' },
      { ...base, id: uniqueName('ce'), data: { kind: null } },
      { ...base, id: 7 },
      { ...base, id: uniqueName('ce'), source: {} },
      { ...base, id: uniqueName('ce'), type: ['homeward.report.submitted'] },
      { ...base, id: uniqueName('ce'), time: 12 },
      { ...base, id: uniqueName('ce'), specversion: null },
    ];
    const res = await batch(items);
    expect(res.status).toBe(207);
    const statuses = res.body.results.map((r: { status: number }) => r.status);
    expect(statuses.every((s: number) => s >= 400 && s < 500)).toBe(true);
  });
});
