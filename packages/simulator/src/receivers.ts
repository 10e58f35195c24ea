import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A webhook a unit received and could verify. */
export interface Received {
  unitId: string;
  type: string;
  alertId: string;
  step: number;
  at: number;
}

/**
 * The units' webhook receivers: one server for the working units (2xx, the signature checked as
 * Standard Webhooks define it) and one for broken ones (503 every time, so deliveries fail after
 * their retries, as a unit whose system is down would). `onAlert` is told of each alert step a
 * working unit received, once per step.
 */
export class UnitReceivers {
  readonly received: Received[] = [];
  readonly rejected: string[] = [];
  private ok: Server | undefined;
  private broken: Server | undefined;
  private readonly seen = new Set<string>();

  constructor(
    private readonly secretOf: (unitId: string) => string,
    private readonly onAlert: (r: Received) => void,
    private readonly host = '127.0.0.1',
  ) {}

  async start(): Promise<void> {
    this.ok = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const unitId = decodeURIComponent((req.url ?? '').split('/').pop() ?? '');
        if (!this.verify(unitId, req.headers, body)) {
          this.rejected.push(unitId);
          res.writeHead(401).end();
          return;
        }
        res.writeHead(204).end();
        try {
          const event = JSON.parse(body) as { type?: string; data?: { alertId?: string; step?: number } };
          const alertId = event.data?.alertId;
          if (!alertId || !event.type) return;
          const r = { unitId, type: event.type, alertId, step: event.data?.step ?? 0, at: Date.now() };
          const once = `${unitId}|${r.type}|${alertId}|${r.step}`;
          if (this.seen.has(once)) return; // a redelivery of a step already received
          this.seen.add(once);
          this.received.push(r);
          this.onAlert(r);
        } catch {
          // Not JSON: nothing to act on (the 2xx was for the transport).
        }
      });
    });
    this.broken = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(503, { 'retry-after': '1' }).end());
    });
    await Promise.all([this.ok, this.broken].map((s) => new Promise<void>((r) => s.listen(0, this.host, r))));
  }

  /** Where a unit's webhooks go. */
  urlFor(unitId: string, broken: boolean): string {
    const server = broken ? this.broken : this.ok;
    const port = (server!.address() as AddressInfo).port;
    return `http://${this.host}:${port}/units/${encodeURIComponent(unitId)}`;
  }

  private verify(unitId: string, headers: Record<string, unknown>, body: string): boolean {
    const id = String(headers['webhook-id'] ?? '');
    const ts = String(headers['webhook-timestamp'] ?? '');
    const sig = String(headers['webhook-signature'] ?? '');
    const mac = createHmac('sha256', Buffer.from(this.secretOf(unitId), 'utf8'))
      .update(`${id}.${ts}.${body}`)
      .digest('base64');
    return sig.split(' ').some((s) => {
      const given = Buffer.from(s.replace(/^v1,/, ''));
      const want = Buffer.from(mac);
      return given.length === want.length && timingSafeEqual(given, want);
    });
  }

  async stop(): Promise<void> {
    for (const s of [this.ok, this.broken]) {
      if (!s) continue;
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
  }
}
