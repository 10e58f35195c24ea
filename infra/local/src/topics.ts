import { setTimeout as sleep } from 'node:timers/promises';
import { allTopics, deadLetterTopic, TOPIC_PARTITIONS, Topics } from '@homeward/events';
import {
  ADMIN,
  AGENCY_TOPIC_PARTITIONS,
  aclBindings,
  agenciesOf,
  agencyReportTopic,
  applyAclBindings,
  createKafkaClient,
  deleteAclBindings,
  type KafkaSecurity,
  OBSERVER,
  readKafkaSecrets,
  tableTopics,
} from '@homeward/messaging';
import type { Admin } from 'kafkajs';
import { pino } from 'pino';
import { launcherSecurity } from './components/kafka.ts';

export interface EnsureTopicsOptions {
  /** Topic (and consumer-group) prefix of a deployment: tests and tenants. */
  prefix?: string;
  partitions?: number;
  /** The broker's security; by default the environment's (SASL unless KAFKA_SASL=off). */
  security?: KafkaSecurity;
}

/** An administrator's client (the launcher's principal), for topics and ACLs. */
export function adminClient(brokers: string[], security: KafkaSecurity = launcherSecurity()): Admin {
  return createKafkaClient({
    brokers,
    clientId: 'homeward-launcher',
    logger: pino({ level: 'silent' }),
    login: { principal: ADMIN, security },
  }).admin();
}

/** The agency systems that may connect: the `agency.<id>` principals of the secrets file. */
export function knownAgencies(security: KafkaSecurity = launcherSecurity()): string[] {
  return agenciesOf(Object.keys(readKafkaSecrets(security.secretsFile)));
}

/**
 * Creates the contract's topics and their dead-letter twins, if missing. Auto-creation is off
 * on the broker, so this is the one place topics come from. For the contract's topics (the
 * default) it also creates each known agency's report topic and, on a broker with SASL,
 * applies the ACL table under the prefix (idempotent: existing bindings stay as they are).
 */
export async function ensureTopics(
  brokers: string[],
  topics: readonly string[] = allTopics,
  opts: EnsureTopicsOptions = {},
): Promise<string[]> {
  const security = opts.security ?? launcherSecurity();
  const admin = adminClient(brokers, security);
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const prefix = opts.prefix ?? '';
    const contract = topics.includes(Topics.agencyReports);
    const agencies = contract ? knownAgencies(security) : [];
    const partitions = opts.partitions ?? TOPIC_PARTITIONS;
    const wanted = [
      ...topics.flatMap((t) => [
        { topic: `${prefix}${t}`, partitions },
        { topic: `${prefix}${deadLetterTopic(t)}`, partitions },
      ]),
      ...agencies.map((a) => ({
        topic: `${prefix}${agencyReportTopic(a)}`,
        partitions: Math.min(partitions, AGENCY_TOPIC_PARTITIONS),
      })),
    ].filter((t) => !existing.has(t.topic));
    if (wanted.length > 0) {
      await admin.createTopics({
        // kafkajs' own wait gives up on UNKNOWN_TOPIC_OR_PARTITION while the controller is
        // still propagating the new topics; we poll the metadata ourselves instead.
        waitForLeaders: false,
        topics: wanted.map((t) => ({ topic: t.topic, numPartitions: t.partitions, replicationFactor: 1 })),
      });
      await waitForLeaders(
        admin,
        wanted.map((t) => t.topic),
      );
    }
    if (contract && security.sasl !== 'off') {
      await applyAclBindings(admin, aclBindings({ prefix, agencies }));
      await waitForAcls(brokers, security, tableTopics({ prefix, agencies }));
    }
    return wanted.map((t) => t.topic);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Deletes the topics under a prefix (a test's) and, on a broker with SASL, the ACL table's
 * bindings for that prefix, so that neither accumulates.
 */
export async function deleteTopics(
  brokers: string[],
  prefix: string,
  security: KafkaSecurity = launcherSecurity(),
): Promise<void> {
  if (!prefix) throw new Error('deleteTopics needs a prefix: the contract topics are never deleted');
  await withAdmin(brokers, security, async (admin) => {
    await deletePrefixes(admin, await admin.listTopics(), [prefix], security);
  });
}

/** Runs `fn` with a connected administrator's client, disconnected afterwards. */
async function withAdmin<T>(brokers: string[], security: KafkaSecurity, fn: (admin: Admin) => Promise<T>) {
  const admin = adminClient(brokers, security);
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

/** Deletes the topics among `topics` under any of `prefixes`, and on a SASL broker their ACLs. */
async function deletePrefixes(admin: Admin, topics: string[], prefixes: string[], security: KafkaSecurity) {
  const doomed = topics.filter((t) => prefixes.some((p) => t.startsWith(p)));
  // One request per few hundred topics: thousands in one request outlast its timeout.
  for (let i = 0; i < doomed.length; i += 200)
    await admin.deleteTopics({ topics: doomed.slice(i, i + 200), timeout: 30_000 });
  if (security.sasl === 'off') return;
  const agencies = knownAgencies(security);
  for (const prefix of prefixes) await deleteAclBindings(admin, aclBindings({ prefix, agencies }));
}

/**
 * The controller has the new bindings when CreateAcls answers; the broker's authorizer a moment
 * later. Waits until the observer (who reads every topic of the table) sees all of them, so a
 * service started next is not refused by a broker that has not caught up.
 */
async function waitForAcls(brokers: string[], security: KafkaSecurity, topics: string[], timeoutMs = 30_000) {
  const observer = createKafkaClient({
    brokers,
    clientId: 'homeward-launcher',
    logger: pino({ level: 'silent' }),
    login: { principal: OBSERVER, security },
    config: { retry: { retries: 0 } },
  }).admin();
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  try {
    await observer.connect();
    while (Date.now() < deadline) {
      try {
        await observer.fetchTopicMetadata({ topics });
        return;
      } catch (err) {
        last = err;
      }
      await sleep(100);
    }
  } finally {
    await observer.disconnect();
  }
  throw new Error(`the ACLs did not take effect within ${timeoutMs} ms: ${String(last)}`);
}

async function waitForLeaders(admin: Admin, topics: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const { topics: meta } = await admin.fetchTopicMetadata({ topics });
      if (
        meta.length === topics.length &&
        meta.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))
      )
        return;
    } catch (err) {
      last = err;
    }
    await sleep(100);
  }
  throw new Error(`topics had no leaders within ${timeoutMs} ms: ${String(last ?? topics.join(', '))}`);
}

