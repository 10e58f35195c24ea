export {
  bannerLines,
  bannerUrls,
  operatorKey,
  SERVICE_PORTS,
  servicePort,
  waitForServices,
} from './banner.ts';
export { CHROMIUM_PATH, ensureChromium } from './components/chromium.ts';
export {
  FERRET_BUILD,
  type FerretBackend,
  ferretBackendFromEnv,
  ferretEnv,
  pingMongo,
  staleFerretBuilds,
  startFerretDb,
} from './components/ferretdb.ts';
export { ensureHelm, HELM_VERSION } from './components/helm.ts';
export type { KafkaOptions, LoginOutcome } from './components/kafka.ts';
export {
  ensureKafkaUsers,
  launcherSecurity,
  probeKafka,
  startKafka,
  tryKafkaLogin,
} from './components/kafka.ts';
export { ensurePoppler, PDFTOPPM_PATH, PDFTOTEXT_PATH } from './components/poppler.ts';
export { postgresUrl, startPostgres } from './components/postgresql.ts';
export { ensurePromtool, PROMTOOL_MODULE, PROMTOOL_VERSION } from './components/promtool.ts';
export { pingRedis, startRedis } from './components/redis.ts';
export type { ComponentStatus, InfraEndpoints, UpReport } from './launcher.ts';
export { DEFAULT_PORTS, down, localEndpoints, status, up } from './launcher.ts';
export { cacheDir, repoRoot } from './paths.ts';
export { LauncherError, logPath, stopProcess } from './processes.ts';
export { SERVICE_NODE_OPTIONS, serviceCommand } from './service-command.ts';
export type { ServiceCommand, SupervisorOptions } from './supervisor.ts';
export {
  requestRestart,
  runningServices,
  SERVICE_RESTART,
  ServiceSupervisor,
  serviceControlDir,
} from './supervisor.ts';
export {
  adminClient,
  deleteStaleTestTopics,
  deleteTopics,
  ensureTopics,
  knownAgencies,
  staleTestPrefixes,
} from './topics.ts';
