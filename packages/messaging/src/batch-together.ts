import { SpanStatusCode } from '@opentelemetry/api';
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { BatchHandler } from './consumer-options.ts';
import type { BatchScope } from './consumer-retry.ts';
import { isRetriable } from './errors.ts';
import type { BatchRun } from './message-path.ts';
import type { Admitted } from './message-screening.ts';

/**
 * The most events one `batchHandler` call gets: a bigger fetched batch (a backlog after downtime)
 * goes in parts, so that one call's writes stay a reasonable pipeline and a stop waits for one
 * part, not for a partition's whole backlog.
 */
const BATCH_HANDLER_MAX = 200;

/**
 * A partition's batch in handler calls of at most {@link BATCH_HANDLER_MAX} events (see
 * `batchHandler`): each message screened in order (dead letters sent before the offsets move),
 * the duplicate checks together, one call for the events left, their records together, then the
 * part's offsets resolved. Nothing of a part is resolved until all of it is done, so a crash or a
 * lost partition redelivers the part, which the handler's idempotency absorbs; a stop waits for
 * the part in hand only.
 */
export async function eachBatchTogether(
  payload: EachBatchPayload,
  handleBatch: BatchHandler,
  run: BatchRun,
): Promise<void> {
  const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
  const scope: BatchScope = { heartbeat, alive: () => !run.stopping() && isRunning() && !isStale() };
  for (let from = 0; from < batch.messages.length; from += BATCH_HANDLER_MAX) {
    if (!scope.alive()) break;
    const part = batch.messages.slice(from, from + BATCH_HANDLER_MAX);
    await handlePart(batch.topic, batch.partition, part, scope, handleBatch, run);
    run.progress.made();
    resolveOffset(part[part.length - 1]!.offset);
    await heartbeat();
  }
  await commitOffsetsIfNecessary();
  run.progress.recordLag(batch);
}

async function handlePart(
  topic: string,
  partition: number,
  messages: KafkaMessage[],
  scope: BatchScope,
  handleBatch: BatchHandler,
  run: BatchRun,
): Promise<void> {
  const { path, progress, metrics } = run;
  const slot = `${topic}/${partition}`;
  const group = run.opts.groupId;
  progress.begin(slot);
  const admitted: Array<{ message: KafkaMessage; a: Admitted }> = [];
  try {
    for (const message of messages) {
      const a = await path.screen(topic, partition, message, scope);
      if (a) admitted.push({ message, a });
    }
    const duplicate = await Promise.all(
      admitted.map(({ a }) => path.within(a, () => path.isDuplicate(a, scope))),
    );
    const fresh = admitted.filter((_, i) => !duplicate[i]);
    if (fresh.length === 0) return;
    const started = performance.now();
    let failure: unknown;
    try {
      await path.retry(
        () => handleBatch(fresh.map(({ a }) => ({ event: a.event, ctx: a.ctx }))),
        run.opts.logger,
        scope,
      );
    } catch (err) {
      // Retriable still: the runner is stopping or lost the partition; nothing is resolved.
      if (isRetriable(err)) throw err;
      failure = err;
    }
    if (failure === undefined) {
      const share = (performance.now() - started) / 1000 / fresh.length;
      for (const { a } of fresh) metrics?.handlerSeconds.observe({ group, type: a.event.type }, share);
      await Promise.all(fresh.map(({ a }) => path.within(a, () => path.recordHandled(a, scope))));
      return;
    }
    // One of them is at fault (or the batch as a whole): each on its own, the faulty one
    // dead-lettered alone. What the batch did apply is absorbed by the handlers' idempotency.
    run.opts.logger.warn(
      { err: failure, partition: slot, events: fresh.length },
      'batch handler failed; handling its events one by one',
    );
    for (const { message, a } of fresh) await path.handleIfNew(topic, partition, message, scope, a);
  } catch (err) {
    for (const { a } of admitted) a.span.setStatus({ code: SpanStatusCode.ERROR, message: 'retried later' });
    throw err;
  } finally {
    for (const { a } of admitted) a.span.end();
    progress.end(slot);
  }
}
