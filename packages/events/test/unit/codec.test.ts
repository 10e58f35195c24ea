import { HTTP, CloudEvent as SdkEvent, Kafka as SdkKafka } from 'cloudevents';
import { describe, expect, it } from 'vitest';
import {
  createEvent,
  decodeHttp,
  decodeKafka,
  EventDecodeError,
  encodeHttpBinary,
  encodeHttpStructured,
  encodeKafka,
  kafkaAttribute,
} from '../../src/index.ts';

const event = createEvent(
  'homeward.case.closed',
  { caseId: 'c-1', closedAt: '2026-11-28T10:00:00Z', reason: 'found' },
  {
    source: 'test/codec',
    subject: 'c-1',
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  },
);

describe('Kafka binary mode', () => {
  it('round-trips context attributes, extensions and data', () => {
    const rec = encodeKafka(event, 'c-1');
    expect(rec.headers).toMatchObject({
      ce_specversion: '1.0',
      ce_id: event.id,
      ce_type: 'homeward.case.closed',
      ce_subject: 'c-1',
      ce_traceparent: event.traceparent,
      'content-type': 'application/json',
    });
    expect(decodeKafka({ value: rec.value, headers: rec.headers })).toEqual(event);
  });

  it('reads one attribute from the headers as the decoder does: any case, the last one winning, bytes or arrays', () => {
    const headers = {
      ce_specversion: '1.0',
      ce_id: 'a-1',
      ce_source: 'test/codec',
      ce_type: 'homeward.case.opened',
      CE_TYPE: Buffer.from('homeward.case.closed'),
      ce_subject: [Buffer.from('first'), Buffer.from('second')],
    };
    const decoded = decodeKafka({ value: Buffer.from('{}'), headers });
    expect(kafkaAttribute(headers, 'type')).toBe('homeward.case.closed');
    expect(kafkaAttribute(headers, 'type')).toBe(decoded.type);
    expect(kafkaAttribute(headers, 'subject')).toBe(decoded.subject);
    expect(kafkaAttribute(headers, 'subject')).toBe('first');
    expect(kafkaAttribute(headers, 'dataschema')).toBeUndefined();
    expect(kafkaAttribute(undefined, 'type')).toBeUndefined();
  });

  it('reads what the official SDK writes', () => {
    const sdk = new SdkEvent({
      id: 'sdk-1',
      source: 'agency/x',
      type: 'homeward.case.closed',
      datacontenttype: 'application/json',
      data: { caseId: 'c' },
    });
    const msg = SdkKafka.binary(sdk);
    // The SDK leaves the value as the data object; a Kafka client serializes it as JSON.
    const value = typeof msg.value === 'string' ? msg.value : JSON.stringify(msg.value);
    const decoded = decodeKafka({
      value: Buffer.from(value),
      headers: msg.headers as Record<string, string>,
    });
    expect(decoded).toMatchObject({ id: 'sdk-1', source: 'agency/x', data: { caseId: 'c' } });
  });

  it('refuses a message without the required headers, naming them', () => {
    const err = (() => {
      try {
        decodeKafka({ value: Buffer.from('{}'), headers: { ce_specversion: '1.0' } });
      } catch (e) {
        return e as EventDecodeError;
      }
    })();
    expect(err).toBeInstanceOf(EventDecodeError);
    expect(err?.errors.map((e) => e.field)).toEqual(['/id', '/source', '/type']);
  });
});

describe('HTTP modes', () => {
  it('decodes binary, structured and batch as the official SDK sends them', () => {
    const sdk = new SdkEvent({
      id: 'sdk-2',
      source: 'agency/x',
      type: 'homeward.case.closed',
      data: { caseId: 'c' },
    });
    const bin = HTTP.binary(sdk);
    expect(decodeHttp(bin.headers as Record<string, string>, bin.body as string)).toMatchObject({
      mode: 'binary',
      events: [{ id: 'sdk-2', data: { caseId: 'c' } }],
    });
    const st = HTTP.structured(sdk);
    expect(decodeHttp(st.headers as Record<string, string>, st.body as string)).toMatchObject({
      mode: 'structured',
      events: [{ id: 'sdk-2', data: { caseId: 'c' } }],
    });
  });

  it('round-trips our own encoders', () => {
    const b = encodeHttpBinary(event);
    expect(decodeHttp(b.headers, b.body).events[0]).toEqual({ ...event });
    const s = encodeHttpStructured(event);
    expect(decodeHttp(s.headers, s.body).events[0]).toEqual(event);
    expect(
      decodeHttp({ 'content-type': 'application/cloudevents-batch+json' }, JSON.stringify([event, event]))
        .events,
    ).toHaveLength(2);
  });

  it('says 415 for an unknown content type and 400 for JSON that is not an event', () => {
    expect(() => decodeHttp({ 'content-type': 'text/xml' }, '<x/>')).toThrow(
      expect.objectContaining({ kind: 'unsupported-media-type' }),
    );
    expect(() => decodeHttp({ 'content-type': 'application/json' }, '{}')).toThrow(
      expect.objectContaining({ kind: 'malformed' }),
    );
    expect(() => decodeHttp({ 'content-type': 'application/cloudevents+json' }, '{nope')).toThrow(
      expect.objectContaining({ kind: 'malformed', message: 'the body is not valid JSON' }),
    );
    expect(() => decodeHttp({ 'content-type': 'application/cloudevents-batch+json' }, '{}')).toThrow(
      expect.objectContaining({ message: 'a batch-mode body must be a JSON array' }),
    );
  });
});
