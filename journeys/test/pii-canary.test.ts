import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import {
  allTopics,
  createEvent,
  deadLetterTopic,
  encodeHttpStructured,
  encodeKafka,
  mayCarry,
  type PersonalDataKind,
  PersonalDataKinds,
} from '@homeward/events';
import { agencyPrincipal, agencyReportTopic } from '@homeward/messaging';
import type { Logger } from '@homeward/service-kit';
import {
  createTestTopics,
  deleteTestTopics,
  devKey,
  type ServiceUnderTest,
  SseClient,
  sendRaw,
  startServiceForTest,
  TopicCollector,
  uniqueName,
  waitFor,
} from '@homeward/testing';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp as dashboardApp } from '../../services/dashboard/src/app.ts';
import { DashboardConfig } from '../../services/dashboard/src/config.ts';
import { buildApp as dnaApp } from '../../services/dna-tracking/src/app.ts';
import {
  DnaTrackingConfig,
  SHIPPED_FREQUENCY_SOURCE,
  SHIPPED_FREQUENCY_TABLE,
} from '../../services/dna-tracking/src/config.ts';
import { loadFrequencyTable } from '../../services/dna-tracking/src/domain/allele-frequencies.ts';
import { SyntheticPopulation } from '../../services/dna-tracking/src/domain/synthetic-population.ts';
import { buildApp as intakeApp } from '../../services/intake/src/app.ts';
import { IntakeConfig } from '../../services/intake/src/config.ts';
import { buildApp as notificationsApp } from '../../services/notifications/src/app.ts';
import { NotificationsConfig } from '../../services/notifications/src/config.ts';
import { buildApp as placementApp } from '../../services/placement/src/app.ts';
import { PlacementConfig } from '../../services/placement/src/config.ts';
import { buildApp as rescueApp } from '../../services/rescue-coordination/src/app.ts';
import { RescueConfig } from '../../services/rescue-coordination/src/config.ts';

/**
 * The PII canary: one scenario through all six services with recognisable values in every
 * kind of personal data the platform guards, then a search for them everywhere they must not
 * be: every log line (at debug, without the kit's redaction: the code must not log them in
 * the first place), every webhook a unit received and every message of its live channel,
 * every message of the operators' stream, and every event on every topic (dead letters too)
 * whose type the catalogue does not let carry that kind (`mayCarry`).
 */

const CANARY: Record<PersonalDataKind, string[]> = {
  'child-name': ['Canary Xiaoqiao Zzyzx'],
  'reporter-contact': ['Canary Reporter Qqwx', '+86 139 2468 1357'],
  'guardian-contact': [
    'Canary Guardian Wwqx',
    '77 Canary Lane Wwqx',
    'Canary Foster Ppqz',
    '9 Canary Road Ppqz',
  ],
  'buyer-identity': ['Canary Buyer Vvxq', '5 Canary Village Vvxq', '34152219800808771X'],
  'guardian-identity': ['34010219750505662X'],
  genotype: [], // filled from the profile below
};
const SCHOOLISH = ['Canary Hospital Kkzq'];

// A child's STR profile from the shipped frequency table; each locus as the lab sends it.
const table = loadFrequencyTable(JSON.parse(readFileSync(SHIPPED_FREQUENCY_TABLE, 'utf8')), {
  population: 'Caucasian',
  source: SHIPPED_FREQUENCY_SOURCE,
});
const profile = new SyntheticPopulation(table, 4242).person();
const loci = Object.fromEntries(Object.entries(profile.loci).map(([l, g]) => [l, [...g!].map(String)]));
CANARY.genotype = Object.entries(loci).map(([locus, alleles]) => `"${locus}":${JSON.stringify(alleles)}`);

const logLines: string[] = [];
function capturingLogger(service: string): Logger {
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line) logLines.push(line);
      done();
    },
  });
  return pino({ level: 'debug', base: { service } }, sink);
}

let prefix: string;
// biome-ignore lint/suspicious/noExplicitAny: six services of six app types
const services: Record<string, ServiceUnderTest<any>> = {};
const collectors: TopicCollector[] = [];
const deadLetters: TopicCollector[] = [];
let receiver: Server;
let receiverUrl: string;
const webhooks: string[] = [];
let unitStream: SseClient;
let operatorStream: SseClient;

async function start<S, A>(
  name: string,
  configSchema: S,
  buildApp: A,
  extra: { listen?: number; env?: Record<string, string>; defaultRole: string },
) {
  services[name] = await startServiceForTest({
    name,
    // biome-ignore lint/suspicious/noExplicitAny: each service's own schema and app
    configSchema: configSchema as any,
    // biome-ignore lint/suspicious/noExplicitAny: each service's own schema and app
    buildApp: buildApp as any,
    prefix,
    logger: capturingLogger(name),
    dropDatabaseOnStop: true,
    ...extra,
  });
}

