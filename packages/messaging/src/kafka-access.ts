import { deadLetterTopic, EventCatalogue, type EventType, type TopicName, Topics } from '@homeward/events';
import type { TopicPattern } from './consumer-options.ts';

// Who may do what on the broker: one declarative table, applied by the launcher (and by the
// test harness for each test's topic prefix), printed as kafka-acls commands for production,
// and enumerated by the principal × topic × operation test. Nothing else grants access.

/** The principal of each service (its SCRAM user, `User:<name>` in ACLs). */
export const ServicePrincipals = [
  'intake',
  'rescue-coordination',
  'notifications',
  'dna-tracking',
  'placement',
  'dashboard',
  'coordination',
] as const;
export type ServicePrincipal = (typeof ServicePrincipals)[number];

/** Read-only tools: kcat, other teams' dashboards, tests' collectors, operators reading dead letters. */
export const OBSERVER = 'observer';
/** The launcher's and operators' administration (topics, ACLs): a super user of the cluster. */
export const ADMIN = 'admin';
/** The broker's own principal for inter-broker traffic on the client listener: a super user. */
export const BROKER = 'broker';

/** An agency system's principal. */
export function agencyPrincipal(agencyId: string): string {
  return `agency.${agencyId}`;
}

/** Agency ids are topic-name and principal safe; `dlq` is not one (it names the dead letters). */
export const AGENCY_ID_PATTERN = /^(?!dlq$)[a-z0-9][a-z0-9-]{0,80}$/;

/**
 * The topic one agency system writes its reports to: the broker lets only that agency's
 * principal write it, so the topic name is the proof of who sent a report.
 */
