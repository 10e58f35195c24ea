import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaLoginError, readKafkaSecrets } from '@homeward/messaging';
import { type SaslTestBroker, saslTestBroker, testInfra, testLogger, uniqueName } from '@homeward/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { BaseConfig, createRuntime, loadConfig } from '../../src/index.ts';

// A service logs in as its principal at start, and a login that cannot work stops the start
// with a message naming the principal (a real SASL broker).

let broker: SaslTestBroker;

beforeAll(async () => {
  broker = await saslTestBroker();
}, 300_000);

function start(env: Record<string, string>) {
  return createRuntime({
    name: 'intake',
    dbName: uniqueName('login').replaceAll('-', '_'),
    logger: testLogger(),
    config: loadConfig(BaseConfig, {
      KAFKA_BROKERS: broker.brokers.join(','),
      KAFKA_SASL: 'scram-sha-512',
      MONGO_URL: testInfra().mongoUrl,
      REDIS_URL: testInfra().redisUrl,
      ...env,
    }),
  });
}

describe('a service logging in to the broker', () => {
  it('fails at start, naming its principal, when the broker refuses its secret', async () => {
    const err = await start({ KAFKA_PASSWORD: 'not-the-secret' }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(KafkaLoginError);
    expect(err?.message).toMatch(/^Kafka principal "intake": the broker refused the login/);
  });

  it('fails at start, naming its principal, when it has no secret', async () => {
    const err = await start({ KAFKA_PRINCIPAL: 'no-such-service' }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(KafkaLoginError);
    expect(err?.message).toMatch(/^Kafka principal "no-such-service": no secret for this principal in /);
  });

  it('reads its secret from a file, as a production deployment does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kafka-secret-'));
    const file = join(dir, 'intake.password');
    writeFileSync(file, `${readKafkaSecrets(broker.security.secretsFile).intake}\n`, { mode: 0o600 });
    // The secrets file is out of the way: only the password file can log it in.
    const rt = await start({ KAFKA_PASSWORD_FILE: file, KAFKA_SECRETS_FILE: join(dir, 'none.json') });
    try {
      expect(await rt.kafkaProbe.check()).toBe(true);
    } finally {
      await rt.kafkaProbe.close();
      await rt.publisher.disconnect();
      await rt.mongo.close();
      await rt.redis.close();
    }
  });
});
