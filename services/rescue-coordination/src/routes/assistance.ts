import { describeErrors, type HttpServer, principalOf, problemResponses } from '@homeward/service-kit';
import type { CaseService } from '../case-service.ts';
import type { Assistance } from '../domain/case.ts';
import { Errors } from '../errors.ts';
import { AssistanceBody, AssistanceParams, AssistanceView, CaseParams } from './schemas.ts';

const view = (caseId: string, a: Assistance) => ({
  caseId,
  assistanceId: a.assistanceId,
  region: a.region,
  reason: a.reason,
  actions: a.actions,
  status: a.status,
  requestedAt: a.requestedAt.toISOString(),
  ...(a.answeredAt ? { answeredAt: a.answeredAt.toISOString() } : {}),
  ...(a.revokedAt ? { revokedAt: a.revokedAt.toISOString() } : {}),
});

const CASE_POLICE =
  "the case's own police: the caller's region contains the case's (a grant does not make one); anyone else 404";
const ADDRESSEE = "the police of the region asked: the caller's region lies in it; anyone else 404";

/**
 * Cross-region work, explicit: the case's police ask another region's police to assist,
 * naming the actions to grant; the addressed police accept or decline; the case's police
 * revoke. An accepted assistance lets that region's police take the named actions on this
 * case only, until revoked or the case closes.
 */
export async function assistanceRoutes(app: HttpServer, deps: { service: CaseService }): Promise<void> {
  const tags = ['cases'];
  app.post(
    '/v1/cases/:caseId/assistance',
    {
      schema: {
        tags,
        summary: "Ask another region's police to assist on this case, naming the actions to grant",
        description: [
          'Publishes homeward.case.assistance-requested and adds a timeline entry; nothing is granted until the addressed police accept.',
          describeErrors(Errors.caseNotFound, Errors.invalidTransition, Errors.assistanceRegion),
        ].join('\n\n'),
        params: CaseParams,
        body: AssistanceBody,
        response: { 201: AssistanceView, ...problemResponses(400, 401, 403, 404, 409, 422, 429) },
      },
      config: { access: { roles: ['police'], scope: CASE_POLICE } },
    },
    async (request, reply) => {
      const a = await deps.service.requestAssistance(
        request.params.caseId,
        request.body,
        principalOf(request),
      );
      return reply.code(201).send(view(request.params.caseId, a));
    },
  );

  for (const [path, answer] of [
    ['accept', 'accepted'],
    ['decline', 'declined'],
  ] as const) {
    app.post(
      `/v1/cases/:caseId/assistance/:assistanceId/${path}`,
      {
        schema: {
          tags,
          summary:
            answer === 'accepted'
              ? 'Accept an assistance addressed to your region: its named actions are granted on this case'
              : 'Decline an assistance addressed to your region',
          description: [
            `Publishes homeward.case.assistance-${answer} and adds a timeline entry.`,
            describeErrors(Errors.assistanceNotFound, Errors.assistanceAnswered, Errors.invalidTransition),
          ].join('\n\n'),
          params: AssistanceParams,
          response: { 200: AssistanceView, ...problemResponses(400, 401, 403, 404, 409, 429) },
        },
        config: { access: { roles: ['police'], scope: ADDRESSEE } },
      },
      async (request) =>
        view(
          request.params.caseId,
          await deps.service.answerAssistance(
            request.params.caseId,
            request.params.assistanceId,
            answer,
            principalOf(request),
          ),
        ),
    );
  }

  app.post(
    '/v1/cases/:caseId/assistance/:assistanceId/revoke',
    {
      schema: {
        tags,
        summary: 'End an assistance (requested or accepted): its grant ends at once',
        description: [
          'Publishes homeward.case.assistance-revoked and adds a timeline entry.',
          describeErrors(Errors.caseNotFound, Errors.assistanceNotFound, Errors.assistanceAnswered),
        ].join('\n\n'),
        params: AssistanceParams,
        response: { 200: AssistanceView, ...problemResponses(400, 401, 403, 404, 409, 429) },
      },
      config: { access: { roles: ['police'], scope: CASE_POLICE } },
    },
    async (request) =>
      view(
        request.params.caseId,
        await deps.service.revokeAssistance(
          request.params.caseId,
          request.params.assistanceId,
          principalOf(request),
        ),
      ),
  );
}
