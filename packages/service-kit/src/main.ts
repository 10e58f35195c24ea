import type { Static, TObject } from '@sinclair/typebox';
import closeWithGrace from 'close-with-grace';
import type { Logger } from 'pino';
import { loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { createRuntime, ServiceHost, type ServiceParts, type ServiceRuntime } from './runtime.ts';
import { startTracing } from './tracing.ts';

/**
 * Runs a service's composition root: start it, and on SIGINT/SIGTERM (or a crash) stop it
 * gracefully within the timeout, then exit. `start` resolves with something to stop as soon
 * as there is one; it may go on starting in the background (and report a failure through
 * `failed`), so a signal during a long start still stops what has started.
 */
export async function runMain(opts: {
  logger: Logger;
  shutdownTimeoutMs: number;
  start: (failed: (err: unknown) => void) => Promise<{ stop: () => Promise<void> }>;
}): Promise<void> {
  let service: { stop: () => Promise<void> } | undefined;
  closeWithGrace(
    { delay: opts.shutdownTimeoutMs, logger: { error: (m: unknown) => opts.logger.error(m) } },
    async ({ signal, err }) => {
      if (err) opts.logger.error({ err }, 'fatal error, shutting down');
      else opts.logger.info({ signal }, 'shutting down');
      await service?.stop();
    },
  );
  const failed = (err: unknown) => {
    opts.logger.fatal({ err }, 'failed to start');
    process.exitCode = 1;
    process.kill(process.pid, 'SIGTERM');
  };
  try {
    service = await opts.start(failed);
  } catch (err) {
    failed(err);
  }
}

/** The variables every service's schema has beside the base ones. */
interface ServiceVars {
  PORT: number;
  MONGO_DB: string;
  LOG_LEVEL: string;
  LOG_FORMAT: 'json' | 'pretty';
  SHUTDOWN_TIMEOUT_MS: number;
  OTEL_EXPORTER_OTLP_ENDPOINT: string;
}

/**
 * The whole of a service's `main.ts`: read its configuration (failing fast and clearly), make
 * its logger, start tracing when OTEL_EXPORTER_OTLP_ENDPOINT is set, make its runtime, build it, start it on its port, and stop it gracefully on a signal.
 */
export async function runService<S extends TObject>(def: {
  name: string;
  config: S;
  buildApp: (rt: ServiceRuntime, config: Static<S>) => Promise<ServiceParts>;
  /** See `RuntimeOptions.outboxMinSendIntervalMs`: for a service whose events may wait a few ms. */
  outboxMinSendIntervalMs?: number;
}): Promise<void> {
  const config = loadConfig(def.config) as Static<S> & ServiceVars;
  const logger = createLogger({ name: def.name, level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  await runMain({
    logger,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    start: async (failed) => {
      // Before the connections: their clients are instrumented as they are made.
      const tracing = await startTracing({
        serviceName: def.name,
        endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
        logger,
      });
      const rt = await createRuntime({
        name: def.name,
        config: config as never,
        logger,
        dbName: config.MONGO_DB,
        ...(def.outboxMinSendIntervalMs ? { outboxMinSendIntervalMs: def.outboxMinSendIntervalMs } : {}),
      });
      const host = new ServiceHost(rt, await def.buildApp(rt, config));
      // The port opens at once; joining the consumer groups goes on behind it.
      host.start(config.PORT).catch(failed);
      return {
        stop: async () => {
          await host.stop();
          // Last: the spans of the shutdown itself are exported too.
          await tracing.shutdown();
        },
      };
    },
  });
}
