import {
  deadLetterTopic,
  EventCatalogue,
  type EventType,
  EventTypes,
  PersonalDataKinds,
  ReportKinds,
  TOPIC_PARTITIONS,
  type TopicName,
  Topics,
} from '@homeward/events';
import {
  AGENCY_ID_PATTERN,
  AGENCY_REPORTS_ACCESS,
  AGENCY_TOPIC_PARTITIONS,
  agencyPrincipal,
  allowedSources,
  EVENT_OWNERS,
  groupPrefix,
  KAFKA_ACCESS,
  OBSERVER,
  serviceSource,
} from './kafka-access.ts';

// The platform's Kafka contract as an AsyncAPI 3.0 document, generated from the two tables that
// already decide it: the event catalogue (topics, schemas, keys, personal data) and the broker's
// access table (who writes and reads each topic). Nothing here is written by hand twice: a new
// event type or a new reader shows up in the document once the tables say so, and the checked-in
// copy (packages/messaging/asyncapi.json, `npm run catalogue`) fails a test when it is stale.

/** The AsyncAPI document's `info.version`: the major version the topics carry (`.v1`). */
export const ASYNCAPI_DOCUMENT_VERSION = '1.0.0';

/** Kafka bindings' version (https://github.com/asyncapi/bindings/tree/master/kafka). */
const KAFKA_BINDING_VERSION = '0.5.0';

type Json = Record<string, unknown>;

const SECURITY_SCHEME = 'scramSha512';
/** The channel id of the per-agency report topics (one channel, its address a parameter). */
const AGENCY_CHANNEL = 'agency.reports.v1.{agencyId}';

/** JSON Pointer escaping for `$ref`s into maps whose keys hold `/` or `~` (ours hold `{` and `.`). */
function pointer(...parts: string[]): string {
  return `#/${parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
}

function ref(...parts: string[]): { $ref: string } {
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

function typesOn(topic: TopicName): EventType[] {
  return EventTypes.filter((t) => EventCatalogue[t].topic === topic);
}

/** Message ids are the event types themselves (`homeward.case.opened`). */
function messageId(type: EventType): string {
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

function message(type: EventType): Json {
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

/** What the consumer runner adds to a message it cannot process (packages/messaging consumer-runner.ts). */
function deadLetterMessage(): Json {
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

function kafkaChannelBinding(partitions: number, topic?: string): Json {
  return {
    kafka: {
      ...(topic ? { topic } : {}),
      partitions,
      bindingVersion: KAFKA_BINDING_VERSION,
    },
  };
}

function readersText(readers: readonly string[]): string {
  return readers.length ? readers.map((r) => `\`${r}\``).join(', ') : 'nobody';
}

function groupBinding(principal: string): Json {
  return {
    kafka: {
      groupId: {
        type: 'string',
        pattern: `^${groupPrefix(principal).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`,
        description: `the broker lets ${principal} read only in groups whose id starts with "${groupPrefix(principal)}"`,
      },
      bindingVersion: KAFKA_BINDING_VERSION,
    },
  };
}

/**
 * The AsyncAPI 3.0 document of every contract topic and event type: the per-agency report
 * topics, the internal topics with their one writer per type, the dead-letter twins, the
 * CloudEvents binary-mode headers, and the SASL/SCRAM security the broker requires.
 */
