import { setTimeout as sleep } from 'node:timers/promises';
import type { EachBatchPayload } from 'kafkajs';
import type { BatchRun } from './message-path.ts';

/** A partition's messages in handlers beyond their batch (keyed concurrency). */
interface Lane {
  /** The highest offset started (a batch fetched again from the resolved offset skips these). */
  startedUpTo: number;
  /** Started messages in offset order, resolved from the front as they are done. */
  order: Array<{ offset: string; done: boolean }>;
  running: Set<Promise<void>>;
  /** The last started message of each key. */
  tails: Map<string, Promise<void>>;
  /** The assignment this lane belongs to has ended (a rebalance). */
  isStale: () => boolean;
  /** The latest batch's resolveOffset (offsets are the partition's, not the batch's). */
  resolve: (offset: string) => void;
  /** Commits the partition up to (not including) this offset, through the latest batch. */
  commit: (next: string) => Promise<void>;
  failure?: { err: unknown };
}

/**
 * Keyed concurrency within a partition (see `concurrencyPerPartition`). kafkajs hands a
 * partition's batches over one at a time and fetches from the last resolved offset, so the
 * partition's work lives in a lane that outlasts a batch: each batch starts the messages the
 * lane has not started yet (up to `limit` in handlers, one at a time per key) and returns
 * without waiting for them; a message's offset is resolved once it and every one before it
 * are handled. A batch that brings nothing new (the unresolved messages fetched again) waits
 * for one to finish, so the fetch loop does not spin. A handler's failure (the runner stopping,
 * the partition lost) stops the lane and goes up from the next batch, as in serial mode.
 */
export class KeyedLanes {
  /** Per partition, the messages in handlers beyond their batch. */
  private readonly lanes = new Map<string, Lane>();
  /** Bumped at each join of the group: a lane of an earlier assignment is stale. */
  private generation = 0;

  /** The group was joined again: every lane so far belongs to an ended assignment. */
  newAssignment(): void {
    this.generation++;
  }

  /** Resolves once every handler running beyond its batch has finished (the runner's stop). */
  async settle(): Promise<void> {
    await Promise.all([...this.lanes.values()].flatMap((l) => [...l.running]));
  }

  /** Starts what `payload` brings that its partition's lane has not started (see the class). */
  async eachBatch(payload: EachBatchPayload, limit: number, run: BatchRun): Promise<void> {
    const { batch, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const name = `${batch.topic}/${batch.partition}`;
    let lane = this.lanes.get(name);
    // A lane from before a rebalance belongs to the old assignment: its handlers finish, but it
    // resolves nothing more, and this batch (fetched from the committed offset) starts afresh.
    if (!lane || lane.isStale()) {
      const generation = this.generation;
      lane = {
        startedUpTo: -1,
        order: [],
        running: new Set(),
        tails: new Map(),
        isStale: () => generation !== this.generation || isStale(),
        resolve: () => {},
        commit: async () => {},
      };
      this.lanes.set(name, lane);
    }
    const current = lane;
    current.resolve = payload.resolveOffset;
    // kafkajs commits resolved offsets after each batch; a lane's offsets resolved after its batch
    // ended are committed explicitly (the next offset to read), or none would be until the next.
    current.commit = (next) =>
      commitOffsetsIfNecessary({
        topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] }],
      });
    const alive = () => !run.stopping() && isRunning() && !isStale();
    let startedNow = 0;
    for (const message of batch.messages) {
      if (current.failure) break;
      const offset = Number(message.offset);
      if (offset <= current.startedUpTo) continue;
      while (current.running.size >= limit && !current.failure) await Promise.race(current.running);
      if (!alive() || current.failure) break;
      current.startedUpTo = offset;
      startedNow++;
      const key = message.key ? message.key.toString('utf8') : '';
      const before = current.tails.get(key);
      const entry = { offset: message.offset, done: false };
      current.order.push(entry);
      const task = (async () => {
        // The same key's previous message first (it never rejects: failures are caught below).
        if (before) await before;
        if (current.failure || current.isStale()) return;
        const slot = `${name}@${message.offset}`;
        run.progress.begin(slot);
        try {
          // No heartbeat from here: the batch this came in may be over, and kafkajs beats between
          // batches (which come every fetch, at most 200 ms apart while a lane has work).
          await run.path.process(batch.topic, batch.partition, message, {
            heartbeat: async () => {},
            alive: () => !run.stopping() && !current.isStale(),
          });
          entry.done = true;
        } catch (err) {
          current.failure ??= { err };
        } finally {
          run.progress.end(slot);
        }
        run.progress.made();
        if (current.isStale()) return;
        let last: string | undefined;
        try {
          while (current.order[0]?.done) {
            last = current.order.shift()!.offset;
            current.resolve(last);
          }
          // Committed now, not at the next batch: there may be none (the partition went quiet,
          // or the runner is stopping and waits for this lane before it leaves the group).
          if (last !== undefined) await current.commit(String(Number(last) + 1));
        } catch (err) {
          // The partition went elsewhere meanwhile: its next owner reads from the committed offset.
          run.opts.logger.debug(
            { err, partition: name },
            'offset not resolved or committed: partition reassigned',
          );
        }
      })();
      current.tails.set(key, task);
      current.running.add(task);
      void task.then(() => {
        current.running.delete(task);
        if (current.tails.get(key) === task) current.tails.delete(key);
      });
    }
    if (startedNow === 0 && current.running.size > 0 && !current.failure)
      await Promise.race([...current.running, sleep(200)]);
    if (current.failure) {
      this.lanes.delete(name);
      await Promise.all(current.running);
      throw current.failure.err;
    }
    await commitOffsetsIfNecessary();
    run.progress.recordLag(batch);
  }
}
