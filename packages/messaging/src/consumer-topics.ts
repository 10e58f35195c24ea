import type { ConsumerRunnerOptions } from './consumer-options.ts';

/**
 * The names of the topics a consumer runner reads: the physical names it subscribes to, the
 * logical name of each (for spans, sources and metrics), and where each one's dead letters go.
 */
export class ConsumerTopics {
  private readonly physicalToLogical = new Map<string, string>();

  constructor(
    private readonly opts: Pick<ConsumerRunnerOptions, 'topics' | 'topicResolver' | 'topicPattern'>,
  ) {
    for (const t of opts.topics) this.physicalToLogical.set(opts.topicResolver(t), t);
  }

  /** What the consumer subscribes to: its topics' physical names, and the pattern if any. */
  subscriptions(): Array<string | RegExp> {
    return [
      ...this.physicalToLogical.keys(),
      ...(this.opts.topicPattern ? [this.opts.topicPattern.regex] : []),
    ];
  }

  /** The logical name of a physical topic this runner reads. */
  logicalOf(topic: string): string {
    const named = this.physicalToLogical.get(topic);
    if (named !== undefined) return named;
    const pattern = this.opts.topicPattern;
    return pattern?.regex.test(topic) ? pattern.logical(topic) : topic;
  }

  /** The logical topic whose `.dlq` twin receives this topic's dead letters. */
  deadLetterOf(topic: string): string {
    if (this.physicalToLogical.has(topic)) return this.physicalToLogical.get(topic)!;
    const pattern = this.opts.topicPattern;
    return pattern?.regex.test(topic) ? pattern.deadLetterOf : topic;
  }
}
