import { type CloudEvent, CONTEXT_ATTRIBUTES, extensionsOf } from './envelope.ts';
import { type FieldError, validateEnvelope } from './validation.ts';

/** Why an event could not be decoded; `kind` chooses the HTTP status (400 or 415). */
export class EventDecodeError extends Error {
  constructor(
    readonly kind: 'malformed' | 'unsupported-media-type',
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
    this.name = 'EventDecodeError';
  }
}

export const MEDIA = {
  json: 'application/json',
  structured: 'application/cloudevents+json',
  batch: 'application/cloudevents-batch+json',
} as const;

/** `application/json; charset=utf-8` → `application/json`. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

function isJsonMedia(media: string): boolean {
  return media === MEDIA.json || media.endsWith('+json');
}

function parseJson(body: Buffer | string, what: string): unknown {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    // The parser's message quotes the input, which may hold personal data: say only that it failed.
    throw new EventDecodeError('malformed', `${what} is not valid JSON`, [
      { field: '/', message: 'is not valid JSON' },
    ]);
  }
}

// ---------------------------------------------------------------------------------------------
// Kafka, binary content mode: context attributes as `ce_` headers, data as the value.
// ---------------------------------------------------------------------------------------------

export interface KafkaRecord {
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
}

/** Encodes an event for Kafka in binary mode (the contract's only Kafka mode). */
export function encodeKafka(event: CloudEvent, key: string | null): KafkaRecord {
  const headers: Record<string, string> = {
    ce_specversion: event.specversion,
    ce_id: event.id,
    ce_source: event.source,
    ce_type: event.type,
    'content-type': event.datacontenttype ?? MEDIA.json,
  };
  if (event.time) headers.ce_time = event.time;
  if (event.subject) headers.ce_subject = event.subject;
  if (event.dataschema) headers.ce_dataschema = event.dataschema;
  for (const [k, v] of Object.entries(extensionsOf(event))) headers[`ce_${k}`] = v;
  return { key, value: Buffer.from(JSON.stringify(event.data ?? null)), headers };
}

type HeaderValue = Buffer | string | (Buffer | string)[] | undefined;

function headerString(v: HeaderValue): string | undefined {
  if (v === undefined) return undefined;
  const one = Array.isArray(v) ? v[0] : v;
  return one === undefined ? undefined : one.toString();
}

/**
 * One context attribute of a Kafka message as {@link decodeKafka} would read it (its `ce_<name>`
 * header, in any case, the last of them winning), without decoding the rest: for a consumer that
 * decides from the type alone that it does not want a message, before paying for its decoding.
 */
export function kafkaAttribute(
  headers: Record<string, HeaderValue> | undefined,
  name: string,
): string | undefined {
  if (!headers) return undefined;
  const wanted = `ce_${name}`;
  let found: HeaderValue;
  for (const [header, raw] of Object.entries(headers)) {
    if (header.length === wanted.length && header.toLowerCase() === wanted) found = raw;
  }
  return headerString(found);
}

/** Decodes a Kafka message in binary mode; throws {@link EventDecodeError} with the reason. */
export function decodeKafka(message: {
  value: Buffer | null;
  headers?: Record<string, HeaderValue>;
}): CloudEvent {
  const headers = message.headers ?? {};
  const event: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower.startsWith('ce_')) event[lower.slice(3)] = headerString(raw);
  }
  const contentType = headerString(headers['content-type']) ?? MEDIA.json;
  event.datacontenttype = contentType;
  const errors = validateEnvelope(event);
  if (errors.length > 0) throw new EventDecodeError('malformed', 'invalid CloudEvent headers', errors);
  if (!isJsonMedia(mediaType(contentType))) {
    throw new EventDecodeError(
      'unsupported-media-type',
      `content-type ${contentType} is not supported; use application/json`,
    );
  }
  if (message.value === null || message.value.length === 0) {
    throw new EventDecodeError('malformed', 'the message has no value (data)', [
      { field: '/data', message: 'is required' },
    ]);
  }
  event.data = parseJson(message.value, 'the message value');
  return event as CloudEvent;
}

// ---------------------------------------------------------------------------------------------
// HTTP: binary (ce- headers), structured (application/cloudevents+json), batch.
// ---------------------------------------------------------------------------------------------

export type HttpMode = 'binary' | 'structured' | 'batch';

export interface DecodedHttp {
  mode: HttpMode;
  events: CloudEvent[];
}

/** The most events one batch request may carry. */
export const MAX_BATCH = 500;

/**
 * Decodes an HTTP request into events. The mode follows the content type, as the HTTP
 * protocol binding says: the two CloudEvents media types are structured and batch; anything
 * else with a `ce-specversion` header is binary. Envelope errors of a single event throw;
 * in a batch, each event is checked by the caller so one bad event does not sink the rest.
 */
