import { rmSync } from 'node:fs';
import { allTopics, Topics } from '@homeward/events';
import {
  ADMIN,
  agencyReportTopic,
  kafkaSecurityFromEnv,
  OBSERVER,
  readKafkaSecrets,
} from '@homeward/messaging';
import { afterAll, describe, expect, it } from 'vitest';
import { adminClient, cacheDir, ensureTopics, startKafka, stopProcess, tryKafkaLogin } from '../src/index.ts';

// The launcher's SASL broker on ports of its own (never the contract's): a storage directory
// from before SASL is upgraded in place (users created, ACLs applied), its topics kept.
const NAME = 'kafka-upgrade-test';
const opts = { port: 29_592, controllerPort: 29_593, name: NAME, heap: '512m' };
const brokers = [`127.0.0.1:${opts.port}`];
const sasl = { ...kafkaSecurityFromEnv(process.env), sasl: 'scram-sha-512' as const };
const plaintext = { ...sasl, sasl: 'off' as const };

afterAll(async () => {
  await stopProcess(NAME);
  rmSync(cacheDir(NAME), { recursive: true, force: true });
});

describe('the launcher’s Kafka security', () => {
  it('upgrades a broker whose storage predates SASL: every principal logs in, the table applies, topics stay', async () => {
    await stopProcess(NAME);
    rmSync(cacheDir(NAME), { recursive: true, force: true });
    expect(await startKafka({ ...opts, security: plaintext })).toBe('started');
    await ensureTopics(brokers, allTopics, { security: plaintext, partitions: 1 });
    await stopProcess(NAME);

    expect(await startKafka({ ...opts, security: sasl })).toBe('started');
    const principals = Object.keys(readKafkaSecrets(sasl.secretsFile));
    const logins = await Promise.all(principals.map((p) => tryKafkaLogin(brokers, p, sasl)));
    expect(Object.fromEntries(principals.map((p, i) => [p, logins[i]]))).toEqual(
      Object.fromEntries(principals.map((p) => [p, 'ok'])),
    );
    expect(
      await tryKafkaLogin(brokers, ADMIN, { ...sasl, secretsFile: '/dev/null/none' }).catch(
        () => 'no secret',
      ),
    ).toBe('no secret');
    // The topics made before SASL are still there, and the table now guards them.
    expect(await ensureTopics(brokers, allTopics, { security: sasl, partitions: 1 })).toEqual([]);
    const admin = adminClient(brokers, sasl);
    await admin.connect();
    const topics = await admin.listTopics();
    await admin.disconnect();
    expect(topics).toEqual(
      expect.arrayContaining([Topics.caseEvents, `${Topics.caseEvents}.dlq`, agencyReportTopic('hefei-psb')]),
    );
    // A second start reuses it: nothing to add, nothing to upgrade.
    expect(await startKafka({ ...opts, security: sasl })).toBe('reused');
    expect(await tryKafkaLogin(brokers, OBSERVER, sasl)).toBe('ok');
  }, 600_000);

  it('says so when asked for SASL on a broker that authenticates nobody', async () => {
    await stopProcess(NAME);
    rmSync(cacheDir(NAME), { recursive: true, force: true });
    await startKafka({ ...opts, security: plaintext });
    await expect(startKafka({ ...opts, security: sasl })).rejects.toThrow(
      /does not authenticate clients \(a PLAINTEXT listener\).*KAFKA_SASL=off/,
    );
  }, 600_000);
});
