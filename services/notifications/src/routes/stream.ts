import type { Credentials, HttpServer } from '@homeward/service-kit';
import { problemResponses, requireRole } from '@homeward/service-kit';
import type { Redis } from 'ioredis';
import type { UnitFeed } from '../store/unit-feed.ts';
import type { UnitStore } from '../store/unit-store.ts';
import { assertActsFor } from './alerts.ts';
import { UnitParams } from './schemas.ts';
import { unitNotFound } from './units.ts';

export interface StreamRoutesDeps {
  units: UnitStore;
  feed: UnitFeed;
  redis: Redis;
  credentials: Credentials;
  heartbeatMs: number;
}

const STREAM_ID = /^\d+-\d+$/;

/**
 * `GET /v1/units/{unitId}/stream`: server-sent events for a unit's terminal. Each event's `id`
 * is its Redis stream id; with `Last-Event-ID` the terminal first gets what it missed (from the
 * bounded history), then live events; a comment line every heartbeat keeps proxies from
 * closing an idle connection.
 */
export async function streamRoutes(app: HttpServer, deps: StreamRoutesDeps): Promise<void> {
  const open = new Set<() => void>();
  // Long-lived responses would hold a graceful close forever: end them first.
  app.addHook('preClose', async () => {
    for (const end of open) end();
  });

  app.get(
    '/v1/units/:unitId/stream',
    {
      schema: {
        tags: ['units'],
        summary: "A unit's live channel (text/event-stream), resumable with Last-Event-ID",
        params: UnitParams,
        produces: ['text/event-stream'],
        response: problemResponses(400, 401, 403, 404),
      },
      preHandler: requireRole(deps.credentials, 'unit'),
    },
    async (request, reply) => {
      const { unitId } = request.params;
      const unit = await deps.units.find(unitId);
      if (!unit) throw unitNotFound(unitId);
      assertActsFor(request.principal!, unit);
      const lastHeader = request.headers['last-event-id'];
      const resumeFrom =
        typeof lastHeader === 'string' && STREAM_ID.test(lastHeader) ? lastHeader : undefined;
      let cursor = resumeFrom ?? (await deps.feed.lastId(unitId));

      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write(': connected\n\n');
      const conn = deps.redis.duplicate();
      let closed = false;
      const end = () => {
        if (closed) return;
        closed = true;
        open.delete(end);
        conn.disconnect();
        res.end();
      };
      open.add(end);
      request.raw.on('close', end);

      const send = (e: { id: string; type: string; data: string }) => {
        res.write(`id: ${e.id}\nevent: ${e.type}\ndata: ${e.data}\n\n`);
        cursor = e.id;
      };
      try {
        if (resumeFrom) for (const e of await deps.feed.since(unitId, resumeFrom)) send(e);
        while (!closed) {
          const entries = await deps.feed.wait(conn, unitId, cursor, deps.heartbeatMs);
          if (closed) break;
          if (entries.length === 0) res.write(': heartbeat\n\n');
          for (const e of entries) send(e);
        }
      } catch (err) {
        if (!closed) request.log.warn({ err, unitId }, 'live channel ended by an error');
      } finally {
        end();
      }
    },
  );
}