export function renderAsyncApi(): Json {
  const messages: Json = Object.fromEntries(EventTypes.map((t) => [messageId(t), message(t)]));
  messages['dead-letter'] = deadLetterMessage();

  const channels: Json = {};
  const operations: Json = {};
  const tags = new Map<string, string>();
  const tag = (name: string, description: string) => {
    tags.set(name, description);
    return { name };
  };
  const channelMessages = (types: readonly EventType[]) =>
    Object.fromEntries(types.map((t) => [messageId(t), ref('components', 'messages', messageId(t))]));
  const opMessages = (channel: string, types: readonly string[]) =>
    types.map((t) => ref('channels', channel, 'messages', t));

  // Per-agency report topics: the only topics an agency system writes.
  const reportTypes: EventType[] = ['homeward.report.submitted'];
  channels[AGENCY_CHANNEL] = {
    address: AGENCY_CHANNEL,
    title: "An agency's report topic",
    summary: 'Reports from one agency system, the only topic its principal may write.',
    description:
      `One topic per agency system, \`agency.reports.v1.<agencyId>\` (${AGENCY_TOPIC_PARTITIONS} partitions). ` +
      `The broker lets only the principal \`${agencyPrincipal('<agencyId>')}\` write it, so the topic proves the sender: ` +
      '`ce_source` must be `agency/<agencyId>` of the same agency. The same pipeline as `POST /v1/reports`: ' +
      'intake validates, deduplicates by (agency, ce_id) and opens a case or adds a lead; anything refused goes to ' +
      '`agency.reports.v1.dlq` with the reason. Readers: ' +
      `${readersText(AGENCY_REPORTS_ACCESS.consumers)}. Report kinds: ${ReportKinds.map((k) => `\`${k}\``).join(', ')}.`,
    parameters: {
      agencyId: {
        description: `The agency's id, as issued with its credentials (pattern ${AGENCY_ID_PATTERN.source}).`,
        examples: ['police-340100'],
      },
    },
    messages: channelMessages(reportTypes),
    bindings: kafkaChannelBinding(AGENCY_TOPIC_PARTITIONS),
  };
  operations['agency.send.reports'] = {
    action: 'send',
    channel: ref('channels', AGENCY_CHANNEL),
    title: 'An agency system submits a report',
    summary: 'Produce a homeward.report.submitted CloudEvent (binary mode) to your own report topic.',
    description:
      'Authenticate as `agency.<agencyId>` with SASL/SCRAM-SHA-512 (SASL_SSL in production). Keep ce_id on every retry: ' +
      '(agency, ce_id) is the idempotency key, so a retried report creates nothing new. The outcome is not sent back on ' +
      'Kafka: look the report up over HTTP (`GET /v1/reports/{reportId}` on intake; the report id is derived from the agency and ce_id, see examples/README.md), and a report never stored was refused: its reason is in `agency.reports.v1.dlq` (read by operators with the observer principal).',
    messages: opMessages(AGENCY_CHANNEL, reportTypes),
    tags: [tag('agency', 'what an agency system does')],
  };
  for (const reader of AGENCY_REPORTS_ACCESS.consumers) {
    operations[`${reader}.receive.agency-reports`] = {
      action: 'receive',
      channel: ref('channels', AGENCY_CHANNEL),
      summary: `${reader} reads every agency's report topic (a pattern subscription).`,
      messages: opMessages(AGENCY_CHANNEL, reportTypes),
      bindings: groupBinding(reader),
      tags: [tag(reader, `the ${reader} service`)],
    };
  }

  for (const [topicName, access] of Object.entries(KAFKA_ACCESS) as Array<
    [TopicName, (typeof KAFKA_ACCESS)[TopicName]]
  >) {
    const types = typesOn(topicName);
    const legacy = topicName === Topics.agencyReports;
    const keys = [...new Set(types.map((t) => keyFieldOf(t)).filter((k): k is string => !!k))];
    channels[topicName] = {
      address: topicName,
      title: topicName,
      summary: legacy
        ? 'The old shared report topic: nobody may write it, and what lands there proves no sender.'
        : `Written by ${readersText(access.producers)}; key: ${keys.map((k) => `\`${k}\``).join(', ')}.`,
      description: legacy
        ? `No principal may write this topic any more (agencies write \`agency.reports.v1.<agencyId>\`). Whatever an administrator puts here is dead-lettered by intake with code \`source\`. Readers: ${readersText(access.consumers)}.`
        : `${TOPIC_PARTITIONS} partitions. Writers: ${readersText(access.producers)} (through each service's outbox: at least once, the same ce_id on a republish). Readers: ${readersText(access.consumers)}, each consumer group dropping repeats by (ce_source, ce_id). Dead letters: \`${deadLetterTopic(topicName)}\`. The observer principal may read it.`,
      messages: channelMessages(types),
      bindings: kafkaChannelBinding(TOPIC_PARTITIONS, topicName),
    };
    for (const producer of access.producers) {
      const own = types.filter((t) => {
        const owner = EVENT_OWNERS[t];
        return owner === undefined || owner === producer;
      });
      operations[`${producer}.send.${topicName}`] = {
        action: 'send',
        channel: ref('channels', topicName),
        summary: `${producer} publishes ${own.length} event type${own.length === 1 ? '' : 's'} on ${topicName}.`,
        description: `ce_source \`${serviceSource(producer)}\`; consumers dead-letter these types from any other source.`,
        messages: opMessages(topicName, own),
        tags: [tag(producer, `the ${producer} service`)],
      };
    }
    for (const reader of access.consumers) {
      operations[`${reader}.receive.${topicName}`] = {
        action: 'receive',
        channel: ref('channels', topicName),
        summary: `${reader} reads ${topicName}; a type it has no handler for is skipped.`,
        messages: opMessages(topicName, types),
        bindings: groupBinding(reader),
        tags: [tag(reader, `the ${reader} service`)],
      };
    }

    const dlq = deadLetterTopic(topicName);
    channels[dlq] = {
      address: dlq,
      title: dlq,
      summary: `What the readers of ${topicName}${legacy ? ' and of every agency report topic' : ''} could not process.`,
      description: `Written by the readers of ${topicName} (${readersText(access.consumers)}), read by the observer principal (operators' tools). Nothing is dropped silently: a poison message, a schema failure, a refused source or a retriable failure past its retries lands here with the reason in headers.`,
      messages: { 'dead-letter': ref('components', 'messages', 'dead-letter') },
      bindings: kafkaChannelBinding(TOPIC_PARTITIONS, dlq),
    };
    for (const reader of access.consumers) {
      operations[`${reader}.send.${dlq}`] = {
        action: 'send',
        channel: ref('channels', dlq),
        summary: `${reader} dead-letters what it cannot process from ${topicName}.`,
        messages: opMessages(dlq, ['dead-letter']),
        tags: [tag(reader, `the ${reader} service`)],
      };
    }
    operations[`${OBSERVER}.receive.${dlq}`] = {
      action: 'receive',
      channel: ref('channels', dlq),
      summary: `Operators read the dead letters of ${topicName} with the observer principal.`,
      messages: opMessages(dlq, ['dead-letter']),
      bindings: groupBinding(OBSERVER),
      tags: [tag(OBSERVER, "read-only tools: dead letters, other teams' dashboards")],
    };
  }

  return {
    asyncapi: '3.0.0',
    id: 'urn:homeward:events',
    info: {
      title: 'Homeward events',
      version: ASYNCAPI_DOCUMENT_VERSION,
      description: [
        'The Kafka side of the Homeward platform: every topic, every event type and who writes and reads it.',
        '',
        'Every message is a CloudEvents 1.0 event in Kafka binary content mode: the context attributes as `ce_*` headers, `content-type: application/json`, the data as the value, the aggregate id as the key.',
        "Every client authenticates with SASL/SCRAM-SHA-512 and the broker authorises it by one ACL table: an agency system writes only its own `agency.reports.v1.<agencyId>`; each internal topic is written by the service that owns it; a read-only `observer` principal serves tools. Consumer groups start with the principal's name.",
        '',
        `Versioning: a topic's name carries its major version; within it, schemas only gain optional fields, and consumers ignore fields they do not know. Personal data a type may carry is listed on each message (\`x-personal-data\`, kinds: ${PersonalDataKinds.map((k) => `\`${k}\``).join(', ')}); a type that lists none carries none.`,
        '',
        'Generated from packages/events (the catalogue) and packages/messaging (the ACL table) by `npm run catalogue`; the same content as packages/events/CATALOGUE.md.',
      ].join('\n'),
      license: { name: 'Homeward platform contract' },
      tags: [...tags].map(([name, description]) => ({ name, description })),
    },
    defaultContentType: 'application/json',
    servers: {
      local: {
        host: '127.0.0.1:9092',
        protocol: 'kafka',
        description:
          'The development broker (`npm start`): SASL_PLAINTEXT with SCRAM-SHA-512; development secrets in infra/local/dev-kafka-secrets.json.',
        security: [ref('components', 'securitySchemes', SECURITY_SCHEME)],
      },
      production: {
        host: '{bootstrap}',
        protocol: 'kafka-secure',
        description:
          "A deployment's cluster: SASL_SSL with SCRAM-SHA-512, replication factor 3, min.insync.replicas 2. Secrets are issued per principal by the deployment.",
        variables: {
          bootstrap: { description: 'the bootstrap servers the deployment publishes, host:port' },
        },
        security: [ref('components', 'securitySchemes', SECURITY_SCHEME)],
      },
    },
    channels,
    operations,
    components: {
      messages,
      securitySchemes: {
        [SECURITY_SCHEME]: {
          type: 'scramSha512',
          description:
            'SASL/SCRAM-SHA-512, one user per principal: a service by its name, an agency system as `agency.<agencyId>`, `observer` for read-only tools.',
        },
      },
    },
  };
}
