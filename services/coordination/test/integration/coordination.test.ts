import { Topics } from '@homeward/events';
import { ManualClock } from '@homeward/service-kit';
import { createTestTopics, deleteTestTopics, TopicCollector, waitFor } from '@homeward/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COUNTERS } from '../../src/domain/figures.ts';
import { ANHUI, EXPECTED_MISSED, HEFEI, LUYANG, SHUSHAN, seededYear } from '../scenario.ts';
import { startCoordination, testAgencies } from '../support.ts';

// biome-ignore lint/suspicious/noExplicitAny: answers are asserted field by field
type Json = any;

/**
 * A year of events for two counties of one prefecture, on real Kafka, FerretDB and Redis:
 * submissions from each department, one returned and resubmitted, the offices' roll-up, the
 * late list after the deadline (a manual clock), supervision of a seeded scenario, scopes.
 */
const { file, agencies: A } = testAgencies([
  { agencyId: 'shushan-psb', role: 'police', region: SHUSHAN },
  { agencyId: 'shushan-civil-affairs', role: 'civil-affairs', region: SHUSHAN },
  { agencyId: 'luyang-psb', role: 'police', region: LUYANG },
  { agencyId: 'luyang-civil-affairs', role: 'civil-affairs', region: LUYANG },
  { agencyId: 'luyang-health', role: 'health', region: LUYANG },
  { agencyId: 'shushan-office', role: 'coordination-office', region: SHUSHAN },
  { agencyId: 'luyang-office', role: 'coordination-office', region: LUYANG },
  { agencyId: 'hefei-office', role: 'coordination-office', region: HEFEI },
  { agencyId: 'anhui-office', role: 'coordination-office', region: ANHUI },
  { agencyId: 'shushan-volunteers', role: 'volunteer', region: SHUSHAN },
]);
const DEPARTMENTS = ['shushan-psb', 'shushan-civil-affairs', 'luyang-psb', 'luyang-civil-affairs'] as const;
const own = (n: number) => ({ publicityCampaigns: n, trainingSessions: n + 1, peopleScreened: 10 * n });

let prefix: string;
let svc: Awaited<ReturnType<typeof startCoordination>>;
let out: TopicCollector;
const clock = new ManualClock('2026-12-20T02:00:00Z');
const as = (agencyId: string) => svc.as(A[agencyId]!);

beforeAll(async () => {
  prefix = await createTestTopics('coordination');
  svc = await startCoordination({ prefix, clock, credentialsFile: file });
  out = await new TopicCollector(`${prefix}${Topics.coordinationEvents}`).start();
  // The roster: the prefecture's office enrols its counties' departments and offices.
  for (const id of [...DEPARTMENTS, 'luyang-health', 'shushan-office', 'luyang-office']) {
    const a = A[id]!;
    const r = await as('hefei-office')('PUT', `/v1/members/${a.region}/${a.agencyId}`, { role: a.role });
    expect(r.status, r.text).toBe(200);
  }
  await svc.publish(...seededYear());
  // Every event of the year is projected: the province's figures hold all six cases.
  await waitFor(
    async () => {
      const r = await as('anhui-office')('GET', '/v1/rollup?year=2026');
      return (
        r.body?.platform?.casesOpened === 6 &&
        r.body.platform.followupsOverdue === 1 &&
        r.body.platform.matchesConfirmed === 1
      );
    },
    { what: 'the seeded year projected', timeoutMs: 60_000 },
  );
});

afterAll(async () => {
  await out?.stop();
  await svc?.stop();
  await deleteTestTopics(prefix);
});

const reminders = () =>
  out.messages
    .flatMap((m) =>
      m.event?.type === 'homeward.coordination.submission-reminder' ? [m.event.data as Json] : [],
    )
    .map((d) => `${d.agencyId} ${d.stage}`)
    .sort();

