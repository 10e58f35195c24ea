import type { ServerResponse } from 'node:http';
import type { Logger } from '@homeward/service-kit';
import type { Redis } from 'ioredis';
import { isOpenFilter, matchesFilter, type StreamFilter } from '../domain/filters.ts';
import { compareStreamIds } from '../domain/stream-ids.ts';
import { type HistoryEntry, type LiveStore, parseEntry } from '../store/live-store.ts';

export interface SseHubOptions {
  /** A connection of its own: `XREAD BLOCK` holds it. */
  blocking: Redis;
  live: LiveStore;
  historyKey: string;
  heartbeatMs: number;
  maxBufferBytes: number;
  historyMaxLen: number;
  /**
   * At most one fan-out per this many milliseconds: under load, entries that arrive within
   * the window go out in one write per client instead of one each (with a thousand clients
   * the writes, not the events, are the cost). An entry after a quiet spell goes out at once.
   */
  flushIntervalMs: number;
  logger: Logger;
}

interface Client {
  res: ServerResponse;
  filter: StreamFilter;
  open: boolean;
  /** While the backlog is being sent, live entries wait here (then only newer ones go out). */
  pending: HistoryEntry[] | undefined;
}

/** How a client resumes: after an id it saw, or with the last N matching entries. */
export type Resume = { after: string } | { backlog: number } | undefined;

const frame = (e: HistoryEntry) => `id: ${e.id}\ndata: ${e.json}\n\n`;
const notice = (reason: string, detail: Record<string, unknown> = {}) =>
  `event: notice\ndata: ${JSON.stringify({ reason, ...detail })}\n\n`;
const READ_COUNT = 1000;
/** Clients written to between two turns of the event loop. */
const DISPATCH_SLICE = 100;

/**
 * Fans the history stream out to this instance's SSE clients. Every instance tails the same
 * Redis stream (the consumer group writes it once), so any instance serves any client and a
 * client can resume on another one. A client whose socket buffer passes the bound is sent a
 * notice and dropped; nobody waits for it.
 */
export class SseHub {
  private readonly clients = new Set<Client>();
  private stopping = false;
  private loop: Promise<void> | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private lastId = '0-0';
  /** Clients dropped as too slow, since start (for the health page and the tests). */
  dropped = 0;

  constructor(private readonly opts: SseHubOptions) {}

  get clientCount(): number {
    return this.clients.size;
  }

  async start(): Promise<void> {
    this.lastId = (await this.opts.live.newestId()) ?? '0-0';
    this.loop = this.readLoop();
    this.heartbeat = setInterval(() => this.beat(), this.opts.heartbeatMs);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.heartbeat);
    this.closeAll();
    // Disconnecting aborts the pending XREAD BLOCK at once.
    this.opts.blocking.disconnect();
    await this.loop?.catch(() => {});
  }

  /** Ends every stream (before the HTTP server closes: SSE responses never end on their own). */
  closeAll(): void {
    for (const c of this.clients) this.close(c, notice('shutting-down'));
  }

  /** Starts streaming to a response whose headers the caller has not yet sent. */
  async attach(res: ServerResponse, filter: StreamFilter, resume: Resume): Promise<void> {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 3000\n: connected\n\n');
    const client: Client = { res, filter, open: true, pending: resume ? [] : undefined };
    this.clients.add(client);
    res.on('close', () => {
      client.open = false;
      this.clients.delete(client);
    });
    if (!resume) return;
    let lastSent = '0-0';
    try {
      if ('after' in resume) {
        const oldest = await this.opts.live.oldestId();
        if (oldest && compareStreamIds(oldest, resume.after) > 0 && resume.after !== '0-0')
          this.write(client, notice('history-truncated', { oldestId: oldest }));
        let cursor = resume.after;
        for (;;) {
          const page = await this.opts.live.after(cursor, READ_COUNT);
          this.writeEntries(client, page);
          if (page.length > 0) cursor = page[page.length - 1]!.id;
          if (page.length < READ_COUNT || !client.open) break;
        }
        lastSent = cursor;
      } else if (resume.backlog > 0) {
        const scan = await this.opts.live.latest(this.opts.historyMaxLen);
        const matching = scan.filter((e) => matchesFilter(filter, e.facets)).slice(-resume.backlog);
        this.writeEntries(client, matching);
        lastSent = scan[scan.length - 1]?.id ?? lastSent;
      }
    } catch (err) {
      this.opts.logger.warn({ err }, 'stream backlog failed');
      this.close(client, notice('backlog-failed'));
      return;
    }
    const waiting = client.pending ?? [];
    client.pending = undefined;
    this.writeEntries(
      client,
      waiting.filter((e) => compareStreamIds(e.id, lastSent) > 0),
    );
  }

  private async readLoop(): Promise<void> {
    while (!this.stopping) {
      try {
        const res = (await this.opts.blocking.xread(
          'COUNT',
          READ_COUNT,
          'BLOCK',
          5_000,
          'STREAMS',
          this.opts.historyKey,
          this.lastId,
        )) as Array<[string, Array<[string, string[]]>]> | null;
        const raw = res?.[0]?.[1];
        if (!raw || raw.length === 0) continue;
        const entries = raw.map(parseEntry);
        this.lastId = entries[entries.length - 1]!.id;
        const started = performance.now();
        await this.dispatch(entries);
        const rest = this.opts.flushIntervalMs - (performance.now() - started);
        if (rest > 1 && this.clients.size > 0) await new Promise((r) => setTimeout(r, rest));
      } catch (err) {
        if (this.stopping) return;
        this.opts.logger.warn({ err }, 'history read failed; retrying');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  /**
   * Writes a batch to every client, a slice of clients at a time with a turn of the event loop
   * in between: with a thousand clients the writes take milliseconds, and the consumer's Redis
   * and Kafka replies must not queue behind all of them.
   */
  private async dispatch(entries: HistoryEntry[]): Promise<void> {
    // Clients without filters share one string: one write each per batch, not per event.
    let shared: string | undefined;
    const clients = [...this.clients];
    for (let i = 0; i < clients.length; i++) {
      if (i > 0 && i % DISPATCH_SLICE === 0) await new Promise((r) => setImmediate(r));
      const c = clients[i]!;
      if (c.pending) {
        c.pending.push(...entries);
        continue;
      }
      if (isOpenFilter(c.filter)) {
        shared ??= entries.map(frame).join('');
        this.write(c, shared);
      } else this.writeEntries(c, entries);
    }
  }

  private writeEntries(c: Client, entries: HistoryEntry[]): void {
    let out = '';
    for (const e of entries) if (matchesFilter(c.filter, e.facets)) out += frame(e);
    if (out) this.write(c, out);
  }

  private write(c: Client, text: string): void {
    if (!c.open) return;
    if (c.res.writableLength > this.opts.maxBufferBytes) {
      this.dropped++;
      this.opts.logger.info({ buffered: c.res.writableLength }, 'slow stream client dropped');
      this.close(c, notice('slow-consumer', { bufferedBytes: c.res.writableLength }));
      return;
    }
    c.res.write(text);
  }

  private beat(): void {
    for (const c of this.clients) if (!c.pending) this.write(c, ': heartbeat\n\n');
  }

  private close(c: Client, last: string): void {
    if (!c.open) return;
    c.open = false;
    this.clients.delete(c);
    c.res.end(last);
    // A client that reads nothing never drains what is queued: do not keep its socket.
    setTimeout(() => c.res.destroy(), 2_000).unref();
  }
}
