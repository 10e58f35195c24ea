import { request } from 'node:http';
import type { HomewardEvent } from '@homeward/events';
import type { Clock, ServiceHost } from '@homeward/service-kit';
import { deleteRedisKeys, startServiceForTest, waitFor } from '@homeward/testing';
import { buildApp } from '../src/app.ts';
import { DashboardConfig } from '../src/config.ts';

// biome-ignore lint/suspicious/noExplicitAny: test responses are asserted field by field
type Json = any;

export interface RunningDashboard {
  host: ServiceHost;
  app: Awaited<ReturnType<typeof buildApp>>;
  rt: ServiceHost['rt'];
  /** The real port (SSE needs one; inject cannot stream). */
  baseUrl: string;
  get: (
    url: string,
    opts?: { role?: string | null; headers?: Record<string, string> },
  ) => Promise<{ status: number; body: Json; text: string; headers: Record<string, unknown> }>;
  publish: (...events: HomewardEvent[]) => Promise<void>;
  stop: () => Promise<void>;
}

/**
 * Starts the dashboard on its own topics, database and Redis namespace, listening on a free
 * port. `consumers: false` starts a second instance that only serves (same Redis namespace).
 */
export async function startDashboard(opts: {
  prefix: string;
  dbName?: string;
  clock?: Clock;
  env?: Record<string, string>;
  consumers?: boolean;
}): Promise<RunningDashboard> {
  const svc = await startServiceForTest({
    name: 'dashboard',
    configSchema: DashboardConfig,
    buildApp,
    prefix: opts.prefix,
    env: { HEALTH_TARGETS: 'intake=http://127.0.0.1:9', HEALTH_POLL_MS: '60000', ...opts.env },
    defaultRole: 'operator',
    listen: 0,
    // Leave nothing behind: each instance's database, and (from the instance that consumed)
    // the Redis keys of the test's prefix, which the instances share.
    dropDatabaseOnStop: true,
    ...(opts.consumers === false
      ? { consumers: false }
      : { cleanup: (rt) => deleteRedisKeys(rt, `${opts.prefix}dashboard:*`) }),
    ...(opts.dbName ? { dbName: opts.dbName } : {}),
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  return {
    host: svc.host,
    app: svc.app,
    rt: svc.rt,
    baseUrl: svc.baseUrl!,
    get: (url, o = {}) => svc.call('GET', url, undefined, o),
    publish: svc.publish,
    stop: svc.stop,
  };
}

export interface SseMessage {
  id?: string;
  event: string;
  data: string;
}

/** A minimal SSE client over node:http, recording every message and comment. */
export class SseClient {
  readonly messages: SseMessage[] = [];
  comments = 0;
  status = 0;
  ended = false;
  private buffer = '';
  private req: ReturnType<typeof request> | undefined;

  constructor(
    private readonly url: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  open(): Promise<this> {
    return new Promise((resolve, reject) => {
      this.req = request(this.url, { headers: { accept: 'text/event-stream', ...this.headers } }, (res) => {
        this.status = res.statusCode ?? 0;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => this.feed(chunk));
        res.on('end', () => {
          this.ended = true;
        });
        res.on('close', () => {
          this.ended = true;
        });
        resolve(this);
      });
      this.req.on('error', (err) => {
        if (this.status === 0) reject(err);
      });
      this.req.end();
    });
  }

  /** Data messages (not notices), parsed once as they arrive. */
  readonly events: Json[] = [];

  get notices(): Json[] {
    return this.messages.filter((m) => m.event === 'notice').map((m) => JSON.parse(m.data));
  }

  async waitForEvents(n: number, timeoutMs = 15_000): Promise<Json[]> {
    await waitFor(() => this.events.length >= n, {
      timeoutMs,
      what: `${n} SSE events (have ${this.events.length})`,
    });
    return this.events;
  }

  close(): void {
    this.req?.destroy();
  }

  private feed(chunk: string): void {
    this.buffer += chunk;
    for (;;) {
      const end = this.buffer.indexOf('\n\n');
      if (end < 0) return;
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const msg: SseMessage = { event: 'message', data: '' };
      let hasData = false;
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) this.comments++;
        else if (line.startsWith('id: ')) msg.id = line.slice(4);
        else if (line.startsWith('event: ')) msg.event = line.slice(7);
        else if (line.startsWith('data: ')) {
          msg.data += line.slice(6);
          hasData = true;
        }
      }
      if (hasData) {
        this.messages.push(msg);
        if (msg.event === 'message') this.events.push({ ...JSON.parse(msg.data), streamId: msg.id });
      }
    }
  }
}

export * from './events.ts';
