import { EventCatalogue, type EventType } from '@homeward/events';
import { allowedSources } from './kafka-access.ts';

// The messages of the AsyncAPI document (asyncapi.ts): one per event type, from the event
// catalogue and the broker's access table, and the dead letter every consumer may write.

/** Kafka bindings' version (https://github.com/asyncapi/bindings/tree/master/kafka). */
export const KAFKA_BINDING_VERSION = '0.5.0';

/** A piece of the document. */
export type Json = Record<string, unknown>;

/** JSON Pointer escaping for `$ref`s into maps whose keys hold `/` or `~` (ours hold `{` and `.`). */
function pointer(...parts: string[]): string {
  return `#/${parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
}

/** A `$ref` to a path of the document. */
export function ref(...parts: string[]): { $ref: string } {
  return { $ref: pointer(...parts) };
}

/**
 * The data field an event type's partition key is taken from, found by running its key function
 * over a recording proxy (the catalogue states keys as functions of the data, `(d) => d.caseId`).
 * Undefined when the key reads no field.
 */
export function keyFieldOf(type: EventType): string | undefined {
  const read: string[] = [];
  const probe = new Proxy(
    {},
    {
      get: (_target, prop) => {
        if (typeof prop === 'string') read.push(prop);
        return '';
      },
    },
  );
  (EventCatalogue[type].key as (d: unknown) => string)(probe);
  return read[0];
}

/** Message ids are the event types themselves (`homeward.case.opened`). */
export function messageId(type: EventType): string {
  return type;
}

const ceHeaderDescriptions = {
  ce_specversion: 'CloudEvents spec version',
  ce_id:
    'event id, unique per source; the sender keeps it on every retry (the idempotency key with ce_source)',
  ce_time: 'when it happened (RFC 3339)',
  ce_subject: 'the aggregate the event is about, when the producer sets it',
  ce_traceparent:
    'W3C Trace Context (the CloudEvents distributed-tracing extension); consumers continue the trace',
  ce_dataschema: 'optional URI of the data schema',
  'content-type': 'the data content type of the value',
} as const;

/** The CloudEvents binary-mode headers of one event type (`ce_type` fixed, `ce_source` per the ACL table). */
function cloudEventHeaders(type: EventType): Json {
  const topic = EventCatalogue[type].topic;
  const source =
    type === 'homeward.report.submitted'
      ? {
          type: 'string',
          pattern: '^agency/',
          description:
            'agency/<agencyId>; on a per-agency topic it must be the agency the topic belongs to (anything else is dead-lettered with code `source`)',
        }
      : {
          type: 'string',
          enum: [...(allowedSources(topic, type) ?? [])],
          description:
            'the service that alone may emit this type on its topic; consumers dead-letter any other',
        };
  return {
    type: 'object',
    required: ['ce_specversion', 'ce_id', 'ce_source', 'ce_type', 'content-type'],
    properties: {
      ce_specversion: { type: 'string', const: '1.0', description: ceHeaderDescriptions.ce_specversion },
      ce_id: { type: 'string', minLength: 1, description: ceHeaderDescriptions.ce_id },
      ce_source: source,
      ce_type: { type: 'string', const: type, description: 'the event type' },
      ce_time: { type: 'string', format: 'date-time', description: ceHeaderDescriptions.ce_time },
      ce_subject: { type: 'string', description: ceHeaderDescriptions.ce_subject },
      ce_traceparent: {
        type: 'string',
        pattern: '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$',
        description: ceHeaderDescriptions.ce_traceparent,
      },
      ce_dataschema: { type: 'string', format: 'uri', description: ceHeaderDescriptions.ce_dataschema },
      'content-type': {
        type: 'string',
        const: 'application/json',
        description: ceHeaderDescriptions['content-type'],
      },
    },
  };
}

function keyDescription(type: EventType): Json {
  if (type === 'homeward.report.submitted')
    return {
      type: 'string',
      description:
        'any string; the platform does not read it (a report is identified by ce_source and ce_id). Using ce_id as the key keeps one report and its retries on one partition.',
    };
  const field = keyFieldOf(type);
  return {
    type: 'string',
    description: field
      ? `the data's \`${field}\`: every event of one aggregate lands on one partition, in order`
      : 'none in particular',
  };
}

