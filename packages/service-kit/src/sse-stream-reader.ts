import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** A stream the reader follows: its key and the last id read (undefined: not yet known). */
export interface TailedStream {
  readonly key: string;
  readonly cursor: string | undefined;
}

/** One read's entries of one stream, as `XREAD` returns them. */
export type StreamBatch = [key: string, entries: Array<[id: string, fields: string[]]>];

export interface StreamReaderOptions<S extends TailedStream> {
  /** Duplicated once, at start, into the connection that `XREAD BLOCK` holds; also unblocks it. */
  redis: Redis;
  /** The reader connection's name in Redis (`CLIENT LIST`). */
  readerName?: string;
  /** The streams to read, asked again before every read (those with no cursor yet wait). */
  streams: () => Iterable<S>;
  /**
   * Takes one read's entries (`read`: the streams that read asked for, in which a batch's key
   * is found); the next read waits for it, so the cursors it moves are the next read's.
   */
  deliver: (batches: StreamBatch[], read: S[]) => Promise<void>;
  /** At least this long (asked each time) from a read that brought entries to the next (default 0). */
  minIntervalMs?: () => number;
  /** How many entries one read takes per stream. */
  count: number;
  /** How long one `XREAD BLOCK` waits (default 5 s). */
  blockMs?: number;
  logger: Logger;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One `XREAD BLOCK` over every stream a process follows, however many there are and however many
 * clients follow each: the streams are read once, not once per client. A stream added while the
 * read blocks interrupts it (`CLIENT UNBLOCK` from the main connection), so its first entries are
 * not held up by the others' quiet.
 */
export class StreamReader<S extends TailedStream> {
  private reader: Redis | undefined;
  private stopping = false;
  private loop: Promise<void> | undefined;
  /** Resolves the read loop's wait while no stream is followed. */
  private wakeUp: (() => void) | undefined;
  /** The reader's client id while its `XREAD BLOCK` is in flight (for `CLIENT UNBLOCK`). */
  private blockedId: number | undefined;
  /** A stream was added since the read in flight began: that read must be interrupted. */
  private streamsChanged = false;

  constructor(private readonly opts: StreamReaderOptions<S>) {}

  start(): void {
    this.stopping = false;
    this.reader = this.opts.redis.duplicate(
      this.opts.readerName ? { connectionName: this.opts.readerName } : undefined,
    );
    this.reader.on('error', (err: unknown) =>
      this.opts.logger.warn({ err }, 'stream reader connection error'),
    );
    this.loop = this.readLoop(this.reader);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    // Disconnecting aborts the pending XREAD BLOCK at once.
    this.reader?.disconnect();
    this.wakeUp?.();
    await this.loop?.catch(() => {});
  }

  /** Makes the reader include a stream just added: ends its wait, or interrupts its XREAD. */
  wake(): void {
    this.streamsChanged = true;
    this.wakeUp?.();
    this.wakeUp = undefined;
    this.unblock();
  }

  private unblock(): void {
    if (this.blockedId === undefined) return;
    // An UNBLOCK that lands between two reads costs one extra, empty turn; nothing else.
    this.opts.redis
      .call('CLIENT', 'UNBLOCK', String(this.blockedId))
      .catch((err: unknown) => this.opts.logger.warn({ err }, 'stream reader unblock failed'));
  }

  /**
   * What a blocking read returned, and what else its streams hold by now (one `XREAD` without
   * `BLOCK`). Redis answers a blocked `XREAD` as soon as the first `XADD` of a pipeline runs, so
   * that answer carries the pipeline's first entry alone; the others are appended right after it,
   * before Redis reads its next command, so this second read finds them and the batch goes out
   * as one fan-out instead of the first entry alone, then the rest a fan-out later.
   */
  private async topUp(reader: Redis, streams: S[], reply: StreamBatch[]): Promise<StreamBatch[]> {
    if (reply.some(([, entries]) => entries.length >= this.opts.count)) return reply;
    const last = new Map(reply.map(([key, entries]) => [key, entries[entries.length - 1]?.[0]]));
    const more = (await reader.xread(
      'COUNT',
      this.opts.count,
      'STREAMS',
      ...streams.map((s) => s.key),
      ...streams.map((s) => last.get(s.key) ?? s.cursor!),
    )) as StreamBatch[] | null;
    if (!more || more.length === 0) return reply;
    const merged = new Map(reply.map(([key, entries]) => [key, entries]));
    for (const [key, entries] of more) merged.set(key, [...(merged.get(key) ?? []), ...entries]);
    return [...merged];
  }

  private async readLoop(reader: Redis): Promise<void> {
    while (!this.stopping) {
      this.streamsChanged = false;
      const streams = [...this.opts.streams()].filter((s) => s.cursor !== undefined);
      if (streams.length === 0) {
        await new Promise<void>((resolve) => {
          this.wakeUp = resolve;
        });
        continue;
      }
      try {
        // Sent back to back on one connection: the id comes back while the XREAD blocks.
        const clientId = reader.client('ID');
        const reading = reader.xread(
          'COUNT',
          this.opts.count,
          'BLOCK',
          this.opts.blockMs ?? 5_000,
          'STREAMS',
          ...streams.map((s) => s.key),
          ...streams.map((s) => s.cursor!),
        ) as Promise<StreamBatch[] | null>;
        // Handled below, once the client id is in; this keeps an early failure from going unhandled.
        reading.catch(() => {});
        this.blockedId = await clientId;
        if (this.streamsChanged) this.unblock();
        const reply = await reading.finally(() => {
          this.blockedId = undefined;
        });
        if (!reply || reply.length === 0) continue;
        const batches = await this.topUp(reader, streams, reply);
        const started = performance.now();
        await this.opts.deliver(batches, streams);
        const rest = (this.opts.minIntervalMs?.() ?? 0) - (performance.now() - started);
        if (rest > 1) await sleep(rest);
      } catch (err) {
        if (this.stopping) return;
        this.opts.logger.warn({ err }, 'stream read failed; retrying');
        await sleep(500);
      }
    }
  }
}
