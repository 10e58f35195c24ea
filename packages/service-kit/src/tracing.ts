import { createRequire } from 'node:module';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { Logger } from 'pino';

/**
 * A process's tracing: on when an OTLP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT) or an exporter
 * is given, off otherwise. Off loads nothing of the SDK: the code that makes spans
 * (`@opentelemetry/api` in the kit, the consumer runner and the publisher) then talks to the
 * API's no-op tracer, which costs an object per span and exports nothing.
 */
export interface Tracing {
  readonly enabled: boolean;
  /** Exports what is buffered now (tests wait on it before reading an in-memory exporter). */
  forceFlush(): Promise<void>;
  /** Exports what is buffered and stops; the process's last step. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** `service.name` of every span this process exports. */
  serviceName: string;
  /**
   * The OTLP/HTTP endpoint's base (OTEL_EXPORTER_OTLP_ENDPOINT, e.g. `http://127.0.0.1:4318`);
   * spans go to `<endpoint>/v1/traces`. Empty or absent: no OTLP export.
   */
  endpoint?: string;
  /**
   * An exporter of the caller's, fed span by span (a test's `InMemorySpanExporter`); used
   * instead of OTLP when given.
   */
  exporter?: SpanExporter;
  logger?: Logger;
}

const OFF: Tracing = { enabled: false, forceFlush: async () => {}, shutdown: async () => {} };

/**
 * Modules the instrumentations patch, required again once they are registered. A service's
 * ESM imports load these CommonJS modules before `startTracing` runs, and
 * require-in-the-middle patches a module the next time it is required, cached or not; so a
 * second `require` here is what instruments the copies the service already holds (the
 * instrumentations patch prototypes and module objects, which every importer shares).
 * MongoDB's instrumentation hooks files inside the driver, named as it names them.
 */
const PATCH_TARGETS = [
  'http',
  'https',
  'ioredis',
  'mongodb',
  'mongodb/lib/cmap/connection.js',
  'mongodb/lib/cmap/connect.js',
  'mongodb/lib/sessions.js',
];

/**
 * The OpenTelemetry API's globals are per process, so tracing is started once per process; a
 * second call answers the first one's handle.
 */
let started: Promise<Tracing> | undefined;

/**
 * Starts tracing when an endpoint or an exporter is given: the trace SDK with W3C Trace Context
 * propagation and an AsyncLocalStorage context, and the instrumentations of what every service
 * uses beside Kafka (HTTP server and client through `node:http`, undici and `fetch`, the MongoDB
 * driver, ioredis). Kafka's spans are the consumer runner's and the publisher's own
 * (@homeward/messaging), carried in the CloudEvents `traceparent` extension. With neither, it
 * returns at once and imports nothing.
 */
export function startTracing(opts: TracingOptions): Promise<Tracing> {
  if (!opts.endpoint && !opts.exporter) return Promise.resolve(OFF);
  started ??= load(opts);
  return started;
}

async function load(opts: TracingOptions): Promise<Tracing> {
  const [api, sdk, asyncHooks, core, resources, otlp, instr, httpI, undiciI, mongoI, redisI] =
    await Promise.all([
      import('@opentelemetry/api'),
      import('@opentelemetry/sdk-trace'),
      import('@opentelemetry/context-async-hooks'),
      import('@opentelemetry/core'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/instrumentation'),
      import('@opentelemetry/instrumentation-http'),
      import('@opentelemetry/instrumentation-undici'),
      import('@opentelemetry/instrumentation-mongodb'),
      import('@opentelemetry/instrumentation-ioredis'),
    ]);
  const processor = opts.exporter
    ? // A test reads its exporter right after the work: no batching delay.
      new sdk.SimpleSpanProcessor({ exporter: opts.exporter })
    : new sdk.BatchSpanProcessor({
        exporter: new otlp.OTLPTraceExporter({ url: `${opts.endpoint!.replace(/\/+$/, '')}/v1/traces` }),
      });
  const provider = new sdk.TracerProvider({
    resource: resources.resourceFromAttributes({ 'service.name': opts.serviceName }),
    spanProcessors: [processor],
  });
  api.context.setGlobalContextManager(new asyncHooks.AsyncLocalStorageContextManager().enable());
  api.propagation.setGlobalPropagator(new core.W3CTraceContextPropagator());
  api.trace.setGlobalTracerProvider(provider);
  instr.registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new httpI.HttpInstrumentation({
        // Probes and scrapes every few seconds would bury the traces that matter.
        ignoreIncomingRequestHook: (req) => /^\/(health|metrics)/.test(req.url ?? ''),
      }),
      new undiciI.UndiciInstrumentation(),
      new mongoI.MongoDBInstrumentation(),
      new redisI.IORedisInstrumentation(),
    ],
  });
  const require = createRequire(import.meta.url);
  for (const id of PATCH_TARGETS) {
    try {
      require(id);
    } catch (err) {
      opts.logger?.warn({ err, module: id }, 'tracing: a module to instrument could not be loaded');
    }
  }
  opts.logger?.info(
    { exporter: opts.exporter ? 'in-process' : `${opts.endpoint}/v1/traces` },
    'tracing on (OpenTelemetry, OTLP/HTTP)',
  );
  return {
    enabled: true,
    forceFlush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
