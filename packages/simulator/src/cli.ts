// `npm run simulate -- --scenario drill [--seed N] [--speed X] [--replay] [--hold]`: plays a
// scenario against a running platform (the contract's ports, or SIM_<SERVICE>_URL), as the
// province's agency systems, units and labs would, and prints one line per step.
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { agenciesOf, loadCredentials } from './credentials.ts';
import { KafkaReports } from './kafka-reports.ts';
import { planScenario } from './plan.ts';
import { waitUntilReady } from './readiness.ts';
import { DEFAULT_URLS, runPlan } from './runner.ts';
import { loadScenario } from './scenario.ts';

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'drill' },
    seed: { type: 'string' },
    speed: { type: 'string' },
    replay: { type: 'boolean', default: false },
    'run-id': { type: 'string' },
    credentials: { type: 'string' },
    'no-kafka': { type: 'boolean', default: false },
    hold: { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
  },
});

const out = (line: string) => process.stdout.write(`[simulator] ${line}\n`);
const env = process.env;

async function main() {
  const scenario = loadScenario(values.scenario!);
  const seed = values.seed ? Number(values.seed) : scenario.seed;
  // --replay: the same story back to back, as fast as the platform answers (load tests).
  const speed = values.replay ? 1e9 : values.speed ? Number(values.speed) : scenario.speed;
  const credentials = loadCredentials(values.credentials ?? env.CREDENTIALS_FILE ?? undefined);
  const plan = planScenario(scenario, seed, agenciesOf(credentials));
  const runId = values['run-id'] ?? Date.now().toString(36);
  const urls = Object.fromEntries(
    Object.entries(DEFAULT_URLS).map(([name, url]) => [
      name,
      env[`SIM_${name.toUpperCase().replaceAll('-', '_')}_URL`] ?? url,
    ]),
  );
  const logger = pino({ level: env.LOG_LEVEL ?? 'warn' });
  out(
    `${scenario.title}: seed ${seed}, ${plan.stories.length} stories, ${plan.units.length} units, ` +
      `${plan.actions.length} steps, ${values.replay ? 'replay (no waits)' : `speed ×${speed}`}, run ${runId}`,
  );
  await waitUntilReady(urls, (line) => out(line));
  const kafka = values['no-kafka']
    ? undefined
    : new KafkaReports({
        brokers: (env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
        topicPrefix: env.TOPIC_PREFIX ?? '',
        logger,
      });
  await kafka?.connect();
  let stop: () => void = () => {};
  const stopped = new Promise<void>((r) => {
    stop = r;
  });
  process.on('SIGINT', () => stop());
  process.on('SIGTERM', () => stop());
  try {
    const result = await runPlan({
      plan,
      credentials,
      urls,
      ...(kafka ? { kafka } : {}),
      speed,
      runId,
      logger,
      onStep: (s) => {
        if (values.quiet || s.do === 'register-units') return;
        out(`${s.story ?? '-'} ${s.do} ${s.status}${s.detail ? ` ${s.detail}` : ''}`);
      },
      ...(values.hold
        ? {
            hold: async () => {
              out('story told; units keep answering alerts until Ctrl-C');
              await stopped;
            },
          }
        : {}),
    });
    out(
      `done in ${(result.wallMs / 1000).toFixed(1)} s: ${result.steps.length} steps, ${result.acks.length} acknowledgements, ` +
        `${result.failures.length} failed${result.failures.length ? `: ${result.failures.map((f) => `${f.story ?? '-'} ${f.do} (${f.detail})`).join('; ')}` : ''}`,
    );
    process.exitCode = result.failures.length > 0 ? 1 : 0;
  } finally {
    await kafka?.close();
  }
}

main().catch((err: unknown) => {
  out(`failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
