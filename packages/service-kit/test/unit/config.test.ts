import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, serviceConfig } from '../../src/index.ts';

const Schema = serviceConfig({ PORT: Type.Integer({ default: 8081, minimum: 1, maximum: 65535 }) });

describe('loadConfig', () => {
  it('applies the contract defaults', () => {
    const c = loadConfig(Schema, {});
    expect(c).toMatchObject({
      PORT: 8081,
      KAFKA_BROKERS: '127.0.0.1:9092',
      MONGO_URL: 'mongodb://127.0.0.1:27017/',
      REDIS_URL: 'redis://127.0.0.1:6379',
      TOPIC_PREFIX: '',
    });
  });

  it('converts numbers and reports every bad variable by name', () => {
    expect(loadConfig(Schema, { PORT: '9000' }).PORT).toBe(9000);
    try {
      loadConfig(Schema, { PORT: 'eighty', MONGO_URL: 'postgres://x', LOG_LEVEL: 'loud' });
      expect.fail('should throw');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const text = (err as ConfigError).problems.join('\n');
      expect(text).toContain('PORT');
      expect(text).toContain('MONGO_URL');
      expect(text).toContain('LOG_LEVEL');
    }
  });
});
