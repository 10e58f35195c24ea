// The floor of any intake on this stack, run by intake-throughput in a process of its own:
// fastify, the CloudEvents HTTP decode intake uses, and a durable write to Kafka before the 202
// (an idempotent producer with one request in flight and acks from every in-sync replica, as
// intake's publisher; the reports that queue while a send is in flight go in the next, as
// intake's outbox relay sends what its group commits stored). No document store, no Redis, no
// authentication, no screening and no rules: what HTTP and Kafka alone cost per report on this
// machine. Not a service: it refuses nothing and keeps nothing.
//
// BARE_DECIDE=redis adds a sketch of one other design of intake, to measure what it would cost
// before anyone builds it: the schema check, then the decision in Redis (one script: the
// agency's count, the idempotency key, the duplicate-child key claimed or found) and Kafka as
// the durable record (the event and the whole report, to a topic of its own, in one send before
// the 202), with no document store on the way. It keeps the report's answer and the child's
// claim (for an hour); it is not intake: no authentication, no screening beyond the schema, no window, no
// replay of a retry's answer, and Redis here is not made durable.
//
// BARE_DECIDE=redis+store is the same decision with the report also written to the document
// store before the 202 (one document: the report with its case, group-committed as intake's
// inserts are, beside the Kafka send), as a design that keeps the store readable the moment a
// report is answered would: what that one write costs on top of the sketch.
// Env: BARE_PORT, BARE_TOPIC (the topic it writes; the sketch writes the reports to
// BARE_TOPIC-records too), BARE_DECIDE, BARE_REDIS_URL (the sketch's Redis, when not the
// benchmark's: one that fsyncs every write, say), BARE_MONGO_DB (redis+store's database), and
// the broker's, Redis's and the store's as for any benchmark.
import { decodeHttp, type MissingChildReport, validateReportData } from '@homeward/events';
import { GroupCommit } from '@homeward/persistence';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import type { Message } from 'kafkajs';
import { type Document, MongoClient } from 'mongodb';
import { duplicateChildKey } from '../../services/intake/src/domain/duplicate-child.ts';
import { caseIdFor } from '../../services/intake/src/domain/ids.ts';
import { benchInfraSync, benchKafka } from './infra.ts';

const port = Number(process.env.BARE_PORT);
const topic = process.env.BARE_TOPIC ?? '';
if (!port || !topic) throw new Error('BARE_PORT and BARE_TOPIC are required');
const decide = process.env.BARE_DECIDE === 'redis' || process.env.BARE_DECIDE === 'redis+store';
const withStore = process.env.BARE_DECIDE === 'redis+store';

/**
 * The sketch's decision, atomic in Redis: counts the agency's report, answers a known report id
 * with its first decision, else claims the child's key (or finds the case holding it) and keeps
 * the decision under the report id. KEYS: the count, the report, the child; ARGV: the new case.
 */
const DECIDE = `
redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], 60)
local first = redis.call('GET', KEYS[2])
if first then return first end
local decision
local held = redis.call('GET', KEYS[3])
if held then decision = 'lead:' .. held else
  redis.call('SET', KEYS[3], ARGV[1], 'EX', 3600)
  decision = 'open:' .. ARGV[1]
end
redis.call('SET', KEYS[2], decision, 'EX', 3600)
return decision
`;
const redis = decide ? new Redis(process.env.BARE_REDIS_URL ?? benchInfraSync().redisUrl) : undefined;
redis?.defineCommand('decide', { numberOfKeys: 3, lua: DECIDE });

const producer = benchKafka(benchInfraSync(), 'bench-bare-intake').producer({
  idempotent: true,
  maxInFlightRequests: 1,
  allowAutoTopicCreation: false,
});
await producer.connect();

// redis+store: the reports' inserts, group-committed (one insertMany per round, unordered, as
// intake's are).
const mongo = withStore ? await new MongoClient(benchInfraSync().mongoUrl).connect() : undefined;
const records = mongo?.db(process.env.BARE_MONGO_DB || 'bench_sketch').collection<Document>('records');
const inserts = records
  ? new GroupCommit<Document, true>(async (docs) => {
      await records.insertMany(docs, { ordered: false });
      return docs.map(() => true as const);
    })
  : undefined;

// What queues while a send is in flight goes in the next one: the persistence package's group
// commit, as intake's own writes are batched.
// (A message names its topic when it is not BARE_TOPIC.)
const sends = new GroupCommit<Message & { topic?: string }, true>(async (messages) => {
  const byTopic = new Map<string, Message[]>();
  for (const { topic: to = topic, ...m } of messages) {
    const batch = byTopic.get(to);
    if (batch) batch.push(m);
    else byTopic.set(to, [m]);
  }
  await producer.sendBatch({
    acks: -1,
    topicMessages: [...byTopic].map(([to, msgs]) => ({ topic: to, messages: msgs })),
  });
  return messages.map(() => true as const);
});

const app = Fastify({ logger: false });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
app.post('/v1/reports', async (request, reply) => {
  const event = decodeHttp(request.headers, request.body as Buffer).events[0]!;
  const reportId = `rpt-${event.id}`;
  if (!redis) {
    await sends.run({
      key: reportId,
      value: JSON.stringify({ reportId, type: 'homeward.case.opened', report: event.data }),
    });
    return reply.code(202).send({ reportId });
  }
  const errors = validateReportData(event.data);
  if (errors.length > 0) return reply.code(400).send({ errors });
  const data = event.data as MissingChildReport;
  // The child's key and the case id as intake derives them.
  const decision = await (redis as Redis & { decide(...a: string[]): Promise<string> }).decide(
    'bench:count',
    `bench:report:${reportId}`,
    `bench:${duplicateChildKey(data)}`,
    caseIdFor(reportId),
  );
  const [outcome, caseId] = decision.split(':') as [string, string];
  // The event and the whole report in one send: both durable before the answer (and, with
  // redis+store, the report in the store too).
  await Promise.all([
    inserts?.run({
      _id: reportId,
      caseId,
      outcome,
      receivedAt: new Date(),
      data,
      ...(outcome === 'open' ? { case: { status: 'open' } } : {}),
    }),
    sends.run({
      key: caseId,
      value: JSON.stringify({
        reportId,
        caseId,
        type: `homeward.case.${outcome === 'open' ? 'opened' : 'lead-added'}`,
        report: data,
      }),
    }),
    sends.run({
      topic: `${topic}-records`,
      key: reportId,
      value: JSON.stringify({ reportId, caseId, outcome, report: data }),
    }),
  ]);
  return reply.code(202).send({ reportId, caseId });
});
await app.listen({ port, host: '127.0.0.1' });
process.stdout.write('ready\n');

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void app
    .close()
    .then(() => Promise.all([producer.disconnect(), redis?.quit(), mongo?.close()]))
    .finally(() => process.exit(0));
};
process.once('SIGTERM', stop);
// Its stdin is the bench's pipe: should the bench die without a SIGTERM, the pipe closes and this
// server goes too, instead of keeping the port the next run's intake needs.
process.stdin.once('close', stop).resume();
