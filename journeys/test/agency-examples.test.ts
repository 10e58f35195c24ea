import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createEvent } from '@homeward/events';
import { readKafkaSecrets } from '@homeward/messaging';
import {
  createTestTopics,
  deleteTestTopics,
  devKey,
  type ServiceUnderTest,
  startServiceForTest,
  testKafkaSecurity,
  uniqueName,
  waitFor,
} from '@homeward/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp as buildIntake } from '../../services/intake/src/app.ts';
import { IntakeConfig } from '../../services/intake/src/config.ts';
import { buildApp as buildNotifications } from '../../services/notifications/src/app.ts';
import { NotificationsConfig } from '../../services/notifications/src/config.ts';

// The agency client examples (examples/python, examples/java) run as an integrator would run
// them, as child processes, against intake (on a real port) and notifications started on this
// file's test topics: a report over HTTP, its retry, a refused one with its problem details, one
// produced on Kafka as the agency's principal, and signed alert webhooks from notifications.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CACHE = `${ROOT}.cache/examples/`;
const VENV = `${CACHE}python-venv/`;
const JAVA = `${ROOT}examples/java/`;
const AGENCY = 'hefei-psb';

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end without blocking this process (the services under test live in it). */
function run(cmd: string, args: string[], env: Record<string, string> = {}, cwd = ROOT): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
    });
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function lastJson(out: string): Record<string, unknown> {
  const lines = out
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'));
  if (lines.length === 0) throw new Error(`no JSON line in: ${out}`);
  return JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
}

/** The venv the Python example needs, made once per requirements file (PyPI). */
async function preparePython(): Promise<void> {
  const requirements = readFileSync(`${ROOT}examples/python/requirements.txt`, 'utf8');
  const stamp = `${VENV}requirements.txt`;
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === requirements) return;
  mkdirSync(CACHE, { recursive: true });
  for (const [cmd, args] of [
    ['python3', ['-m', 'venv', '--clear', VENV]],
    [
      `${VENV}bin/pip`,
      ['install', '--quiet', '--disable-pip-version-check', '-r', `${ROOT}examples/python/requirements.txt`],
    ],
  ] as const) {
    const res = await run(cmd, [...args]);
    if (res.code !== 0) throw new Error(`${cmd} failed: ${res.stderr}`);
  }
  writeFileSync(stamp, requirements);
}

/** The jar and its dependencies (Maven Central); Maven rebuilds only what changed. */
async function prepareJava(): Promise<void> {
  const res = await run('mvn', ['-q', '-B', 'package'], {}, JAVA);
  if (res.code !== 0) throw new Error(`mvn package failed: ${res.stdout}${res.stderr}`);
}

const clients = {
  python: (args: string[]) =>
    [`${VENV}bin/python`, [`${ROOT}examples/python/homeward_agency.py`, ...args]] as const,
  java: (args: string[]) =>
    [
      'java',
      [
        '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
        '-cp',
        `${JAVA}target/homeward-agency-example.jar:${JAVA}target/lib/*`,
        'org.homeward.examples.AgencyClient',
        ...args,
      ],
    ] as const,
};

let prefix: string;
let intake: ServiceUnderTest<Awaited<ReturnType<typeof buildIntake>>>;
let notifications: ServiceUnderTest<Awaited<ReturnType<typeof buildNotifications>>>;
let clientEnv: Record<string, string>;
const receivers: ChildProcess[] = [];

beforeAll(async () => {
  prefix = await createTestTopics('agency-examples');
  // The first run fetches from PyPI and Maven Central and compiles: minutes on a loaded machine.
  const [, , intakeSvc, notificationsSvc] = await Promise.all([
    preparePython(),
    prepareJava(),
    startServiceForTest({
      name: 'intake',
      configSchema: IntakeConfig,
      buildApp: buildIntake,
      prefix,
      listen: 0,
      defaultRole: 'police',
    }),
    startServiceForTest({
      name: 'notifications',
      configSchema: NotificationsConfig,
      buildApp: buildNotifications,
      prefix,
      defaultRole: 'admin',
      env: { WEBHOOK_TIMEOUT_MS: '2000', WEBHOOK_ATTEMPTS: '3', OUTCOME_FLUSH_MS: '20' },
    }),
  ]);
  intake = intakeSvc;
  notifications = notificationsSvc;
  const security = testKafkaSecurity();
  clientEnv = {
    HOMEWARD_INTAKE_URL: intake.baseUrl!,
    HOMEWARD_AGENCY_ID: AGENCY,
    HOMEWARD_API_KEY: devKey('police', '340100'),
    HOMEWARD_KAFKA_BROKERS: process.env.KAFKA_BROKERS!,
    HOMEWARD_KAFKA_PASSWORD: readKafkaSecrets(security.secretsFile)[`agency.${AGENCY}`]!,
    HOMEWARD_TOPIC_PREFIX: prefix,
    HOMEWARD_OUTCOME_WAIT_SECONDS: '60',
    ...(security.ssl && security.caFile ? { HOMEWARD_KAFKA_CA_FILE: security.caFile } : {}),
  };
}, 1_200_000);

afterAll(async () => {
  for (const r of receivers) r.kill('SIGTERM');
  await intake?.stop();
  await notifications?.stop();
  await deleteTestTopics(prefix);
});

