import { deadLetterTopic, REGION_PATTERN, ReportKinds, Topics } from '@homeward/events';
import { type EventView, project } from './event-view.ts';
import { DEAD_LETTER_ALLOWLISTS, REPORT_REFUSED } from './stream-allowlists.ts';

/** The consumer group whose dead letters are intake's refusals (intake's reports pipeline). */
export const INTAKE_REPORTS_GROUP = 'intake.reports';

/** A dead letter as Kafka gave it: headers (as strings) and the original value. */
export interface DeadLetter {
  headers: Record<string, string | undefined>;
  value: Buffer | null;
}

const CODE = /^[a-z0-9][a-z0-9-]{0,39}$/;
const ID = /^[\x21-\x7e]{1,200}$/;
/**
 * A JSON pointer of the schema's shape: each step a name that starts with a letter, or an
 * array index. A step of any other shape (an unknown property named with digits, say) may be
 * something the sender wrote, not the schema's, and is not shown.
 */
const FIELD = /^(\/([A-Za-z][A-Za-z0-9_-]{0,39}|\d{1,4})){1,8}$/;
const SOURCE = /^[\x21-\x7e]{1,300}$/;
const kinds = new Set<string>(ReportKinds);

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const isoTime = (v: string | undefined) => (v && Number.isFinite(Date.parse(v)) ? v : undefined);
/** A field of a JSON value of any shape: undefined unless the value is an object that has it. */
const prop = (v: unknown, k: string): unknown => (v as Record<string, unknown> | null | undefined)?.[k];
const isRecord = (v: unknown) => v instanceof Object && !Array.isArray(v);

/** JSON text parsed; undefined when it is not JSON (`String` of a missing value is not either). */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
    // Stryker disable next-line BlockStatement: an empty catch block returns undefined too
  } catch {
    return undefined;
  }
}

/** The original report's CloudEvent fields, from binary-mode headers or a structured value. */
function originalOf(letter: DeadLetter): { id?: string; source?: string; time?: string; data?: unknown } {
  const h = letter.headers;
  // Undecodable bytes or none: the headers alone say which report it was.
  const body = parseJson(String(letter.value));
  if (String(h['content-type']).startsWith('application/cloudevents+json') && isRecord(body)) {
    const id = str(prop(body, 'id'));
    const source = str(prop(body, 'source'));
    const time = str(prop(body, 'time'));
    return {
      ...(id ? { id } : {}),
      ...(source ? { source } : {}),
      ...(time ? { time } : {}),
      data: prop(body, 'data'),
    };
  }
  return {
    ...(h.ce_id ? { id: h.ce_id } : {}),
    ...(h.ce_source ? { source: h.ce_source } : {}),
    ...(h.ce_time ? { time: h.ce_time } : {}),
    data: body,
  };
}

/** The field paths a schema refusal names (`dlq_reason` is the validator's errors as JSON). */
function fieldsOf(code: string, reason: string | undefined): string[] | undefined {
  if (code !== 'schema' && code !== 'decode' && code !== 'validation') return undefined;
  const errors = parseJson(String(reason));
  if (!Array.isArray(errors)) return undefined;
  const fields = [
    ...new Set(errors.map((e) => str(prop(e, 'field'))).filter((f) => f && FIELD.test(f))),
  ] as string[];
  return fields.length > 0 ? fields.slice(0, 8) : undefined;
}

/** Where a report happened, as the board groups reports: a region code in its data, if any. */
function regionOf(data: unknown): string | undefined {
  for (const k of ['lastSeen', 'foundAt', 'location', 'seenAt']) {
    const r = str(prop(prop(data, k), 'region'));
    if (r && REGION_PATTERN.test(r)) return r;
  }
  return undefined;
}

/**
 * The view of a dead letter (its data cut to {@link DEAD_LETTER_ALLOWLISTS}, built from
 * checked codes and ids only) on `agency.reports.v1.dlq` when it is intake's refusal of a
 * report; undefined for any other dead letter (the dashboard's own, of a report it could not
 * project either, adds nothing: intake's says the same and is what counts).
 */
export function refusedReportView(letter: DeadLetter): EventView | undefined {
  const h = letter.headers;
  if (h.dlq_consumer_group !== INTAKE_REPORTS_GROUP) return undefined;
  const original = originalOf(letter);
  const id = original.id && ID.test(original.id) ? original.id : undefined;
  const source = original.source && SOURCE.test(original.source) ? original.source : undefined;
  const code = h.dlq_error_code && CODE.test(h.dlq_error_code) ? h.dlq_error_code : 'refused';
  const refusedAt = isoTime(h.dlq_failed_at);
  const kindRaw = str(prop(original.data, 'kind'));
  const kind = kindRaw && kinds.has(kindRaw) ? kindRaw : undefined;
  const fields = fieldsOf(code, h.dlq_reason);
  const sentAt = isoTime(original.time);
  const region = regionOf(original.data);
  const raw: Record<string, unknown> = {
    ...(id ? { reportId: id } : {}),
    ...(kind ? { kind } : {}),
    code,
    ...(fields ? { fields } : {}),
    ...(refusedAt ? { refusedAt } : {}),
    ...(sentAt ? { sentAt } : {}),
  };
  const data = project(raw, DEAD_LETTER_ALLOWLISTS[REPORT_REFUSED]) ?? {};
  return {
    id:
      id ??
      `dlq:${h.dlq_original_topic ?? ''}:${h.dlq_original_partition ?? ''}:${h.dlq_original_offset ?? ''}`,
    source: source ?? 'unknown',
    type: REPORT_REFUSED,
    ...(refusedAt ? { time: refusedAt } : {}),
    topic: deadLetterTopic(Topics.agencyReports),
    ...(region ? { region } : {}),
    summary: `${kind ?? 'unreadable'} report from ${source ?? 'an unknown sender'} refused by intake (${code}${fields ? `: ${fields.join(', ')}` : ''})`,
    data,
  };
}
