import { renderAsyncApi } from '@homeward/messaging';
import { testLogger } from '@homeward/testing';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { buildHttpServer, Credentials } from '../../src/index.ts';

async function server() {
  return buildHttpServer({
    name: 'test',
    version: '1.0.0',
    description: 'a test service',
    logger: testLogger(),
    registry: new Registry(),
    bodyLimit: 1024,
    readiness: {},
    isAccepting: () => true,
    access: {
      credentials: new Credentials([
        { key: 'police-key-0123456789', agencyId: 'psb', role: 'police', region: '340100' },
      ]),
    },
  });
}

describe('the events documentation (AsyncAPI)', () => {
  it('serves the whole AsyncAPI document at /asyncapi.json without credentials', async () => {
    const app = await server();
    const res = await app.inject({ method: 'GET', url: '/asyncapi.json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toEqual(renderAsyncApi());
    await app.close();
  });

  it('renders it at /asyncapi from the bundled component, scripts from this origin only', async () => {
    const app = await server();
    const res = await app.inject({ method: 'GET', url: '/asyncapi' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['content-security-policy']).toContain("script-src 'self' 'unsafe-eval'");
    const scripts = [...res.body.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]);
    expect(scripts).toEqual(['./asyncapi/standalone.js', './asyncapi/init.js']);
    expect(res.body).not.toMatch(/https?:\/\//);
    const bundle = await app.inject({ method: 'GET', url: '/asyncapi/standalone.js' });
    expect(bundle.statusCode).toBe(200);
    expect(bundle.body).toContain('AsyncApiStandalone');
    const init = await app.inject({ method: 'GET', url: '/asyncapi/init.js' });
    expect(init.body).toContain("url: './asyncapi.json'");
    const css = await app.inject({ method: 'GET', url: '/asyncapi/default.min.css' });
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    await app.close();
  });

  it('answers an unknown asset 404 as problem details, and links the page from the OpenAPI document', async () => {
    const app = await server();
    const res = await app.inject({ method: 'GET', url: '/asyncapi/../../etc/passwd' });
    expect(res.statusCode).toBe(404);
    const missing = await app.inject({ method: 'GET', url: '/asyncapi/nothing.js' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
    const openapi = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(openapi.info.description).toContain('/asyncapi');
    expect(Object.keys(openapi.paths)).toContain('/asyncapi.json');
    await app.close();
  });
});
