import type { Logger } from 'pino';
import type { Clock } from './clock.ts';
import type { DueIndex } from './due-index.ts';
import type { Worker } from './runtime.ts';

export interface PeriodicWorkerOptions<R> {
  /** Names the worker in its log lines. */
  name: string;
  /** Real milliseconds from the end of one tick to the start of the next. */
  intervalMs: number;
  logger: Logger;
  /** One pass of the work. */
  tick: () => Promise<R>;
  /**
   * Runs once in `start`, before the first tick (e.g. rebuilding an index from MongoDB); what
   * it returns is logged. If it fails, `start` fails, so the service does not come up half-built.
   */
  rebuild?: () => Promise<unknown>;
  /**
   * Runs the first tick right after `start` (in the background: `start` does not wait for it)
   * instead of one interval later, for work whose first result is wanted at once.
   */
  tickAtStart?: boolean;
}

/**
 * Runs a pass at an interval, as a `Worker` of the `ServiceHost`. Ticks are chained with
 * `setTimeout`, so they never overlap however long one takes; a failing tick is logged and the
 * next one retries. `stop` stops ticking and waits for the tick in flight.
 */
export class PeriodicWorker<R = unknown> implements Worker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;

  constructor(private readonly opts: PeriodicWorkerOptions<R>) {}

  async start(): Promise<void> {
    this.stopped = false;
    if (this.opts.rebuild) {
      const rebuilding = this.opts.rebuild();
      this.running = rebuilding;
      try {
        const rebuilt = await rebuilding;
        this.opts.logger.info({ worker: this.opts.name, rebuilt }, `${this.opts.name}: rebuilt`);
      } finally {
        this.running = undefined;
      }
    }
    if (this.stopped) return;
    if (this.opts.tickAtStart) this.loop();
    else this.timer = setTimeout(this.loop, this.opts.intervalMs);
  }

  /**
   * One pass, now. The timer calls it; tests call it directly with a manual clock (a direct
   * call is not serialised with the timer's ticks).
   */
  tick(): Promise<R> {
    return this.opts.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => {});
  }

  private readonly loop = (): void => {
    if (this.stopped) return;
    this.running = this.tick()
      .catch((err: unknown) =>
        this.opts.logger.warn(
          { err, worker: this.opts.name },
          `${this.opts.name}: tick failed; the next tick retries`,
        ),
      )
      .finally(() => {
        this.running = undefined;
        if (!this.stopped) this.timer = setTimeout(this.loop, this.opts.intervalMs);
      });
  };
}

/** What one pass of a `DueWorker` did. */
export interface DuePass<R> {
  /** Ids the index named as due (at most the batch size). */
  due: number;
  /** What the handler returned, per id it handled without throwing, in the index's order. */
  results: Array<{ id: string; result: R }>;
  /** Ids whose handler threw (logged; the id stays due, so the next pass retries it). */
  failed: number;
}

export interface DueWorkerOptions<R> {
  /** Names the worker in its log lines. */
  name: string;
  index: DueIndex;
  /** Decides what is due; tests inject a manual one. */
  clock: Clock;
  logger: Logger;
  /** Real milliseconds between passes; the clock decides what is due. */
  intervalMs: number;
  /** Ids handled per pass at most (the rest wait for the next pass). */
  batchSize: number;
  /**
   * Handles one due id. It re-reads the truth (MongoDB) and must leave the index right: set
   * the id's next due time, or remove it, or the id comes due again on the next pass. Any
   * lease the work needs is the handler's (or its store's) to take.
   */
  handle: (id: string) => Promise<R>;
  /** See `PeriodicWorkerOptions.rebuild`: typically refills the index from MongoDB. */
  rebuild?: () => Promise<unknown>;
}

/**
 * A periodic worker over a `DueIndex`: each pass reads the ids due now (one ZRANGEBYSCORE when
 * nothing is due) and hands them to `handle` one at a time; one id's failure is logged and
 * does not stop the others.
 */
export class DueWorker<R> extends PeriodicWorker<DuePass<R>> {
  constructor(opts: DueWorkerOptions<R>) {
    super({
      name: opts.name,
      intervalMs: opts.intervalMs,
      logger: opts.logger,
      rebuild: opts.rebuild,
      tick: () => duePass(opts),
    });
  }
}

async function duePass<R>(opts: DueWorkerOptions<R>): Promise<DuePass<R>> {
  const ids = await opts.index.due(opts.clock.now(), opts.batchSize);
  const pass: DuePass<R> = { due: ids.length, results: [], failed: 0 };
  for (const id of ids) {
    try {
      pass.results.push({ id, result: await opts.handle(id) });
    } catch (err) {
      pass.failed++;
      opts.logger.warn(
        { err, worker: opts.name, id },
        `${opts.name}: handling a due id failed; the next pass retries`,
      );
    }
  }
  return pass;
}
