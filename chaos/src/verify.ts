import { randomBytes } from 'node:crypto';
import { allTopics, deadLetterTopic, Topics } from '@homeward/events';
import { createKafkaClient, kafkaSecurityFromEnv, OBSERVER } from '@homeward/messaging';
import { pino } from 'pino';
import type { Accepted } from './traffic.ts';
import type { Delivery } from './webhooks.ts';

interface Seen {
  id: string;
  type: string;
  data: Record<string, unknown>;
}

/** Every message on the given topics, read from the start up to the high watermarks of now. */
export async function readTopics(brokers: string[], topics: string[]): Promise<Map<string, Seen[]>> {
  // The read-only observer: it reads every topic, dead letters included, and writes nothing.
  const kafka = createKafkaClient({
    clientId: 'chaos-verify',
    brokers,
    logger: pino({ level: 'silent' }),
    login: { principal: OBSERVER, security: kafkaSecurityFromEnv(process.env) },
    config: { retry: { retries: 3 } },
  });
  const admin = kafka.admin();
  await admin.connect();
  const out = new Map<string, Seen[]>(topics.map((t) => [t, []]));
  const remaining = new Map<string, bigint>();
  try {
    for (const topic of topics) {
      for (const p of await admin.fetchTopicOffsets(topic)) {
        if (BigInt(p.high) > BigInt(p.low)) remaining.set(`${topic}/${p.partition}`, BigInt(p.high));
      }
    }
  } finally {
    await admin.disconnect();
  }
  if (remaining.size === 0) return out;
  const consumer = kafka.consumer({
    groupId: `${OBSERVER}.chaos-verify-${randomBytes(4).toString('hex')}`,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    let resolveDone: () => void = () => {};
    const done = new Promise<void>((r) => {
      resolveDone = r;
    });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const header = (n: string) => message.headers?.[n]?.toString();
        let data: Record<string, unknown> = {};
        try {
          data = JSON.parse(message.value?.toString() ?? '{}') as Record<string, unknown>;
        } catch {
          // A dead letter may hold anything.
        }
        out.get(topic)?.push({
          id: header('ce_id') ?? '',
          type: header('ce_type') ?? header('dlq_reason') ?? '',
          data: topic.endsWith('.dlq')
            ? { reason: header('dlq_reason'), code: header('dlq_error_code') }
            : data,
        });
        const key = `${topic}/${partition}`;
        const high = remaining.get(key);
        if (high !== undefined && BigInt(message.offset) + 1n >= high) remaining.delete(key);
        if (remaining.size === 0) resolveDone();
      },
    });
    await Promise.race([
      done,
      new Promise((_, rej) => setTimeout(() => rej(new Error('reading topics timed out')), 60_000)),
    ]);
  } finally {
    await consumer.disconnect();
  }
  return out;
}

export interface Verdict {
  /** Accepted reports without their case.opened on the topic. */
  lost: string[];
  /** Reports with more than one case, police missing-child cases with more than one alert. */
  duplicated: string[];
  /** Accepted cases still without an alert, alerts still without every unit's webhook. */
  pending: string[];
  /** case.opened messages seen twice with one event id (at-least-once: allowed, counted). */
  redeliveries: number;
  /** Units that got the same alert more than once (distinct webhook ids). */
  doubleDeliveries: number;
  deadLetters: Array<{ topic: string; reason: string }>;
}

/** Checks the run's promises against what is on the topics and at the units. */
export async function verify(
  brokers: string[],
  accepted: Accepted[],
  deliveries: Delivery[],
  unitIds: string[],
): Promise<Verdict> {
  const dlqs = allTopics.map(deadLetterTopic);
  const seen = await readTopics(brokers, [Topics.caseEvents, Topics.alertEvents, ...dlqs]);
  const casesByReport = new Map<string, Set<string>>();
  const openedIds = new Map<string, number>();
  for (const m of seen.get(Topics.caseEvents) ?? []) {
    if (m.type !== 'homeward.case.opened') continue;
    openedIds.set(m.id, (openedIds.get(m.id) ?? 0) + 1);
    const reportId = String(m.data.reportId);
    const set = casesByReport.get(reportId) ?? new Set<string>();
    set.add(String(m.data.caseId));
    casesByReport.set(reportId, set);
  }
  const alertsByCase = new Map<string, Set<string>>();
  for (const m of seen.get(Topics.alertEvents) ?? []) {
    if (m.type !== 'homeward.alert.issued') continue;
    const set = alertsByCase.get(String(m.data.caseId)) ?? new Set<string>();
    set.add(String(m.data.alertId));
    alertsByCase.set(String(m.data.caseId), set);
  }
  const byAlertUnit = new Map<string, Set<string>>();
  for (const d of deliveries) {
    const k = `${d.alertId}|${d.unitId}`;
    const set = byAlertUnit.get(k) ?? new Set<string>();
    set.add(d.webhookId);
    byAlertUnit.set(k, set);
  }
  const verdict: Verdict = {
    lost: [],
    duplicated: [],
    pending: [],
    redeliveries: [...openedIds.values()].filter((n) => n > 1).length,
    doubleDeliveries: [...byAlertUnit.values()].filter((s) => s.size > 1).length,
    deadLetters: dlqs.flatMap((t) =>
      (seen.get(t) ?? []).map((m) => ({ topic: t, reason: String(m.data.reason) })),
    ),
  };
  for (const a of accepted) {
    const cases = casesByReport.get(a.reportId);
    if (!cases) {
      verdict.lost.push(`report ${a.reportId} has no case.opened`);
      continue;
    }
    if (cases.size > 1) verdict.duplicated.push(`report ${a.reportId} opened ${cases.size} cases`);
    const alerts = alertsByCase.get(a.caseId);
    if (!alerts) {
      verdict.pending.push(`case ${a.caseId} has no alert`);
      continue;
    }
    if (alerts.size > 1) verdict.duplicated.push(`case ${a.caseId} has ${alerts.size} alerts`);
    for (const alertId of alerts) {
      for (const unitId of unitIds) {
        if (!byAlertUnit.has(`${alertId}|${unitId}`))
          verdict.pending.push(`alert ${alertId} not at ${unitId}`);
      }
    }
  }
  return verdict;
}
