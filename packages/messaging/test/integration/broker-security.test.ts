import { allTopics, createEvent, deadLetterTopic, encodeKafka, Topics } from '@homeward/events';
import { deleteTopics, ensureTopics, knownAgencies } from '@homeward/infra-local';
import { type SaslTestBroker, saslTestBroker, testLogger, uniqueName, waitFor } from '@homeward/testing';
import type { Kafka, Producer } from 'kafkajs';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AclBinding,
  aclBindings,
  agencyPrincipal,
  agencyReportTopic,
  createKafkaClient,
  groupPrefix,
  KafkaLoginError,
  OBSERVER,
  ServicePrincipals,
  tableTopics,
} from '../../src/index.ts';

// The broker's trust boundary, on a real SASL broker with the ACL table applied for this file's
// prefix: who is let in, and what each principal may do, generated from the table itself.

let broker: SaslTestBroker;
let prefix: string;
let agencies: string[];
let bindings: AclBinding[];
const logger = testLogger();

beforeAll(async () => {
  broker = await saslTestBroker();
  prefix = `${uniqueName('acl')}.`;
  agencies = knownAgencies(broker.security);
  await ensureTopics(broker.brokers, allTopics, { prefix, partitions: 1, security: broker.security });
  bindings = aclBindings({ prefix, agencies });
}, 300_000);

afterAll(async () => {
  await deleteTopics(broker.brokers, prefix, broker.security);
});

function client(principal: string, password?: string): Kafka {
  return createKafkaClient({
    brokers: broker.brokers,
    clientId: `acl-${principal}`,
    logger,
    login: { principal, security: broker.security, ...(password === undefined ? {} : { password }) },
    config: { connectionTimeout: 5_000, retry: { retries: 0 } },
  });
}

/** The broker's authorization error a failure carries, if any (kafkajs nests them). */
function authorizationError(err: unknown): string | undefined {
  const seen = new Set<unknown>();
  const walk = (e: unknown): string | undefined => {
    if (!e || typeof e !== 'object' || seen.has(e)) return undefined;
    seen.add(e);
    const x = e as { type?: string; cause?: unknown; originalError?: unknown; errors?: unknown[] };
    if (x.type === 'TOPIC_AUTHORIZATION_FAILED' || x.type === 'GROUP_AUTHORIZATION_FAILED') return x.type;
    for (const next of [x.cause, x.originalError, ...(x.errors ?? [])]) {
      const found = walk(next);
      if (found) return found;
    }
    return undefined;
  };
  return walk(err);
}

type Outcome = 'allowed' | 'denied';

/** A group coordinator still loading (a broker just started) answers these for a moment. */
const COORDINATOR_NOT_READY = new Set([
  'NOT_COORDINATOR',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'COORDINATOR_NOT_AVAILABLE',
  'GROUP_COORDINATOR_NOT_AVAILABLE',
  'NOT_COORDINATOR_FOR_GROUP',
  'GROUP_LOAD_IN_PROGRESS',
]);

async function outcome(op: () => Promise<unknown>): Promise<Outcome> {
  for (let attempt = 0; ; attempt++) {
    try {
      await op();
      return 'allowed';
    } catch (err) {
      if (authorizationError(err)) return 'denied';
      const type = (err as { type?: string }).type;
      if (type && COORDINATOR_NOT_READY.has(type) && attempt < 100) {
        await new Promise((r) => setTimeout(r, 300));
        continue;
      }
      throw err;
    }
  }
}

function write(producer: Producer, topic: string): Promise<Outcome> {
  return outcome(() => producer.send({ topic, acks: -1, messages: [{ key: 'acl-probe', value: 'probe' }] }));
}

/**
 * A kafkajs broker connection, for the two requests its public API only makes inside a running
 * consumer, and whose errors its cluster layer hides: FindCoordinator (DESCRIBE on the group)
 * and a standalone OffsetCommit (READ on the group and on the topic, what consuming needs), one
 * request each instead of a group join. The test broker is a single node: it coordinates every
 * group.
 */
interface ProbeBroker {
  findGroupCoordinator(o: { groupId: string; coordinatorType: number }): Promise<unknown>;
  offsetCommit(o: {
    groupId: string;
    groupGenerationId: number;
    memberId: string;
    topics: Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>;
  }): Promise<unknown>;
}

