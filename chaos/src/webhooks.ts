import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serviceUrl } from './stack.ts';
import { devKey, LAST_SEEN } from './traffic.ts';

/** A webhook as a unit received it. */
export interface Delivery {
  webhookId: string;
  unitId: string;
  alertId: string;
}

/** Units near where the children were last seen, whose webhooks land here. */
export class UnitReceivers {
  readonly deliveries: Delivery[] = [];
  readonly unitIds: string[];
  private server: Server | undefined;

  constructor(
    private readonly runId: string,
    count = 3,
  ) {
    this.unitIds = Array.from({ length: count }, (_, i) => `chaos-${runId}-unit-${i}`);
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const unitId = decodeURIComponent((req.url ?? '').split('/').pop() ?? '');
        try {
          const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data?: { alertId?: string } };
          const alertId = event.data?.alertId;
          const webhookId = String(req.headers['webhook-id'] ?? '');
          if (alertId) this.deliveries.push({ webhookId, unitId, alertId });
        } catch {
          // Not an alert: counted nowhere.
        }
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
  }

  /** Registers the units with notifications (PUT /v1/units/{id}, idempotent). */
  async register(): Promise<void> {
    const port = (this.server!.address() as AddressInfo).port;
    for (const [i, unitId] of this.unitIds.entries()) {
      const res = await fetch(`${serviceUrl('notifications')}/v1/units/${unitId}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${devKey('admin')}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          name: `Chaos unit ${i}`,
          kind: 'police-station',
          location: { lat: LAST_SEEN.lat + 0.01 * (i + 1), lon: LAST_SEEN.lon },
          region: LAST_SEEN.region,
          webhook: {
            url: `http://127.0.0.1:${port}/units/${unitId}`,
            secret: `chaos-secret-${this.runId}-0123456789`,
          },
        }),
      });
      if (res.status >= 300) throw new Error(`PUT unit ${unitId}: ${res.status} ${await res.text()}`);
    }
  }

  async stop(): Promise<void> {
    await new Promise((r) => this.server?.close(r));
  }
}