function personalData(type: EventType): Record<string, string> {
  return { ...((EventCatalogue[type] as { personalData?: Record<string, string> }).personalData ?? {}) };
}

/** The AsyncAPI message of one event type: its CloudEvents headers, payload schema, key and personal data. */
export function message(type: EventType): Json {
  const def = EventCatalogue[type];
  const personal = personalData(type);
  const personalNote =
    Object.keys(personal).length === 0
      ? 'Personal data: none.'
      : `Personal data it may carry: ${Object.entries(personal)
          .map(([k, why]) => `\`${k}\` (${why})`)
          .join('; ')}.`;
  return {
    name: type,
    title: type,
    summary: def.description,
    description: `${def.description}\n\n${personalNote}`,
    contentType: 'application/json',
    headers: cloudEventHeaders(type),
    payload: JSON.parse(JSON.stringify(def.data)) as Json,
    correlationId: {
      description: 'the W3C trace the event belongs to',
      location: '$message.header#/ce_traceparent',
    },
    bindings: { kafka: { key: keyDescription(type), bindingVersion: KAFKA_BINDING_VERSION } },
    'x-personal-data': personal,
  };
}

/** What the consumer runner adds to a message it cannot process (packages/messaging dead-letter-writer.ts). */
export function deadLetterMessage(): Json {
  return {
    name: 'dead-letter',
    title: 'Dead letter',
    summary:
      'A message a consumer could not process: the original key, value and headers, with the reason added in dlq_* headers.',
    description:
      'Each consumer group that refuses a message writes its own dead letter, so one bad message read by two groups gives two records (dlq_consumer_group tells them apart). The value is the original bytes, which need not be JSON.',
    contentType: 'application/octet-stream',
    headers: {
      type: 'object',
      required: [
        'dlq_reason',
        'dlq_error_code',
        'dlq_original_topic',
        'dlq_original_partition',
        'dlq_original_offset',
        'dlq_consumer_group',
        'dlq_failed_at',
      ],
      properties: {
        dlq_error_code: {
          type: 'string',
          description:
            "why: `decode` (not a binary-mode CloudEvent), `unknown-type`, `schema` (the data fails its schema), `source` (ce_source may not send this type here), `handler`, or the consuming service's error code (e.g. `INTAKE_ERR_KIND_NOT_ALLOWED`, see its src/errors.ts)",
        },
        dlq_reason: {
          type: 'string',
          maxLength: 4000,
          description: 'a human-readable reason; for `schema`, a JSON array of { field, message }',
        },
        dlq_original_topic: { type: 'string', description: 'the physical topic the message was read from' },
        dlq_original_partition: { type: 'string', pattern: '^[0-9]+$' },
        dlq_original_offset: { type: 'string', pattern: '^[0-9]+$' },
        dlq_consumer_group: { type: 'string', description: 'the consumer group that refused it' },
        dlq_failed_at: { type: 'string', format: 'date-time' },
        ...Object.fromEntries(
          Object.entries(ceHeaderDescriptions).map(([k, d]) => [
            k,
            { type: 'string', description: `as sent: ${d}` },
          ]),
        ),
        ce_source: { type: 'string', description: 'as sent' },
        ce_type: { type: 'string', description: 'as sent' },
      },
    },
    payload: { description: 'the original message value, unchanged' },
    bindings: {
      kafka: {
        key: { type: 'string', description: 'the original key, unchanged' },
        bindingVersion: KAFKA_BINDING_VERSION,
      },
    },
  };
}
