import {
  type CloudEvent,
  type FieldError,
  findUnsafeKeys,
  type ReportData,
  type Role,
  validateReportData,
} from '@homeward/events';
import type { IntakeErrorKey } from '../errors.ts';
import { mayReport, partNotAllowed } from './permissions.ts';
import { checkReportRules } from './report-rules.ts';

/** The one CloudEvent type intake accepts, by either way in. */
export const REPORT_TYPE = 'homeward.report.submitted';

/** Why a report is refused: the catalogue entry to answer with, and what to tell the sender. */
export interface Refusal {
  refused: IntakeErrorKey;
  detail: string;
  errors?: FieldError[];
}

/** A report that passed screening: its data, now known to be a valid report. */
export interface Admitted {
  refused?: undefined;
  data: ReportData;
}

/**
 * Everything intake checks before it looks anything up, in the order a sender can fix it:
 * the event type, keys a database would misread, the schema of the kind, the sender's role for
 * that kind, then the rules a schema cannot say. The first failing check refuses the report;
 * within a check, every field error is returned.
 */
export function screenReport(event: CloudEvent, role: Role, now: Date): Admitted | Refusal {
  if (event.type !== REPORT_TYPE) {
    return {
      refused: 'wrongType',
      detail: `only ${REPORT_TYPE} events are accepted here`,
      errors: [{ field: '/type', message: `must be "${REPORT_TYPE}"` }],
    };
  }
  const unsafe = findUnsafeKeys(event.data, '/data');
  if (unsafe.length > 0) {
    return { refused: 'unsafeKeys', detail: 'the report contains keys that are not allowed', errors: unsafe };
  }
  const schemaErrors = validateReportData(event.data);
  if (schemaErrors.length > 0) {
    return { refused: 'invalidReport', detail: 'the report is invalid', errors: schemaErrors };
  }
  const data = event.data as ReportData;
  if (!mayReport(role, data.kind)) {
    return { refused: 'kindNotAllowed', detail: `the role "${role}" may not send "${data.kind}" reports` };
  }
  const part = partNotAllowed(role, data);
  if (part) return { refused: 'kindNotAllowed', detail: part };
  const ruleErrors = checkReportRules(data, now);
  if (ruleErrors.length > 0) {
    return { refused: 'invalidReport', detail: 'the report is invalid', errors: ruleErrors };
  }
  return { data };
}
