import { createHash } from 'node:crypto';
import type { HttpServer, SseHub } from '@homeward/service-kit';
import { describeErrors, isStreamId, principalOf, problemResponses } from '@homeward/service-kit';
import { NotificationsErrors } from '../errors.ts';
import type { StreamSlots } from '../store/stream-slots.ts';
import type { FeedEntry, UnitFeed } from '../store/unit-feed.ts';
import type { UnitStore } from '../store/unit-store.ts';
import { assertActsFor } from './alerts.ts';
import { UnitParams } from './schemas.ts';
import { unitNotFound } from './units.ts';

export interface StreamRoutesDeps {
  units: UnitStore;
  feed: UnitFeed;
  hub: SseHub<FeedEntry>;
  slots: StreamSlots;
}

/**
 * `GET /v1/units/{unitId}/stream`: server-sent events for a unit's terminal, served by the
 * kit's hub (one Redis reader for every terminal on this instance). Each event's `id` is its
 * Redis stream id; with `Last-Event-ID` the terminal first gets what it missed (from the
 * bounded history), then live events; a comment line every heartbeat keeps proxies from
 * closing an idle connection; a terminal that stops reading is sent a notice and dropped. A
 * unit, and an API key, have at most a few channels open at once over every instance (429
 * beyond): each channel holds a buffer and a place in the hub.
 */
export async function streamRoutes(app: HttpServer, deps: StreamRoutesDeps): Promise<void> {
  app.get(
    '/v1/units/:unitId/stream',
    {
      schema: {
        tags: ['units'],
        summary: "A unit's live channel (text/event-stream), resumable with Last-Event-ID",
        description: [
          `At most ${deps.slots.limits.perUnit} channels per unit and ${deps.slots.limits.perKey} per API key are open at once, over every instance; another answers 429 with Retry-After until one closes.`,
          describeErrors(
            NotificationsErrors.unitNotFound,
            NotificationsErrors.notYourUnit,
            NotificationsErrors.tooManyStreams,
          ),
        ].join('\n\n'),
        params: UnitParams,
        produces: ['text/event-stream'],
        response: problemResponses(400, 401, 403, 404, 429),
      },
      config: {
        access: { roles: ['unit'], scope: "the caller's own units only (the unit's agencyId; else 403)" },
      },
    },
    async (request, reply) => {
      const { unitId } = request.params;
      const unit = await deps.units.find(unitId);
      if (!unit) throw unitNotFound(unitId);
      assertActsFor(principalOf(request), unit);
      const lastHeader = request.headers['last-event-id'];
      // An id this channel did not issue is ignored: the terminal starts live.
      const after = typeof lastHeader === 'string' && isStreamId(lastHeader) ? lastHeader : undefined;
      // The key is known by its digest only: the slot names no secret.
      const keyDigest = createHash('sha256')
        .update(request.headers.authorization ?? '')
        .digest('hex')
        .slice(0, 32);
      const slot = await deps.slots.acquire(unitId, keyDigest);
      if (slot === 'unit' || slot === 'key') {
        reply.header('retry-after', String(Math.ceil(deps.slots.limits.ttlMs / 3000)));
        throw NotificationsErrors.tooManyStreams.error(
          slot === 'unit'
            ? `unit ${unitId} has ${deps.slots.limits.perUnit} live channels open already`
            : `this API key has ${deps.slots.limits.perKey} live channels open already`,
        );
      }
      reply.raw.on('close', () => void slot.release());
      reply.hijack();
      await deps.hub.attach(reply.raw, { key: deps.feed.key(unitId), resume: after ? { after } : undefined });
    },
  );
}
