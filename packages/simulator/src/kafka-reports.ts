import { type CloudEvent, encodeKafka, Topics } from '@homeward/events';
import { createKafkaClient, EventPublisher, prefixTopics } from '@homeward/messaging';
import type { Logger } from 'pino';
import type { ReportEvent } from './requests.ts';

/**
 * The simulator's only Kafka code: agency systems that send their reports on the agency topic
 * instead of over HTTP. Sent as they come, valid or not (a malformed report must reach intake to
 * be dead-lettered there), through the workspace's one Kafka boundary, `@homeward/messaging`.
 */
export class KafkaReports {
  private readonly publisher: EventPublisher;
  private readonly topic: string;

  constructor(opts: { brokers: string[]; topicPrefix?: string; logger: Logger; clientId?: string }) {
    const topics = prefixTopics(opts.topicPrefix ?? '');
    const kafka = createKafkaClient({
      brokers: opts.brokers,
      clientId: opts.clientId ?? 'homeward-simulator',
      logger: opts.logger,
    });
    this.publisher = new EventPublisher({ kafka, topics, logger: opts.logger });
    this.topic = topics(Topics.agencyReports);
  }

  async connect(): Promise<void> {
    await this.publisher.connect();
  }

  /** One report on `agency.reports.v1`, binary mode, no key (the catalogue keys it by nothing). */
  async send(event: ReportEvent): Promise<void> {
    await this.publisher.sendMessages(
      new Map([[this.topic, [encodeKafka(event as unknown as CloudEvent, null)]]]),
    );
  }

  async close(): Promise<void> {
    await this.publisher.disconnect();
  }
}