export function agencyReportTopic(agencyId: string): string {
  if (!AGENCY_ID_PATTERN.test(agencyId)) throw new Error(`"${agencyId}" cannot be an agency id on Kafka`);
  return `${Topics.agencyReports}.${agencyId}`;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Matches the physical per-agency report topics under a prefix; group 1 is the agency id. */
export function agencyReportTopicPattern(prefix = ''): RegExp {
  return new RegExp(
    `^${escapeRegExp(`${prefix}${Topics.agencyReports}.`)}((?!dlq$)[a-z0-9][a-z0-9-]{0,80})$`,
  );
}

/** The agency a per-agency report topic (logical name) proves, or undefined for any other topic. */
export function agencyOfReportTopic(logicalTopic: string): string | undefined {
  // Asked for every message a source-checked consumer screens: the pattern is made once.
  logicalReportTopic ??= agencyReportTopicPattern();
  return logicalReportTopic.exec(logicalTopic)?.[1];
}

let logicalReportTopic: RegExp | undefined;

/** Partitions of a per-agency report topic: one agency's reports are a trickle. */
export const AGENCY_TOPIC_PARTITIONS = 2;

export interface TopicAccess {
  /** May write the topic. */
  producers: readonly string[];
  /** May read the topic (each in groups of its own prefix) and write its dead-letter topic. */
  consumers: readonly string[];
}

/**
 * The table. Each internal topic is written only by the service that owns it; readers are the
 * consumers DESIGN.md names. Every consumer may write the topic's dead letters; the observer
 * (operators' tools) reads them, and a service only where {@link DEAD_LETTER_READERS} says. `agency.reports.v1` itself has no writer any more:
 * agencies write their own topic ({@link AGENCY_REPORTS_ACCESS}); what still lands on the
 * old topic (from an administrator) proves no agency and is dead-lettered by intake.
 */
export const KAFKA_ACCESS: Readonly<Record<TopicName, TopicAccess>> = {
  [Topics.agencyReports]: { producers: [], consumers: ['intake', 'dashboard'] },
  [Topics.caseEvents]: {
    producers: ['intake', 'rescue-coordination'],
    consumers: ['intake', 'rescue-coordination', 'placement', 'dna-tracking', 'dashboard', 'coordination'],
  },
  [Topics.alertEvents]: {
    producers: ['rescue-coordination'],
    consumers: ['notifications', 'dashboard', 'coordination'],
  },
  [Topics.notificationEvents]: {
    producers: ['notifications'],
    consumers: ['rescue-coordination', 'dashboard'],
  },
  [Topics.dnaEvents]: {
    producers: ['dna-tracking'],
    consumers: ['dna-tracking', 'rescue-coordination', 'placement', 'dashboard', 'coordination'],
  },
  [Topics.placementEvents]: { producers: ['placement'], consumers: ['dashboard', 'coordination'] },
  [Topics.coordinationEvents]: { producers: ['coordination'], consumers: ['dashboard'] },
};

/**
 * Dead-letter topics read by a service besides the observer: the dashboard reads what intake
 * refused of the agencies' reports, to show those reports as refused (never as received).
 */
export const DEAD_LETTER_READERS: Readonly<Partial<Record<TopicName, readonly string[]>>> = {
  [Topics.agencyReports]: ['dashboard'],
};

/** Readers of every per-agency report topic; its one writer is the agency. */
export const AGENCY_REPORTS_ACCESS: Pick<TopicAccess, 'consumers'> = { consumers: ['intake', 'dashboard'] };

/**
 * Event types of a topic with several writers, by the service that alone emits them; a type
 * not listed here may come from any writer of its topic.
 */
export const EVENT_OWNERS: Readonly<Record<string, ServicePrincipal>> = {
  'homeward.case.opened': 'intake',
  'homeward.case.lead-added': 'intake',
  'homeward.case.team-assigned': 'rescue-coordination',
  'homeward.case.child-located': 'rescue-coordination',
  'homeward.case.child-rescued': 'rescue-coordination',
  'homeward.case.victims-added': 'rescue-coordination',
  'homeward.case.victims-located': 'rescue-coordination',
  'homeward.case.victims-rescued': 'rescue-coordination',
  'homeward.case.household-recorded': 'rescue-coordination',
  'homeward.case.team-overdue': 'rescue-coordination',
  'homeward.case.closed': 'rescue-coordination',
};

/** The `ce_source` a service's events carry. */
export function serviceSource(service: string): string {
  return `homeward/${service}`;
}

/**
 * The `ce_source` values an event of `type` may carry on `logicalTopic`, or undefined when the
 * table says nothing of the topic (it is not checked). On a per-agency report topic: the agency
 * the topic proves; on the old report topic: none (nothing there is proven).
 */
export function allowedSources(logicalTopic: string, type: string): readonly string[] | undefined {
  const agency = agencyOfReportTopic(logicalTopic);
  if (agency !== undefined) return [`agency/${agency}`];
  const access = (KAFKA_ACCESS as Record<string, TopicAccess>)[logicalTopic];
  if (!access) return undefined;
  const owner = EVENT_OWNERS[type];
  if (owner && access.producers.includes(owner)) return [serviceSource(owner)];
  return access.producers.map(serviceSource);
}

export type AclOperation = 'READ' | 'WRITE' | 'DESCRIBE' | 'ALL';

/** One ALLOW binding of the table (the authorizer denies everything no binding allows). */
export interface AclBinding {
  resourceType: 'TOPIC' | 'GROUP';
  resourceName: string;
  patternType: 'LITERAL' | 'PREFIXED';
  /** The bare principal name; ACLs say `User:<principal>`. */
  principal: string;
  operation: AclOperation;
}

export interface AclTableOptions {
  /** Topic and group prefix of a deployment (tests and tenants); '' in production. */
  prefix?: string;
  /** The agency systems that may connect (their principals and report topics). */
  agencies: readonly string[];
}

/** Every consumer group of a principal starts with the prefix and its name. */
export function groupPrefix(principal: string, prefix = ''): string {
  return `${prefix}${principal}`;
}

/** The physical topics the table covers under a prefix (contract topics, dead letters, agencies' topics). */
export function tableTopics(opts: AclTableOptions): string[] {
  const p = opts.prefix ?? '';
  return [
    ...Object.keys(KAFKA_ACCESS).flatMap((t) => [`${p}${t}`, `${p}${deadLetterTopic(t)}`]),
    ...opts.agencies.map((a) => `${p}${agencyReportTopic(a)}`),
  ];
}

/**
 * The table as ACL bindings for one prefix. The admin and broker principals are super users
 * (broker configuration), so they need no binding.
 */
export function aclBindings(opts: AclTableOptions): AclBinding[] {
  const p = opts.prefix ?? '';
  const out: AclBinding[] = [];
  const topic = (name: string, principal: string, operation: AclOperation) =>
    out.push({ resourceType: 'TOPIC', resourceName: name, patternType: 'LITERAL', principal, operation });
  const consumers = new Set<string>([OBSERVER]);
  const grantTopic = (physical: string, access: TopicAccess) => {
    for (const w of access.producers) topic(physical, w, 'WRITE');
    for (const r of access.consumers) {
      topic(physical, r, 'READ');
      consumers.add(r);
    }
    topic(physical, OBSERVER, 'READ');
  };
  for (const [logical, access] of Object.entries(KAFKA_ACCESS)) {
    grantTopic(`${p}${logical}`, access);
    const dlq = `${p}${deadLetterTopic(logical)}`;
    for (const r of access.consumers) topic(dlq, r, 'WRITE');
    for (const r of DEAD_LETTER_READERS[logical as TopicName] ?? []) {
      topic(dlq, r, 'READ');
      consumers.add(r);
    }
    topic(dlq, OBSERVER, 'READ');
  }
  for (const agency of opts.agencies) {
    const principal = agencyPrincipal(agency);
    grantTopic(`${p}${agencyReportTopic(agency)}`, {
      producers: [principal],
      consumers: AGENCY_REPORTS_ACCESS.consumers,
    });
  }
  for (const c of consumers)
    out.push({
      resourceType: 'GROUP',
      resourceName: groupPrefix(c, p),
      patternType: 'PREFIXED',
      principal: c,
      operation: 'READ',
    });
  return out;
}

/** Every principal the table knows, for the launcher's users and the secrets file. */
export function tablePrincipals(agencies: readonly string[]): string[] {
  return [BROKER, ADMIN, OBSERVER, ...ServicePrincipals, ...agencies.map(agencyPrincipal)];
}

/** The agencies a secrets file (or any principal list) names, from their `agency.<id>` principals. */
export function agenciesOf(principals: Iterable<string>): string[] {
  const out: string[] = [];
  for (const p of principals) if (p.startsWith('agency.')) out.push(p.slice('agency.'.length));
  return out.filter((a) => AGENCY_ID_PATTERN.test(a)).sort();
}

/**
 * The table as `kafka-acls.sh` commands, for a production cluster whose operators apply ACLs
 * with Kafka's own tools (`--command-config` holds the admin's SASL_SSL login).
 */
export function kafkaAclCommands(
  bindings: readonly AclBinding[],
  opts: { bootstrap: string; commandConfig: string },
): string[] {
  return bindings.map((b) => {
    const resource =
      b.resourceType === 'TOPIC' ? `--topic '${b.resourceName}'` : `--group '${b.resourceName}'`;
    const pattern = `--resource-pattern-type ${b.patternType.toLowerCase()}`;
    return (
      `kafka-acls.sh --bootstrap-server ${opts.bootstrap} --command-config ${opts.commandConfig} ` +
      `--add --allow-principal 'User:${b.principal}' --operation ${b.operation === 'ALL' ? 'All' : b.operation[0] + b.operation.slice(1).toLowerCase()} ${resource} ${pattern}`
    );
  });
}

/**
 * The per-agency report topics under a prefix as a consumer's pattern subscription; their dead
 * letters all go to `agency.reports.v1.dlq`.
 */
export function agencyReportsSubscription(prefix = ''): TopicPattern {
  const regex = agencyReportTopicPattern(prefix);
  return {
    regex,
    logical: (physical) => agencyReportTopic(regex.exec(physical)![1]!),
    deadLetterOf: Topics.agencyReports,
  };
}

/** The `ce_source` of the service that owns an event type (what its consumers accept). */
export function ownerSource(type: EventType): string {
  const topic = EventCatalogue[type].topic;
  const sources = allowedSources(topic, type);
  if (!sources?.[0]) throw new Error(`no owner of ${type} in the ACL table`);
  return sources[0];
}
