import type { ReportData } from '@homeward/events';
import type { EventHandler } from '@homeward/messaging';
import { PoisonMessageError } from '@homeward/messaging';
import { AppError, type Credentials } from '@homeward/service-kit';
import { mayReport } from '../domain/permissions.ts';
import { DeadLetterReasons, Errors } from '../errors.ts';
import type { IntakeService } from '../intake-service.ts';

/**
 * Reports from agency systems on their own topics (`agency.reports.v1.<agencyId>`). The broker
 * lets only the agency's principal write its topic, and the consumer runner has already
 * dead-lettered any report whose `ce_source` is not `agency/<that agency>` (code `source`), so
 * the source below is the proven sender. It must be a known agency allowed that kind; then the
 * same pipeline as HTTP. Anything refused is a poison message: dead-lettered with the reason,
 * never retried.
 */
export function reportSubmittedHandler(deps: {
  intake: IntakeService;
  credentials: Credentials;
}): EventHandler<'homeward.report.submitted'> {
  return async (event, ctx) => {
    const m = /^agency\/([A-Za-z0-9][A-Za-z0-9._:-]*)$/.exec(event.source);
    if (!m)
      throw new PoisonMessageError(
        DeadLetterReasons.badSource,
        `ce_source must be "agency/<agencyId>", got "${event.source}"`,
      );
    const principals = deps.credentials.agency(m[1]!);
    if (principals.length === 0)
      throw new PoisonMessageError(DeadLetterReasons.unknownAgency, `agency "${m[1]}" is not known`);
    const kind = (event.data as ReportData).kind;
    const principal = principals.find((p) => mayReport(p.role, kind));
    if (!principal)
      throw new PoisonMessageError(
        Errors.kindNotAllowed.code,
        `agency "${m[1]}" may not send "${kind}" reports`,
      );
    try {
      const result = await deps.intake.submit({
        event,
        principal,
        channel: 'kafka',
        traceparent: ctx.traceparent,
      });
      ctx.log.info(
        { reportId: result.reportId, caseId: result.caseId, outcome: result.outcome, replay: result.replay },
        'report accepted',
      );
    } catch (err) {
      if (err instanceof AppError && !err.retriable) {
        const detail = err.errors ? `${err.message}: ${JSON.stringify(err.errors)}` : err.message;
        throw new PoisonMessageError(err.code, detail, { cause: err });
      }
      throw err;
    }
  };
}
