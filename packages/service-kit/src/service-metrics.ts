import { Counter, Gauge, type Registry } from 'prom-client';

/** What {@link sseMetrics} reads of a hub (the kit's `SseHub` has both). */
export interface SseCounts {
  readonly clientCount: number;
  readonly dropped: number;
}

/**
 * The live-channel gauges of a service with an `SseHub`, read from the hub at each scrape:
 * `homeward_sse_clients{stream}` (clients connected to this instance) and
 * `homeward_sse_dropped_total{stream}` (clients dropped as too slow since start). `stream` names
 * the channel (`units`, `operators`).
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
}
