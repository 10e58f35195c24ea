import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Role } from '@homeward/events';
import type { Clock } from '@homeward/service-kit';
import { deleteRedisKeys, startServiceForTest, type TestAnswer } from '@homeward/testing';
import { buildApp } from '../src/app.ts';
import { CoordinationConfig } from '../src/config.ts';

/** One agency of the test deployment, with its own API key. */
export interface TestAgency {
  key: string;
  agencyId: string;
  role: Role;
  region: string;
}

/**
 * A deployment's credentials for a test: offices at every level and departments in two
 * counties, written to a file of their own (the development file has one agency per role).
 */
export function testAgencies(list: Array<Omit<TestAgency, 'key'>>): {
  file: string;
  agencies: Record<string, TestAgency>;
} {
  const agencies: Record<string, TestAgency> = {};
  for (const a of list) agencies[a.agencyId] = { ...a, key: `hw_test_${randomBytes(12).toString('hex')}` };
  const file = join(mkdtempSync(join(tmpdir(), 'coordination-')), 'credentials.json');
  writeFileSync(file, JSON.stringify(Object.values(agencies)));
  return { file, agencies };
}

export type Caller = (method: string, url: string, body?: unknown) => Promise<TestAnswer>;

/**
 * Starts coordination on its own topics and database: consumers running, the reminder index
 * rebuilt but the checker not ticking on its own (tests call `check()` with a manual clock).
 */
export async function startCoordination(opts: {
  prefix: string;
  clock: Clock;
  credentialsFile: string;
  env?: Record<string, string>;
}) {
  const svc = await startServiceForTest({
    name: 'coordination',
    configSchema: CoordinationConfig,
    buildApp,
    prefix: opts.prefix,
    env: { CREDENTIALS_FILE: opts.credentialsFile, REMINDER_CHECK_INTERVAL_MS: '3600000', ...opts.env },
    defaultRole: 'coordination-office',
    clock: opts.clock,
    dropDatabaseOnStop: true,
    cleanup: (rt) => deleteRedisKeys(rt, `${opts.prefix}*`),
  });
  /** Calls as one agency of the test deployment. */
  const as =
    (a: TestAgency): Caller =>
    (method, url, body) =>
      svc.call(method, url, body, { role: null, headers: { authorization: `Bearer ${a.key}` } });
  return { ...svc, as };
}