export function decodeHttp(
  headers: Record<string, string | string[] | undefined>,
  body: Buffer | string | undefined,
): DecodedHttp {
  const contentType = headerString(headers['content-type']);
  const media = mediaType(contentType);
  const raw = body ?? '';
  if (media === MEDIA.structured) {
    const parsed = parseJson(raw, 'the body');
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new EventDecodeError('malformed', 'a structured-mode body must be one JSON object', [
        { field: '/', message: 'must be an object' },
      ]);
    }
    return { mode: 'structured', events: [fromStructured(parsed as Record<string, unknown>)] };
  }
  if (media === MEDIA.batch) {
    const parsed = parseJson(raw, 'the body');
    if (!Array.isArray(parsed)) {
      throw new EventDecodeError('malformed', 'a batch-mode body must be a JSON array', [
        { field: '/', message: 'must be an array' },
      ]);
    }
    if (parsed.length === 0)
      throw new EventDecodeError('malformed', 'the batch is empty', [
        { field: '/', message: 'must not be empty' },
      ]);
    if (parsed.length > MAX_BATCH) {
      throw new EventDecodeError('malformed', `a batch carries at most ${MAX_BATCH} events`, [
        { field: '/', message: `must have at most ${MAX_BATCH} items` },
      ]);
    }
    return {
      mode: 'batch',
      events: parsed.map((e) =>
        typeof e === 'object' && e !== null
          ? fromStructured(e as Record<string, unknown>, false)
          : (e as CloudEvent),
      ),
    };
  }
  if (headerString(headers['ce-specversion']) !== undefined) {
    if (!isJsonMedia(media)) {
      throw new EventDecodeError(
        'unsupported-media-type',
        `content-type ${contentType ?? '(none)'} is not supported for event data; use application/json`,
      );
    }
    const event: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(headers)) {
      const lower = name.toLowerCase();
      if (lower.startsWith('ce-')) event[lower.slice(3)] = headerString(value);
    }
    event.datacontenttype = contentType;
    const errors = validateEnvelope(event);
    if (errors.length > 0)
      throw new EventDecodeError('malformed', 'invalid CloudEvent headers', errors.map(headerField));
    event.data = parseJson(raw, 'the body');
    return { mode: 'binary', events: [event as CloudEvent] };
  }
  if (isJsonMedia(media)) {
    throw new EventDecodeError(
      'malformed',
      'a JSON body without ce- headers is not a CloudEvent: send binary mode (ce-* headers), or structured mode with content-type application/cloudevents+json',
      [{ field: 'ce-specversion', message: 'is required in binary mode' }],
    );
  }
  throw new EventDecodeError(
    'unsupported-media-type',
    `content-type ${contentType ?? '(none)'} is not supported: use application/cloudevents+json, application/cloudevents-batch+json, or application/json with ce- headers`,
  );
}

function headerField(e: FieldError): FieldError {
  return { field: `ce-${e.field.slice(1)}`, message: e.message };
}

function fromStructured(obj: Record<string, unknown>, check = true): CloudEvent {
  const event = { ...obj };
  if (event.data === undefined && typeof event.data_base64 === 'string') {
    // Binary data in structured mode: only JSON data is meaningful to Homeward.
    const media = mediaType(event.datacontenttype as string | undefined);
    if (!isJsonMedia(media))
      throw new EventDecodeError('unsupported-media-type', 'data_base64 must carry JSON data');
    event.data = parseJson(Buffer.from(event.data_base64, 'base64'), 'data_base64');
    delete event.data_base64;
  }
  if (check) {
    const errors = validateEnvelope(event);
    if (errors.length > 0) throw new EventDecodeError('malformed', 'invalid CloudEvent', errors);
  }
  return event as CloudEvent;
}

/** Encodes an event in structured mode (webhooks to units use this). */
export function encodeHttpStructured(event: CloudEvent): { headers: Record<string, string>; body: string } {
  return { headers: { 'content-type': `${MEDIA.structured}; charset=utf-8` }, body: JSON.stringify(event) };
}

/** Encodes an event in HTTP binary mode. */
export function encodeHttpBinary(event: CloudEvent): { headers: Record<string, string>; body: string } {
  const headers: Record<string, string> = { 'content-type': event.datacontenttype ?? MEDIA.json };
  for (const attr of CONTEXT_ATTRIBUTES) {
    const v = event[attr];
    if (v !== undefined && attr !== 'datacontenttype') headers[`ce-${attr}`] = String(v);
  }
  for (const [k, v] of Object.entries(extensionsOf(event))) headers[`ce-${k}`] = v;
  return { headers, body: JSON.stringify(event.data ?? null) };
}

/** Encodes events in batch mode. */
export function encodeHttpBatch(events: CloudEvent[]): { headers: Record<string, string>; body: string } {
  return { headers: { 'content-type': `${MEDIA.batch}; charset=utf-8` }, body: JSON.stringify(events) };
}
