import { randomBytes } from 'node:crypto';

/**
 * W3C Trace Context (`traceparent`), carried as the CloudEvents distributed-tracing extension:
 * `ce_traceparent` on Kafka, `ce-traceparent` over HTTP. A trace starts where a report enters
 * and follows every event caused by it, so one id finds a case's path through every service.
 */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export function newTraceparent(): string {
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
}

/** The trace id of a traceparent, or undefined if it is malformed. */
export function traceIdOf(traceparent: string | undefined): string | undefined {
  return traceparent ? TRACEPARENT.exec(traceparent)?.[1] : undefined;
}

/** A child span in the same trace: same trace id, new parent id. */
export function childTraceparent(parent: string | undefined): string {
  const traceId = traceIdOf(parent);
  if (!traceId) return newTraceparent();
  return `00-${traceId}-${randomBytes(8).toString('hex')}-01`;
}