beforeAll(async () => {
  prefix = await createTestTopics('pii-canary');
  for (const topic of allTopics) {
    collectors.push(await new TopicCollector(`${prefix}${topic}`).start());
    const dlq = await new TopicCollector(`${prefix}${deadLetterTopic(topic)}`).start();
    collectors.push(dlq);
    deadLetters.push(dlq);
  }
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      webhooks.push(`${JSON.stringify(req.headers)}\n${Buffer.concat(chunks).toString('utf8')}`);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

  await start('intake', IntakeConfig, intakeApp, { defaultRole: 'police' });
  await start('rescue-coordination', RescueConfig, rescueApp, { defaultRole: 'police' });
  await start('notifications', NotificationsConfig, notificationsApp, { defaultRole: 'admin', listen: 0 });
  await start('dna-tracking', DnaTrackingConfig, dnaApp, { defaultRole: 'dna-lab' });
  await start('placement', PlacementConfig, placementApp, { defaultRole: 'civil-affairs' });
  await start('dashboard', DashboardConfig, dashboardApp, { defaultRole: 'operator', listen: 0 });
}, 180_000);

afterAll(async () => {
  unitStream?.close();
  operatorStream?.close();
  for (const svc of Object.values(services)) await svc.stop();
  for (const c of collectors) await c.stop();
  receiver?.closeAllConnections();
  await new Promise<void>((r) => (receiver ? receiver.close(() => r()) : r()));
  await deleteTestTopics(prefix);
}, 120_000);

const call = (service: string, method: string, url: string, body?: unknown, role?: string) =>
  services[service]!.call(method, url, body, role ? { role } : {});

function expectStatus(res: { status: number; body: unknown }, ...ok: number[]) {
  if (!ok.includes(res.status)) throw new Error(`${res.status}: ${JSON.stringify(res.body)}`);
}

/** Every canary found in a text, by kind. */
function canariesIn(text: string): Array<{ kind: string; value: string }> {
  const found: Array<{ kind: string; value: string }> = [];
  for (const kind of PersonalDataKinds)
    for (const value of CANARY[kind]) if (text.includes(value)) found.push({ kind, value });
  for (const value of SCHOOLISH) if (text.includes(value)) found.push({ kind: 'followup-outcome', value });
  return found;
}

