import { type Static, type TObject, type TProperties, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/** The environment every service reads, with the contract's defaults. */
export const BaseConfig = Type.Object({
  HOST: Type.String({ default: '127.0.0.1' }),
  KAFKA_BROKERS: Type.String({ default: '127.0.0.1:9092', description: 'comma-separated host:port list' }),
  /** SASL/SCRAM-SHA-512 (the default) or `off` for a PLAINTEXT broker that authenticates nobody. */
  KAFKA_SASL: Type.Union([Type.Literal('scram-sha-512'), Type.Literal('off')], { default: 'scram-sha-512' }),
  /** The service's principal on the broker; by default the service's name. */
  KAFKA_PRINCIPAL: Type.String({ default: '' }),
  /** A file holding the principal's secret (production: a mounted secret). */
  KAFKA_PASSWORD_FILE: Type.String({ default: '' }),
  /** The principal's secret itself, when the platform injects secrets as variables. */
  KAFKA_PASSWORD: Type.String({ default: '' }),
  /** Principal → secret JSON, used when neither of the above is set; the development file by default. */
  KAFKA_SECRETS_FILE: Type.String({ default: '' }),
  /** TLS to the brokers (SASL_SSL), with the CA of KAFKA_CA_FILE or the system's. */
  KAFKA_SSL: Type.Boolean({ default: false }),
  KAFKA_CA_FILE: Type.String({ default: '' }),
  MONGO_URL: Type.String({ default: 'mongodb://127.0.0.1:27017/', pattern: '^mongodb(\\+srv)?://' }),
  REDIS_URL: Type.String({ default: 'redis://127.0.0.1:6379', pattern: '^rediss?://' }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  /**
   * `json` (one object a line, for collectors) or `pretty` (human-readable lines, for a
   * terminal); `npm start` sets `pretty` when its own output is a terminal.
   */
  LOG_FORMAT: Type.Union([Type.Literal('json'), Type.Literal('pretty')], { default: 'json' }),
  /**
   * OpenTelemetry traces go over OTLP/HTTP to `<this>/v1/traces` (a collector or Jaeger, e.g.
   * `http://127.0.0.1:4318`); empty (the default) keeps tracing off, with no SDK loaded.
   */
  OTEL_EXPORTER_OTLP_ENDPOINT: Type.String({ default: '', pattern: '^(https?://.+)?$' }),
  /** Prefix of every topic name: isolates tests and tenants with the same code. */
  TOPIC_PREFIX: Type.String({ default: '' }),
  /** `production` refuses development defaults (see {@link deploymentFile}); anything else is development. */
  NODE_ENV: Type.String({ default: 'development' }),
  /** Required in production; in development, `infra/local/dev-credentials.json`. */
  CREDENTIALS_FILE: Type.Optional(Type.String({ minLength: 1 })),
  /**
   * Authenticated requests per agency per minute, per service (all its instances share the
   * count in Redis); beyond it 429 with Retry-After.
   */
  HTTP_RATE_LIMIT_PER_MINUTE: Type.Integer({ default: 3_000, minimum: 1 }),
  BODY_LIMIT_BYTES: Type.Integer({ default: 262_144, minimum: 1024 }),
  SHUTDOWN_TIMEOUT_MS: Type.Integer({ default: 15_000, minimum: 100 }),
  /** A consumer without progress this long makes its service not ready. */
  CONSUMER_NOT_READY_AFTER_MS: Type.Integer({ default: 20_000, minimum: 100 }),
  /** ... and this long, not live (an orchestrator restarts it). */
  CONSUMER_NOT_LIVE_AFTER_MS: Type.Integer({ default: 120_000, minimum: 100 }),
});

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** A service's own schema: the base plus its variables (its PORT default among them). */
export function serviceConfig<P extends TProperties>(props: P) {
  return Type.Composite([BaseConfig, Type.Object(props)]);
}

/**
 * Parses the environment once, at start: defaults applied, numbers converted, and every
 * problem reported together, naming the variable, so a bad deployment fails fast and clearly.
 */
export function loadConfig<S extends TObject>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): Static<S> {
  const picked: Record<string, unknown> = {};
  for (const key of Object.keys(schema.properties)) {
    const v = env[key];
    if (v !== undefined && v !== '') picked[key] = v;
    else if (v === '' && key === 'TOPIC_PREFIX') picked[key] = v;
  }
  const value = Value.Convert(schema, Value.Default(schema, picked));
  const problems = [...Value.Errors(schema, value)].map(
    (e) => `${e.path.slice(1) || '(root)'}: ${e.message}`,
  );
  if (problems.length > 0) throw new ConfigError(problems);
  return value as Static<S>;
}

/** The credentials file of development, used when CREDENTIALS_FILE is not set outside production. */
export const DEV_CREDENTIALS_FILE = 'infra/local/dev-credentials.json';

/** The prefix of every development API key: refused in production. */
export const DEV_KEY_PREFIX = 'hw_dev_';

/** True when the deployment says it is production (NODE_ENV=production). */
export function isProduction(config: { NODE_ENV?: string }): boolean {
  return config.NODE_ENV === 'production';
}

/**
 * The path of a deployment file (credentials, roster): the variable's value, or in development
 * the file beside the development credentials. Production has no default: a deployment that
 * forgot the variable fails at start rather than run on development keys.
 */
export function deploymentFile(
  config: { NODE_ENV?: string },
  variable: string,
  value: string | undefined,
  developmentDefault: string,
): string {
  if (value !== undefined && value !== '') return value;
  if (isProduction(config)) {
    throw new ConfigError([`${variable}: required when NODE_ENV=production (no development default)`]);
  }
  return developmentDefault;
}
