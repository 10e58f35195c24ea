// Composition root: the service kit reads the config, connects, builds, starts and handles signals.
import { runService } from '@homeward/service-kit';
import { buildApp, SERVICE_NAME } from './app.ts';
import { CoordinationConfig } from './config.ts';

await runService({ name: SERVICE_NAME, config: CoordinationConfig, buildApp });
