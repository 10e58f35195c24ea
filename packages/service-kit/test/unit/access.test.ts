import { testLogger } from '@homeward/testing';
import { Type } from '@sinclair/typebox';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import {
  ACCESS_EXTENSION,
  buildHttpServer,
  Credentials,
  type HttpServer,
  principalOf,
  RateLimitedError,
  type RedisRateLimiter,
} from '../../src/index.ts';

const credentials = new Credentials([
  { key: 'police-key-0123456789', agencyId: 'psb', role: 'police', region: '340100' },
  { key: 'hotline-key-0123456789', agencyId: 'hotline', role: 'hotline', region: '340000' },
]);
const police = { authorization: 'Bearer police-key-0123456789' };
const hotline = { authorization: 'Bearer hotline-key-0123456789' };

/** A limiter that allows `limit` hits per agency, without Redis (the kit's is tested against it). */
function countingLimiter(limit: number) {
  const counts = new Map<string, number>();
  return {
    hit: async (key: string) => {
      const n = (counts.get(key) ?? 0) + 1;
      counts.set(key, n);
      if (n > limit) throw new RateLimitedError('too many', 60);
      return { remaining: limit - n, resetMs: 60_000 };
    },
  } as unknown as RedisRateLimiter;
}

async function server(opts: { limit?: number; requireDeclaration?: boolean } = {}): Promise<HttpServer> {
  const app = await buildHttpServer({
    name: 'test',
    version: '1.0.0',
    description: 'a test service',
    logger: testLogger(),
    registry: new Registry(),
    bodyLimit: 1024,
    readiness: {},
    isAccepting: () => true,
    access: {
      credentials,
      limiter: countingLimiter(opts.limit ?? 100),
      requireDeclaration: opts.requireDeclaration ?? true,
    },
  });
  app.post(
    '/v1/things',
    {
      config: { access: { roles: ['police'], scope: "the thing's region" } },
      schema: {
        summary: 'make a thing',
        description: 'Makes a thing.',
        body: Type.Object({ name: Type.String({ minLength: 2 }) }),
      },
    },
    async (request) => ({ by: principalOf(request).agencyId }),
  );
  app.get(
    '/v1/page',
    { config: { access: { public: true, reason: 'the page itself holds no data' } } },
    async () => ({ ok: true }),
  );
  return app;
}

describe('route access declarations', () => {
  it('answer 401 and 403 before the body is validated, and 400 only to an allowed caller', async () => {
    const app = await server();
    const bad = { method: 'POST' as const, url: '/v1/things', payload: { nope: true } };
    expect((await app.inject(bad)).statusCode).toBe(401);
    expect(
      (await app.inject({ ...bad, headers: { authorization: 'Bearer unknown-key-000000000' } })).statusCode,
    ).toBe(401);
    const forbidden = await app.inject({ ...bad, headers: hotline });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json().errors).toBeUndefined();
    expect((await app.inject({ ...bad, headers: police })).statusCode).toBe(400);
    const ok = await app.inject({ ...bad, payload: { name: 'ok' }, headers: police });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ by: 'psb' });
  });

  it('rate limit authenticated calls per agency (429), before validation too', async () => {
    const app = await server({ limit: 2 });
    const call = (headers: Record<string, string>) =>
      app.inject({ method: 'POST', url: '/v1/things', payload: {}, headers });
    expect((await call(police)).statusCode).toBe(400);
    expect((await call(police)).statusCode).toBe(400);
    const limited = await call(police);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('60');
    // Another agency has its own count; a forbidden role is refused before it is counted.
    expect((await call(hotline)).statusCode).toBe(403);
  });

  it('are written into the OpenAPI document, with the roles and scope in the description', async () => {
    const app = await server();
    await app.ready();
    const doc = app.swagger() as unknown as {
      paths: Record<string, Record<string, Record<string, unknown>>>;
    };
    const op = doc.paths['/v1/things']!.post!;
    expect(op[ACCESS_EXTENSION]).toEqual({ roles: ['police'], scope: "the thing's region" });
    expect(op.description).toContain('Makes a thing.');
    expect(op.description).toContain("**Who:** police. **Scope:** the thing's region");
    expect(doc.paths['/v1/page']!.get![ACCESS_EXTENSION]).toEqual({
      public: true,
      reason: 'the page itself holds no data',
    });
    expect((await app.inject({ method: 'GET', url: '/v1/page' })).statusCode).toBe(200);
  });

  it('refuse a /v1 route that declares nothing', async () => {
    const app = await server();
    expect(() => app.get('/v1/undeclared', async () => ({}))).toThrow(/declares no access/);
    const lenient = await server({ requireDeclaration: false });
    expect(() => lenient.get('/v1/undeclared', async () => ({}))).not.toThrow();
  });
});
