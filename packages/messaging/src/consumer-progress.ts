import type { MessagingMetrics } from './metrics.ts';

/**
 * What a consumer runner knows of its own progress, for its health and its lag gauge: when it
 * last made progress (a fetch or a handled message), and the messages in handlers now, each of
 * which counts as no progress from the moment it started.
 */
export class ConsumerProgress {
  private lastAt = Date.now();
  /** Start times of the messages in handlers now, by slot (topic/partition, or an offset in it). */
  private readonly inFlight = new Map<string, number>();

  constructor(
    private readonly group: string,
    private readonly metrics: MessagingMetrics | undefined,
  ) {}

  /** Progress now: a fetch, a handled message or part, a start. */
  made(): void {
    this.lastAt = Date.now();
  }

  /** A message (or a batch part) entered its handler in `slot`. */
  begin(slot: string): void {
    this.inFlight.set(slot, Date.now());
  }

  /** The message (or part) in `slot` left its handler, handled or not. */
  end(slot: string): void {
    this.inFlight.delete(slot);
  }

  /** Milliseconds since the last progress, or since the oldest message in flight started. */
  stalledMs(now = Date.now()): number {
    let since = this.lastAt;
    for (const started of this.inFlight.values()) since = Math.min(since, started);
    return Math.max(0, now - since);
  }

  /** The partition's lag after a batch, for the lag gauge. */
  recordLag(batch: { topic: string; partition: number; offsetLag(): string }): void {
    this.metrics?.lag.set(
      { group: this.group, topic: batch.topic, partition: String(batch.partition) },
      Number(batch.offsetLag()),
    );
  }
}
