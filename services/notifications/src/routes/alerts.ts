import { createEvent } from '@homeward/events';
import {
  type Clock,
  describeErrors,
  type HttpServer,
  inScope,
  type Principal,
  principalOf,
  problemResponses,
} from '@homeward/service-kit';
import { placeOfStored } from '../domain/alert-place.ts';
import { computeCoverage, withAcknowledgements } from '../domain/coverage.ts';
import { SOURCE } from '../domain/unit-alert.ts';
import { NotificationsErrors } from '../errors.ts';
import type { FanoutService } from '../fanout-service.ts';
import type { ClaimLedger } from '../store/claim-ledger.ts';
import { type DeliveryStore, pairId } from '../store/delivery-store.ts';
import type { UnitDoc, UnitStore } from '../store/unit-store.ts';
import { AckBody, AckView, AlertParams, CoverageView } from './schemas.ts';
import { unitNotFound } from './units.ts';

export interface AlertRoutesDeps {
  store: DeliveryStore;
  units: UnitStore;
  ledger: ClaimLedger;
  fanout: FanoutService;
  clock: Clock;
}

/** The 404 for an alert this service never received. */
export function alertNotFound(alertId: string) {
  return NotificationsErrors.alertNotFound.error(`no alert ${alertId}`);
}

/** A `unit` key acts only for units whose `agencyId` is its agency. */
export function assertActsFor(principal: Principal, unit: UnitDoc): void {
  if (principal.agencyId !== unit.agencyId) {
    throw NotificationsErrors.notYourUnit.error(
      `the agency ${principal.agencyId} does not act for unit ${unit._id}`,
    );
  }
}

/** `POST /v1/alerts/{alertId}/acks` (unit) and `GET /v1/alerts/{alertId}/coverage` (police, operator). */
export async function alertRoutes(app: HttpServer, deps: AlertRoutesDeps): Promise<void> {
  app.post(
    '/v1/alerts/:alertId/acks',
    {
      schema: {
        tags: ['alerts'],
        summary: 'A unit acknowledges an alert it was sent',
        description:
          'Once per (alert, unit): the first acknowledgement answers 201 and publishes homeward.notification.acknowledged; a repeat answers 200 with the first.\n' +
          describeErrors(
            NotificationsErrors.alertNotFound,
            NotificationsErrors.unitNotFound,
            NotificationsErrors.notYourUnit,
            NotificationsErrors.notNotified,
          ),
        params: AlertParams,
        body: AckBody,
        response: { 200: AckView, 201: AckView, ...problemResponses(400, 401, 403, 404, 409, 429) },
      },
      config: {
        access: {
          roles: ['unit'],
          scope:
            "the caller acts only for its own units (the unit's agencyId; else 403); an alert the unit was sent",
        },
      },
    },
    async (request, reply) => {
      const { alertId } = request.params;
      const { unitId } = request.body;
      const [alert, unit] = await Promise.all([deps.store.findAlert(alertId), deps.units.find(unitId)]);
      if (!alert) throw alertNotFound(alertId);
      if (!unit) throw unitNotFound(unitId);
      assertActsFor(principalOf(request), unit);
      const previous = await deps.store.findAck(alertId, unitId);
      if (previous) return reply.code(200).send(ackView(previous));
      await deps.fanout.ensureLedger(alertId, 'alert');
      if (!(await deps.ledger.claimOf(alertId, 'alert', unitId))) {
        throw NotificationsErrors.notNotified.error(`unit ${unitId} was not sent alert ${alertId}`);
      }
      const acknowledgedAt = deps.clock.now();
      const event = createEvent(
        'homeward.notification.acknowledged',
        { alertId, unitId, acknowledgedAt: acknowledgedAt.toISOString(), ...placeOfStored(alert) },
        { source: SOURCE, subject: alertId, id: `${alertId}.ack.${unitId}`, time: acknowledgedAt },
      );
      const id = pairId(alertId, unitId);
      const doc = { _id: id, alertId, unitId, agencyId: principalOf(request).agencyId, acknowledgedAt };
      const inserted = await deps.store.insertAck(doc, event);
      if (!inserted) {
        const first = await deps.store.findAck(alertId, unitId);
        return reply.code(200).send(ackView(first ?? doc));
      }
      await deps.ledger.recordAck(alertId, unitId, acknowledgedAt.getTime());
      request.log.info({ alertId, unitId }, 'alert acknowledged');
      return reply.code(201).send(ackView(doc));
    },
  );

  app.get(
    '/v1/alerts/:alertId/coverage',
    {
      schema: {
        tags: ['alerts'],
        summary: 'Who has the alert, who acknowledged, who could not be reached',
        description: describeErrors(NotificationsErrors.alertNotFound),
        params: AlertParams,
        response: { 200: CoverageView, ...problemResponses(400, 401, 403, 404, 429) },
      },
      config: {
        access: {
          roles: ['police', 'operator'],
          scope: "the alert's region (where the child was last seen) lies in the caller's; outside it, 404",
        },
      },
    },
    async (request) => {
      const { alertId } = request.params;
      const alert = await deps.store.findAlert(alertId);
      if (!alert || !inScope(principalOf(request), alert.view.region)) throw alertNotFound(alertId);
      await deps.fanout.ensureLedger(alertId, 'alert');
      const [claims, acks] = await Promise.all([
        deps.ledger.claims(alertId, 'alert'),
        deps.ledger.acks(alertId),
      ]);
      const coverage = computeCoverage(
        withAcknowledgements(claims, acks),
        acks.size,
        alert.issuedAt.getTime(),
      );
      const body = {
        alertId,
        caseId: alert.caseId,
        status: alert.status,
        step: alert.step,
        radiusKm: alert.radiusKm,
        ...coverage,
      };
      if (alert.status === 'cancelled' && alert.reason) {
        const c = computeCoverage([...(await deps.ledger.claims(alertId, 'cancellation')).values()], 0, 0);
        return {
          ...body,
          cancellation: { reason: alert.reason, notified: c.notified, failed: c.failed, pending: c.pending },
        };
      }
      return body;
    },
  );
}

function ackView(a: { alertId: string; unitId: string; acknowledgedAt: Date }) {
  return { alertId: a.alertId, unitId: a.unitId, acknowledgedAt: a.acknowledgedAt.toISOString() };
}
