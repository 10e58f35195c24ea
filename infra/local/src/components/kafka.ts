import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { cacheDir, repoRoot } from '../paths.ts';
import { LauncherError, logPath, runSetup, spawnDetached, waitUntil, which } from '../processes.ts';

export interface KafkaOptions {
  /** Client listener port (9092 by default in the contract). */
  port: number;
  /** KRaft controller listener port. */
  controllerPort: number;
  /** Instance name: pid, log and data folder are named after it (tests run a second broker). */
  name?: string;
  /** Heap for the JVM; a single-node dev broker is happy with little. */
  heap?: string;
}

/** A metadata request through a real client: the broker answers only once it is really up. */
export async function probeKafka(port: number): Promise<boolean> {
  const kafka = new Kafka({
    clientId: 'homeward-launcher',
    brokers: [`127.0.0.1:${port}`],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.fetchTopicMetadata({ topics: [] });
    return true;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** Resolves the broker's jars from Maven Central with the pom beside the launcher, once. */
async function ensureKafkaJars(): Promise<string> {
  const libs = cacheDir('kafka', 'libs');
  if (readdirSync(libs).some((f) => f.startsWith('kafka_2.13-'))) return libs;
  if (!which('mvn'))
    throw new LauncherError('kafka', 'Maven (mvn) is needed to fetch the Kafka jars and was not found');
  await runSetup('kafka', 'mvn', [
    '-q',
    '-B',
    '-f',
    join(repoRoot, 'infra', 'local', 'kafka', 'pom.xml'),
    'dependency:copy-dependencies',
    `-DoutputDirectory=${libs}`,
    '-DincludeScope=runtime',
  ]);
  return libs;
}

function serverProperties(opts: KafkaOptions, dataDir: string): string {
  return `# Written by infra/local: a single-node KRaft broker for development and tests.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:${opts.controllerPort}
listeners=PLAINTEXT://127.0.0.1:${opts.port},CONTROLLER://127.0.0.1:${opts.controllerPort}
advertised.listeners=PLAINTEXT://127.0.0.1:${opts.port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=${dataDir}
# Topics are created explicitly from the event catalogue, never by a typo.
auto.create.topics.enable=false
num.partitions=6
default.replication.factor=1
min.insync.replicas=1
# One node: the internal topics cannot have more replicas than that, or groups find no coordinator.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=12
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=6
# Locally, a consumer group should form at once instead of waiting for more members.
group.initial.rebalance.delay.ms=0
log.retention.hours=168
log.segment.bytes=67108864
num.network.threads=2
num.io.threads=4
`;
}

export async function startKafka(opts: KafkaOptions): Promise<'reused' | 'started'> {
  const name = opts.name ?? 'kafka';
  if (await probeKafka(opts.port).catch(() => false)) return 'reused';
  if (!which('java')) throw new LauncherError(name, 'a Java runtime (java) is needed and was not found');
  const libs = await ensureKafkaJars();
  const dir = cacheDir(name);
  const dataDir = cacheDir(name, 'data');
  const props = join(dir, 'server.properties');
  writeFileSync(props, serverProperties(opts, dataDir));
  const classpath = `${libs}/*`;
  const log4j = join(dir, 'log4j.properties');
  writeFileSync(
    log4j,
    'log4j.rootLogger=INFO, stdout\nlog4j.appender.stdout=org.apache.log4j.ConsoleAppender\n' +
      'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout\n' +
      'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n\n' +
      'log4j.logger.kafka.request.logger=WARN\nlog4j.logger.org.apache.kafka.controller=WARN\n',
  );
  const jvm = ['-cp', classpath, `-Dlog4j.configuration=file:${log4j}`];
  // KRaft storage must be formatted once with a cluster id before the first start.
  if (!existsSync(join(dataDir, 'meta.properties'))) {
    const clusterId = randomBytes(16).toString('base64url');
    await runSetup(name, 'java', [...jvm, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', props]);
  }
  const pid = spawnDetached(name, 'java', [
    `-Xms256m`,
    `-Xmx${opts.heap ?? '1g'}`,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-Djava.awt.headless=true',
    ...jvm,
    'kafka.Kafka',
    props,
  ]);
  // Generous: a JVM on a busy 2-core machine can take a minute to open its port.
  await waitUntil(name, () => probeKafka(opts.port), { timeoutMs: 180_000, pid, logFile: logPath(name) });
  return 'started';
}
