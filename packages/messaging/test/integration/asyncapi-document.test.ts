import { readFileSync } from 'node:fs';
import { type AsyncAPIDocumentInterface, type Diagnostic, Parser } from '@asyncapi/parser';
import { allTopics, deadLetterTopic, EventCatalogue, EventTypes } from '@homeward/events';
import { beforeAll, describe, expect, it } from 'vitest';
import { keyFieldOf } from '../../src/asyncapi.ts';
import { EVENT_OWNERS, KAFKA_ACCESS } from '../../src/kafka-access.ts';

/** The parser marks schemas with `x-parser-*` keys; what we compare is what we wrote. */
function withoutParserKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutParserKeys);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !k.startsWith('x-parser-'))
        .map(([k, v]) => [k, withoutParserKeys(v)]),
    );
  return value;
}

const committed = () => readFileSync(new URL('../../asyncapi.json', import.meta.url), 'utf8');

// The committed document read by @asyncapi/parser, as a consumer's tooling would read it. Here,
// not in the unit loop: the parser runs the AsyncAPI ruleset (Spectral) over the whole document,
// the loop's slowest file by far, and it checks the published artifact, not a unit of code.
// That the document is what the code renders is the unit test test/unit/asyncapi.test.ts.
describe('asyncapi.json', () => {
  let document: AsyncAPIDocumentInterface | undefined;
  let diagnostics: Diagnostic[] = [];
  // The parser runs the AsyncAPI ruleset (Spectral) over a 400 kB document: seconds on a quiet
  // machine, half a minute when the two cores are shared.
  beforeAll(async () => {
    ({ document, diagnostics } = await new Parser().parse(committed()));
  }, 180_000);

  it('is a valid AsyncAPI 3.0 document by @asyncapi/parser, with no error or warning but the 3.1 hint', () => {
    const found = diagnostics
      .filter((d) => d.code !== 'asyncapi-latest-version')
      .map((d) => `${d.severity} ${d.code} ${d.path.join('/')}: ${d.message}`);
    expect(found).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
  });

  it('has a channel per topic and dead-letter topic, and the per-agency report topics', () => {
    const addresses = document!
      .channels()
      .all()
      .map((c) => c.address());
    for (const t of allTopics) expect(addresses).toEqual(expect.arrayContaining([t, deadLetterTopic(t)]));
    expect(addresses).toContain('agency.reports.v1.{agencyId}');
    const agency = document!.channels().get('agency.reports.v1.{agencyId}')!;
    expect(agency.parameters().get('agencyId')).toBeDefined();
  });

  it('puts every event type on its topic with its schema, CloudEvents headers and key', () => {
    for (const type of EventTypes) {
      const def = EventCatalogue[type];
      const channel = document!
        .channels()
        .all()
        .find((c) => c.address() === def.topic)!;
      const msg = channel.messages().get(type);
      expect(msg, type).toBeDefined();
      expect(withoutParserKeys(msg!.payload()!.json())).toEqual(JSON.parse(JSON.stringify(def.data)));
      const headers = msg!.headers()!.json() as { properties: Record<string, { const?: string }> };
      expect(headers.properties.ce_type?.const).toBe(type);
      expect(Object.keys(headers.properties)).toEqual(
        expect.arrayContaining([
          'ce_specversion',
          'ce_id',
          'ce_source',
          'ce_time',
          'ce_traceparent',
          'content-type',
        ]),
      );
      const key = (msg!.bindings().get('kafka')!.value() as { key: { description: string } }).key;
      const field = keyFieldOf(type);
      if (field) expect(key.description).toContain(`\`${field}\``);
    }
  });

  it('names the writers of each type as the ACL table does, and a receive operation per reader', () => {
    for (const [topic, access] of Object.entries(KAFKA_ACCESS)) {
      for (const producer of access.producers) {
        const op = document!.operations().get(`${producer}.send.${topic}`)!;
        expect(op.action()).toBe('send');
        const sent = op
          .messages()
          .all()
          .map((m) => m.name());
        for (const name of sent) {
          const owner = EVENT_OWNERS[name!];
          if (owner) expect(owner).toBe(producer);
        }
      }
      for (const reader of access.consumers)
        expect(document!.operations().get(`${reader}.receive.${topic}`)?.action()).toBe('receive');
    }
    expect(document!.operations().get('agency.send.reports')?.channels().all()[0]?.address()).toBe(
      'agency.reports.v1.{agencyId}',
    );
  });

  it('declares SASL/SCRAM-SHA-512 on every server', () => {
    for (const server of document!.servers().all()) {
      const schemes = server.security().flatMap((req) => req.all().map((r) => r.scheme().type()));
      expect(schemes).toEqual(['scramSha512']);
    }
  });
});
