// Composition root: read config, connect, build, start, handle signals. Nothing else.
import { createLogger, createRuntime, loadConfig, runMain, ServiceHost } from '@homeward/service-kit';
import { buildApp, SERVICE_NAME } from './app.ts';
import { DnaTrackingConfig } from './config.ts';

const config = loadConfig(DnaTrackingConfig);
const logger = createLogger({ name: SERVICE_NAME, level: config.LOG_LEVEL });

await runMain({
  logger,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  start: async () => {
    const rt = await createRuntime({ name: SERVICE_NAME, config, logger, dbName: config.MONGO_DB });
    const host = new ServiceHost(rt, await buildApp(rt, config));
    await host.start(config.PORT);
    return host;
  },
});
