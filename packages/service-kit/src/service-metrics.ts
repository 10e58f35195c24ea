import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** What {@link sseMetrics} reads of a hub (the kit's `SseHub` has both). */
export interface SseCounts {
  readonly clientCount: number;
  readonly dropped: number;
  /** Tells each live entry's fan-out time in seconds (the kit's `SseHub.onFanOut`). */
  onFanOut?(listener: (seconds: number) => void): void;
}

/**
 * The live-channel gauges of a service with an `SseHub`, read from the hub at each scrape:
 * `homeward_sse_clients{stream}` (clients connected to this instance) and
 * `homeward_sse_dropped_total{stream}` (clients dropped as too slow since start), and
 * `homeward_sse_fanout_seconds{stream}` (an entry's append to the stream → its write to this
 * instance's last client). `stream` names the channel (`units`, `operators`).
 */
export function sseMetrics(registry: Registry, hub: SseCounts, stream: string): void {
  new Gauge({
    name: 'homeward_sse_clients',
    help: 'Server-sent-event clients connected to this instance, by stream',
    labelNames: ['stream'],
    registers: [registry],
    collect() {
      this.set({ stream }, hub.clientCount);
    },
  });
  new Counter({
    name: 'homeward_sse_dropped_total',
    help: 'Server-sent-event clients dropped as too slow (their unsent bytes passed the bound), by stream',
    labelNames: ['stream'],
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ stream }, hub.dropped);
    },
  });
  if (!hub.onFanOut) return;
  const fanOut = new Histogram({
    name: 'homeward_sse_fanout_seconds',
    help: "Server-sent-event fan-out: an entry's append to its Redis stream to its write to this instance's last client, by stream",
    labelNames: ['stream'],
    buckets: [0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.15, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  hub.onFanOut((seconds) => fanOut.observe({ stream }, seconds));
}
