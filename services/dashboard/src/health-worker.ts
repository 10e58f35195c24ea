import { type Logger, PeriodicWorker, type Worker } from '@homeward/service-kit';

export interface HealthTarget {
  name: string;
  url: string;
}

export interface ServiceHealth {
  name: string;
  url: string;
  status: 'ready' | 'not-ready' | 'down' | 'unknown';
  httpStatus: number | null;
  latencyMs: number | null;
  checkedAt: string | null;
  checks: Record<string, boolean> | null;
}

/** Parses `name=url,name=url` (the `HEALTH_TARGETS` variable). */
export function parseHealthTargets(spec: string): HealthTarget[] {
  return spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((pair) => {
      const i = pair.indexOf('=');
      if (i <= 0) throw new Error(`HEALTH_TARGETS: "${pair}" is not name=url`);
      const url = pair.slice(i + 1).replace(/\/+$/, '');
      new URL(url);
      return { name: pair.slice(0, i), url };
    });
}

/**
 * Polls every service's `/health/ready` on the server side (the browser could not reach the
 * other ports, and one poll serves every operator), keeping the latest answer of each. The
 * first poll runs at start, then one every interval, never two at once.
 */
export class HealthWorker implements Worker {
  private readonly latest = new Map<string, ServiceHealth>();
  private readonly worker: PeriodicWorker<void>;

  constructor(
    private readonly targets: HealthTarget[],
    intervalMs: number,
    private readonly logger: Logger,
    private readonly now: () => Date,
  ) {
    for (const t of targets)
      this.latest.set(t.name, {
        ...t,
        status: 'unknown',
        httpStatus: null,
        latencyMs: null,
        checkedAt: null,
        checks: null,
      });
    this.worker = new PeriodicWorker({
      name: 'health poll',
      intervalMs,
      logger,
      tickAtStart: true,
      tick: () => this.pollAll(),
    });
  }

  start(): Promise<void> {
    return this.worker.start();
  }

  stop(): Promise<void> {
    return this.worker.stop();
  }

  summary(): ServiceHealth[] {
    return [...this.latest.values()];
  }

  private async pollAll(): Promise<void> {
    await Promise.all(this.targets.map((t) => this.poll(t)));
  }

  private async poll(t: HealthTarget): Promise<void> {
    const t0 = performance.now();
    let entry: ServiceHealth;
    try {
      const res = await fetch(`${t.url}/health/ready`, { signal: AbortSignal.timeout(2_000) });
      const body = (await res.json().catch(() => ({}))) as { checks?: Record<string, boolean> };
      entry = {
        ...t,
        status: res.status === 200 ? 'ready' : 'not-ready',
        httpStatus: res.status,
        latencyMs: Math.round(performance.now() - t0),
        checkedAt: this.now().toISOString(),
        checks: body.checks ?? null,
      };
    } catch {
      entry = {
        ...t,
        status: 'down',
        httpStatus: null,
        latencyMs: null,
        checkedAt: this.now().toISOString(),
        checks: null,
      };
    }
    const before = this.latest.get(t.name)?.status;
    if (before !== entry.status)
      this.logger.info({ target: t.name, status: entry.status }, 'service health changed');
    this.latest.set(t.name, entry);
  }
}
