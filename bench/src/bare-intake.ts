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
//
// BARE_DECIDE=full is that design doing, on a new report's path, what intake does there: the
// bearer key checked against the deployment's credentials, intake's own screening
// (`screenReport`), ids and fingerprint; one Redis script (the agency's rate limit, the
// report's answer, the child's claim, and the report added to an index of reports whose event
// is not yet published, which a sweep would finish after a crash); the report and its case
// record, as intake stores them, in one group-committed insert beside the event's durable send
// (built by intake's `outcomeEvent`, validated and sent by the messaging package's publisher);
// the index entry removed after the send (lingered, in one command); and a consumer of its own
// events, as intake reads `case.events.v1`. Not on its path, so not built: a retry's replay, a
// claimed child, the sweep itself, request metrics and traces.
// Env: BARE_PORT, BARE_TOPIC (the topic it writes; the sketch writes the reports to
// BARE_TOPIC-records too), BARE_DECIDE, BARE_REDIS_URL (the sketch's Redis, when not the
// benchmark's: one that fsyncs every write, say), BARE_MONGO_DB (redis+store's database), and
// the broker's, Redis's and the store's as for any benchmark.
import { join } from 'node:path';
import { decodeHttp, type MissingChildReport, Topics, validateReportData } from '@homeward/events';
import { repoRoot } from '@homeward/infra-local';
import { EventPublisher, type OutgoingEvent, routeOf } from '@homeward/messaging';
import { GroupCommit } from '@homeward/persistence';
import { authenticate, Credentials } from '@homeward/service-kit';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import type { Message } from 'kafkajs';
import { type Document, MongoClient } from 'mongodb';
import { pino } from 'pino';
import { claimFor, duplicateChildKey } from '../../services/intake/src/domain/duplicate-child.ts';
import { caseIdFor, fingerprint, reportIdFor } from '../../services/intake/src/domain/ids.ts';
import { opensCase, outcomeEvent, regionOf } from '../../services/intake/src/domain/report-outcome.ts';
import { screenReport } from '../../services/intake/src/domain/screening.ts';
import { benchInfraSync, benchKafka } from './infra.ts';

const port = Number(process.env.BARE_PORT);
const topic = process.env.BARE_TOPIC ?? '';
if (!port || !topic) throw new Error('BARE_PORT and BARE_TOPIC are required');
const mode = process.env.BARE_DECIDE ?? '';
const full = mode === 'full';
const decide = mode === 'redis' || mode === 'redis+store' || full;
const withStore = mode === 'redis+store' || full;

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
/** The sketches' Redis, with their two scripts as commands. */
type SketchRedis = Redis & {
  decide(...keysAndArgs: string[]): Promise<string>;
  decideFull(...keysAndArgs: string[]): Promise<string[]>;
};
const redis = decide
  ? (new Redis(process.env.BARE_REDIS_URL ?? benchInfraSync().redisUrl) as SketchRedis)
  : undefined;
redis?.defineCommand('decide', { numberOfKeys: 3, lua: DECIDE });

/**
 * The full sketch's decision, atomic in Redis. KEYS: the agency's count this minute, the
 * report's answer, the child's claim, the index of reports not yet published. ARGV: the limit,
 * the answer, the claim, now (ms), the report id.
 */
