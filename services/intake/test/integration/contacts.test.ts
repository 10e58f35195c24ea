import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mayCarry } from '@homeward/events';
import { createTestTopics, type TopicCollector, uniqueName } from '@homeward/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  caseEventsCollector,
  missingChild,
  type RunningIntake,
  reportEvent,
  startIntake,
  unidentifiedChild,
} from '../support.ts';

// The development credentials plus police of another prefecture (Lu'an, 341500), so the
// region rule is tried from outside as well as from inside.
const LUAN_POLICE = 'hw_test_police_luan_0123456789abcdef01234567';
const dir = mkdtempSync(join(tmpdir(), 'intake-contacts-'));
const credentialsFile = join(dir, 'credentials.json');
const dev = JSON.parse(
  readFileSync(new URL('../../../../infra/local/dev-credentials.json', import.meta.url), 'utf8'),
) as unknown[];
writeFileSync(
  credentialsFile,
  JSON.stringify([...dev, { key: LUAN_POLICE, agencyId: 'luan-psb', role: 'police', region: '341500' }]),
);

let intake: RunningIntake;
let cases: TopicCollector;

beforeAll(async () => {
  const prefix = await createTestTopics('intake-contacts');
  intake = await startIntake({ prefix, env: { CREDENTIALS_FILE: credentialsFile } });
  cases = await caseEventsCollector(prefix);
});

afterAll(async () => {
  await cases.stop();
  await intake.stop();
});

/** A GET with the given API key (none: no credentials). */
const get = async (url: string, opts: { key?: string } = {}) => {
  const r = await intake.app.http.inject({
    method: 'GET',
    url,
    headers: opts.key ? { authorization: `Bearer ${opts.key}` } : {},
  });
  return { status: r.statusCode, body: r.body ? JSON.parse(r.body) : undefined };
};

describe('contacts stay in intake, read through GET /v1/reports/{reportId}/contacts', () => {
  it('case.opened carries neither the reporter nor a current guardian; police of the region read them', async () => {
    const name = uniqueName('child');
    const res = await intake.post(reportEvent(missingChild({ name })));
    expect(res.status).toBe(202);
    const opened = await cases.waitForEvent(
      (e) => e.type === 'homeward.case.opened' && (e.data as { caseId: string }).caseId === res.body.caseId,
    );
    const text = JSON.stringify(opened.data);
    expect(text).not.toContain('+86 138 0000 0000');
    expect(text).not.toContain('reporter');
    expect((opened.data as { report: { child: { name: string } } }).report.child.name).toBe(name);

    const police = await get(`/v1/reports/${res.body.reportId}/contacts`, { key: devKeyOf('police') });
    expect(police.status).toBe(200);
    expect(police.body).toEqual({
      reportId: res.body.reportId,
      caseId: res.body.caseId,
      kind: 'missing-child',
      region: '340104',
      reporter: { name: 'Li Wei', phone: '+86 138 0000 0000' },
    });
    const operator = await get(`/v1/reports/${res.body.reportId}/contacts`, { key: devKeyOf('operator') });
    expect(operator.status).toBe(200);
    expect(operator.body.reporter.phone).toBe('+86 138 0000 0000');
    // Each read is audited once, with ids and regions only.
    const audit = await intake.host.rt.mongo.db
      .collection('audit_log')
      .find({ action: 'report.contacts', recordIds: res.body.reportId })
      .toArray();
    expect(audit.map((r) => r.actor.role).sort()).toEqual(['operator', 'police']);
    expect(audit[0]).toMatchObject({ recordType: 'report', regions: ['340104'] });
    expect(JSON.stringify(audit)).not.toContain('+86 138');
  });

  it('an unidentified child: the current guardian rides only as placement needs it (name, relation, address), as the catalogue says', async () => {
    const report = {
      ...unidentifiedChild(),
      currentGuardian: { name: 'Zhao Liu', relation: 'neighbour', address: '8 Canal Road' },
    };
    const res = await intake.post(reportEvent(report));
    expect(res.status).toBe(202);
    const opened = await cases.waitForEvent(
      (e) => e.type === 'homeward.case.opened' && (e.data as { caseId: string }).caseId === res.body.caseId,
    );
    // Placement counts the current guardian in the buying household until police clear them.
    expect(mayCarry('homeward.case.opened', 'guardian-contact')).toBe(true);
    expect((opened.data as { report: { currentGuardian?: unknown } }).report.currentGuardian).toEqual(
      report.currentGuardian,
    );
    const answer = await get(`/v1/reports/${res.body.reportId}/contacts`, { key: devKeyOf('police') });
    expect(answer.status).toBe(200);
    expect(answer.body.currentGuardian).toEqual(report.currentGuardian);
    expect(answer.body.reporter).toBeUndefined();
  });

  it('police of another prefecture get 404, as for an unknown report; other roles 403; no key 401', async () => {
    const res = await intake.post(reportEvent(missingChild({ name: uniqueName('child') })));
    const url = `/v1/reports/${res.body.reportId}/contacts`;
    const outside = await get(url, { key: LUAN_POLICE });
    expect(outside.status).toBe(404);
    expect(outside.body.code).toBe('INTAKE_ERR_REPORT_NOT_FOUND');
    expect(JSON.stringify(outside.body)).not.toContain('Li Wei');
    expect((await get('/v1/reports/rpt-nothing/contacts', { key: devKeyOf('police') })).status).toBe(404);
    for (const role of ['hotline', 'education', 'unit', 'civil-affairs']) {
      expect((await get(url, { key: devKeyOf(role) })).status).toBe(403);
    }
    expect((await get(url)).status).toBe(401);
    // Refused reads leave no audit record.
    const audit = await intake.host.rt.mongo.db
      .collection('audit_log')
      .countDocuments({ recordIds: res.body.reportId });
    expect(audit).toBe(0);
  });
});

function devKeyOf(role: string): string {
  const found = (dev as Array<{ key: string; role: string }>).find((e) => e.role === role);
  if (!found) throw new Error(`no development key for ${role}`);
  return found.key;
}
