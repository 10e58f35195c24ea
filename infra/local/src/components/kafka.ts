import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import {
  ADMIN,
  BROKER,
  createKafkaClient,
  type KafkaSecurity,
  kafkaSecurityFromEnv,
  readKafkaSecrets,
} from '@homeward/messaging';
import { pino } from 'pino';
import { cacheDir, repoRoot } from '../paths.ts';
import {
  LauncherError,
  logPath,
  runSetup,
  spawnDetached,
  stopProcess,
  waitUntil,
  which,
} from '../processes.ts';

export interface KafkaOptions {
  /** Client listener port (9092 by default in the contract). */
  port: number;
  /** KRaft controller listener port. */
  controllerPort: number;
  /** Instance name: pid, log and data folder are named after it (tests run a second broker). */
  name?: string;
  /** Heap for the JVM; a single-node dev broker is happy with little. */
  heap?: string;
  /**
   * SASL/SCRAM with ACLs (the default: the environment's KAFKA_SASL, on unless `off`), or a
   * PLAINTEXT broker that authenticates nobody.
   */
  security?: KafkaSecurity;
}

/** The launcher's security: the environment's (KAFKA_SASL, KAFKA_SECRETS_FILE), SASL by default. */
export function launcherSecurity(): KafkaSecurity {
  return kafkaSecurityFromEnv(process.env);
}

const quiet = pino({ level: 'silent' });

/** What one login attempt says about a broker. */
export type LoginOutcome = 'ok' | 'refused' | 'no-sasl' | 'down';

/**
 * Logs in as `principal` and asks for the cluster: `refused` when the broker does not know the
 * user or the secret, `no-sasl` when the listener authenticates nobody (PLAINTEXT), `down`
 * when nothing answers.
 */
