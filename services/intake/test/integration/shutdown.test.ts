import { encodeHttpStructured } from '@homeward/events';
import { createRuntime, loadConfig, ServiceHost } from '@homeward/service-kit';
import {
  createTestTopics,
  deleteTestTopics,
  devKey,
  type TopicCollector,
  testDatabase,
  testLogger,
  testServiceEnv,
  waitFor,
} from '@homeward/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { IntakeConfig } from '../../src/config.ts';
import { caseEventsCollector, reportEvent, suspectedTrafficking } from '../support.ts';

let prefix: string;
let cases: TopicCollector;
/** The service's database, dropped after it (the service closes its own connection on stop). */
let store: Awaited<ReturnType<typeof testDatabase>>;

beforeAll(async () => {
  prefix = await createTestTopics('intake-shutdown');
  cases = await caseEventsCollector(prefix);
  store = await testDatabase('intake_sd');
});

afterAll(async () => {
  await store?.close();
  await cases.stop();
  await deleteTestTopics(prefix);
});

describe('graceful shutdown', () => {
  it('finishes the requests in flight and publishes their events before closing', async () => {
    const config = loadConfig(IntakeConfig, testServiceEnv(prefix));
    const rt = await createRuntime({
      name: 'intake',
      config,
      logger: testLogger(),
      dbName: store.db.databaseName,
    });
    const app = await buildApp(rt, config);
    const host = new ServiceHost(rt, app);
    const address = await host.start(0);
    expect((await fetch(`${address}/health/ready`)).status).toBe(200);

    const events = Array.from({ length: 40 }, () =>
      reportEvent(suspectedTrafficking(), { role: 'education' }),
    );
    const inFlight = events.map(async (e) => {
      const { headers, body } = encodeHttpStructured(e);
      const res = await fetch(`${address}/v1/reports`, {
        method: 'POST',
        headers: { ...headers, authorization: `Bearer ${devKey('education')}` },
        body,
      });
      return { status: res.status, body: (await res.json()) as { caseId: string } };
    });
    // Stop while the requests are being handled: once the first report is stored.
    await waitFor(async () => (await app.stores.reports.count({})) > 0, { intervalMs: 2 });
    expect(rt.lifecycle.accepting).toBe(true);
    const stopping = host.stop();
    expect(rt.lifecycle.accepting).toBe(false);
    const answers = await Promise.all(
      inFlight.map((p) => p.catch((err: unknown) => ({ status: 0, body: { caseId: String(err) } }))),
    );
    await stopping;

    // Every request that got in was answered 202; the rest were refused cleanly (503 while
    // closing, or no connection), none cut off half way.
    const accepted = answers.filter((a) => a.status === 202);
    expect(answers.filter((a) => ![202, 503, 0].includes(a.status))).toEqual([]);
    expect(accepted.length).toBeGreaterThan(0);
    // Every accepted report's case.opened reached Kafka: the relay drained before the producer closed.
    await waitFor(
      () =>
        accepted.every((a) =>
          cases.events.some((e) => (e.data as { caseId: string }).caseId === a.body.caseId),
        ),
      {
        what: 'case.opened for every accepted report',
      },
    );
    await expect(fetch(`${address}/health/live`)).rejects.toThrow();
  });
});