describe('the January submissions of a prefecture', () => {
  it('reminds every member when the window opens', async () => {
    expect((await svc.app.reminders.check()).raised).toBe(0);
    clock.set('2027-01-02T02:00:00Z');
    expect((await svc.app.reminders.check()).raised).toBe(7);
    await waitFor(() => reminders().length === 7, { what: 'seven reminders on Kafka' });
    expect(reminders()).toEqual(
      [
        'luyang-civil-affairs',
        'luyang-health',
        'luyang-office',
        'luyang-psb',
        'shushan-civil-affairs',
        'shushan-office',
        'shushan-psb',
      ].map((a) => `${a} opening`),
    );
  });

  it('each department submits, pre-filled from the platform’s figures of its county and role', async () => {
    clock.set('2027-01-10T02:00:00Z');
    for (const [i, id] of DEPARTMENTS.entries()) {
      const prefill = await as(id)('GET', '/v1/prefill?year=2026');
      expect(prefill.status).toBe(200);
      const r = await as(id)('PUT', '/v1/submissions/2026', {
        own: own(i + 1),
        narrative: `the year of ${id}`,
      });
      expect(r.status, r.text).toBe(201);
      expect(r.body.current.platform).toEqual(prefill.body.platform);
      expect(r.body).toMatchObject({
        status: 'submitted',
        dueDate: '2027-01-31',
        current: { version: 1, late: false },
      });
    }
    const shushanPolice = await as('shushan-psb')('GET', '/v1/prefill?year=2026');
    expect(shushanPolice.body.platform).toMatchObject({
      casesOpened: 3,
      teamsAssigned: 2,
      childrenRescued: 1,
    });
    const luyangCivil = await as('luyang-civil-affairs')('GET', '/v1/prefill?year=2026');
    expect(luyangCivil.body.platform).toMatchObject({
      'placements:civil-affairs-institution': 1,
      casesOpened: 0,
    });
  });

  it('the county office returns one with a comment; the department resubmits it as version 2', async () => {
    const id = encodeURIComponent(`2026:${SHUSHAN}:shushan-psb`);
    const returned = await as('shushan-office')('POST', `/v1/submissions/${id}/return`, {
      comment: 'add the screening in schools',
    });
    expect(returned.status, returned.text).toBe(200);
    expect(returned.body.status).toBe('returned');
    // A return needs its comment; a second return has nothing to review.
    expect((await as('shushan-office')('POST', `/v1/submissions/${id}/return`, {})).status).toBe(400);
    expect(
      (await as('shushan-office')('POST', `/v1/submissions/${id}/return`, { comment: 'x' })).body.code,
    ).toBe('COORDINATION_ERR_NOT_AWAITING_REVIEW');
    const again = await as('shushan-psb')('PUT', '/v1/submissions/2026', {
      own: { ...own(1), peopleScreened: 420 },
      narrative: 'with schools',
    });
    expect(again.status, again.text).toBe(200);
    expect(again.body.versions.map((v: Json) => v.version)).toEqual([1, 2]);
    expect(again.body.reviews).toEqual([
      expect.objectContaining({
        kind: 'returned',
        version: 1,
        comment: 'add the screening in schools',
        by: expect.objectContaining({ agencyId: 'shushan-office' }),
      }),
    ]);
    // While under review it cannot change (the same content again is a retry and changes nothing).
    expect(
      (await as('shushan-psb')('PUT', '/v1/submissions/2026', { own: own(9), narrative: 'other' })).body.code,
    ).toBe('COORDINATION_ERR_AWAITING_REVIEW');
    await waitFor(
      () =>
        out.messages
          .filter(
            (m) => m.event?.subject === `2026:${SHUSHAN}:shushan-psb` && !m.event.type.endsWith('reminder'),
          )
          .map((m) => m.event!.type)
          .join() ===
        [
          'homeward.coordination.submission-submitted',
          'homeward.coordination.submission-returned',
          'homeward.coordination.submission-submitted',
        ].join(),
      { what: 'the submission’s events, in order' },
    );
  });

  it('scopes hold: a county office cannot read its neighbour’s submissions; a department reads only its own', async () => {
    const shushanPolice = encodeURIComponent(`2026:${SHUSHAN}:shushan-psb`);
    const luyangPolice = encodeURIComponent(`2026:${LUYANG}:luyang-psb`);
    expect((await as('shushan-office')('GET', `/v1/submissions/${shushanPolice}`)).status).toBe(200);
    const neighbour = await as('luyang-office')('GET', `/v1/submissions/${shushanPolice}`);
    expect(neighbour.status).toBe(404);
    expect(neighbour.body.code).toBe('COORDINATION_ERR_SUBMISSION_NOT_FOUND');
    expect((await as('shushan-office')('GET', `/v1/submissions/${luyangPolice}`)).status).toBe(404);
    expect((await as('luyang-office')('POST', `/v1/submissions/${shushanPolice}/accept`, {})).status).toBe(
      404,
    );
    expect((await as('luyang-psb')('GET', `/v1/submissions/${shushanPolice}`)).status).toBe(404);
    expect((await as('shushan-psb')('GET', `/v1/submissions/${shushanPolice}`)).status).toBe(200);
    expect((await as('hefei-office')('GET', `/v1/submissions/${shushanPolice}`)).status).toBe(200);
    expect((await as('anhui-office')('GET', `/v1/submissions/${luyangPolice}`)).status).toBe(200);
    const list = await as('luyang-office')('GET', '/v1/submissions?year=2026');
    expect(list.body.items.map((s: Json) => s.agencyId).sort()).toEqual([
      'luyang-civil-affairs',
      'luyang-psb',
    ]);
    // Lists are paged: one per page, the next offset named; beyond the maximum page size is 400.
    const first = await as('luyang-office')('GET', '/v1/submissions?year=2026&limit=1');
    expect([first.body.items.length, first.body.nextOffset]).toEqual([1, 1]);
    const second = await as('luyang-office')('GET', '/v1/submissions?year=2026&limit=1&offset=1');
    expect([second.body.items.length, second.body.nextOffset]).toEqual([1, null]);
    expect((await as('luyang-office')('GET', '/v1/submissions?year=2026&limit=201')).status).toBe(400);
    // Authorisation comes before validation: a volunteer's malformed request is 403, not 400.
    expect((await as('shushan-volunteers')('PUT', '/v1/submissions/2026', { nonsense: true })).status).toBe(
      403,
    );
    // Roles: a volunteer does not submit; a department does not review nor oversee; no key is 401.
    expect(
      (await as('shushan-volunteers')('PUT', '/v1/submissions/2026', { own: own(1), narrative: 'n' })).status,
    ).toBe(403);
    expect((await as('shushan-psb')('POST', `/v1/submissions/${shushanPolice}/accept`, {})).status).toBe(403);
    expect((await as('shushan-psb')('GET', '/v1/supervision')).status).toBe(403);
    expect((await svc.call('GET', '/v1/rollup?year=2026', undefined, { role: null })).status).toBe(401);
    // Outside the caller's region is 404 too; malformed input is 400.
    expect((await as('shushan-office')('GET', `/v1/rollup?year=2026&region=${LUYANG}`)).status).toBe(404);
    expect((await as('hefei-office')('GET', '/v1/rollup?year=20x6')).status).toBe(400);
    expect(
      (
        await as('shushan-psb')('PUT', '/v1/submissions/2026', {
          own: { publicityCampaigns: -1, trainingSessions: 0, peopleScreened: 0 },
          narrative: 'n',
        })
      ).status,
    ).toBe(400);
    expect(
      (await as('shushan-psb')('PUT', '/v1/submissions/2026', { own: own(1), narrative: 'n', $set: {} }))
        .status,
    ).toBe(400);
  });

  it('the county offices submit upward; the prefecture sees them beside the platform’s figures, and they reconcile', async () => {
    for (const office of ['shushan-office', 'luyang-office']) {
      const r = await as(office)('PUT', '/v1/submissions/2026', {
        own: own(5),
        narrative: `the county of ${office}`,
      });
      expect(r.status, r.text).toBe(201);
      expect(r.body.current.platform.casesOpened).toBe(3);
    }
    const tree = (await as('hefei-office')('GET', '/v1/rollup?year=2026')).body;
    expect(tree.region).toBe(HEFEI);
    expect(tree.children.map((c: Json) => c.region)).toEqual([LUYANG, SHUSHAN]);
    for (const c of COUNTERS)
      expect(tree.platform[c], c).toBe(
        tree.direct[c] + tree.children[0].platform[c] + tree.children[1].platform[c],
      );
    expect(tree.platform.casesOpened).toBe(6);
    const shushan = tree.children[1];
    expect(shushan.submissions.map((s: Json) => `${s.agencyId} v${s.version} ${s.status}`)).toEqual([
      'shushan-civil-affairs v1 submitted',
      'shushan-office v1 submitted',
      'shushan-psb v2 submitted',
    ]);
    // Side by side: the police's own submission holds the police figures of the county.
    expect(shushan.byDepartment.police.casesOpened).toBe(3);

    // The prefecture adds its own and submits upward; the county office cannot review its own.
    const hefei = await as('hefei-office')('PUT', '/v1/submissions/2026', {
      own: own(7),
      narrative: 'the prefecture',
    });
    expect(hefei.body.current.platform).toEqual(tree.platform);
    const shushanOffice = encodeURIComponent(`2026:${SHUSHAN}:shushan-office`);
    expect(
      (await as('shushan-office')('POST', `/v1/submissions/${shushanOffice}/accept`, {})).body.code,
    ).toBe('COORDINATION_ERR_OWN_SUBMISSION');
    expect(
      (await as('hefei-office')('POST', `/v1/submissions/${shushanOffice}/accept`, {})).body.status,
    ).toBe('accepted');

    // The province sees the whole tree, the prefecture's submission at its node.
    const province = (await as('anhui-office')('GET', '/v1/rollup?year=2026')).body;
    expect(province.children.map((c: Json) => c.region)).toEqual([HEFEI]);
    expect(province.children[0].children.map((c: Json) => c.region)).toEqual([LUYANG, SHUSHAN]);
    expect(province.children[0].submissions.map((s: Json) => s.agencyId)).toEqual(['hefei-office']);
    expect(province.platform).toEqual(tree.platform);
  });

  it('lists who is late once the deadline has passed, and reminds them', async () => {
    expect((await as('hefei-office')('GET', '/v1/late?year=2026')).body.items).toEqual([]);
    clock.set('2027-01-26T02:00:00Z');
    await svc.app.reminders.check();
    clock.set('2027-02-02T02:00:00Z');
    await svc.app.reminders.check();
    await waitFor(() => reminders().length === 9, { what: 'due-soon and overdue reminders' });
    expect(reminders().filter((r) => !r.endsWith('opening'))).toEqual([
      'luyang-health due-soon',
      'luyang-health overdue',
    ]);
    const late = await as('hefei-office')('GET', '/v1/late?year=2026');
    expect(late.body.items).toEqual([
      {
        agencyId: 'luyang-health',
        role: 'health',
        region: LUYANG,
        submissionId: `2026:${LUYANG}:luyang-health`,
        state: 'not-submitted',
        dueDate: '2027-01-31',
      },
    ]);
    expect((await as('shushan-office')('GET', '/v1/late?year=2026')).body.items).toEqual([]);
    const csv = await as('hefei-office')('GET', '/v1/late?year=2026&format=csv');
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.text.split('\r\n')[1]).toBe(
      `2026,${LUYANG},luyang-health,health,not-submitted,2027-01-31,2026:${LUYANG}:luyang-health`,
    );
    // Submitting now is late, and says so.
    const r = await as('luyang-health')('PUT', '/v1/submissions/2026', { own: own(1), narrative: 'late' });
    expect(r.body.current.late).toBe(true);
    expect(
      (await as('hefei-office')('GET', '/v1/late?year=2026')).body.items.map((l: Json) => l.state),
    ).toEqual(['submitted-late']);
  });
});

