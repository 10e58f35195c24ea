import type { ServerResponse } from 'node:http';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Worker } from './runtime.ts';
import { compareStreamIds, SseChunk, sseNotice, writeChunk } from './sse-frames.ts';
import { type StreamBatch, StreamReader } from './sse-stream-reader.ts';

/** How a client resumes: after an id it saw, or with the last N matching entries. */
export type SseResume = { after: string } | { backlog: number } | undefined;

/** What a client streams: one Redis stream, optionally filtered, optionally resumed. */
export interface SseSubscription<E> {
  /** The Redis stream's key. */
  key: string;
  /** Which entries this client gets; every entry when absent. */
  filter?: (entry: E) => boolean;
  /**
   * Names the filter: clients of one stream whose `shareKey` is the same have filters that pass
   * the same entries (the same caller's scope and the same query, say), so a batch is filtered
   * and encoded once for all of them and each gets the same bytes. Without it, a filtered
   * client's batch is filtered and encoded for it alone.
   */
  shareKey?: string;
  resume?: SseResume;
}

export interface SseHubOptions<E extends { id: string }> {
  /**
   * Reads backlogs and unblocks the reader; the hub duplicates it once, at start, into the one
   * connection that `XREAD BLOCK` holds for every client of this instance.
   */
  redis: Redis;
  /** The reader connection's name in Redis (`CLIENT LIST`), e.g. `<prefix>notifications:sse`. */
  readerName?: string;
  /** Turns a stream entry (its id and field list) into what filters and frames see. */
  parse: (id: string, fields: string[]) => E;
  /** The SSE text of one entry (see `sseFrame`); its id must be the entry's id. */
  frame: (entry: E) => string;
  /** A comment line to every client this often keeps proxies from closing an idle stream. */
  heartbeatMs: number;
  /** A client whose unsent bytes pass this is sent a `slow-consumer` notice and dropped. */
  maxBufferBytes: number;
  /**
   * At most one fan-out per this many milliseconds (default 0: none): under load, entries
   * that arrive within the window go out in one write per client instead of one each (with a
   * thousand clients the writes, not the events, are the cost). An entry after a quiet spell
   * goes out at once.
   */
  flushIntervalMs?: number;
  /** The reconnection delay sent to clients (`retry:`), if any. */
  retryMs?: number;
  /** How many of the newest entries `{ backlog: n }` looks through (the stream's cap). */
  backlogScan?: number;
  /** How long one `XREAD BLOCK` waits (default 5 s); a new subscription interrupts it. */
  blockMs?: number;
  logger: Logger;
}

interface Client<E> {
  res: ServerResponse;
  feed: Feed<E>;
  filter: ((entry: E) => boolean) | undefined;
  /** Clients of the feed with the same key get the same frames (see `SseSubscription.shareKey`). */
  shareKey: string | undefined;
  open: boolean;
  /** Until its backlog is sent, live entries wait here (then only newer ones go out). */
  pending: E[] | undefined;
  /**
   * The last id its backlog covered, until a live entry past it goes out: the reader's XREAD
   * runs on a connection of its own, so its answer can arrive after the backlog's and carry
   * entries the backlog already sent.
   */
  after?: string;
}

/** One Redis stream that at least one client of this instance follows. */
interface Feed<E> {
  key: string;
  /** The last id read; undefined until the stream's newest id is known. */
  cursor: string | undefined;
  ready: Promise<void>;
  clients: Set<Client<E>>;
}

const HEARTBEAT = new SseChunk(': heartbeat\n\n');
const READ_COUNT = 1000;
/** Clients written to between two turns of the event loop. */
const DISPATCH_SLICE = 100;

/**
 * Fans Redis streams out to this instance's server-sent-event clients through one shared
 * reader: a single `XREAD BLOCK` over every stream that has a client here, however many
 * clients there are (a new stream interrupts the read with `CLIENT UNBLOCK`). Writers append
 * to the streams once; every instance tails them, so any instance serves any client and a
 * client can resume on another one (`Last-Event-ID`, from the stream's bounded history). A
 * client whose socket buffer passes the bound is sent a notice and dropped; nobody waits for
 * it. Notices are `event: notice` with a JSON `reason`: `slow-consumer`, `history-truncated`
 * (the resume point is older than the history), `backlog-failed`, `shutting-down`.
 */
export class SseHub<E extends { id: string }> implements Worker {
  private readonly feeds = new Map<string, Feed<E>>();
  private readonly reader: StreamReader<Feed<E>>;
  private heartbeat: NodeJS.Timeout | undefined;
  private clientTotal = 0;
  private readonly fanOutListeners: Array<(seconds: number) => void> = [];
  /** Clients dropped as too slow, since start (for health pages and tests). */
  dropped = 0;