const DECIDE_FULL = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], 60) end
if n > tonumber(ARGV[1]) then return {'limited'} end
local first = redis.call('GET', KEYS[2])
if first then return {'replay', first} end
local held = redis.call('GET', KEYS[3])
if held then return {'claimed', held} end
redis.call('SET', KEYS[3], ARGV[3], 'EX', 3600)
redis.call('SET', KEYS[2], ARGV[2], 'EX', 3600)
redis.call('ZADD', KEYS[4], ARGV[4], ARGV[5])
return {'open'}
`;
redis?.defineCommand('decideFull', { numberOfKeys: 4, lua: DECIDE_FULL });

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
  if (full) return fullReport(request, reply);
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
  const decision = await redis.decide(
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
// The full sketch: the credentials, the publisher (its case events go to BARE_TOPIC), the index's
// lingered removals, and a consumer of its own events.
const credentials = full
  ? Credentials.fromFile(join(repoRoot, 'infra/local/dev-credentials.json'))
  : undefined;
const publisher = full
  ? new EventPublisher({
      kafka: benchKafka(benchInfraSync(), 'bench-bare-intake-full'),
      topics: (logical) => (logical === Topics.caseEvents ? topic : logical),
      logger: pino({ level: 'silent' }),
    })
  : undefined;
await publisher?.connect();
const events = publisher
  ? new GroupCommit<OutgoingEvent, true>(async (batch) => {
      await publisher.send(batch);
      return batch.map(() => true as const);
    })
  : undefined;
const PENDING = 'bench:unpublished';
let published: string[] = [];
let unindexTimer: NodeJS.Timeout | undefined;
function unindex(reportId: string): void {
  published.push(reportId);
  // The first of a linger starts its timer; the others join it.
  unindexTimer ??= setTimeout(() => void unindexPublished(), 200);
}

/** Removes the lingering published reports from the index (at the linger's end, and at stop). */
function unindexPublished(): Promise<unknown> {
  clearTimeout(unindexTimer);
  unindexTimer = undefined;
  const ids = published;
  published = [];
  return ids.length > 0 && redis ? redis.zrem(PENDING, ...ids) : Promise.resolve();
}
const ownEvents = full
  ? benchKafka(benchInfraSync(), 'bench-bare-intake-own').consumer({
      groupId: `${topic}-own`,
      maxWaitTimeInMs: 500,
    })
  : undefined;
const recorded = new Set<string>();
let ownSeen = 0;
if (ownEvents) {
  await ownEvents.connect();
  await ownEvents.subscribe({ topic, fromBeginning: false });
  await ownEvents.run({
    eachMessage: async ({ message }) => {
      // As intake's consumer skips its own case.opened before decoding: by its subject.
      const subject = message.headers?.ce_subject?.toString();
      if (subject && recorded.has(subject)) ownSeen++;
    },
  });
}

async function fullReport(request: FastifyRequest, reply: FastifyReply) {
  const principal = authenticate(credentials!, request);
  const event = decodeHttp(request.headers, request.body as Buffer).events[0]!;
  const now = new Date();
  const screened = screenReport(event, principal.role, now);
  if (screened.refused) return reply.code(400).send({ refused: screened.refused });
  const data = screened.data as MissingChildReport;
  const reportId = reportIdFor(principal.agencyId, event.id);
  const print = fingerprint(event.type, data);
  const claim = claimFor(data, reportId, now);
  const decision = opensCase(reportId, claim._id);
  const answer = { reportId, caseId: decision.caseId, outcome: decision.outcome };
  const [verdict] = await redis!.decideFull(
    `bench:rate:${principal.agencyId}:${Math.floor(now.getTime() / 60_000)}`,
    `bench:report:${reportId}`,
    `bench:${claim._id}`,
    PENDING,
    '100000000',
    JSON.stringify({ ...answer, print }),
    JSON.stringify(claim),
    String(now.getTime()),
    reportId,
  );
  // Not on this benchmark's path (every report is new, of a new child), so not built.
  if (verdict !== 'open') return reply.code(409).send({ verdict });
  const outgoing = outcomeEvent(decision, data, { reportId, reportedBy: principal, now });
  recorded.add(decision.caseId);
  await Promise.all([
    inserts!.run({
      _id: reportId,
      _store: 'reports',
      agencyId: principal.agencyId,
      reportedBy: principal,
      eventId: event.id,
      eventSource: event.source,
      fingerprint: print,
      kind: data.kind,
      caseId: decision.caseId,
      outcome: decision.outcome,
      channel: 'http',
      receivedAt: now,
      data,
      childKey: claim._id,
    }),
    inserts!.run({
      _id: decision.caseId,
      _store: 'cases',
      status: 'open',
      kind: data.kind,
      region: regionOf(data),
      openedAt: now,
      reportId,
      childKey: claim._id,
    }),
    events!.run(routeOf(outgoing)),
  ]);
  unindex(reportId);
  reply.header('location', `/v1/reports/${reportId}`);
  return reply.code(202).send(answer);
}

await app.listen({ port, host: '127.0.0.1' });
process.stdout.write('ready\n');

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  if (ownEvents) process.stderr.write(`full sketch: ${ownSeen} of its own events read back\n`);
  void app
    .close()
    // Before Redis goes: a linger's removal after it would fail ("Connection is closed").
    .then(() => unindexPublished())
    .then(() =>
      Promise.all([
        producer.disconnect(),
        publisher?.disconnect(),
        ownEvents?.disconnect(),
        redis?.quit(),
        mongo?.close(),
      ]),
    )
    .finally(() => process.exit(0));
};
process.once('SIGTERM', stop);
// Its stdin is the bench's pipe: should the bench die without a SIGTERM, the pipe closes and this
// server goes too, instead of keeping the port the next run's intake needs.
process.stdin.once('close', stop).resume();
