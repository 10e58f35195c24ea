import { createServer, request as rawRequest, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SseChunk, sseNotice, writeChunk } from '../../src/index.ts';

const servers: Array<{ close(): void }> = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A server whose responses get a header write, then each chunk through `writeChunk`, then end. */
async function serveChunks(chunks: SseChunk[]): Promise<number> {
  const server = createServer((_req, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(': connected\n\n');
    for (const c of chunks) writeChunk(res, c);
    res.end(sseNotice('shutting-down'));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

/** The raw bytes of one request on a socket of its own, until the server closes it. */
function raw(port: number, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(head));
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      text += d;
    });
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

describe('SSE chunks on the wire', () => {
  it('writes the same chunk to a chunked response as node:http would: a client reads every event, then the end', async () => {
    const port = await serveChunks([
      new SseChunk('id: 1-0\ndata: {"a":"é"}\n\n'),
      new SseChunk('id: 2-0\ndata: {}\n\n'),
    ]);
    const body = await new Promise<string>((resolve, reject) => {
      rawRequest(`http://127.0.0.1:${port}/`, (res) => {
        expect(res.headers['transfer-encoding']).toBe('chunked');
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          text += d;
        });
        res.on('end', () => resolve(text));
      })
        .on('error', reject)
        .end();
    });
    expect(body).toBe(
      ': connected\n\nid: 1-0\ndata: {"a":"é"}\n\nid: 2-0\ndata: {}\n\nevent: notice\ndata: {"reason":"shutting-down"}\n\n',
    );
    // On the wire: the framed chunks in order, then the last chunk and the terminator.
    const wire = await raw(port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(wire).toContain('\r\n\r\nd\r\n: connected\n\n\r\n');
    const first = 'id: 1-0\ndata: {"a":"é"}\n\n';
    const second = 'id: 2-0\ndata: {}\n\n';
    const hex = (t: string) => Buffer.byteLength(t).toString(16);
    expect(wire).toContain(
      `\r\n${hex(first)}\r\n${Buffer.from(first).toString('latin1')}\r\n${hex(second)}\r\n${second}\r\n`,
    );
    expect(wire.endsWith('\r\n0\r\n\r\n')).toBe(true);
  });

  it('writes the bare text where the response is not chunked (HTTP/1.0) and nothing to a HEAD request', async () => {
    const port = await serveChunks([new SseChunk('id: 1-0\ndata: {}\n\n')]);
    const old = await raw(port, 'GET / HTTP/1.0\r\n\r\n');
    expect(old).not.toContain('chunked');
    expect(old.slice(old.indexOf('\r\n\r\n') + 4)).toBe(
      ': connected\n\nid: 1-0\ndata: {}\n\nevent: notice\ndata: {"reason":"shutting-down"}\n\n',
    );
    const head = await raw(port, 'HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(head.endsWith('\r\n\r\n')).toBe(true);
    expect(head).not.toContain('data:');
  });
});