/** A missing-child report of a child of its own (the duplicate-child rule would make a second one a lead). */
function reportFile(label: string): string {
  mkdirSync(CACHE, { recursive: true });
  const file = `${CACHE}${label}.json`;
  writeFileSync(
    file,
    JSON.stringify({
      kind: 'missing-child',
      child: { name: `Child ${label}`, sex: 'female', birthDate: '2019-05-04' },
      lastSeen: {
        at: new Date(Date.now() - 30 * 60_000).toISOString(),
        place: 'Hefei South Railway Station',
        lat: 31.7995,
        lon: 117.2906,
        region: '340100',
      },
    }),
  );
  return file;
}

describe.each(Object.entries(clients))('the %s agency client', (language, command) => {
  const client = (args: string[]) => {
    const [cmd, argv] = command(args);
    return run(cmd, [...argv], clientEnv);
  };

  it('submits a report over HTTP, and a retry with the same event id gets the same answer', async () => {
    const id = uniqueName(`${language}-report`);
    const data = reportFile(id);
    const first = await client(['submit', '--id', id, '--data', data]);
    expect(first.code, first.stderr).toBe(0);
    const answer = lastJson(first.stdout);
    expect(answer).toMatchObject({ status: 202, outcome: 'case-opened' });
    expect(answer.reportId).toMatch(/^rpt-/);
    expect(answer.caseId).toMatch(/^case-/);
    const retry = lastJson((await client(['submit', '--id', id, '--data', data])).stdout);
    expect(retry.reportId).toBe(answer.reportId);
    expect(retry.caseId).toBe(answer.caseId);
  }, 120_000);

  it('prints the problem details of a refused report and exits 2', async () => {
    const file = `${CACHE}invalid-${language}.json`;
    writeFileSync(file, JSON.stringify({ kind: 'missing-child', child: { sex: 'female' } }));
    const res = await client(['submit', '--data', file]);
    expect(res.code).toBe(2);
    const out = lastJson(res.stdout) as { status: number; problem: Record<string, unknown> };
    expect(out.status).toBe(400);
    expect(out.problem).toMatchObject({
      code: 'INTAKE_ERR_INVALID_REPORT',
      type: 'urn:homeward:problem:intake-err-invalid-report',
    });
    expect((out.problem.errors as Array<{ field: string }>).map((e) => e.field)).toEqual(
      expect.arrayContaining(['/data/child/name', '/data/lastSeen']),
    );
  }, 120_000);

  it("produces a report to the agency's topic with SASL/SCRAM and learns its outcome over HTTP", async () => {
    const id = uniqueName(`${language}-kafka`);
    const res = await client(['produce', '--id', id, '--data', reportFile(id)]);
    expect(res.code, res.stdout + res.stderr).toBe(0);
    const out = lastJson(res.stdout);
    expect(out).toMatchObject({
      status: 'accepted',
      kind: 'missing-child',
      channel: 'kafka',
      outcome: 'case-opened',
    });
    expect(out.caseId).toMatch(/^case-/);
  }, 180_000);

  it("verifies a unit's signed alert webhook from notifications and refuses a forged one", async () => {
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    const [cmd, argv] = command(['webhook', '--port', '0']);
    const receiver = spawn(cmd, [...argv], {
      cwd: ROOT,
      env: { ...process.env, HOMEWARD_WEBHOOK_SECRET: secret },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    receivers.push(receiver);
    let out = '';
    receiver.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
    });
    const port = await waitFor(
      () =>
        /"listening":\s*(\d+)/.exec(out)?.[1] ? Number(/"listening":\s*(\d+)/.exec(out)![1]) : undefined,
      { timeoutMs: 60_000 },
    );
    const unitId = uniqueName(`${language}-unit`);
    const put = await notifications.call('PUT', `/v1/units/${unitId}`, {
      name: `Example unit (${language})`,
      kind: 'police-station',
      location: { lat: 31.7979, lon: 117.2906 },
      region: '340104',
      webhook: { url: `http://127.0.0.1:${port}/alerts`, secret },
    });
    expect([200, 201]).toContain(put.status);
    const alertId = uniqueName(`${language}-alert`);
    await notifications.publish(
      createEvent(
        'homeward.alert.issued',
        {
          alertId,
          caseId: `case-${alertId}`,
          issuedAt: new Date().toISOString(),
          lastSeenAt: new Date(Date.now() - 20 * 60_000).toISOString(),
          lastSeenPlace: 'Hefei South Railway Station',
          center: { lat: 31.7979, lon: 117.2906 },
          region: '340104',
          radiusKm: 100,
          step: 0,
          child: { sex: 'female', birthDate: '2019-05-04', description: 'red jacket' },
        },
        { source: 'homeward/rescue-coordination' },
      ),
    );
    const verified = await waitFor(
      () =>
        out
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>)
          .find((l) => l.verified === true),
      { timeoutMs: 60_000 },
    );
    expect(verified.type).toBe('homeward.alert.issued');
    expect(String(verified.webhookId)).toContain(unitId);

    const forged = await fetch(`http://127.0.0.1:${port}/alerts`, {
      method: 'POST',
      headers: {
        'content-type': 'application/cloudevents+json',
        'webhook-id': 'forged-1',
        'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
        'webhook-signature': `v1,${randomBytes(32).toString('base64')}`,
      },
      body: JSON.stringify({
        specversion: '1.0',
        id: 'x',
        source: 'forger',
        type: 'homeward.alert.cancelled',
      }),
    });
    expect(forged.status).toBe(401);
    await waitFor(() => out.includes('"verified": false') || out.includes('"verified":false'), {
      timeoutMs: 10_000,
    });
  }, 180_000);
});
