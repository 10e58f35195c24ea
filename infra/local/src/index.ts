export { DEFAULT_PORTS, down, localEndpoints, status, up } from './launcher.ts';
export type { ComponentStatus, InfraEndpoints, UpReport } from './launcher.ts';
export { startKafka, probeKafka } from './components/kafka.ts';
export { startFerretDb, pingMongo } from './components/ferretdb.ts';
export { startRedis, pingRedis } from './components/redis.ts';
export { LauncherError, stopProcess } from './processes.ts';
export { ensureTopics } from './topics.ts';
