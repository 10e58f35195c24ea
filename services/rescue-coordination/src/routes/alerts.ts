import { describeErrors, type HttpServer, principalOf, problemResponses } from '@homeward/service-kit';
import type { AlertService } from '../alert-service.ts';
import type { AlertState } from '../domain/alert-plan.ts';
import { Errors } from '../errors.ts';
import { caseAction } from './cases.ts';
import { AlertParams, AlertView, CancelBody, CentreBody } from './schemas.ts';
import { alertView } from './views.ts';

/** Police actions on a running alert: cancel it, or move its centre to a lead. */
export async function alertRoutes(app: HttpServer, deps: { alerts: AlertService }): Promise<void> {
  const tags = ['alerts'];
  const view = async (alert: AlertState) =>
    alertView(alert, await deps.alerts.acknowledgements(alert.alertId));

  app.post(
    '/v1/alerts/:alertId/cancel',
    {
      schema: {
        tags,
        summary: 'Cancel an alert with the reason every notified unit is told (police)',
        description: describeErrors(Errors.alertNotFound, Errors.alertEnded, Errors.concurrentUpdate),
        params: AlertParams,
        body: CancelBody,
        response: { 200: AlertView, ...problemResponses(400, 401, 403, 404, 409, 429) },
      },
      config: { access: caseAction('cancel-alert') },
    },
    async (request) =>
      view(
        await deps.alerts.cancelAlert(
          request.params.alertId,
          request.body.reason,
          request.body.note,
          principalOf(request),
        ),
      ),
  );

  app.post(
    '/v1/alerts/:alertId/centre',
    {
      schema: {
        tags,
        summary: "Move a running alert's centre to a lead's place (police)",
        description: [
          'Leads never move an alert on their own: police choose one. Published as homeward.alert.escalated with the same radius (previousRadiusKm equals radiusKm) and the next step number; the widening schedule, measured from the time last seen, is unchanged.',
          describeErrors(
            Errors.alertNotFound,
            Errors.leadNotFound,
            Errors.alertEnded,
            Errors.concurrentUpdate,
          ),
        ].join('\n\n'),
        params: AlertParams,
        body: CentreBody,
        response: { 200: AlertView, ...problemResponses(400, 401, 403, 404, 409, 429) },
      },
      config: { access: caseAction('move-centre') },
    },
    async (request) =>
      view(await deps.alerts.moveCentre(request.params.alertId, request.body.leadId, principalOf(request))),
  );
}
