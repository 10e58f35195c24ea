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
  deadLetterMessage,
  type Json,
  KAFKA_BINDING_VERSION,
  keyFieldOf,
  message,
  messageId,
  ref,
} from './asyncapi-messages.ts';
import {
  AGENCY_ID_PATTERN,
  AGENCY_REPORTS_ACCESS,
  AGENCY_TOPIC_PARTITIONS,
  agencyPrincipal,
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
// This file is the document's channels, operations and frame; its messages are asyncapi-messages.ts.

export { keyFieldOf };

/** The AsyncAPI document's `info.version`: the major version the topics carry (`.v1`). */
export const ASYNCAPI_DOCUMENT_VERSION = '1.0.0';

const SECURITY_SCHEME = 'scramSha512';
/** The channel id of the per-agency report topics (one channel, its address a parameter). */
const AGENCY_CHANNEL = 'agency.reports.v1.{agencyId}';

function typesOn(topic: TopicName): EventType[] {
  return EventTypes.filter((t) => EventCatalogue[t].topic === topic);
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
