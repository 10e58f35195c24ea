import { randomFillSync } from 'node:crypto';
import {
  type Context,
  isSpanContextValid,
  ROOT_CONTEXT,
  type SpanContext,
  TraceFlags,
  trace,
} from '@opentelemetry/api';

/**
 * W3C Trace Context (`traceparent`), carried as the CloudEvents distributed-tracing extension:
 * `ce_traceparent` on Kafka, `ce-traceparent` over HTTP. A trace starts where a report enters
 * and follows every event caused by it, so one id finds a case's path through every service.
 * With OpenTelemetry on (the service kit's `startTracing`), the parent id is the span that
 * caused the event, so a trace backend draws the whole path; off, it is a fresh id in the same
 * trace, and the trace id still joins the logs.
 */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export function newTraceparent(): string {
  return `00-${randomHex(16)}-${randomHex(8)}-01`;
}

/**
 * Random bytes for trace and span ids, drawn from a pool refilled 4 KiB at a time: one call into
 * the system's generator for about 170 traceparents instead of two for each (`randomBytes` of
 * 16 and 8 bytes cost intake 24 µs a report at its peak). The ids need to be random and unique,
 * not secret (W3C Trace Context), and the pool's bytes are the same generator's.
 */
const idPool = Buffer.alloc(4096);
let idPoolAt = idPool.length;
function randomHex(bytes: number): string {
  if (idPoolAt + bytes > idPool.length) {
    randomFillSync(idPool);
    idPoolAt = 0;
  }
  const hex = idPool.toString('hex', idPoolAt, idPoolAt + bytes);
  idPoolAt += bytes;
  return hex;
}

/** The trace id of a traceparent, or undefined if it is malformed. */
export function traceIdOf(traceparent: string | undefined): string | undefined {
  return traceparent ? TRACEPARENT.exec(traceparent)?.[1] : undefined;
}

/** A child span in the same trace: same trace id, new parent id. */
export function childTraceparent(parent: string | undefined): string {
  const traceId = traceIdOf(parent);
  if (!traceId) return newTraceparent();
  return `00-${traceId}-${randomHex(8)}-01`;
}

/** The traceparent that names a span (version 00). */
export function traceparentOf(span: SpanContext): string {
  return `00-${span.traceId}-${span.spanId}-${(span.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/**
 * The traceparent of the OpenTelemetry span active now; undefined when there is none (tracing
 * off, or work outside any span).
 */
export function activeTraceparent(): string | undefined {
  const span = trace.getActiveSpan();
  if (!span) return undefined;
  const context = span.spanContext();
  return isSpanContextValid(context) ? traceparentOf(context) : undefined;
}

/**
 * The traceparent for events a piece of work causes, given the traceparent it was caused by
 * (a request's, an event's): the active span when it belongs to that trace (or when there is
 * no parent), so the events hang under the span that made them; otherwise a child of the
 * parent, so the sender's trace goes on as it always did.
 */
export function causeTraceparent(parent: string | undefined): string {
  const active = activeTraceparent();
  if (active && (!parent || traceIdOf(parent) === traceIdOf(active))) return active;
  return childTraceparent(parent);
}

/**
 * A context whose span is the one a traceparent names (a remote parent): what a span started
 * for an event hangs under. The root context for a missing or malformed traceparent.
 */
export function contextOfTraceparent(traceparent: string | undefined): Context {
  const m = traceparent ? TRACEPARENT.exec(traceparent) : null;
  if (!m) return ROOT_CONTEXT;
  const flags = Number.parseInt(m[3]!, 16) & TraceFlags.SAMPLED;
  const span: SpanContext = { traceId: m[1]!, spanId: m[2]!, traceFlags: flags, isRemote: true };
  return isSpanContextValid(span) ? trace.setSpanContext(ROOT_CONTEXT, span) : ROOT_CONTEXT;
}
