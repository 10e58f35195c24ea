import { Counter, Histogram, type Registry } from '@homeward/service-kit';
import type { DeliveryKind } from '../domain/claims.ts';

/** What the fan-out records for operations (see infra/observability: alert rules and dashboards). */
export interface FanoutMetrics {
  /** One settled delivery: its outcome, the failure code, and its time with every retry. */
  delivery(kind: DeliveryKind, ok: boolean, reason: string | undefined, seconds: number): void;
  /** One alert step's fan-out, from the start of its delivery to the last unit settled. */
  fanout(kind: DeliveryKind, units: number, seconds: number): void;
}

/** The fan-out's metrics on the service's registry. */
export function fanoutMetrics(registry: Registry): FanoutMetrics {
  const registers = [registry];
  const deliveries = new Counter({
    name: 'homeward_webhook_deliveries_total',
    help: 'Webhook deliveries settled, by kind (alert, escalation, cancellation), outcome (delivered, failed) and failure code',
    labelNames: ['kind', 'outcome', 'reason'],
    registers,
  });
  const deliverySeconds = new Histogram({
    name: 'homeward_webhook_delivery_seconds',
    help: 'Time from the first attempt of a webhook delivery to its outcome, retries included',
    labelNames: ['kind'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const fanoutSeconds = new Histogram({
    name: 'homeward_alert_fanout_seconds',
    help: 'Time to fan one alert step out: from its first claim to the last unit settled',
    labelNames: ['kind'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
    registers,
  });
  const fanoutUnits = new Histogram({
    name: 'homeward_alert_fanout_units',
    help: 'Units one alert step was delivered to by this instance',
    labelNames: ['kind'],
    buckets: [1, 10, 100, 1_000, 10_000, 100_000],
    registers,
  });
  // The labelled series of each combination, looked up once (a handful of kinds and codes), not
  // hashed from a label object on every delivery.
  const counted = new Map<string, { inc(): void }>();
  const timed = new Map<string, { observe(v: number): void }>();
  return {
    delivery(kind, ok, reason, seconds) {
      const outcome = ok ? 'delivered' : 'failed';
      const code = ok ? '' : (reason ?? 'unknown');
      const key = `${kind}|${outcome}|${code}`;
      let c = counted.get(key);
      if (!c) {
        c = deliveries.labels({ kind, outcome, reason: code });
        counted.set(key, c);
      }
      c.inc();
      let t = timed.get(kind);
      if (!t) {
        t = deliverySeconds.labels({ kind });
        timed.set(kind, t);
      }
      t.observe(seconds);
    },
    fanout(kind, units, seconds) {
      fanoutSeconds.observe({ kind }, seconds);
      fanoutUnits.observe({ kind }, units);
    },
  };
}
