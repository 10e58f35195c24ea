import closeWithGrace from 'close-with-grace';
import type { Logger } from 'pino';

/**
 * Runs a service's composition root: start it, and on SIGINT/SIGTERM (or a crash) stop it
 * gracefully within the timeout, then exit.
 */
export async function runMain(opts: {
  logger: Logger;
  shutdownTimeoutMs: number;
  start: () => Promise<{ stop: () => Promise<void> }>;
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
  try {
    service = await opts.start();
  } catch (err) {
    opts.logger.fatal({ err }, 'failed to start');
    process.exitCode = 1;
    process.kill(process.pid, 'SIGTERM');
  }
}