describe('the PII canary', () => {
  it('a full scenario leaves no personal data where the catalogue does not allow it', async () => {
    const now = Date.now();
    const iso = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
    const lastSeen = {
      at: iso(20),
      place: 'Hefei South Station, east exit',
      lat: 31.7979,
      lon: 117.2906,
      region: '340104',
    };

    // A unit near the place, with a webhook and a live channel; the operators' stream.
    const unitId = uniqueName('canary-post');
    expectStatus(
      await call('notifications', 'PUT', `/v1/units/${unitId}`, {
        name: 'Hefei South Station police post',
        kind: 'rail-station',
        location: { lat: 31.8, lon: 117.29 },
        region: '340104',
        agencyId: 'hefei-south-station-police-post',
        webhook: { url: receiverUrl, secret: 'canary-test-secret-of-24-bytes' },
      }),
      201,
    );
    unitStream = await new SseClient(`${services.notifications!.baseUrl}/v1/units/${unitId}/stream`, {
      authorization: `Bearer ${devKey('unit')}`,
    }).open();
    operatorStream = await new SseClient(`${services.dashboard!.baseUrl}/v1/stream`, {
      authorization: `Bearer ${devKey('operator')}`,
    }).open();
    expect([unitStream.status, operatorStream.status]).toEqual([200, 200]);

    // Police report the missing child, with the reporter's contacts.
    const report = (data: Record<string, unknown>, role = 'police', agency = 'hefei-psb') => {
      const encoded = encodeHttpStructured({
        specversion: '1.0',
        id: uniqueName('ce'),
        source: `agency/${agency}`,
        type: 'homeward.report.submitted',
        time: new Date().toISOString(),
        datacontenttype: 'application/json',
        data,
      });
      return services.intake!.call('POST', '/v1/reports', encoded.body, { role, headers: encoded.headers });
    };
    const missing = await report({
      kind: 'missing-child',
      child: {
        name: CANARY['child-name'][0],
        sex: 'male',
        birthDate: '2016-05-01',
        description: 'red jacket',
      },
      lastSeen,
      reporter: { name: CANARY['reporter-contact'][0], phone: CANARY['reporter-contact'][1] },
    });
    expectStatus(missing, 202);
    const { caseId, reportId } = missing.body as { caseId: string; reportId: string };

    // The same kind of report from an agency system over Kafka (on its own topic,
    // agency.reports.v1.hefei-psb, logged in as the agency), which the operators' board counts
    // without showing it.
    await sendRaw(
      `${prefix}${agencyReportTopic('hefei-psb')}`,
      [
        encodeKafka(
          createEvent(
            'homeward.report.submitted',
            {
              kind: 'missing-child',
              child: { name: CANARY['child-name'][0]!, sex: 'male', birthDate: '2015-02-03' },
              lastSeen: { ...lastSeen, at: iso(40) },
              reporter: { name: CANARY['reporter-contact'][0]!, phone: CANARY['reporter-contact'][1]! },
            },
            { source: 'agency/hefei-psb', id: uniqueName('ce') },
          ),
          null,
        ),
      ],
      agencyPrincipal('hefei-psb'),
    );

    // A child of unknown origin, with a current guardian.
    expectStatus(
      await report(
        {
          kind: 'unidentified-child',
          child: { sex: 'female', apparentAge: 5, description: 'found alone' },
          foundAt: { ...lastSeen, at: iso(30), place: 'Hefei bus station' },
          currentGuardian: {
            name: CANARY['guardian-contact'][0],
            relation: 'neighbour',
            address: CANARY['guardian-contact'][1],
          },
        },
        'hotline',
        'anhui-12355-hotline',
      ),
      202,
    );

    // The alert reaches the unit (webhook and live channel).
    await waitFor(() => webhooks.length >= 1 && unitStream.events.length >= 1, {
      what: 'the alert at the unit',
      timeoutMs: 60_000,
    });

    // A sighting; located, rescued with the buying household (no team: its officers are roster
    // data, not the personal data this test follows).
    expectStatus(
      await report(
        {
          kind: 'sighting',
          caseId,
          seenAt: { ...lastSeen, at: iso(10), place: 'Hefei West bus terminal' },
          description: 'a boy in a red jacket',
        },
        'volunteer',
        'baby-come-home-volunteers',
      ),
      202,
    );
    await waitFor(
      async () => (await call('rescue-coordination', 'GET', `/v1/cases/${caseId}`)).status === 200,
      {
        what: 'rescue knows the case',
      },
    );
    expectStatus(
      await call('rescue-coordination', 'POST', `/v1/cases/${caseId}/located`, {
        place: 'a farmhouse in Shou county',
      }),
      200,
    );
    expectStatus(
      await call('rescue-coordination', 'POST', `/v1/cases/${caseId}/rescued`, {
        place: 'a farmhouse in Shou county',
        region: '341522',
        buyerHousehold: {
          headName: CANARY['buyer-identity'][0],
          address: CANARY['buyer-identity'][1],
          idNumber: CANARY['buyer-identity'][2],
        },
      }),
      200,
    );
    // Operators read the case: never the buyer's identity number.
    const forOperator = await call(
      'rescue-coordination',
      'GET',
      `/v1/cases/${caseId}`,
      undefined,
      'operator',
    );
    expectStatus(forOperator, 200);
    expect(canariesIn(JSON.stringify(forOperator.body)).filter((c) => c.kind !== 'child-name')).toEqual([]);
    expect(JSON.stringify(forOperator.body)).not.toContain(CANARY['child-name'][0]);

    // DNA: the child's sample, to the lab, profiled.
    const sample = await call(
      'dna-tracking',
      'POST',
      '/v1/samples',
      {
        subject: { kind: 'rescued-child', caseId },
        kitBarcode: uniqueName('KIT').replaceAll('_', '-'),
        collectedAt: iso(5),
        place: 'Hefei PSB forensic centre',
        region: '340104',
        collector: 'officer-3401-0457',
      },
      'police',
    );
    expectStatus(sample, 201);
    const sampleId = (sample.body as { sampleId: string }).sampleId;
    for (const [i, step] of (['sealed', 'shipped', 'received'] as const).entries())
      expectStatus(
        await call('dna-tracking', 'POST', `/v1/samples/${sampleId}/custody`, {
          step,
          at: iso(4 - i),
          by: 'lab-tech-7',
          place: 'Anhui forensic lab',
          ...(step === 'shipped' ? { trackingNumber: 'SF1234567890' } : {}),
        }),
        201,
      );
    expectStatus(await call('dna-tracking', 'POST', `/v1/samples/${sampleId}/profile`, { loci }), 201);

    // Placement: a foster family with an identity number; a follow-up done at a hospital.
    await waitFor(
      async () =>
        (
          await call('placement', 'POST', '/v1/placements', {
            caseId,
            type: 'foster-family',
            decisionDate: new Date().toISOString().slice(0, 10),
            handoverPlan: 'handover at the civil-affairs office with a social worker',
            guardian: {
              name: CANARY['guardian-contact'][2],
              address: CANARY['guardian-contact'][3],
              relation: 'foster mother',
              idNumber: CANARY['guardian-identity'][0],
            },
          })
        ).status === 201,
      { what: 'the placement decided', timeoutMs: 30_000 },
    );
    const placement = await call('placement', 'GET', `/v1/cases/${caseId}/placement`);
    expectStatus(placement, 200);
    const medical = (
      placement.body as { followups: Array<{ followupId: string; type: string }> }
    ).followups.find((f) => f.type === 'medical-psychological-rehabilitation');
    expectStatus(
      // Completed by its owner role (health), as placement's follow-up owners require.
      await call(
        'placement',
        'POST',
        `/v1/followups/${medical!.followupId}/complete`,
        { hospital: SCHOOLISH[0] },
        'health',
      ),
      200,
    );

    // Police read the contacts where they stay (an audited read over HTTP, not a log line).
    const contacts = await call('intake', 'GET', `/v1/reports/${reportId}/contacts`);
    expectStatus(contacts, 200);
    expect((contacts.body as { reporter: { phone: string } }).reporter.phone).toBe(
      CANARY['reporter-contact'][1],
    );

    // Everything has gone round: the last event reached the bus and the operators' stream.
    const allEvents = () => collectors.flatMap((c) => c.events);
    await waitFor(() => allEvents().some((e) => e.type === 'homeward.followup.completed'), {
      what: 'followup.completed on the bus',
      timeoutMs: 30_000,
    });
    await waitFor(() => operatorStream.messages.some((m) => m.data.includes('homeward.followup.completed')), {
      what: 'the operators saw it',
      timeoutMs: 30_000,
    });
    await waitFor(() => allEvents().some((e) => e.type === 'homeward.dna.profile-entered'), {
      what: 'profile-entered on the bus',
    });
    await waitFor(
      () => operatorStream.messages.some((m) => m.data.includes('"type":"homeward.report.submitted"')),
      { what: 'the operators counted the raw report', timeoutMs: 30_000 },
    );
    expect(allEvents().filter((e) => e.type === 'homeward.case.opened')).toHaveLength(3);

    // The canaries did travel where the catalogue lets them (so the search below means something).
    const carried = (type: string, kind: PersonalDataKind) =>
      allEvents().some((e) => e.type === type && canariesIn(JSON.stringify(e)).some((c) => c.kind === kind));
    expect(carried('homeward.case.opened', 'child-name')).toBe(true);
    expect(carried('homeward.case.child-rescued', 'buyer-identity')).toBe(true);
    expect(webhooks.length).toBeGreaterThan(0);
    expect(operatorStream.messages.length).toBeGreaterThan(10);
    expect(logLines.length).toBeGreaterThan(50);

    // Nowhere else.
    const leaks: string[] = [];
    for (const line of logLines)
      for (const c of canariesIn(line)) leaks.push(`log ${c.kind} "${c.value}": ${line.slice(0, 300)}`);
    for (const body of webhooks)
      for (const c of canariesIn(body)) leaks.push(`webhook ${c.kind} "${c.value}"`);
    for (const m of unitStream.messages)
      for (const c of canariesIn(m.data)) leaks.push(`unit SSE ${c.kind} "${c.value}"`);
    for (const m of operatorStream.messages)
      for (const c of canariesIn(m.data))
        leaks.push(`dashboard ${c.kind} "${c.value}": ${m.data.slice(0, 200)}`);
    for (const c of collectors)
      for (const m of c.messages) {
        const type = m.message.headers?.ce_type?.toString() ?? '(no type)';
        const text = `${m.message.value?.toString() ?? ''}${JSON.stringify(m.message.headers ?? {})}`;
        for (const found of canariesIn(text))
          if (!mayCarry(type, found.kind as PersonalDataKind))
            leaks.push(`event ${type} carries ${found.kind} "${found.value}"`);
      }
    expect(leaks).toEqual([]);
    // Nothing was dead-lettered on the way.
    expect(deadLetters.flatMap((c) => c.messages.map((m) => m.message.headers?.ce_type?.toString()))).toEqual(
      [],
    );
  }, 300_000);
});
