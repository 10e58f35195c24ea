import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestTopics, deleteTestTopics, uniqueName } from '@homeward/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllowedNets, type TargetPolicy } from '../../src/domain/webhook-target.ts';
import {
  dropTestState,
  newDbName,
  type RunningNotifications,
  startNotifications,
  testSender,
} from '../support.ts';

// Notifications with production's webhook rules (https only, no private target), and those
// rules with the allow-list naming this host, as development and tests set it. The rules are
// set explicitly, as NODE_ENV=production defaults them: a production instance also refuses the
// development keys these tests sign their calls with.
// (An empty setting reads as unset, so the allow-list names only TEST-NET-1, which no target
// of these tests resolves to.)
const PRODUCTION_RULES = { WEBHOOK_REQUIRE_HTTPS: 'true', WEBHOOK_ALLOWED_NETS: '192.0.2.0/24' };
let prefix: string;
let allowPrefix: string;
const dbName = newDbName('notif_webhook_rules');
const allowDb = newDbName('notif_webhook_allow');
let production: RunningNotifications;
let allowed: RunningNotifications;
let receiver: Server;
let port: number;
const hits: string[] = [];

beforeAll(async () => {
  prefix = await createTestTopics('notif-webhook-rules');
  allowPrefix = await createTestTopics('notif-webhook-allow');
  production = await startNotifications({ prefix, dbName, env: PRODUCTION_RULES });
  allowed = await startNotifications({
    prefix: allowPrefix,
    dbName: allowDb,
    env: {
      WEBHOOK_REQUIRE_HTTPS: 'false',
      WEBHOOK_ALLOWED_NETS: '127.0.0.0/8,::1/128',
    },
  });
  receiver = createServer((req, res) => {
    hits.push(req.url ?? '');
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  port = (receiver.address() as AddressInfo).port;
});

afterAll(async () => {
  await production.stop();
  await allowed.stop();
  receiver.closeAllConnections();
  await new Promise<void>((r) => receiver.close(() => r()));
  await dropTestState(prefix, dbName);
  await dropTestState(allowPrefix, allowDb);
  await deleteTestTopics(prefix);
  await deleteTestTopics(allowPrefix);
});

const SECRET = 'a-secret-of-at-least-24-bytes';
const unit = (url: string, secret = SECRET) => ({
  name: 'Hefei South Station police post',
  kind: 'rail-station',
  location: { lat: 31.7979, lon: 117.2906 },
  region: '340104',
  webhook: { url, secret },
});
const put = (svc: RunningNotifications, url: string, secret?: string) =>
  svc.call('PUT', `/v1/units/${uniqueName('unit')}`, { body: unit(url, secret) });
const fields = (body: { errors?: Array<{ field: string }> }) => (body.errors ?? []).map((e) => e.field);

describe('webhook targets (SSRF)', () => {
  it('production refuses loopback, metadata, private and unique-local targets, by address or by name: 400 naming the field', async () => {
    for (const url of [
      'http://127.0.0.1/hook',
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.1/hook',
      'http://[::1]/hook',
      'http://localhost/hook',
      'https://127.0.0.1/hook',
      'https://169.254.169.254/latest/meta-data/',
      'https://10.0.0.1/hook',
      'https://[::1]/hook',
      'https://[fd00:ec2::254]/hook',
      'https://localhost/hook', // a host name resolving to 127.0.0.1
      'https://2130706433/hook',
    ]) {
      const res = await put(production, url);
      expect({ url, status: res.status, code: res.body.code, fields: fields(res.body) }).toEqual({
        url,
        status: 400,
        code: 'NOTIFICATIONS_ERR_WEBHOOK_REFUSED',
        fields: ['/webhook/url'],
      });
      // The answer names the rule and the field, never the URL or what its host resolved to.
      expect(JSON.stringify(res.body)).not.toContain(url);
      expect(JSON.stringify(res.body)).not.toContain('127.0.0.1');
    }
    const http = await put(production, 'http://units.example.org/hook');
    expect(http.status).toBe(400);
    expect(http.body.errors).toEqual([{ field: '/webhook/url', message: 'must be an https URL' }]);
  });

  it('the allow-list lets this host through in production, and nothing else it does not name', async () => {
    for (const url of ['http://127.0.0.1:9/hook', 'http://[::1]:9/hook', 'http://localhost:9/hook'])
      expect((await put(allowed, url)).status, url).toBe(201);
    for (const url of ['http://169.254.169.254/', 'http://10.0.0.1/', 'http://[fd00::1]/']) {
      const res = await put(allowed, url);
      expect([url, res.status, fields(res.body)]).toEqual([url, 400, ['/webhook/url']]);
    }
  });

  it('a refused target is never connected to, even when it was registered before the rule or resolves later', async () => {
    const strict: TargetPolicy = { requireHttps: false, allowed: parseAllowedNets('') };
    const open: TargetPolicy = { requireHttps: false, allowed: parseAllowedNets('127.0.0.0/8,::1/128') };
    const refusing = testSender(strict);
    const permitting = testSender(open);
    const key = { secret: SECRET };
    try {
      // By name: the connection's own lookup refuses it (no second resolution to rebind).
      const byName = await refusing.deliver(
        'u1',
        { ...key, url: `http://localhost:${port}/by-name` },
        'm1',
        '{}',
        'application/json',
      );
      expect(byName).toMatchObject({ ok: false, reason: 'target-refused', attempts: 1 });
      // By address: refused before any attempt.
      const byAddress = await refusing.deliver(
        'u1',
        { ...key, url: `http://127.0.0.1:${port}/by-address` },
        'm2',
        '{}',
        'application/json',
      );
      expect(byAddress).toMatchObject({ ok: false, reason: 'target-refused', attempts: 1 });
      const https = await testSender({ ...open, requireHttps: true }).deliver(
        'u1',
        { ...key, url: `http://127.0.0.1:${port}/plain` },
        'm3',
        '{}',
        'application/json',
      );
      expect(https).toMatchObject({ ok: false, reason: 'target-refused' });
      expect(hits).toEqual([]);
      // Allowed, the same name reaches the receiver.
      const ok = await permitting.deliver(
        'u1',
        { ...key, url: `http://localhost:${port}/allowed` },
        'm4',
        '{}',
        'application/json',
      );
      expect(ok).toMatchObject({ ok: true, attempts: 1 });
      expect(hits).toEqual(['/allowed']);
      // A closed port: a generic code, not the address.
      const closed = await permitting.deliver(
        'u2',
        { ...key, url: 'http://127.0.0.1:9/closed' },
        'm5',
        '{}',
        'application/json',
      );
      expect(closed).toMatchObject({ ok: false, reason: 'connection-refused', attempts: 3 });
    } finally {
      await refusing.close();
      await permitting.close();
    }
  });
});

describe('webhook secrets', () => {
  it('at least 24 bytes of key; valid base64 after whsec_; 400 naming the field', async () => {
    const b64 = (n: number) => Buffer.alloc(n, 9).toString('base64');
    const url = 'http://127.0.0.1:9/hook';
    expect((await put(allowed, url, `whsec_${b64(24)}`)).status).toBe(201);
    expect((await put(allowed, url, 'x'.repeat(24))).status).toBe(201);
    for (const secret of [
      `whsec_${b64(16)}`,
      'x'.repeat(23),
      `whsec_${b64(30)}!`,
      `whsec_${b64(30)}=`,
      `whsec_${'%'.repeat(40)}`,
    ]) {
      const res = await put(allowed, url, secret);
      expect({ secret, status: res.status, fields: fields(res.body) }).toEqual({
        secret,
        status: 400,
        fields: ['/webhook/secret'],
      });
      expect(JSON.stringify(res.body)).not.toContain(secret);
    }
    // Both wrong: both fields named.
    const both = await put(production, 'http://10.0.0.1/', 'x'.repeat(23));
    expect(fields(both.body).sort()).toEqual(['/webhook/secret', '/webhook/url']);
  });
});
