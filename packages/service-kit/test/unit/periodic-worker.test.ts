import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DueWorker, ManualClock, MemoryDueIndex, PeriodicWorker } from '../../src/index.ts';

/** A pino logger whose lines the test can read. */
function recordingLogger() {
  const lines: Array<{ level: number; msg: string; [k: string]: unknown }> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines, warnings: () => lines.filter((l) => l.level === 40).map((l) => l.msg) };
}

/** A promise the test settles by hand. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('PeriodicWorker', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('rebuilds once at start, then ticks every interval', async () => {
    const { logger, lines } = recordingLogger();
    const calls: string[] = [];
    const worker = new PeriodicWorker({
      name: 'sweeper',
      intervalMs: 100,
      logger,
      rebuild: async () => {
        calls.push('rebuild');
        return 7;
      },
      tick: async () => {
        calls.push('tick');
      },
    });
    await worker.start();
    expect(calls).toEqual(['rebuild']);
    expect(lines.find((l) => l.msg === 'sweeper: rebuilt')).toMatchObject({ rebuilt: 7 });
    await vi.advanceTimersByTimeAsync(99);
    expect(calls).toEqual(['rebuild']);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toEqual(['rebuild', 'tick']);
    await vi.advanceTimersByTimeAsync(300);
    expect(calls).toEqual(['rebuild', 'tick', 'tick', 'tick', 'tick']);
    await worker.stop();
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toHaveLength(5);
  });

  it('starts without a rebuild step', async () => {
    const tick = vi.fn(async () => {});
    const worker = new PeriodicWorker({ name: 'w', intervalMs: 50, logger: recordingLogger().logger, tick });
    await worker.start();
    await vi.advanceTimersByTimeAsync(50);
    expect(tick).toHaveBeenCalledTimes(1);
    await worker.stop();
  });

  it('runs the first tick at start when asked, without start waiting for it', async () => {
    const first = deferred();
    let ticks = 0;
    const worker = new PeriodicWorker({
      name: 'w',
      intervalMs: 100,
      logger: recordingLogger().logger,
      tickAtStart: true,
      tick: async () => {
        ticks++;
        if (ticks === 1) await first.promise;
      },
    });
    await worker.start();
    expect(ticks).toBe(1);
    first.resolve();
    await vi.advanceTimersByTimeAsync(99);
    expect(ticks).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(ticks).toBe(2);
    await worker.stop();
  });

  it('never overlaps ticks: the next one starts an interval after the slow one ends', async () => {
    const slow = deferred();
    let started = 0;
    const worker = new PeriodicWorker({
      name: 'w',
      intervalMs: 100,
      logger: recordingLogger().logger,
      tick: async () => {
        started++;
        if (started === 1) await slow.promise;
      },
    });
    await worker.start();
    await vi.advanceTimersByTimeAsync(100);
    expect(started).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(started).toBe(1);
    slow.resolve();
    await vi.advanceTimersByTimeAsync(99);
    expect(started).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(started).toBe(2);
    await worker.stop();
  });

  it('logs a failing tick and retries on the next one', async () => {
    const { logger, warnings } = recordingLogger();
    let n = 0;
    const worker = new PeriodicWorker({
      name: 'w',
      intervalMs: 10,
      logger,
      tick: async () => {
        n++;
        if (n === 1) throw new Error('redis went away');
        return n;
      },
    });
    await worker.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(warnings()).toEqual(['w: tick failed; the next tick retries']);
    await vi.advanceTimersByTimeAsync(10);
    expect(n).toBe(2);
    expect(warnings()).toHaveLength(1);
    await worker.stop();
  });

  it('stop waits for the tick in flight and ticks no more', async () => {
    const inFlight = deferred();
    let finished = false;
    let ticks = 0;
    const worker = new PeriodicWorker({
      name: 'w',
      intervalMs: 10,
      logger: recordingLogger().logger,
      tick: async () => {
        ticks++;
        await inFlight.promise;
        finished = true;
      },
    });
    await worker.start();
    await vi.advanceTimersByTimeAsync(10);
    let stopped = false;
    const stopping = worker.stop().then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    inFlight.resolve();
    await stopping;
    expect(finished).toBe(true);
    await vi.advanceTimersByTimeAsync(1000);
    expect(ticks).toBe(1);
  });

  it('fails start when the rebuild fails, and never ticks', async () => {
    const tick = vi.fn(async () => {});
    const worker = new PeriodicWorker({
      name: 'w',
      intervalMs: 10,
      logger: recordingLogger().logger,
      rebuild: async () => {
        throw new Error('mongodb unreachable');
      },
      tick,
    });
    await expect(worker.start()).rejects.toThrow('mongodb unreachable');
    await vi.advanceTimersByTimeAsync(100);
    expect(tick).not.toHaveBeenCalled();
    await worker.stop();
  });

  it('a stop during the rebuild waits for it and never ticks', async () => {
    const rebuild = deferred<number>();
    const tick = vi.fn(async () => {});
    const worker = new PeriodicWorker({
      name: 'w',
      intervalMs: 10,
      logger: recordingLogger().logger,
      rebuild: () => rebuild.promise,
      tick,
    });
    const starting = worker.start();
    let stopped = false;
    const stopping = worker.stop().then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    rebuild.resolve(3);
    await Promise.all([starting, stopping]);
    await vi.advanceTimersByTimeAsync(100);
    expect(tick).not.toHaveBeenCalled();
  });

  it('tick() runs one pass on demand and returns its result', async () => {
    const worker = new PeriodicWorker({
      name: 'w',
      intervalMs: 10,
      logger: recordingLogger().logger,
      tick: async () => 42,
    });
    expect(await worker.tick()).toBe(42);
  });
});

describe('DueWorker', () => {
  it('hands each due id to the handler in the index order, at most a batch per pass', async () => {
    const clock = new ManualClock('2026-11-28T08:00:00Z');
    const index = new MemoryDueIndex();
    await index.set('b', new Date('2026-11-28T08:05:00Z'));
    await index.set('a', new Date('2026-11-28T08:01:00Z'));
    await index.set('c', new Date('2026-11-28T08:10:00Z'));
    await index.set('later', new Date('2026-11-28T09:00:00Z'));
    const handled: string[] = [];
    const worker = new DueWorker({
      name: 'due',
      index,
      clock,
      logger: recordingLogger().logger,
      intervalMs: 1000,
      batchSize: 2,
      handle: async (id) => {
        handled.push(id);
        await index.set(id, null);
        return id.toUpperCase();
      },
    });
    expect(await worker.tick()).toEqual({ due: 0, results: [], failed: 0 });
    clock.set('2026-11-28T08:30:00Z');
    expect(await worker.tick()).toEqual({
      due: 2,
      results: [
        { id: 'a', result: 'A' },
        { id: 'b', result: 'B' },
      ],
      failed: 0,
    });
    expect(await worker.tick()).toEqual({ due: 1, results: [{ id: 'c', result: 'C' }], failed: 0 });
    expect(handled).toEqual(['a', 'b', 'c']);
    expect(await index.size()).toBe(1);
  });

  it('logs an id whose handler throws, goes on with the others, and retries it next pass', async () => {
    const clock = new ManualClock('2026-11-28T08:00:00Z');
    const index = new MemoryDueIndex();
    await index.bringForwardAll([
      ['a', new Date('2026-11-28T07:00:00Z')],
      ['b', new Date('2026-11-28T07:30:00Z')],
    ]);
    const { logger, lines } = recordingLogger();
    let failA = true;
    const worker = new DueWorker({
      name: 'due',
      index,
      clock,
      logger,
      intervalMs: 1000,
      batchSize: 10,
      handle: async (id) => {
        if (id === 'a' && failA) throw new Error('transient');
        await index.set(id, null);
        return 1;
      },
    });
    expect(await worker.tick()).toEqual({ due: 2, results: [{ id: 'b', result: 1 }], failed: 1 });
    expect(lines.find((l) => l.level === 40)).toMatchObject({ id: 'a', worker: 'due' });
    failA = false;
    expect(await worker.tick()).toEqual({ due: 1, results: [{ id: 'a', result: 1 }], failed: 0 });
    expect(await index.size()).toBe(0);
  });

  it('runs its passes on the timer after the rebuild', async () => {
    vi.useFakeTimers();
    try {
      const clock = new ManualClock('2026-11-28T08:00:00Z');
      const index = new MemoryDueIndex();
      const handled: string[] = [];
      const worker = new DueWorker({
        name: 'due',
        index,
        clock,
        logger: recordingLogger().logger,
        intervalMs: 100,
        batchSize: 10,
        rebuild: async () => {
          await index.bringForward('x', new Date('2026-11-28T07:59:00Z'));
          return 1;
        },
        handle: async (id) => {
          handled.push(id);
          await index.set(id, null);
        },
      });
      await worker.start();
      expect(handled).toEqual([]);
      await vi.advanceTimersByTimeAsync(100);
      expect(handled).toEqual(['x']);
      await worker.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