  constructor(private readonly opts: SseHubOptions<E>) {
    this.reader = new StreamReader({
      redis: opts.redis,
      ...(opts.readerName ? { readerName: opts.readerName } : {}),
      streams: () => this.feeds.values(),
      deliver: (batches, read) => this.deliver(batches, read),
      // Pacing only while someone listens: a batch for no client is not worth waiting after.
      minIntervalMs: () => (this.clientTotal > 0 ? (opts.flushIntervalMs ?? 0) : 0),
      count: READ_COUNT,
      ...(opts.blockMs !== undefined ? { blockMs: opts.blockMs } : {}),
      logger: opts.logger,
    });
  }

  /**
   * Calls `listener` with each live entry's fan-out time, in seconds: from its append to the
   * stream (the time in its id, Redis's clock) to its write to the last client of this instance.
   */
  onFanOut(listener: (seconds: number) => void): void {
    this.fanOutListeners.push(listener);
  }

  private observeFanOut(entries: E[]): void {
    if (this.fanOutListeners.length === 0) return;
    const now = Date.now();
    for (const e of entries) {
      const seconds = Math.max(0, now - Number(e.id.slice(0, e.id.indexOf('-')))) / 1000;
      for (const listener of this.fanOutListeners) listener(seconds);
    }
  }

  /** Clients connected to this instance. */
  get clientCount(): number {
    return this.clientTotal;
  }

  async start(): Promise<void> {
    this.reader.start();
    this.heartbeat = setInterval(() => this.beat(), this.opts.heartbeatMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.heartbeat);
    this.closeAll();
    await this.reader.stop();
  }

  /** Ends every stream (before the HTTP server closes: SSE responses never end on their own). */
  closeAll(): void {
    for (const feed of this.feeds.values())
      for (const c of feed.clients) this.close(c, sseNotice('shutting-down'));
  }

  /** Starts streaming to a response whose headers the caller has not yet sent. */
  async attach(res: ServerResponse, sub: SseSubscription<E>): Promise<void> {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(`${this.opts.retryMs !== undefined ? `retry: ${this.opts.retryMs}\n` : ''}: connected\n\n`);
    const feed = this.feedFor(sub.key);
    // Added at once, before any await, so nothing the reader dispatches from now on is missed.
    const client: Client<E> = {
      res,
      feed,
      filter: sub.filter,
      shareKey: sub.filter ? sub.shareKey : undefined,
      open: true,
      pending: [],
    };
    feed.clients.add(client);
    this.clientTotal++;
    res.on('close', () => this.forget(client));
    let lastSent = '0-0';
    try {
      // The feed's cursor first: a backlog read after it leaves no gap before the live entries.
      await feed.ready;
      if (sub.resume) lastSent = await this.sendBacklog(client, sub.resume);
    } catch (err) {
      this.opts.logger.warn({ err, key: sub.key }, 'stream backlog failed');
      this.close(client, sseNotice('backlog-failed'));
      return;
    }
    const waiting = client.pending ?? [];
    client.pending = undefined;
    const newer = waiting.filter((e) => compareStreamIds(e.id, lastSent) > 0);
    this.writeEntries(client, newer);
    client.after = newer.length > 0 ? newer[newer.length - 1]!.id : lastSent;
  }

  /** Sends what a resuming client missed; returns the last id it covers. */
  private async sendBacklog(client: Client<E>, resume: NonNullable<SseResume>): Promise<string> {
    const redis = this.opts.redis;
    const key = client.feed.key;
    if ('after' in resume) {
      const [oldest] = await redis.xrange(key, '-', '+', 'COUNT', 1);
      if (oldest && resume.after !== '0-0' && compareStreamIds(oldest[0], resume.after) > 0)
        this.write(client, new SseChunk(sseNotice('history-truncated', { oldestId: oldest[0] })));
      let cursor = resume.after;
      for (;;) {
        const page = await redis.xrange(key, `(${cursor}`, '+', 'COUNT', READ_COUNT);
        this.writeEntries(
          client,
          page.map(([id, fields]) => this.opts.parse(id, fields)),
        );
        if (page.length > 0) cursor = page[page.length - 1]![0];
        if (page.length < READ_COUNT || !client.open) break;
      }
      return cursor;
    }
    if (resume.backlog <= 0) return '0-0';
    const scan = (await redis.xrevrange(key, '+', '-', 'COUNT', this.opts.backlogScan ?? 10_000))
      .reverse()
      .map(([id, fields]) => this.opts.parse(id, fields));
    const filter = client.filter;
    const matching = (filter ? scan.filter(filter) : scan).slice(-resume.backlog);
    this.writeEntries(client, matching);
    return scan[scan.length - 1]?.id ?? '0-0';
  }