interface ProbeConnection {
  broker: ProbeBroker;
  disconnect(): Promise<void>;
}

async function connectProbe(kafka: Kafka): Promise<ProbeConnection> {
  const create = Object.getOwnPropertySymbols(kafka).find(
    (s) => s.description === 'private:Kafka:createCluster',
  );
  if (!create) throw new Error('kafkajs changed: no private cluster factory');
  const cluster = (
    kafka as unknown as Record<
      symbol,
      (o: object) => {
        connect(): Promise<void>;
        disconnect(): Promise<void>;
        brokerPool: { seedBroker: ProbeBroker };
      }
    >
  )[create]!({ allowAutoTopicCreation: false });
  await cluster.connect();
  return { broker: cluster.brokerPool.seedBroker, disconnect: () => cluster.disconnect() };
}

function useGroup(probe: ProbeConnection, groupId: string): Promise<Outcome> {
  return outcome(() => probe.broker.findGroupCoordinator({ groupId, coordinatorType: 0 }));
}

function readAs(probe: ProbeConnection, groupId: string, topic: string): Promise<unknown> {
  return probe.broker.offsetCommit({
    groupId,
    groupGenerationId: -1,
    memberId: '',
    topics: [{ topic, partitions: [{ partition: 0, offset: '0' }] }],
  });
}

function read(probe: ProbeConnection, principal: string, topic: string): Promise<Outcome> {
  return outcome(() => readAs(probe, `${groupPrefix(principal, prefix)}.probe`, topic));
}

function allowedByTable(principal: string, topic: string, operation: 'READ' | 'WRITE'): boolean {
  return bindings.some(
    (b) =>
      b.resourceType === 'TOPIC' &&
      b.resourceName === topic &&
      b.principal === principal &&
      b.operation === operation,
  );
}

describe('who the broker lets in', () => {
  it('refuses a client without credentials: the SASL listener closes its connection (KafkaJSConnectionClosedError)', async () => {
    const anonymous = new kafkajs.Kafka({
      clientId: 'anonymous',
      brokers: broker.brokers,
      logLevel: kafkajs.logLevel.NOTHING,
      connectionTimeout: 3_000,
      retry: { retries: 0 },
    }).admin();
    const err = await anonymous
      .connect()
      .then(() => anonymous.fetchTopicMetadata({ topics: [`${prefix}${Topics.caseEvents}`] }))
      .then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    await anonymous.disconnect();
    expect(err?.name).toBe('KafkaJSConnectionClosedError');
    // The same broker, at the same moment, answers a client that logs in.
    const admin = client(OBSERVER).admin();
    await admin.connect();
    await expect(
      admin.fetchTopicMetadata({ topics: [`${prefix}${Topics.caseEvents}`] }),
    ).resolves.toBeDefined();
    await admin.disconnect();
  });

  it('refuses a wrong secret (KafkaJSSASLAuthenticationError), and says before connecting when a secret is missing', async () => {
    const admin = client('intake', 'not-the-secret').admin();
    const err = await admin.connect().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    await admin.disconnect();
    expect(err?.name).toBe('KafkaJSSASLAuthenticationError');
    expect(() => client('no-such-principal')).toThrow(KafkaLoginError);
    expect(() => client('no-such-principal')).toThrow(
      /^Kafka principal "no-such-principal": no secret for this principal in /,
    );
  });
});

