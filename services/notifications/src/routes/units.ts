import {
  type Clock,
  describeErrors,
  ForbiddenError,
  type HttpServer,
  inScope,
  type Principal,
  principalOf,
  problemResponses,
} from '@homeward/service-kit';
import type { Static } from '@sinclair/typebox';
import { refuseSecret } from '../domain/webhook-signature.ts';
import { type ResolveAll, refuseTarget, type TargetPolicy } from '../domain/webhook-target.ts';
import { NotificationsErrors } from '../errors.ts';
import type { UnitIndex } from '../store/unit-index.ts';
import type { UnitDoc, UnitStore } from '../store/unit-store.ts';
import { UnitBody, UnitParams, UnitView } from './schemas.ts';

export interface UnitRoutesDeps {
  units: UnitStore;
  index: UnitIndex;
  clock: Clock;
  /** Where webhooks may point, and how host names resolve (the system resolver; tests inject theirs). */
  targets: { policy: TargetPolicy; resolveAll: ResolveAll };
}

/** Refuses a webhook whose URL or secret breaks the rules: 400 naming the field. */
async function checkWebhook(webhook: { url: string; secret: string }, deps: UnitRoutesDeps): Promise<void> {
  const errors = [];
  const url = await refuseTarget(webhook.url, deps.targets.policy, deps.targets.resolveAll);
  if (url) errors.push({ field: '/webhook/url', message: url });
  const secret = refuseSecret(webhook.secret);
  if (secret) errors.push({ field: '/webhook/secret', message: secret });
  if (errors.length > 0)
    throw NotificationsErrors.webhookRefused.error(
      `the webhook ${errors.map((e) => `${e.field.slice('/webhook/'.length)} ${e.message}`).join('; ')}`,
      { errors },
    );
}

/** The 404 for a unit id nobody registered. */
export function unitNotFound(unitId: string) {
  return NotificationsErrors.unitNotFound.error(`no unit ${unitId}`);
}

function view(u: UnitDoc): Static<typeof UnitView> {
  return {
    unitId: u._id,
    name: u.name,
    kind: u.kind,
    location: u.location,
    region: u.region,
    agencyId: u.agencyId,
    webhook: { url: u.webhook.url },
    createdAt: u.createdAt.toISOString(),
    updatedAt: u.updatedAt.toISOString(),
  };
}

/** `PUT/GET/DELETE /v1/units/{unitId}` (admin): MongoDB first, then the Redis index. */
export async function unitRoutes(app: HttpServer, deps: UnitRoutesDeps): Promise<void> {
  const admin = {
    access: {
      roles: ['admin'] as const,
      scope: "the unit's region lies in the caller's; a unit outside it answers 404 (and is not overwritten)",
    },
  };
  /** A unit the admin reaches, or 404 as for a missing one. */
  const reachable = (principal: Principal, unit: UnitDoc | null, unitId: string): UnitDoc => {
    if (!unit || !inScope(principal, unit.region)) throw unitNotFound(unitId);
    return unit;
  };

  app.put(
    '/v1/units/:unitId',
    {
      schema: {
        tags: ['units'],
        summary: 'Register or update a unit',
        description: [
          'The webhook URL must be https in production, and its host must resolve to public addresses only (loopback, private, link-local, unique-local and reserved addresses are refused unless the deployment allows them, as development does for this host); deliveries connect to the address that was checked. The secret is at least 24 bytes of key: its UTF-8 bytes, or after `whsec_` the base64-decoded bytes.',
          describeErrors(NotificationsErrors.webhookRefused, NotificationsErrors.concurrentUpdate),
        ].join('\n\n'),
        params: UnitParams,
        body: UnitBody,
        response: { 200: UnitView, 201: UnitView, ...problemResponses(400, 401, 403, 404, 409, 429) },
      },
      config: admin,
    },
    async (request, reply) => {
      const { unitId } = request.params;
      const b = request.body;
      await checkWebhook(b.webhook, deps);
      const now = deps.clock.now();
      const principal = principalOf(request);
      const existing = await deps.units.find(unitId);
      // An existing unit of another region is not the caller's to see or overwrite.
      if (existing) reachable(principal, existing, unitId);
      if (!inScope(principal, b.region))
        throw new ForbiddenError(
          `region ${b.region} does not lie in the caller's region ${principal.region}`,
        );
      const doc: UnitDoc = {
        _id: unitId,
        name: b.name,
        kind: b.kind,
        location: { lat: b.location.lat, lon: b.location.lon },
        region: b.region,
        agencyId: b.agencyId ?? unitId,
        webhook: { url: b.webhook.url, secret: b.webhook.secret },
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
      };
      const { created, meta } = await deps.units.put(doc);
      await deps.index.put(doc, meta);
      request.log.info({ unitId, created }, 'unit registered');
      return reply.code(created ? 201 : 200).send(view(doc));
    },
  );

  app.get(
    '/v1/units/:unitId',
    {
      schema: {
        tags: ['units'],
        summary: 'Read a unit (without its webhook secret)',
        description: describeErrors(NotificationsErrors.unitNotFound),
        params: UnitParams,
        response: { 200: UnitView, ...problemResponses(400, 401, 403, 404, 429) },
      },
      config: admin,
    },
    async (request) => {
      return view(
        reachable(principalOf(request), await deps.units.find(request.params.unitId), request.params.unitId),
      );
    },
  );

  app.delete(
    '/v1/units/:unitId',
    {
      schema: {
        tags: ['units'],
        summary: 'Remove a unit',
        description: describeErrors(NotificationsErrors.unitNotFound, NotificationsErrors.concurrentUpdate),
        params: UnitParams,
        response: {
          204: { type: 'null', description: 'removed' },
          ...problemResponses(400, 401, 403, 404, 409, 429),
        },
      },
      config: admin,
    },
    async (request, reply) => {
      reachable(principalOf(request), await deps.units.find(request.params.unitId), request.params.unitId);
      const meta = await deps.units.remove(request.params.unitId, deps.clock.now());
      if (!meta) throw unitNotFound(request.params.unitId);
      await deps.index.remove(request.params.unitId, meta);
      return reply.code(204).send();
    },
  );
}
