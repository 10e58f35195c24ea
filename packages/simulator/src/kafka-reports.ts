import { type CloudEvent, encodeKafka } from '@homeward/events';
import {
  agencyPrincipal,
  agencyReportTopic,
  createKafkaClient,
  EventPublisher,
  type KafkaSecurity,
  kafkaSecurityFromEnv,
  prefixTopics,
} from '@homeward/messaging';
import type { Logger } from 'pino';
import type { ReportEvent } from './requests.ts';

/**
 * The simulator's only Kafka code: agency systems that send their reports on Kafka instead of
 * over HTTP. Each agency's reports go on its own topic (`agency.reports.v1.<agencyId>`, the
 * agency its `ce_source` names), logged in as that agency's principal, as a real agency system
 * does: the broker lets only that agency write there. Sent as they come, valid or not (a
 * malformed report must reach intake to be dead-lettered there), through the workspace's one
 * Kafka boundary, `@homeward/messaging`.
 */
export class KafkaReports {
  private readonly publishers = new Map<string, Promise<EventPublisher>>();
  private readonly topics: (logical: string) => string;
  private readonly security: KafkaSecurity;

  constructor(
    private readonly opts: {
      brokers: string[];
      topicPrefix?: string;
      logger: Logger;
      clientId?: string;
      /** The broker's security; by default the environment's (SASL unless KAFKA_SASL=off). */
      security?: KafkaSecurity;
    },
  ) {
    this.topics = prefixTopics(opts.topicPrefix ?? '');
    this.security = opts.security ?? kafkaSecurityFromEnv(process.env);
  }

  /** Nothing to connect ahead: each agency's producer connects with its first report. */
  async connect(): Promise<void> {}

  private publisher(agencyId: string): Promise<EventPublisher> {
    let p = this.publishers.get(agencyId);
    if (!p) {
      p = (async () => {
        const kafka = createKafkaClient({
          brokers: this.opts.brokers,
          clientId: this.opts.clientId ?? 'homeward-simulator',
          logger: this.opts.logger,
          login: { principal: agencyPrincipal(agencyId), security: this.security },
        });
        const publisher = new EventPublisher({ kafka, topics: this.topics, logger: this.opts.logger });
        await publisher.connect();
        return publisher;
      })();
      this.publishers.set(agencyId, p);
    }
    return p;
  }

  /** One report on its agency's topic, binary mode, no key (the catalogue keys it by nothing). */
  async send(event: ReportEvent): Promise<void> {
    const agencyId = (event as unknown as CloudEvent).source.replace(/^agency\//, '');
    const publisher = await this.publisher(agencyId);
    await publisher.sendMessages(
      new Map([
        [this.topics(agencyReportTopic(agencyId)), [encodeKafka(event as unknown as CloudEvent, null)]],
      ]),
    );
  }

  async close(): Promise<void> {
    await Promise.all([...this.publishers.values()].map(async (p) => (await p).disconnect()));
  }
}