describe('the outputs of a submission over HTTP', () => {
  it('JSON, CSV, a printable page and a PDF, by ?format= or Accept', async () => {
    const id = encodeURIComponent(`2026:${SHUSHAN}:shushan-psb`);
    const csv = await as('hefei-office')('GET', `/v1/submissions/${id}?format=csv`);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.text.split('\r\n')).toContain('own,peopleScreened,420');
    const html = await as('shushan-psb')('GET', `/v1/submissions/${id}?format=html`);
    expect(html.headers['content-type']).toContain('text/html');
    expect(html.text).toContain('with schools');
    const pdf = await svc.call('GET', `/v1/submissions/${id}`, undefined, {
      role: null,
      headers: { authorization: `Bearer ${A['shushan-office']!.key}`, accept: 'application/pdf' },
    });
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.text.startsWith('%PDF-')).toBe(true);
    // Out of scope is 404 whatever the format.
    expect((await as('luyang-office')('GET', `/v1/submissions/${id}?format=pdf`)).status).toBe(404);
  });
});

describe('supervision', () => {
  const key = (m: Json) => `${m.duty} ${m.region} ${m.department} ${m.record.kind}:${m.record.id}`;

  it('lists exactly the missed duties of the seeded scenario, each naming its record, within the viewer’s scope', async () => {
    clock.set('2027-01-10T02:00:00Z');
    const all = await as('hefei-office')('GET', '/v1/supervision');
    expect(all.status).toBe(200);
    expect(all.body.missed.map(key).sort()).toEqual(EXPECTED_MISSED);
    expect(all.body.missed.find((m: Json) => m.record.id === 'S-A3-c').record).toEqual({
      kind: 'sample',
      id: 'S-A3-c',
      href: '/v1/samples/S-A3-c',
      service: 'dna-tracking',
    });
    const shushan = await as('shushan-office')('GET', '/v1/supervision');
    expect(shushan.body.missed.map(key).sort()).toEqual(EXPECTED_MISSED.filter((k) => k.includes(SHUSHAN)));
    const luyang = await as('hefei-office')('GET', `/v1/supervision?region=${LUYANG}`);
    expect(luyang.body.missed.map(key).sort()).toEqual(EXPECTED_MISSED.filter((k) => k.includes(LUYANG)));
    const csv = await as('hefei-office')('GET', '/v1/supervision?format=csv');
    expect(csv.text.trim().split('\r\n')).toHaveLength(1 + EXPECTED_MISSED.length);
    const paged = await as('hefei-office')('GET', '/v1/supervision?limit=5');
    expect([paged.body.total, paged.body.missed.length, paged.body.nextOffset]).toEqual([7, 5, 5]);
  });

  it('audits who read the supervised records', async () => {
    // The audit is read by operators and admins (of the development file); this deployment's
    // offices get 403.
    expect((await as('hefei-office')('GET', '/v1/audit')).status).toBe(403);
    const records = await svc.rt.mongo.db
      .collection('audit_log')
      .find({ action: 'supervision.read' })
      .toArray();
    const byShushan = records.find((r) => r.actor.agencyId === 'shushan-office');
    expect(byShushan).toMatchObject({
      recordType: 'supervised-record',
      regions: [SHUSHAN],
      route: '/v1/supervision',
    });
    expect([...byShushan!.recordIds].sort()).toEqual(['case:A2', 'sample:S-A3-c']);
  });

  it('the assessment ranks the counties and their departments, raw numbers beside every score', async () => {
    const a = (await as('hefei-office')('GET', '/v1/assessment?year=2026')).body;
    expect(a.regions.map((r: Json) => [r.rank, r.region, r.score])).toEqual([
      [1, SHUSHAN, 83.3],
      [2, LUYANG, 64.3],
    ]);
    expect(a.regions[1].duties.placement).toEqual({ due: 2, onTime: 1, late: 0, missed: 1, rate: 50 });
    const csv = await as('hefei-office')('GET', '/v1/assessment?year=2026&format=csv');
    expect(csv.text.split('\r\n')[1]).toMatch(/^region,1,340104,,83\.3,/);
  });
});
