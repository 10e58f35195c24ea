import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot } from '@homeward/infra-local';
import { serviceUrl } from './stack.ts';

/** The development key of a role, from the file the services read. */
export function devKey(role: string): string {
  const entries = JSON.parse(
    readFileSync(join(repoRoot, 'infra', 'local', 'dev-credentials.json'), 'utf8'),
  ) as Array<{
    key: string;
    role: string;
  }>;
  const found = entries.find((e) => e.role === role);
  if (!found) throw new Error(`no development key for role ${role}`);
  return found.key;
}

/** Where every missing child of the run was last seen (units are registered around it). */
export const LAST_SEEN = { lat: 31.7979, lon: 117.2906, region: '340104' };

export interface Accepted {
  eventId: string;
  reportId: string;
  caseId: string;
}

/**
 * Police systems reporting missing children as agency systems do: each report keeps its event
 * id across retries (connection refused, 5xx, 429), until it is accepted or the deadline passes.
 */
export class ReportTraffic {
  readonly accepted = new Map<string, Accepted>();
  readonly refused = new Map<string, number>();
  sent = 0;
  private readonly key = devKey('police');
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly runId: string) {}

  /** Sends `perSecond` new reports a second until `until` resolves, each retried in the background. */
  async run(label: string, perSecond: number, until: Promise<unknown>): Promise<void> {
    let over = false;
    void until.finally(() => {
      over = true;
    });
    let i = 0;
    while (!over) {
      const p = this.send(`${this.runId}-${label}-${i++}`);
      this.inFlight.add(p);
      void p.finally(() => this.inFlight.delete(p));
      await sleep(1_000 / perSecond);
    }
  }

  /** Waits until every report sent so far was accepted or given up on. */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private async send(eventId: string, deadlineMs = 300_000): Promise<void> {
    this.sent++;
    const body = JSON.stringify({
      specversion: '1.0',
      id: eventId,
      source: 'agency/hefei-psb',
      type: 'homeward.report.submitted',
      time: new Date().toISOString(),
      datacontenttype: 'application/json',
      data: {
        kind: 'missing-child',
        child: {
          name: `Chaos ${eventId} ${randomBytes(2).toString('hex')}`,
          sex: 'female',
          birthDate: '2020-02-02',
        },
        lastSeen: {
          at: new Date(Date.now() - 5 * 60_000).toISOString(),
          place: 'Hefei South Station',
          ...LAST_SEEN,
        },
      },
    });
    const deadline = Date.now() + deadlineMs;
    for (let attempt = 1; Date.now() < deadline; attempt++) {
      try {
        const res = await fetch(`${serviceUrl('intake')}/v1/reports`, {
          method: 'POST',
          headers: { authorization: `Bearer ${this.key}`, 'content-type': 'application/cloudevents+json' },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        const json = (await res.json().catch(() => ({}))) as { reportId?: string; caseId?: string };
        if (res.status === 202 && json.reportId && json.caseId) {
          this.accepted.set(eventId, { eventId, reportId: json.reportId, caseId: json.caseId });
          return;
        }
        if (res.status < 500 && res.status !== 429) {
          this.refused.set(eventId, res.status);
          return;
        }
      } catch {
        // Connection refused or reset, or a timeout: the service is down; try again.
      }
      await sleep(Math.min(5_000, 250 * 2 ** Math.min(attempt, 5)));
    }
  }
}
