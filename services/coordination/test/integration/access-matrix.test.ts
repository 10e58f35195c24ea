import { Roles } from '@homeward/events';
import { ACCESS_EXTENSION, type AccessDocument, ManualClock } from '@homeward/service-kit';
import { createTestTopics, deleteTestTopics, devKey } from '@homeward/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCoordination } from '../support.ts';

/**
 * The role × endpoint table of this service, generated from its OpenAPI document (each route's
 * `x-homeward-access`): no key is 401, a role the route does not list is 403 before anything is
 * validated, a listed role gets past both. (The scope helper's platform-wide matrix covers the
 * same from the same declarations; this one runs with the service's own tests.)
 */
let prefix: string;
let svc: Awaited<ReturnType<typeof startCoordination>>;

beforeAll(async () => {
  prefix = await createTestTopics('coordination-matrix');
  svc = await startCoordination({
    prefix,
    clock: new ManualClock('2027-01-10T02:00:00Z'),
    credentialsFile: new URL('../../../../infra/local/dev-credentials.json', import.meta.url).pathname,
  });
});

afterAll(async () => {
  await svc?.stop();
  await deleteTestTopics(prefix);
});

const SAMPLE: Record<string, string> = {
  year: '2026',
  submissionId: '2026:340104:nobody',
  region: '340104',
  agencyId: 'nobody',
};
const QUERY: Record<string, string> = {
  '/v1/prefill': '?year=2026',
  '/v1/submissions': '?year=2026',
  '/v1/late': '?year=2026',
  '/v1/rollup': '?year=2026',
  '/v1/assessment': '?year=2026',
};

it('every /v1 operation declares its roles, and the kit enforces them for every role', async () => {
  // biome-ignore lint/suspicious/noExplicitAny: the OpenAPI document is read field by field
  const doc = (svc.app.http as any).swagger() as {
    paths: Record<string, Record<string, Record<string, unknown>>>;
  };
  const rows: string[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!path.startsWith('/v1/')) continue;
    for (const [method, op] of Object.entries(item)) {
      const access = op[ACCESS_EXTENSION] as AccessDocument | undefined;
      expect(access, `${method} ${path}`).toBeDefined();
      if (!access || 'public' in access) continue;
      const url =
        path.replace(/\{(\w+)\}/g, (_, p: string) => encodeURIComponent(SAMPLE[p] ?? 'x')) +
        (QUERY[path] ?? '');
      const body = method === 'get' || method === 'delete' ? undefined : {};
      expect(
        (await svc.call(method.toUpperCase(), url, body, { role: null })).status,
        `${method} ${path} without a key`,
      ).toBe(401);
      for (const role of Roles) {
        const status = (
          await svc.call(method.toUpperCase(), url, body, {
            role: null,
            headers: { authorization: `Bearer ${devKey(role)}` },
          })
        ).status;
        const allowed = access.roles.includes(role);
        rows.push(`${method.toUpperCase()} ${path} ${role} ${status}`);
        if (allowed) expect([401, 403], `${method} ${path} as ${role}`).not.toContain(status);
        else expect(status, `${method} ${path} as ${role}`).toBe(403);
      }
    }
  }
  // 14 operations (the audit included) × every role of the contract.
  expect(rows.length).toBe(14 * Roles.length);
}, 120_000);