describe('what each principal may do', () => {
  it('an agency may not write or read any internal topic (TOPIC_AUTHORIZATION_FAILED)', async () => {
    const agency = agencyPrincipal('anhui-12355-hotline');
    const kafka = client(agency);
    const producer = kafka.producer({ retry: { retries: 0 } });
    await producer.connect();
    const probe = await connectProbe(kafka);
    try {
      for (const t of [Topics.caseEvents, Topics.alertEvents, Topics.dnaEvents, Topics.placementEvents]) {
        const topic = `${prefix}${t}`;
        const err = await producer.send({ topic, acks: -1, messages: [{ value: 'forged' }] }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(authorizationError(err), `write ${t}`).toBe('TOPIC_AUTHORIZATION_FAILED');
        // Reading needs a group: the agency may use none, its own name's or anyone else's, and
        // even the topic alone is refused.
        for (const groupId of [
          `${groupPrefix(agency, prefix)}.own`,
          `${groupPrefix('placement', prefix)}.stolen`,
        ]) {
          const readErr = await readAs(probe, groupId, topic).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(authorizationError(readErr), `read ${t} in ${groupId}`).toBe('GROUP_AUTHORIZATION_FAILED');
        }
      }
      // Its own report topic it writes; another agency's it does not.
      expect(await write(producer, `${prefix}${agencyReportTopic('anhui-12355-hotline')}`)).toBe('allowed');
      expect(await write(producer, `${prefix}${agencyReportTopic('hefei-psb')}`)).toBe('denied');
      expect(await write(producer, `${prefix}${Topics.agencyReports}`)).toBe('denied');
    } finally {
      await producer.disconnect();
      await probe.disconnect();
    }
  });

  it('every principal can do exactly what the table says: principal × topic × operation, and groups', async () => {
    const principals = [...ServicePrincipals, OBSERVER, ...agencies.map(agencyPrincipal)];
    const topics = tableTopics({ prefix, agencies });
    const groupOwners = [...ServicePrincipals, OBSERVER];
    const mismatches: string[] = [];
    let checked = 0;
    await Promise.all(
      principals.map(async (principal) => {
        const kafka = client(principal);
        const producer = kafka.producer({ retry: { retries: 0 } });
        await producer.connect();
        const probe = await connectProbe(kafka);
        try {
          for (const topic of topics) {
            for (const [op, run] of [
              ['WRITE', () => write(producer, topic)],
              ['READ', () => read(probe, principal, topic)],
            ] as const) {
              // READ is checked in the principal's own group: one it may not use would hide the topic's answer.
              const expected =
                allowedByTable(principal, topic, op) && (op === 'WRITE' || groupOwners.includes(principal))
                  ? 'allowed'
                  : 'denied';
              const actual = await run();
              checked++;
              if (actual !== expected)
                mismatches.push(`${principal} ${op} ${topic}: ${actual}, table: ${expected}`);
            }
          }
          for (const owner of groupOwners) {
            const groupId = `${groupPrefix(owner, prefix)}.probe`;
            const expected = owner === principal ? 'allowed' : 'denied';
            const actual = await useGroup(probe, groupId);
            checked++;
            if (actual !== expected)
              mismatches.push(`${principal} group ${groupId}: ${actual}, table: ${expected}`);
          }
        } finally {
          await producer.disconnect();
          await probe.disconnect();
        }
      }),
    );
    expect(mismatches).toEqual([]);
    expect(checked).toBe(principals.length * (topics.length * 2 + groupOwners.length));
  }, 300_000);

  it('the observer reads every topic, dead letters included, and writes none', async () => {
    const admin = client('admin');
    const producer = admin.producer();
    await producer.connect();
    const targets = [
      `${prefix}${Topics.caseEvents}`,
      `${prefix}${deadLetterTopic(Topics.caseEvents)}`,
      `${prefix}${agencyReportTopic('hefei-psb')}`,
    ];
    const ids = targets.map(() => uniqueName('seen'));
    for (const [i, topic] of targets.entries()) {
      const e = createEvent(
        'homeward.case.closed',
        { caseId: ids[i]!, closedAt: '2026-11-28T10:00:00Z', reason: 'observer test' },
        { source: 'homeward/rescue-coordination', id: ids[i]! },
      );
      await producer.send({ topic, messages: [encodeKafka(e, ids[i]!)] });
    }
    await producer.disconnect();
    const observer = client(OBSERVER);
    const consumer = observer.consumer({
      groupId: `${OBSERVER}.${uniqueName('reads')}`,
      maxWaitTimeInMs: 50,
    });
    const seen = new Set<string>();
    await consumer.connect();
    await consumer.subscribe({ topics: targets, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void seen.add(String(message.headers?.ce_id)) });
    await waitFor(() => ids.every((id) => seen.has(id)), { what: 'the observer reading each topic' });
    await consumer.disconnect();
    const writer = observer.producer({ retry: { retries: 0 } });
    await writer.connect();
    for (const topic of tableTopics({ prefix, agencies }))
      expect(await write(writer, topic), topic).toBe('denied');
    await writer.disconnect();
  });
});