export async function tryKafkaLogin(
  brokers: string[],
  principal: string,
  security: KafkaSecurity,
): Promise<LoginOutcome> {
  const kafka = createKafkaClient({
    brokers,
    clientId: 'homeward-launcher',
    logger: quiet,
    login: { principal, security },
    config: { connectionTimeout: 3000, requestTimeout: 10_000, retry: { retries: 0 } },
  });
  const admin = kafka.admin({ retry: { retries: 0 } });
  try {
    await admin.connect();
    await admin.describeCluster();
    return 'ok';
  } catch (err) {
    const text = errorChain(err);
    if (/KafkaJSSASLAuthenticationError.*mechanism is not supported/.test(text)) return 'no-sasl';
    if (/KafkaJSSASLAuthenticationError/.test(text)) return 'refused';
    // A PLAINTEXT listener answers a SASL handshake with an error, or by closing the connection.
    if (/ILLEGAL_SASL_STATE|UNSUPPORTED_SASL_MECHANISM|SASL state|Closed connection/i.test(text))
      return 'no-sasl';
    return 'down';
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

function errorChain(err: unknown): string {
  const parts: string[] = [];
  for (let c: unknown = err, i = 0; c && i < 6; c = (c as { cause?: unknown }).cause, i++) {
    const e = c as { name?: string; type?: string; message?: string };
    parts.push(`${e.name ?? ''} ${e.type ?? ''} ${e.message ?? String(c)}`);
  }
  return parts.join(' | ');
}

/** A metadata request through a real client, as the administrator: the broker answers only once it is really up. */
export async function probeKafka(
  port: number,
  security: KafkaSecurity = launcherSecurity(),
): Promise<boolean> {
  return (await tryKafkaLogin([`127.0.0.1:${port}`], ADMIN, security)) === 'ok';
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
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

function listenerProperties(
  opts: KafkaOptions,
  security: KafkaSecurity,
  brokerSecret: string | undefined,
  upgradePort?: number,
): string {
  if (security.sasl === 'off')
    return `listeners=PLAINTEXT://127.0.0.1:${opts.port},CONTROLLER://127.0.0.1:${opts.controllerPort}
advertised.listeners=PLAINTEXT://127.0.0.1:${opts.port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
`;
  // The one-off upgrade start adds a PLAINTEXT listener (principal ANONYMOUS) for the launcher
  // to create the SCRAM users through; the broker is restarted without it at once.
  const upgrade = upgradePort === undefined ? '' : `,UPGRADE://127.0.0.1:${upgradePort}`;
  return `# Clients authenticate with SASL/SCRAM-SHA-512 on the client listener; the controller listener
# stays PLAINTEXT on the loopback address, where the broker's own connections to the controller
# carry the principal ANONYMOUS (hence its place among the super users; nothing else reaches it).
listeners=CLIENT://127.0.0.1:${opts.port},CONTROLLER://127.0.0.1:${opts.controllerPort}${upgrade}
advertised.listeners=CLIENT://127.0.0.1:${opts.port}${upgrade}
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,CLIENT:SASL_PLAINTEXT${upgrade ? ',UPGRADE:PLAINTEXT' : ''}
inter.broker.listener.name=CLIENT
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.client.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="${BROKER}" password="${brokerSecret}";
# Everything not allowed by an ACL (the table in packages/messaging/src/kafka-access.ts) is denied.
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:${BROKER};User:${ADMIN};User:ANONYMOUS
`;
}

function serverProperties(
  opts: KafkaOptions,
  dataDir: string,
  security: KafkaSecurity,
  brokerSecret: string | undefined,
  upgradePort?: number,
): string {
  return `# Written by infra/local: a single-node KRaft broker for development and tests.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:${opts.controllerPort}
${listenerProperties(opts, security, brokerSecret, upgradePort)}log.dirs=${dataDir}
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

/** The principals of the secrets file: the broker's users (all of them, agencies included). */
function wantedUsers(security: KafkaSecurity): Record<string, string> {
  try {
    return readKafkaSecrets(security.secretsFile);
  } catch (err) {
    throw new LauncherError('kafka', (err as Error).message);
  }
}

/** Upserts SCRAM users with Kafka's own admin client (ScramUsers.java beside the launcher). */
async function upsertScramUsers(
  name: string,
  bootstrap: string,
  users: Record<string, string>,
  login?: { name: string; password: string },
): Promise<void> {
  const libs = await ensureKafkaJars();
  const lines = Object.entries(users).map(([u, p]) => `user\t${u}\t${p}\n`);
  if (login) lines.push(`login\t${login.name}\t${login.password}\n`);
  await runSetup(
    `${name}-scram`,
    'java',
    [
      '-cp',
      `${libs}/*`,
      join(repoRoot, 'infra', 'local', 'kafka', 'ScramUsers.java'),
      bootstrap,
      ...(login ? ['sasl'] : []),
    ],
    undefined,
    { input: lines.join('') },
  );
}

/**
 * Makes every principal of the secrets file a SCRAM user of a running broker, idempotently:
 * each one logs in, and only those refused are created (or their secret updated), by the
 * administrator. This adds a principal added to the file since the broker's storage was made.
 */
export async function ensureKafkaUsers(opts: KafkaOptions, security: KafkaSecurity): Promise<string[]> {
  const name = opts.name ?? 'kafka';
  const users = wantedUsers(security);
  const brokers = [`127.0.0.1:${opts.port}`];
  // A broker still starting answers nothing useful: wait until it says yes or no to someone.
  await waitUntil(name, async () => (await tryKafkaLogin(brokers, ADMIN, security)) !== 'down', {
    timeoutMs: 180_000,
    logFile: logPath(name),
  });
  const outcomes = new Map(
    await Promise.all(
      Object.keys(users).map(async (u) => [u, await tryKafkaLogin(brokers, u, security)] as const),
    ),
  );
  if ([...outcomes.values()].includes('no-sasl'))
    throw new LauncherError(
      name,
      `the broker on port ${opts.port} does not authenticate clients (a PLAINTEXT listener): ` +
        'stop it and let the launcher start it with SASL, or set KAFKA_SASL=off to use it as it is',
    );
  if (outcomes.get(ADMIN) === 'refused')
    throw new LauncherError(
      name,
      `the broker on port ${opts.port} refuses the administrator "${ADMIN}" of ${security.secretsFile}: ` +
        'a broker whose storage predates SASL is upgraded when the launcher starts it (infra:down, then infra:up)',
    );
  const missing = [...outcomes].filter(([, o]) => o === 'refused').map(([u]) => u);
  if (missing.length === 0) return [];
  await upsertScramUsers(name, brokers[0]!, Object.fromEntries(missing.map((u) => [u, users[u]!])), {
    name: ADMIN,
    password: users[ADMIN]!,
  });
  return missing;
}

/** The cluster id of a formatted storage directory. */
function clusterIdOf(dataDir: string): string | undefined {
  const meta = join(dataDir, 'meta.properties');
  if (!existsSync(meta)) return undefined;
  return /^cluster\.id=(.*)$/m.exec(readFileSync(meta, 'utf8'))?.[1]?.trim();
}

export async function startKafka(opts: KafkaOptions): Promise<'reused' | 'started'> {
  const name = opts.name ?? 'kafka';
  const security = opts.security ?? launcherSecurity();
  if (await probeKafka(opts.port, security).catch(() => false)) {
    if (security.sasl !== 'off') await ensureKafkaUsers(opts, security);
    return 'reused';
  }
  if (await portAnswers(opts.port)) {
    // Something answers but will not let the administrator in: ensureKafkaUsers says why.
    if (security.sasl === 'off')
      throw new LauncherError(name, `port ${opts.port} answers but not as a PLAINTEXT Kafka broker`);
    await ensureKafkaUsers(opts, security);
    return 'reused';
  }
  if (!which('java')) throw new LauncherError(name, 'a Java runtime (java) is needed and was not found');
  const libs = await ensureKafkaJars();
  const dir = cacheDir(name);
  const dataDir = cacheDir(name, 'data');
  const props = join(dir, 'server.properties');
  // Which storage has its SCRAM users: the cluster id written when they were made.
  const scramMarker = join(dir, 'scram-users.cluster-id');
  const users = security.sasl === 'off' ? {} : wantedUsers(security);
  if (security.sasl !== 'off' && !users[BROKER])
    throw new LauncherError(name, `the secrets file ${security.secretsFile} has no secret for "${BROKER}"`);
  const writeProps = (upgradePort?: number) =>
    writeFileSync(props, serverProperties(opts, dataDir, security, users[BROKER], upgradePort), {
      mode: 0o600,
    });
  const classpath = `${libs}/*`;
  const log4j = join(dir, 'log4j.properties');
  writeFileSync(
    log4j,
    'log4j.rootLogger=INFO, stdout\nlog4j.appender.stdout=org.apache.log4j.ConsoleAppender\n' +
      'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout\n' +
      'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n\n' +
      'log4j.logger.kafka.request.logger=WARN\nlog4j.logger.org.apache.kafka.controller=WARN\n' +
      // Every refused request would otherwise be an INFO line of its own.
      'log4j.logger.kafka.authorizer.logger=WARN\n',
  );
  const jvm = ['-cp', classpath, `-Dlog4j.configuration=file:${log4j}`];
  const spawnBroker = () =>
    spawnDetached(name, 'java', [
      `-Xms256m`,
      `-Xmx${opts.heap ?? '1g'}`,
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      '-Djava.awt.headless=true',
      ...jvm,
      'kafka.Kafka',
      props,
    ]);
  writeProps();
  // KRaft storage must be formatted once with a cluster id before the first start; the SCRAM
  // users go into its first metadata records, so the broker knows them from its first second.
  if (!existsSync(join(dataDir, 'meta.properties'))) {
    const clusterId = randomBytes(16).toString('base64url');
    const scram = Object.entries(users).flatMap(([u, p]) => [
      '--add-scram',
      `SCRAM-SHA-512=[name=${u},password=${p}]`,
    ]);
    await runSetup(
      name,
      'java',
      [...jvm, 'kafka.tools.StorageTool', 'format', `--cluster-id=${clusterId}`, '-c', props, ...scram],
      undefined,
      {
        display: `kafka-storage format -t ${clusterId} -c ${props} (with ${Object.keys(users).length} SCRAM users)`,
      },
    );
    if (security.sasl !== 'off') writeFileSync(scramMarker, clusterId);
  } else if (
    security.sasl !== 'off' &&
    (!existsSync(scramMarker) || readFileSync(scramMarker, 'utf8') !== clusterIdOf(dataDir))
  ) {
    // Storage from before SASL: start once with a loopback PLAINTEXT listener, create the
    // users through it, and stop; the real start below has no such listener.
    const upgradePort = opts.controllerPort + 1;
    if (await portAnswers(upgradePort))
      throw new LauncherError(name, `port ${upgradePort} (for the one-off SASL upgrade) is taken`);
    writeProps(upgradePort);
    const pid = spawnBroker();
    try {
      await waitUntil(name, () => portAnswers(upgradePort), {
        timeoutMs: 180_000,
        pid,
        logFile: logPath(name),
      });
      await upsertScramUsers(name, `127.0.0.1:${upgradePort}`, users);
    } finally {
      await stopProcess(name);
    }
    writeFileSync(scramMarker, clusterIdOf(dataDir) ?? '');
    writeProps();
  }
  const pid = spawnBroker();
  // Generous: a JVM on a busy 2-core machine can take a minute to open its port.
  await waitUntil(name, () => probeKafka(opts.port, security), {
    timeoutMs: 180_000,
    pid,
    logFile: logPath(name),
  });
  if (security.sasl !== 'off') await ensureKafkaUsers(opts, security);
  return 'started';
}
