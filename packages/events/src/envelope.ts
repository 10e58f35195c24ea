import { randomUUID } from 'node:crypto';
import type { EventData, EventType } from './catalogue.ts';

/**
 * A CloudEvents 1.0 event. Extension attributes (lower-case alphanumeric names, string values)
 * ride beside the context attributes; Homeward uses `traceparent` (W3C Trace Context, the
 * CloudEvents distributed-tracing extension) to carry a trace id across services.
 */
export interface CloudEvent<T = unknown> {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  time?: string;
  subject?: string;
  datacontenttype?: string;
  dataschema?: string;
  traceparent?: string;
  data?: T;
  [extension: string]: unknown;
}

/** A CloudEvent of one catalogue type, with its data typed from the schema. */
export type HomewardEvent<T extends EventType = EventType> = CloudEvent<EventData<T>> & {
  type: T;
  data: EventData<T>;
};

export const CONTEXT_ATTRIBUTES = [
  'specversion',
  'id',
  'source',
  'type',
  'time',
  'subject',
  'datacontenttype',
  'dataschema',
] as const;

/** Extension attribute names as the spec allows them: lower-case letters and digits, at most 20. */
export const EXTENSION_NAME = /^[a-z0-9]{1,20}$/;

export interface NewEventOptions {
  source: string;
  subject?: string;
  id?: string;
  time?: Date | string;
  traceparent?: string;
}

/** Makes a catalogue event with a fresh id and the current time unless given. */
export function createEvent<T extends EventType>(
  type: T,
  data: EventData<T>,
  opts: NewEventOptions,
): HomewardEvent<T> {
  const time = opts.time instanceof Date ? opts.time.toISOString() : (opts.time ?? new Date().toISOString());
  const event: HomewardEvent<T> = {
    specversion: '1.0',
    id: opts.id ?? randomUUID(),
    source: opts.source,
    type,
    time,
    datacontenttype: 'application/json',
    data,
  } as HomewardEvent<T>;
  if (opts.subject !== undefined) event.subject = opts.subject;
  if (opts.traceparent !== undefined) event.traceparent = opts.traceparent;
  return event;
}

/** Extension attributes of an event (everything that is not a context attribute or data). */
export function extensionsOf(event: CloudEvent): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(event)) {
    if (k === 'data' || (CONTEXT_ATTRIBUTES as readonly string[]).includes(k)) continue;
    if (v !== undefined) out[k] = String(v);
  }
  return out;
}