/** Earliest creation time a prefix's base-36 stamp may decode to (older decodes are not stamps). */
const STAMP_EPOCH = Date.UTC(2024, 0, 1);
/** The test helpers' `uniqueName`: `<label>-<Date.now() in base 36>-<6 hex>`. */
const TEST_PREFIX = /^[a-z0-9-]+-([0-9a-z]{8})-[0-9a-f]{6}$/;
/** The benchmarks' run ids: `bench[-<word>]-<Date.now() in base 36>`. */
const BENCH_PREFIX = /^bench(?:-[a-z]+)?-([0-9a-z]{8})$/;

/**
 * The prefixes among `topics` that a test or a benchmark created more than `olderThanMs` before
 * `now` and never deleted (a run killed before its clean-up, a file without one). Such a prefix is
 * `<label>-<Date.now() in base 36>-<6 hex>.` (the test helpers' `uniqueName`) or
 * `bench[-<word>]-<Date.now() in base 36>.` (the benchmarks' run ids); any other topic (the
 * contract's, which are not prefixed, a tenant's prefix) is never a candidate.
 */
export function staleTestPrefixes(topics: readonly string[], now: number, olderThanMs: number): string[] {
  const stale = new Set<string>();
  for (const topic of topics) {
    const dot = topic.indexOf('.');
    if (dot <= 0) continue;
    const head = topic.slice(0, dot);
    const stamp = TEST_PREFIX.exec(head) ?? BENCH_PREFIX.exec(head);
    const created = stamp ? Number.parseInt(stamp[1]!, 36) : undefined;
    if (created === undefined || created < STAMP_EPOCH || created > now) continue;
    if (now - created > olderThanMs) stale.add(`${head}.`);
  }
  return [...stale].sort();
}

/**
 * Deletes the topics (and ACLs) of test and benchmark prefixes older than `olderThanMs`: left
 * behind by killed runs, their partitions pile up in the broker's data directory until its
 * start takes minutes. Returns the prefixes deleted.
 */
export async function deleteStaleTestTopics(
  brokers: string[],
  opts: { olderThanMs: number; security?: KafkaSecurity; now?: number },
): Promise<string[]> {
  const security = opts.security ?? launcherSecurity();
  return withAdmin(brokers, security, async (admin) => {
    const topics = await admin.listTopics();
    const prefixes = staleTestPrefixes(topics, opts.now ?? Date.now(), opts.olderThanMs);
    await deletePrefixes(admin, topics, prefixes, security);
    return prefixes;
  });
}
