import { Socket } from 'node:net';
import { afterEach } from 'vitest';

// Setup file of the `unit` vitest project. Unit tests run without infrastructure, so a test
// that opens a network connection (a Kafka client, a MongoDB or Redis connection, a webhook
// call) belongs in test/integration/. Left alone, such a test would not fail: the clients retry
// for tens of seconds. Here the connection is refused at once, and the test that tried fails
// with a message saying where the test belongs, even if the client swallowed the error.

const attempts: string[] = [];
const originalConnect = Socket.prototype.connect;

function target(args: unknown[]): string {
  const [first, second] = args;
  // net.connect() passes its normalised arguments as one array.
  if (Array.isArray(first)) return target(first);
  if (typeof first === 'object' && first !== null) {
    const o = first as { host?: string; port?: number; path?: string };
    return o.path ?? `${o.host ?? 'localhost'}:${o.port}`;
  }
  if (typeof first === 'string' && typeof second !== 'string') return first;
  return `${typeof second === 'string' ? second : 'localhost'}:${String(first)}`;
}

Socket.prototype.connect = function refuseConnect(this: Socket, ...args: unknown[]) {
  const to = target(args);
  attempts.push(to);
  // Destroy asynchronously, as a refused connection would: callers that listen for 'error'
  // get it; callers that await the connection fail instead of waiting.
  process.nextTick(() =>
    this.destroy(new Error(`unit tests run without infrastructure: connection to ${to} refused`)),
  );
  return this;
} as typeof originalConnect;

afterEach(() => {
  if (attempts.length === 0) return;
  const seen = [...new Set(attempts.splice(0))].join(', ');
  throw new Error(
    `this unit test opened network connections (${seen}): unit tests run without infrastructure; move it under test/integration/`,
  );
});
