import { testLogger } from '@homeward/testing';
import { Type } from '@sinclair/typebox';
import type { InjectOptions } from 'fastify';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import {
  addLivenessCheck,
  buildHttpServer,
  ConflictError,
  Credentials,
  RuleViolationError,
} from '../../src/index.ts';

const credentials = new Credentials([
  { key: 'police-key-0123456789', agencyId: 'psb', role: 'police', region: '340100' },
  { key: 'hotline-key-0123456789', agencyId: 'hotline', role: 'hotline', region: '340000' },
]);

async function server(ready = true) {
  const app = await buildHttpServer({
    name: 'test',
    version: '1.0.0',
    description: 'a test service',
    logger: testLogger(),
    registry: new Registry(),
    bodyLimit: 1024,
    readiness: { kafka: async () => ready, mongodb: async () => true },
    isAccepting: () => true,
    access: { credentials },
  });
  app.post(
    '/things',
    {
      schema: {
        body: Type.Object({ name: Type.String({ minLength: 2 }), size: Type.Integer({ minimum: 1 }) }),
      },
    },
    async () => ({ ok: true }),
  );
  app.post(
    '/police-only',
    { config: { access: { roles: ['police'], scope: 'none: a test route' } } },
    async () => ({ ok: true }),
  );
  app.get('/conflict', async () => {
    throw new ConflictError('the case is already closed', 'TEST_ERR_CLOSED');
  });
  app.get('/rule', async () => {
    throw new RuleViolationError('the guardian is the buying household', 'TEST_ERR_BUYER', [
      { field: '/guardian', message: 'matches the buying household' },
    ]);
  });
  app.get('/boom', async () => {
    throw new Error('secret internals at db.example:5432');
  });
  return app;
}

describe('buildHttpServer', () => {
  it('answers validation errors as problem details naming each field', async () => {
    const app = await server();
    const res = await app.inject({ method: 'POST', url: '/things', payload: { name: 'x', size: 0 } });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({
      type: 'urn:homeward:problem:homeward-err-invalid-input',
      status: 400,
      code: 'HOMEWARD_ERR_INVALID_INPUT',
      instance: '/things',
      errors: [
        { field: '/name', message: 'must NOT have fewer than 2 characters' },
        { field: '/size', message: 'must be >= 1' },
      ],
    });
  });

  it('maps each error class to its status and stable type', async () => {
    const app = await server();
    const cases: Array<[InjectOptions, number, string]> = [
      [{ method: 'GET', url: '/conflict' }, 409, 'urn:homeward:problem:test-err-closed'],
      [{ method: 'GET', url: '/rule' }, 422, 'urn:homeward:problem:test-err-buyer'],
      [{ method: 'GET', url: '/nowhere' }, 404, 'urn:homeward:problem:homeward-err-not-found'],
      [
        {
          method: 'POST',
          url: '/things',
          headers: { 'content-type': 'application/json' },
          payload: '{"name":',
        },
        400,
        'urn:homeward:problem:homeward-err-malformed-json',
      ],
      [
        { method: 'POST', url: '/things', headers: { 'content-type': 'application/xml' }, payload: '<a/>' },
        415,
        'urn:homeward:problem:homeward-err-unsupported-media-type',
      ],
      [
        { method: 'POST', url: '/things', payload: { name: 'x'.repeat(2000), size: 1 } },
        413,
        'urn:homeward:problem:homeward-err-body-too-large',
      ],
      [{ method: 'POST', url: '/police-only' }, 401, 'urn:homeward:problem:homeward-err-unauthorized'],
      [
        { method: 'POST', url: '/police-only', headers: { authorization: 'Bearer nope-nope-nope-nope' } },
        401,
        'urn:homeward:problem:homeward-err-unauthorized',
      ],
      [
        { method: 'POST', url: '/police-only', headers: { authorization: 'Bearer hotline-key-0123456789' } },
        403,
        'urn:homeward:problem:homeward-err-forbidden',
      ],
    ];
    for (const [req, status, type] of cases) {
      const res = await app.inject(req);
      expect({ url: req.url, status: res.statusCode, type: res.json().type }).toEqual({
        url: req.url,
        status,
        type,
      });
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    const ok = await app.inject({
      method: 'POST',
      url: '/police-only',
      headers: { authorization: 'Bearer police-key-0123456789' },
    });
    expect(ok.statusCode).toBe(200);
  });

  it('never leaks the message of an unexpected error', async () => {
    const app = await server();
    const res = await app.inject({ method: 'GET', url: '/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('secret');
    expect(res.json()).toMatchObject({ status: 500, code: 'HOMEWARD_ERR_INTERNAL' });
  });

  it('serves health, readiness, metrics and the OpenAPI document', async () => {
    const app = await server(false);
    expect((await app.inject('/health/live')).json()).toEqual({ status: 'ok' });
    const ready = await app.inject('/health/ready');
    expect(ready.statusCode).toBe(503);
    expect(ready.json().checks).toEqual({ kafka: false, mongodb: true, accepting: true });
    await app.inject({ method: 'GET', url: '/conflict' });
    const metrics = await app.inject('/metrics');
    expect(metrics.body).toContain(
      'homeward_http_request_seconds_count{method="GET",route="/conflict",status="409"',
    );
    const doc = (await app.inject('/openapi.json')).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/things', '/health/ready']));
    expect((await app.inject('/docs/')).statusCode).toBe(200);
  });

  it('fails liveness while a liveness check says so, and readiness on a check that hangs', async () => {
    const app = await buildHttpServer({
      name: 'test',
      version: '1.0.0',
      description: 'a test service',
      logger: testLogger(),
      registry: new Registry(),
      bodyLimit: 1024,
      readiness: { kafka: () => new Promise<boolean>(() => {}), mongodb: async () => true },
      isAccepting: () => true,
    });
    let consumersLive = true;
    addLivenessCheck(app, 'consumers', () => consumersLive);
    expect((await app.inject('/health/live')).statusCode).toBe(200);
    consumersLive = false;
    const live = await app.inject('/health/live');
    expect(live.statusCode).toBe(503);
    expect(live.json()).toEqual({ status: 'not-live', checks: { consumers: false } });
    const t0 = performance.now();
    const ready = await app.inject('/health/ready');
    expect(ready.statusCode).toBe(503);
    expect(ready.json().checks).toMatchObject({ kafka: false, mongodb: true });
    expect(performance.now() - t0).toBeLessThan(1_500);
  });
});
