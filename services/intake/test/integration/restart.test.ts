import { createTestTopics, deleteTestTopics, type TopicCollector, uniqueName } from '@homeward/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  caseEventsCollector,
  missingChild,
  reportEvent,
  startIntake,
  suspectedTrafficking,
} from '../support.ts';

let prefix: string;
let cases: TopicCollector;
const dbName = uniqueName('intake_restart').replaceAll('-', '_');

beforeAll(async () => {
  prefix = await createTestTopics('intake-restart');
  cases = await caseEventsCollector(prefix);
});

afterAll(async () => {
  await cases.stop();
  await deleteTestTopics(prefix);
});

describe('a restart of the service between two retries of one report', () => {
  it('answers the retry from the first delivery and publishes the case once', async () => {
    const event = reportEvent(missingChild({ name: uniqueName('child') }));
    const first = await startIntake({ prefix, dbName });
    const a = await first.post(event);
    expect(a.status).toBe(202);
    await first.stop();

    const second = await startIntake({ prefix, dbName, dropDatabaseOnStop: true });
    const b = await second.post(event);
    expect(b.status).toBe(202);
    expect(b.body).toEqual(a.body);
    expect(b.headers['idempotent-replayed']).toBe('true');
    await cases.waitForEvent((e) => (e.data as { caseId?: string }).caseId === a.body.caseId);
    await new Promise((r) => setTimeout(r, 500));
    expect(cases.events.filter((e) => (e.data as { caseId?: string }).caseId === a.body.caseId)).toHaveLength(
      1,
    );
    await second.stop();
  });

  it('rate limits an agency with 429 and Retry-After, per agency', async () => {
    const limited = await startIntake({ prefix, env: { RATE_LIMIT_PER_MINUTE: '3' } });
    // The limit counts per fixed minute: start well inside one, so the four requests share it.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 45_000) await new Promise((r) => setTimeout(r, 60_000 - intoMinute + 100));
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof limited.post>> | undefined;
    for (let i = 0; i < 4; i++) {
      last = await limited.post(reportEvent(suspectedTrafficking(), { role: 'education' }), {
        role: 'education',
      });
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 3)).toEqual([202, 202, 202]);
    expect(statuses[3]).toBe(429);
    expect(last?.body.code).toBe('HOMEWARD_ERR_RATE_LIMITED');
    expect(Number(last?.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // Another agency is not affected.
    const other = await limited.post(reportEvent(suspectedTrafficking(), { role: 'hotline' }), {
      role: 'hotline',
    });
    expect(other.status).not.toBe(429);
    await limited.stop();
  });

  it("answers the per-agency HTTP limit's 429 before anything a report's body would get, and stores nothing past it", async () => {
    const limited = await startIntake({ prefix, env: { HTTP_RATE_LIMIT_PER_MINUTE: '2' } });
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 45_000) await new Promise((r) => setTimeout(r, 60_000 - intoMinute + 100));
    // An agency no other test of this file counts against (the counts live in Redis, by minute).
    const volunteer = { role: 'volunteer' };
    for (let i = 0; i < 2; i++) {
      expect((await limited.post(reportEvent(suspectedTrafficking(), volunteer), volunteer)).status).toBe(
        202,
      );
    }
    // Counted before the body is read, awaited before it is judged: 429, not 400.
    const malformed = await limited.post(undefined, {
      ...volunteer,
      raw: '{"specversion": "1.0", "id": ',
      headers: { 'content-type': 'application/cloudevents+json' },
    });
    expect(malformed.status).toBe(429);
    expect(malformed.body.code).toBe('HOMEWARD_ERR_RATE_LIMITED');
    const refused = reportEvent(suspectedTrafficking(), volunteer);
    const answer = await limited.post(refused, volunteer);
    expect(answer.status).toBe(429);
    expect(Number(answer.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(await limited.app.stores.reports.count({ eventId: refused.id })).toBe(0);
    await limited.stop();
  });
});
