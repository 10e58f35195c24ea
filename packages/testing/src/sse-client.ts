import { type ClientRequest, request } from 'node:http';
import { waitFor } from './helpers.ts';

/** One server-sent event as a client sees it. */
export interface SseMessage {
  id?: string;
  /** `message` when the server names none. */
  event: string;
  data: string;
}

/**
 * A server-sent-events client over a real socket, for stream tests: it records every message
 * and comment line, and can stop reading (`pause`) to play a slow client. `parse` turns each
 * event (every message but the server's notices) into what `events` holds, once, as it
 * arrives; by default the message itself.
 */
export class SseClient<E = SseMessage> {
  readonly messages: SseMessage[] = [];
  /** The events (not notices), parsed once as they arrive. */
  readonly events: E[] = [];
  /** Comment lines (`: connected`, `: heartbeat`) seen. */
  comments = 0;
  status = 0;
  ended = false;
  private buffer = '';
  private req: ClientRequest | undefined;

  constructor(
    private readonly url: string,
    private readonly headers: Record<string, string> = {},
    private readonly parse: (message: SseMessage) => E = (m) => m as E,
  ) {}

  /** Connects; resolves once the response headers are in. */
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

  /** The server's `event: notice` messages, their data parsed. */
  get notices(): Array<{ reason: string; [k: string]: unknown }> {
    return this.messages.filter((m) => m.event === 'notice').map((m) => JSON.parse(m.data));
  }

  /** Waits until at least `n` events (not notices) have come. */
  async waitForEvents(n: number, timeoutMs = 15_000): Promise<E[]> {
    await waitFor(() => this.events.length >= n, {
      timeoutMs,
      what: `${n} SSE events (have ${this.events.length})`,
    });
    return this.events;
  }

  /** Stops reading: the socket fills, then the server's buffer for this client grows. */
  pause(): void {
    this.req?.socket?.pause();
  }

  resume(): void {
    this.req?.socket?.resume();
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
        if (msg.event !== 'notice') this.events.push(this.parse(msg));
      }
    }
  }
}
