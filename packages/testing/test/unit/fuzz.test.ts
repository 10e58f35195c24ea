import { describe, expect, it } from 'vitest';
import { describeFuzzFailure, fuzzService, type Injectable, postAndPutOperations } from '../../src/fuzz.ts';

const doc = {
  openapi: '3.1.0',
  paths: {
    '/v1/things/{thingId}': {
      get: {},
      put: {
        requestBody: {
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['name'],
                properties: { name: { type: 'string', minLength: 1 }, size: { type: 'integer', minimum: 0 } },
              },
            },
          },
        },
      },
    },
    '/v1/things': { post: {} },
  },
};

/** A fake service: its PUT fails on a body that is not JSON, the way a missing parser guard would. */
function fakeService(seen: Array<{ method: string; url: string; payload?: string }>): Injectable {
  return {
    http: {
      inject: async (req) => {
        if (req.url === '/openapi.json') return { statusCode: 200, body: JSON.stringify(doc) };
        seen.push(req);
        if (req.method === 'PUT' && req.payload !== undefined) {
          try {
            JSON.parse(req.payload);
          } catch {
            return { statusCode: 500, body: '{"status":500}' };
          }
        }
        return { statusCode: 400, body: '{"status":400}' };
      },
    },
  };
}

describe('fuzzService', () => {
  it('lists the POST and PUT operations with their path parameters and body schema', () => {
    const ops = postAndPutOperations(doc);
    expect(
      ops.map((o) => `${o.method} ${o.path} ${o.pathParams.join(',')} ${o.bodySchema ? 'body' : '-'}`),
    ).toEqual(['PUT /v1/things/{thingId} thingId body', 'POST /v1/things  -']);
  });

  it('spreads the cases over the operations, fills path parameters, and reports every 5xx with its request', async () => {
    const seen: Array<{ method: string; url: string; payload?: string }> = [];
    const report = await fuzzService(fakeService(seen), {
      cases: 200,
      roles: ['police'],
      knownValues: { thingId: ['thing-1'] },
    });
    expect(report.cases).toBe(200);
    expect(seen.filter((r) => r.method === 'PUT')).toHaveLength(100);
    expect(seen.filter((r) => r.method === 'POST')).toHaveLength(100);
    expect(seen.every((r) => !r.url.includes('{'))).toBe(true);
    expect(seen.some((r) => r.url === '/v1/things/thing-1')).toBe(true);
    expect(report.failures.length).toBeGreaterThan(0);
    expect(report.failures.every((f) => f.request.method === 'PUT' && f.status === 500)).toBe(true);
    expect(report.statuses['500']).toBe(report.failures.length);
    expect(describeFuzzFailure(report.failures[0]!)).toMatch(
      /^PUT \/v1\/things\/\S+ as \S+ → 500 \(seed \d+\)\n/,
    );
  });

  it('replays exactly with the same seed', async () => {
    const first: Array<{ method: string; url: string; payload?: string }> = [];
    const second: Array<{ method: string; url: string; payload?: string }> = [];
    await fuzzService(fakeService(first), { cases: 50, roles: ['police'], seed: 7, concurrency: 1 });
    await fuzzService(fakeService(second), { cases: 50, roles: ['police'], seed: 7, concurrency: 1 });
    expect(second).toEqual(first);
  });
});
