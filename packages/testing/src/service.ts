import type { CloudEvent } from '@homeward/events';
import { ADMIN, EventPublisher, prefixTopics } from '@homeward/messaging';
import {
  type BaseConfig,
  type Clock,
  createRuntime,
  type Logger,
  loadConfig,
  ServiceHost,
  type ServiceParts,
  type ServiceRuntime,
} from '@homeward/service-kit';
import type { Static, TObject } from '@sinclair/typebox';
import { devKey, testLogger, testServiceEnv, uniqueName } from './helpers.ts';
import { testKafka } from './infra.ts';

// biome-ignore lint/suspicious/noExplicitAny: test responses are asserted field by field
type Json = any;

/** What `call` answers: the status, the body parsed as JSON (undefined if it is not), its text. */
export interface TestAnswer {
  status: number;
  body: Json;
  text: string;
  headers: Record<string, unknown>;
}

/**
 * Options of one `call`: the caller's role (null: no credentials), the region of that role's
 * development agency (`region: '341500'`: Lu'an's), or a `key` outright; and extra headers.
 */
export interface CallOptions {
  role?: string | null;
  region?: string;
  key?: string;
  headers?: Record<string, string>;
}

/** A service started by `startServiceForTest`. */
export interface ServiceUnderTest<A extends ServiceParts> {
  rt: ServiceRuntime;
  app: A;
  host: ServiceHost;
  /** The database this instance uses (pass it to a second instance to share it). */
  dbName: string;
  /** The address of the real port when started with `listen`; undefined otherwise. */
  baseUrl: string | undefined;
  /**
   * An HTTP request through `inject`, authenticated with the development key of `role`
   * (the service's default role when omitted). A string body is sent as it is, anything else
   * as JSON.
   */
  call: (method: string, url: string, body?: unknown, opts?: CallOptions) => Promise<TestAnswer>;
  /**
   * Publishes events onto the test's topics as their owners would: through a producer of the
   * administrator, since the service under test may write only its own topics.
   */
  publish: (...events: CloudEvent[]) => Promise<void>;
  /** Runs `cleanup`, drops the database if asked, then stops the service in its fixed order. */
  stop: () => Promise<void>;
}

/** How to start a service for a test; only the service's own pieces are required. */
export interface StartServiceOptions<S extends TObject, A extends ServiceParts> {
  /** The service's name, as `main.ts` gives it to the runtime. */
  name: string;
  /** The service's environment schema (its `config.ts`). */
  configSchema: S;
  /** The service's `buildApp` (packages do not import services: the test passes it in). */
  buildApp: (rt: ServiceRuntime, config: Static<S>) => Promise<A>;
  /** The test's topic prefix (from `createTestTopics`). */
  prefix: string;
  /** The database; by default a fresh one named after the service. */
  dbName?: string;
  /** Variables on top of the test infrastructure's. */
  env?: Record<string, string>;
  clock?: Clock;
  logger?: Logger;
  /** How often the outbox relay sweeps; short by default, so tests see events promptly. */
  outboxSweepMs?: number;
  /** False starts an instance without its consumers (it only serves, or only schedules). */
  consumers?: boolean;
  /** The role `call` uses when the test names none. */
  defaultRole: string;
  /** Listen on a real port (0: any free one), for what `inject` cannot do, such as SSE. */
  listen?: number;
  /** Drop the database on stop (leave it when another instance or a restart still uses it). */
  dropDatabaseOnStop?: boolean;
  /** Runs before the service stops, with its connections still open (Redis keys, say). */
  cleanup?: (rt: ServiceRuntime) => Promise<void>;
}

/**
 * Starts a service in-process the way `main.ts` does, on the test's topics and a database of
 * its own: config parsed from the test environment, runtime created, app built, consumers
 * started (they own their partitions when this returns, so a test may publish at once), HTTP
 * ready for `inject`.
 */
export async function startServiceForTest<S extends TObject, A extends ServiceParts>(
  opts: StartServiceOptions<S, A>,
): Promise<ServiceUnderTest<A>> {
  const config = loadConfig(opts.configSchema, testServiceEnv(opts.prefix, opts.env));
  const dbName = opts.dbName ?? uniqueName(opts.name).replaceAll('-', '_');
  const rt = await createRuntime({
    name: opts.name,
    // Every service schema is `serviceConfig(...)`: the base variables plus its own.
    config: config as Static<typeof BaseConfig>,
    logger: opts.logger ?? testLogger(),
    dbName,
    outboxSweepMs: opts.outboxSweepMs ?? 200,
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  const app = await opts.buildApp(rt, config);
  if (opts.consumers === false) app.consumers.length = 0;
  const host = new ServiceHost(rt, app);
  let baseUrl: string | undefined;
  if (opts.listen === undefined) await host.startInProcess();
  else baseUrl = await host.start(opts.listen);

  const call: ServiceUnderTest<A>['call'] = async (method, url, body, o = {}) => {
    const role = o.role === undefined ? opts.defaultRole : o.role;
    const key = o.key ?? (role ? devKey(role, o.region) : undefined);
    const res = await app.http.inject({
      method: method as 'GET',
      url,
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...o.headers },
      ...(body === undefined ? {} : { payload: body as string | object }),
    });
    let parsed: Json;
    try {
      parsed = res.body ? JSON.parse(res.body) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.statusCode, body: parsed, text: res.body, headers: res.headers };
  };

  // Connected with the service, so a test's first publish costs no more than the service's would.
  const injector = (async () => {
    const p = new EventPublisher({
      kafka: testKafka(ADMIN, 'test-publish'),
      topics: prefixTopics(opts.prefix),
      logger: testLogger(),
    });
    await p.connect();
    return p;
  })();
  await injector;
  return {
    rt,
    app,
    host,
    dbName,
    baseUrl,
    call,
    publish: async (...events) => {
      const p = await injector;
      await p.publish(...(events as Parameters<typeof p.publish>));
    },
    stop: async () => {
      await opts.cleanup?.(rt);
      if (opts.dropDatabaseOnStop) await rt.mongo.db.dropDatabase().catch(() => {});
      await host.stop();
      await (await injector).disconnect().catch(() => {});
    },
  };
}

/** Deletes the Redis keys matching `pattern` (a test's namespace), in batches. */
export async function deleteRedisKeys(rt: ServiceRuntime, pattern: string): Promise<void> {
  const redis = rt.redis.redis;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}