  private feedFor(key: string): Feed<E> {
    const existing = this.feeds.get(key);
    if (existing) return existing;
    const feed: Feed<E> = { key, cursor: undefined, ready: Promise.resolve(), clients: new Set() };
    feed.ready = this.opts.redis.xrevrange(key, '+', '-', 'COUNT', 1).then(
      ([newest]) => {
        feed.cursor = newest?.[0] ?? '0-0';
        this.reader.wake();
      },
      (err: unknown) => {
        // The next client of this key tries again.
        if (this.feeds.get(key) === feed) this.feeds.delete(key);
        throw err;
      },
    );
    this.feeds.set(key, feed);
    return feed;
  }

  private forget(client: Client<E>): void {
    client.open = false;
    if (!client.feed.clients.delete(client)) return;
    this.clientTotal--;
    const feed = client.feed;
    if (feed.clients.size === 0 && this.feeds.get(feed.key) === feed) this.feeds.delete(feed.key);
  }

  /** One read's entries, each feed's (past its cursor) to its clients. */
  private async deliver(batches: StreamBatch[], read: Feed<E>[]): Promise<void> {
    for (const [key, raw] of batches) {
      const feed = read.find((f) => f.key === key);
      // A feed dropped (its last client left) or made anew meanwhile keeps its own cursor.
      if (!feed || this.feeds.get(key) !== feed || raw.length === 0) continue;
      const entries = raw
        .filter(([id]) => compareStreamIds(id, feed.cursor!) > 0)
        .map(([id, fields]) => this.opts.parse(id, fields));
      feed.cursor = raw[raw.length - 1]![0];
      if (entries.length === 0) continue;
      await this.dispatch(feed, entries);
      this.observeFanOut(entries);
    }
  }

  /**
   * Writes a batch to every client of a feed, a slice of clients at a time with a turn of the
   * event loop in between: with a thousand clients the writes take milliseconds, and the
   * service's other Redis and Kafka replies must not queue behind all of them.
   */
  private async dispatch(feed: Feed<E>, entries: E[]): Promise<void> {
    // Clients without filters share one frame, encoded once, and so do the clients of one
    // `shareKey`: one write each per batch, not per entry, and no filtering and UTF-8 encoding of
    // the same text per client. (null: the filter passed nothing of this batch.)
    let open: SseChunk | undefined;
    const shared = new Map<string, SseChunk | null>();
    const clients = [...feed.clients];
    for (let i = 0; i < clients.length; i++) {
      if (i > 0 && i % DISPATCH_SLICE === 0) await new Promise((r) => setImmediate(r));
      const c = clients[i]!;
      if (c.pending) {
        c.pending.push(...entries);
        continue;
      }
      if (c.after !== undefined) {
        // Entries come in id order: skip what the backlog sent, once.
        const after = c.after;
        if (compareStreamIds(entries[entries.length - 1]!.id, after) <= 0) continue;
        c.after = undefined;
        if (compareStreamIds(entries[0]!.id, after) <= 0) {
          this.writeEntries(
            c,
            entries.filter((e) => compareStreamIds(e.id, after) > 0),
          );
          continue;
        }
      }
      if (!c.filter) {
        open ??= new SseChunk(entries.map(this.opts.frame).join(''));
        this.write(c, open);
      } else if (c.shareKey !== undefined) {
        let frames = shared.get(c.shareKey);
        if (frames === undefined) {
          const text = this.framesFor(c, entries);
          frames = text ? new SseChunk(text) : null;
          shared.set(c.shareKey, frames);
        }
        if (frames) this.write(c, frames);
      } else this.writeEntries(c, entries);
    }
  }

  /** The frames of the entries a client's filter passes, as one text ('' when none). */
  private framesFor(c: Client<E>, entries: E[]): string {
    let out = '';
    for (const e of entries) if (!c.filter || c.filter(e)) out += this.opts.frame(e);
    return out;
  }

  private writeEntries(c: Client<E>, entries: E[]): void {
    const out = this.framesFor(c, entries);
    if (out) this.write(c, new SseChunk(out));
  }

  private write(c: Client<E>, chunk: SseChunk): void {
    if (!c.open) return;
    if (c.res.writableLength > this.opts.maxBufferBytes) {
      this.dropped++;
      this.opts.logger.info(
        { buffered: c.res.writableLength, key: c.feed.key },
        'slow stream client dropped',
      );
      this.close(c, sseNotice('slow-consumer', { bufferedBytes: c.res.writableLength }));
      return;
    }
    writeChunk(c.res, chunk);
  }

  private beat(): void {
    for (const feed of this.feeds.values())
      for (const c of feed.clients) if (!c.pending) this.write(c, HEARTBEAT);
  }

  private close(c: Client<E>, last: string): void {
    if (!c.open) return;
    this.forget(c);
    c.res.end(last);
    // A client that reads nothing never drains what is queued: do not keep its socket.
    setTimeout(() => c.res.destroy(), 2_000).unref();
  }
}
