// `npm run bench -- consumer-screening [-- N ROUNDS]`: the consumer runner's first step per message
// (message-screening.ts) as intake's case consumer (group intake.cases) meets it, in process, no
// broker: CPU µs per message for (a) intake's own case.opened of a case it recorded (skipped by
// its `seen` check, else decoded, validated, handled by a handler that returns at once), (b) a
// case event of a type no handler of the group wants (team assigned: skipped by its ce_type,
// else decoded then ignored), (c) a case.opened of a case it did not record (decoded and
// validated either way: the cost the skips save, for scale). Same-run figures, rounds
// interleaved; run on another tree (git worktree) to compare code: the file imports the runner's
// own modules, whose constructors it shares with the code before the skips.

import { loadavg } from 'node:os';
import { createEvent, encodeKafka, validateEvent } from '@homeward/events';
import type { KafkaMessage } from 'kafkajs';
import pino from 'pino';
import type { ConsumerRunnerOptions } from '../../packages/messaging/src/consumer-options.ts';
import { ConsumerTopics } from '../../packages/messaging/src/consumer-topics.ts';
import type { DeadLetterWriter } from '../../packages/messaging/src/dead-letter-writer.ts';
import { allowedSources } from '../../packages/messaging/src/kafka-access.ts';
import { MessageScreen } from '../../packages/messaging/src/message-screening.ts';

const N = Number(process.argv[2] ?? 20_000);
const ROUNDS = Number(process.argv[3] ?? 5);
const TOPIC = 'case.events.v1';

function opened(i: number) {
  const caseId = `case-bench-${i}`;
  return createEvent(
    'homeward.case.opened',
    {
      caseId,
      kind: 'missing-child',
      region: '340104',
      openedAt: '2026-11-28T08:05:00Z',
      reportId: `rpt-bench-${i}`,
      reportedBy: { agencyId: 'hefei-psb', role: 'police', region: '340104' },
      report: {
        kind: 'missing-child',
        child: {
          name: `Bench Child ${i}`,
          sex: i % 2 ? 'male' : 'female',
          birthDate: '2018-03-14',
          description: 'blue coat, white shoes',
        },
        lastSeen: {
          at: '2026-11-28T08:00:00+08:00',
          place: 'Hefei South Station, east exit',
          lat: 31.7979,
          lon: 117.2906,
          region: '340104',
        },
      },
    } as never,
    {
      source: 'homeward/intake',
      subject: caseId,
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    },
  );
}

function teamAssigned(i: number) {
  return createEvent('homeward.case.team-assigned', { caseId: `case-bench-${i}` } as never, {
    source: 'homeward/rescue-coordination',
    subject: `case-bench-${i}`,
  });
}

/** As kafkajs hands a fetched message over: key, value and headers as bytes. */
function asFetched(rec: ReturnType<typeof encodeKafka>, offset: number): KafkaMessage {
  const headers: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(rec.headers)) headers[k] = Buffer.from(v);
  return {
    key: rec.key === null ? null : Buffer.from(rec.key),
    value: rec.value,
    headers,
    offset: String(offset),
    timestamp: '0',
    attributes: 0,
    size: 0,
  } as unknown as KafkaMessage;
}

const sample = opened(0);
const invalid = validateEvent(sample);
if (invalid.length > 0) throw new Error(`the bench's case.opened is not valid: ${JSON.stringify(invalid)}`);

const recorded = new Set<string>();
const streams = {
  'own case.opened (recorded)': Array.from({ length: N }, (_, i) => {
    recorded.add(`case-bench-${i}`);
    return asFetched(encodeKafka(opened(i), `case-bench-${i}`), i);
  }),
  'case.team-assigned (no handler)': Array.from({ length: N }, (_, i) =>
    asFetched(encodeKafka(teamAssigned(i), `case-bench-${i}`), i),
  ),
  'case.opened not recorded': Array.from({ length: N }, (_, i) =>
    asFetched(encodeKafka(opened(N + i), `case-bench-${N + i}`), i),
  ),
};

const logger = pino({ level: 'warn' });
// The handler as intake's: returns at once for a recorded case.
const handlers: ConsumerRunnerOptions['handlers'] = {
  'homeward.case.opened': async (e) => {
    if (recorded.has(e.data.caseId)) return;
  },
  'homeward.case.closed': async () => {},
};
const opts: Pick<ConsumerRunnerOptions, 'groupId' | 'logger' | 'handlers' | 'allowedSources' | 'seen'> = {
  groupId: 'intake.cases',
  logger,
  handlers,
  allowedSources,
  seen: { 'homeward.case.opened': (key) => key !== null && recorded.has(key) },
};
const topics = new ConsumerTopics({ topics: [TOPIC], topicResolver: (t) => t });
const deadLetters = {
  send: async () => {
    throw new Error('nothing here should be dead-lettered');
  },
} as unknown as DeadLetterWriter;
const screen = new MessageScreen(opts, topics, deadLetters, undefined);
const scope = { heartbeat: async () => {}, alive: () => true };

/** CPU µs per message: screened, and (when admitted) its handler run, its span ended. */
async function run(messages: KafkaMessage[]): Promise<number> {
  const before = process.cpuUsage();
  for (const m of messages) {
    const a = await screen.screen(TOPIC, 0, m, scope);
    if (a) {
      await a.handler(a.event, a.ctx);
      a.span.end();
    }
  }
  const used = process.cpuUsage(before);
  return (used.user + used.system) / messages.length;
}

const results = new Map<string, number[]>();
for (const messages of Object.values(streams)) await run(messages.slice(0, 2000)); // warm-up
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, messages] of Object.entries(streams)) {
    const us = await run(messages);
    results.set(name, [...(results.get(name) ?? []), us]);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const load = loadavg()[0]!.toFixed(1);
process.stdout.write(
  `consumer screening (${process.cwd()}): ${N} messages a stream, ${ROUNDS} rounds, load average ${load}\n`,
);
process.stdout.write('| stream | CPU µs per message, median | rounds |\n|---|---|---|\n');
for (const [name, xs] of results) {
  process.stdout.write(
    `| ${name} | ${median(xs).toFixed(1)} | ${xs.map((x) => x.toFixed(1)).join(', ')} |\n`,
  );
}
