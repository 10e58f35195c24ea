import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KafkaConfig } from 'kafkajs';

/**
 * How this deployment talks to its brokers. `scram-sha-512`: SASL/SCRAM on every connection
 * (SASL_PLAINTEXT locally, SASL_SSL with `ssl`); `off`: a PLAINTEXT broker with no
 * authentication at all, for a broker that has none (the broker then proves nothing, and every
 * principal below is a name only).
 */
export interface KafkaSecurity {
  sasl: 'scram-sha-512' | 'off';
  /** TLS on the client connection (SASL_SSL); production. */
  ssl: boolean;
  /** PEM file of the CA that signed the brokers' certificates (default: the system's). */
  caFile?: string;
  /**
   * JSON file `{ "<principal>": "<secret>" }`: where a principal's secret is found when none is
   * given directly. The development default is {@link DEV_KAFKA_SECRETS_FILE}.
   */
  secretsFile: string;
}

/** Development secrets of every principal, beside the development API keys (never for production). */
export const DEV_KAFKA_SECRETS_FILE = fileURLToPath(
  new URL('../../../infra/local/dev-kafka-secrets.json', import.meta.url),
);

/** A principal that may connect, and where its secret comes from. */
export interface KafkaLogin {
  /** The SCRAM user name, which is the principal the broker's ACLs name (`User:<principal>`). */
  principal: string;
  security: KafkaSecurity;
  /** The secret itself (production: read from a file or the environment by the caller). */
  password?: string;
}

/** A login that cannot work, said before any connection is tried: names the principal. */
export class KafkaLoginError extends Error {
  readonly retriable = false;
  constructor(
    readonly principal: string,
    message: string,
  ) {
    super(`Kafka principal "${principal}": ${message}`);
    this.name = 'KafkaLoginError';
  }
}

const SASL_VALUES = ['scram-sha-512', 'off'] as const;

/**
 * The security settings from an environment (`KAFKA_SASL`, `KAFKA_SSL`, `KAFKA_CA_FILE`,
 * `KAFKA_SECRETS_FILE`), for the clients that are not services (tests, benchmarks, the
 * launcher); services read the same variables through their configuration schema.
 * SASL is on unless `KAFKA_SASL=off` says otherwise.
 */
export function kafkaSecurityFromEnv(env: Record<string, string | undefined>): KafkaSecurity {
  const sasl = env.KAFKA_SASL || 'scram-sha-512';
  if (!(SASL_VALUES as readonly string[]).includes(sasl))
    throw new Error(`KAFKA_SASL must be one of ${SASL_VALUES.join(', ')}, got "${sasl}"`);
  return {
    sasl: sasl as KafkaSecurity['sasl'],
    ssl: env.KAFKA_SSL === 'true',
    ...(env.KAFKA_CA_FILE ? { caFile: env.KAFKA_CA_FILE } : {}),
    secretsFile: env.KAFKA_SECRETS_FILE || DEV_KAFKA_SECRETS_FILE,
  };
}

/** The secrets file as a map, read once per call (it is small, and read only at start). */
export function readKafkaSecrets(file: string): Record<string, string> {
  const path = isAbsolute(file) ? file : resolve(file);
  if (!existsSync(path)) throw new Error(`the Kafka secrets file ${path} does not exist`);
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error(`the Kafka secrets file ${path} is not an object of principal → secret`);
  return parsed as Record<string, string>;
}

/**
 * The part of a kafkajs configuration that authenticates: `sasl` and `ssl`, or nothing for a
 * PLAINTEXT broker. A missing secret throws {@link KafkaLoginError} naming the principal, so a
 * deployment without its secret fails at start, not at its first message.
 */
export function kafkaAuthConfig(login: KafkaLogin): Pick<KafkaConfig, 'sasl' | 'ssl'> {
  const { principal, security } = login;
  const ssl = security.ssl
    ? security.caFile
      ? { ssl: { ca: [readFileSync(security.caFile, 'utf8')] } }
      : { ssl: true }
    : {};
  if (security.sasl === 'off') return ssl;
  let password = login.password;
  if (password === undefined) {
    let secrets: Record<string, string>;
    try {
      secrets = readKafkaSecrets(security.secretsFile);
    } catch (err) {
      throw new KafkaLoginError(principal, `no secret: ${(err as Error).message}`);
    }
    password = secrets[principal];
    if (password === undefined)
      throw new KafkaLoginError(principal, `no secret for this principal in ${security.secretsFile}`);
  }
  if (password.length === 0) throw new KafkaLoginError(principal, 'the secret is empty');
  return { ...ssl, sasl: { mechanism: 'scram-sha-512', username: principal, password } };
}

/**
 * Says what a failed first connection means, naming the principal: a refused login is not a
 * broker that is away, and must stop the start-up with a message a person can act on.
 */
export function describeKafkaLoginFailure(principal: string, err: unknown): Error {
  const e = err as { name?: string; message?: string; cause?: unknown };
  const chain: Array<{ name?: string; message?: string }> = [];
  for (let c: unknown = e, i = 0; c && i < 5; c = (c as { cause?: unknown }).cause, i++)
    chain.push(c as { name?: string; message?: string });
  const sasl = chain.find((c) => c.name === 'KafkaJSSASLAuthenticationError');
  if (sasl)
    return new KafkaLoginError(
      principal,
      `the broker refused the login (${sasl.message}): a wrong secret, or a user the broker does not know`,
    );
  return err instanceof Error ? err : new Error(String(err));
}
