import { startFerretDb, startRedis, stopProcess } from '@homeward/infra-local';
import { ADMIN } from '@homeward/messaging';
import { testInfra, testKafkaSecurity, testLogger, uniqueName, waitFor } from '@homeward/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BaseConfig,
  buildHttpServer,
  createRuntime,
  type HttpServer,
  loadConfig,
  readinessChecks,
  type ServiceRuntime,
} from '../../src/index.ts';

// A FerretDB and a Redis of their own (other ports, other data folders): this file stops and
// restarts them, which the shared ones, used by every other test at the same time, must never be.
const MONGO_PORT = 27_417;
const REDIS_PORT = 6_579;
const FERRET = 'ferretdb-kit-outage-test';
const REDIS = 'redis-kit-outage-test';

let rt: ServiceRuntime;
let app: HttpServer;

beforeAll(async () => {
  await Promise.all([
    startFerretDb({ port: MONGO_PORT, name: FERRET }),
    startRedis({ port: REDIS_PORT, name: REDIS }),
  ]);
  const logger = testLogger();
  rt = await createRuntime({
    name: 'outage-test',
    dbName: uniqueName('outage').replaceAll('-', '_'),
    logger,
    config: loadConfig(BaseConfig, {
      KAFKA_BROKERS: testInfra().kafkaBrokers.join(','),
      KAFKA_SASL: testKafkaSecurity().sasl,
      // The kit's test is no service: it logs in as the administrator.
      KAFKA_PRINCIPAL: ADMIN,
      MONGO_URL: `mongodb://127.0.0.1:${MONGO_PORT}/`,
      REDIS_URL: `redis://127.0.0.1:${REDIS_PORT}`,
    }),
  });
  app = await buildHttpServer({
    name: 'outage-test',
    version: '1.0.0',
    description: 'a service whose stores go away',
    logger,
    registry: rt.registry,
    bodyLimit: 1024,
    readiness: readinessChecks(rt),
    isAccepting: () => true,
  });
  app.get('/doc', async () => ({ doc: await rt.mongo.db.collection('docs').findOne({ _id: 'x' as never }) }));
  app.get('/cached', async () => ({ value: await rt.redis.redis.get('outage-test:x') }));
  await app.ready();
}, 120_000);

afterAll(async () => {
  await app?.close();
  await rt?.mongo.close().catch(() => {});
  await rt?.redis.close().catch(() => {});
  await rt?.publisher.disconnect();
  await rt?.kafkaProbe.close();
  await stopProcess(FERRET);
  await stopProcess(REDIS);
});

async function timed(url: string) {
  const t0 = performance.now();
  const res = await app.inject(url);
  return { res, ms: performance.now() - t0 };
}

describe('store outages', () => {
  it('answers 503 with Retry-After within about a second while the document store is away, and recovers', async ({
    annotate,
  }) => {
    expect((await app.inject('/doc')).statusCode).toBe(200);
    expect((await app.inject('/health/ready')).statusCode).toBe(200);
    await stopProcess(FERRET);

    const { res, ms } = await timed('/doc');
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('2');
    expect(res.json()).toMatchObject({ code: 'HOMEWARD_ERR_UNAVAILABLE', status: 503 });
    expect(ms).toBeLessThan(1_800);
    const ready = await timed('/health/ready');
    expect(ready.res.statusCode).toBe(503);
    expect(ready.res.json().checks).toMatchObject({ mongodb: false, redis: true, kafka: true });
    expect(ready.ms).toBeLessThan(1_500);

    const restartAt = Date.now();
    await startFerretDb({ port: MONGO_PORT, name: FERRET });
    await waitFor(async () => (await app.inject('/doc')).statusCode === 200, {
      timeoutMs: 20_000,
      what: 'the document store answering again',
    });
    await waitFor(async () => (await app.inject('/health/ready')).statusCode === 200, {
      what: 'ready again',
    });
    await annotate(
      `store away: route 503 in ${Math.round(ms)} ms, readiness 503 in ${Math.round(ready.ms)} ms; ` +
        `200 again ${Date.now() - restartAt} ms after the restart began`,
    );
  }, 60_000);

  it('answers 503 with Retry-After within about a second while Redis is away, and recovers', async ({
    annotate,
  }) => {
    expect((await app.inject('/cached')).statusCode).toBe(200);
    await stopProcess(REDIS);

    const { res, ms } = await timed('/cached');
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('2');
    expect(ms).toBeLessThan(1_800);
    // Later requests, after ioredis has been reconnecting for a while, are as quick.
    await new Promise((r) => setTimeout(r, 3_000));
    const later = await timed('/cached');
    expect(later.res.statusCode).toBe(503);
    expect(later.ms).toBeLessThan(1_800);
    const ready = await timed('/health/ready');
    expect(ready.res.statusCode).toBe(503);
    expect(ready.res.json().checks).toMatchObject({ redis: false, mongodb: true });
    expect(ready.ms).toBeLessThan(1_500);

    const restartAt = Date.now();
    await startRedis({ port: REDIS_PORT, name: REDIS });
    await waitFor(async () => (await app.inject('/cached')).statusCode === 200, {
      timeoutMs: 20_000,
      what: 'Redis answering again',
    });
    await waitFor(async () => (await app.inject('/health/ready')).statusCode === 200, {
      what: 'ready again',
    });
    await annotate(
      `Redis away: route 503 in ${Math.round(ms)} ms (${Math.round(later.ms)} ms 3 s later), readiness 503 in ` +
        `${Math.round(ready.ms)} ms; 200 again ${Date.now() - restartAt} ms after the restart began`,
    );
  }, 60_000);
});
