// The floor of any intake on this stack, run by intake-throughput in a process of its own:
// fastify, the CloudEvents HTTP decode intake uses, and a durable write to Kafka before the 202
// (an idempotent producer with one request in flight and acks from every in-sync replica, as
// intake's publisher; the reports that queue while a send is in flight go in the next, as
// intake's outbox relay sends what its group commits stored). No document store, no Redis, no
// authentication, no screening and no rules: what HTTP and Kafka alone cost per report on this
// machine. Not a service: it refuses nothing and keeps nothing.
// Env: BARE_PORT, BARE_TOPIC (the topic it writes), and the broker's as for any benchmark.
import { decodeHttp } from '@homeward/events';
import { GroupCommit } from '@homeward/persistence';
import Fastify from 'fastify';
import type { Message } from 'kafkajs';
import { benchInfraSync, benchKafka } from './infra.ts';

const port = Number(process.env.BARE_PORT);
const topic = process.env.BARE_TOPIC ?? '';
if (!port || !topic) throw new Error('BARE_PORT and BARE_TOPIC are required');

const producer = benchKafka(benchInfraSync(), 'bench-bare-intake').producer({
  idempotent: true,
  maxInFlightRequests: 1,
  allowAutoTopicCreation: false,
});
await producer.connect();

// What queues while a send is in flight goes in the next one: the persistence package's group
// commit, as intake's own writes are batched.
const sends = new GroupCommit<Message, true>(async (messages) => {
  await producer.send({ topic, acks: -1, messages });
  return messages.map(() => true as const);
});

const app = Fastify({ logger: false });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
app.post('/v1/reports', async (request, reply) => {
  const event = decodeHttp(request.headers, request.body as Buffer).events[0]!;
  const reportId = `rpt-${event.id}`;
  await sends.run({
    key: reportId,
    value: JSON.stringify({ reportId, type: 'homeward.case.opened', report: event.data }),
  });
  return reply.code(202).send({ reportId });
});
await app.listen({ port, host: '127.0.0.1' });
process.stdout.write('ready\n');

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void app
    .close()
    .then(() => producer.disconnect())
    .finally(() => process.exit(0));
};
process.once('SIGTERM', stop);
// Its stdin is the bench's pipe: should the bench die without a SIGTERM, the pipe closes and this
// server goes too, instead of keeping the port the next run's intake needs.
process.stdin.once('close', stop).resume();
