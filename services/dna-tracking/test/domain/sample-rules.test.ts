import { describe, expect, it } from 'vitest';
import { type CustodyRecord, verifyChain } from '../../src/domain/custody.ts';
import { canonicalJson, fingerprint, matchIdFor, sampleIdFor } from '../../src/domain/ids.ts';
import {
  custodyContent,
  custodyStepErrors,
  firstRecord,
  type NewCustodyStep,
  type NewSample,
  newSampleDoc,
  planCustodyStep,
  sampleErrors,
} from '../../src/domain/sample-rules.ts';

const NOW = new Date('2026-11-28T02:00:00Z');
const police = { agencyId: 'hefei-psb', role: 'police' as const, region: '340100' };
const lab = { agencyId: 'anhui-lab', role: 'dna-lab' as const, region: '340000' };

const newSample = (over: Partial<NewSample> = {}): NewSample => ({
  subject: { kind: 'parent', relation: 'mother', caseId: 'case-1' },
  kitBarcode: 'HW-2026-000123',
  collectedAt: '2026-11-28T01:00:00Z',
  place: 'Hefei PSB forensic centre',
  region: '340104',
  collector: 'officer-3401-0457',
  ...over,
});

describe('a registration', () => {
  it('needs a parent to name the relation and the case, and only a parent to have a relation', () => {
    expect(sampleErrors(newSample(), NOW)).toEqual([]);
    expect(
      sampleErrors(newSample({ subject: { kind: 'parent', relation: 'father', caseId: 'case-1' } }), NOW),
    ).toEqual([]);
    expect(sampleErrors(newSample({ subject: { kind: 'parent' } }), NOW)).toEqual([
      { field: '/subject/relation', message: 'a parent sample needs the relation (mother or father)' },
      { field: '/subject/caseId', message: "a parent sample needs the missing child's case" },
    ]);
    expect(sampleErrors(newSample({ subject: { kind: 'rescued-child', caseId: 'case-2' } }), NOW)).toEqual(
      [],
    );
    expect(
      sampleErrors(newSample({ subject: { kind: 'unidentified-child', relation: 'father' } }), NOW),
    ).toEqual([
      { field: '/subject/relation', message: "only a parent's or a relative's sample has a relation" },
    ]);
  });

  it("needs a relative to name a relative's relation and the case, and a parent a parent's", () => {
    expect(
      sampleErrors(newSample({ subject: { kind: 'relative', relation: 'full-sibling', caseId: 'c' } }), NOW),
    ).toEqual([]);
    for (const relation of ['half-sibling', 'grandparent', 'aunt-uncle'] as const) {
      expect(sampleErrors(newSample({ subject: { kind: 'relative', relation, caseId: 'c' } }), NOW)).toEqual(
        [],
      );
    }
    expect(sampleErrors(newSample({ subject: { kind: 'relative' } }), NOW)).toEqual([
      {
        field: '/subject/relation',
        message:
          "a relative's sample needs the relation (full-sibling, half-sibling, grandparent, aunt-uncle)",
      },
      { field: '/subject/caseId', message: "a relative's sample needs the missing child's case" },
    ]);
    expect(
      sampleErrors(newSample({ subject: { kind: 'relative', relation: 'mother', caseId: 'c' } }), NOW),
    ).toHaveLength(1);
    expect(
      sampleErrors(newSample({ subject: { kind: 'parent', relation: 'full-sibling', caseId: 'c' } }), NOW),
    ).toEqual([
      { field: '/subject/relation', message: 'a parent sample needs the relation (mother or father)' },
    ]);
  });

  it('allows five minutes of clock skew, not more', () => {
    expect(sampleErrors(newSample({ collectedAt: '2026-11-28T02:05:00Z' }), NOW)).toEqual([]);
    expect(sampleErrors(newSample({ collectedAt: '2026-11-28T02:05:00.001Z' }), NOW)).toEqual([
      { field: '/collectedAt', message: 'is in the future' },
    ]);
  });

  it('makes a sample fingerprinted by what was sent, and its first record and event from it alone', () => {
    const input = newSample();
    const sample = newSampleDoc('smp-1', input, police, NOW);
    expect(sample).toEqual({
      _id: 'smp-1',
      ...input,
      collectedBy: police,
      createdAt: NOW,
      fingerprint: fingerprint(input),
    });
    const { record, event } = firstRecord(sample, '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    expect(record).toMatchObject({
      seq: 0,
      step: 'collected',
      at: '2026-11-28T01:00:00Z',
      by: 'officer-3401-0457',
      agencyId: 'hefei-psb',
      role: 'police',
      place: 'Hefei PSB forensic centre',
      region: '340104',
      recordedAt: '2026-11-28T02:00:00.000Z',
    });
    expect(verifyChain('smp-1', [record], [record.hash]).valid).toBe(true);
    expect([event.type, event.id, event.subject, event.time, event.source]).toEqual([
      'homeward.dna.sample-collected',
      'smp-1.collected',
      'smp-1',
      '2026-11-28T02:00:00.000Z',
      'homeward/dna-tracking',
    ]);
    expect(event.traceparent).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    expect(event.data).toEqual({
      sampleId: 'smp-1',
      subject: { kind: 'parent', caseId: 'case-1', relation: 'mother' },
      kitBarcode: 'HW-2026-000123',
      collectedAt: '2026-11-28T01:00:00Z',
      collectedBy: police,
      region: '340104',
    });
    // The same sample makes the same record (a retry after a crash rebuilds it unchanged).
    expect(firstRecord(sample).record).toEqual(record);
    const child = newSampleDoc('smp-2', newSample({ subject: { kind: 'unidentified-child' } }), police, NOW);
    const childEvent = firstRecord(child).event;
    expect(childEvent.data).toMatchObject({ subject: { kind: 'unidentified-child' } });
    expect((childEvent.data as { subject: object }).subject).toEqual({ kind: 'unidentified-child' });
    expect(childEvent.traceparent).toBeUndefined();
  });
});

describe('a custody step', () => {
  const step = (over: Partial<NewCustodyStep> = {}): NewCustodyStep => ({
    step: 'sealed',
    at: '2026-11-28T01:30:00Z',
    by: 'tech-7',
    place: 'lab',
    ...over,
  });

  it('has a tracking number if and only if it is a shipment, and is not in the future', () => {
    expect(custodyStepErrors(step(), NOW)).toEqual([]);
    expect(custodyStepErrors(step({ step: 'shipped', trackingNumber: 'SF1' }), NOW)).toEqual([]);
    expect(custodyStepErrors(step({ step: 'shipped' }), NOW)).toEqual([
      { field: '/trackingNumber', message: 'a shipment needs its tracking number' },
    ]);
    expect(custodyStepErrors(step({ trackingNumber: 'SF1' }), NOW)).toEqual([
      { field: '/trackingNumber', message: 'only a shipment has a tracking number' },
    ]);
    expect(custodyStepErrors(step({ at: '2026-11-28T02:05:00Z' }), NOW)).toEqual([]);
    expect(custodyStepErrors(step({ at: '2026-11-28T02:06:00Z' }), NOW)).toEqual([
      { field: '/at', message: 'is in the future' },
    ]);
  });

  it('records who submitted it, and only the optional fields given', () => {
    expect(custodyContent(step(), lab)).toEqual({
      step: 'sealed',
      at: '2026-11-28T01:30:00Z',
      by: 'tech-7',
      agencyId: 'anhui-lab',
      role: 'dna-lab',
      place: 'lab',
    });
    expect(
      custodyContent(
        step({ step: 'shipped', region: '340000', trackingNumber: 'SF1', note: 'cold box' }),
        lab,
      ),
    ).toMatchObject({ region: '340000', trackingNumber: 'SF1', note: 'cold box' });
  });

  const sample = newSampleDoc('smp-1', newSample(), police, NOW);
  const chain = (): CustodyRecord[] => [firstRecord(sample).record];
  const plan = (records: CustodyRecord[], s: NewCustodyStep, anchors = records.map((r) => r.hash)) =>
    planCustodyStep('smp-1', records, verifyChain('smp-1', records, anchors), custodyContent(s, lab), NOW);

  it('appends the next step, linked, with its event', () => {
    const p = plan(chain(), step(), undefined);
    if (p.kind !== 'append') throw new Error(p.kind);
    expect(p.record).toMatchObject({
      seq: 1,
      step: 'sealed',
      prevHash: chain()[0]!.hash,
      recordedAt: NOW.toISOString(),
    });
    expect([p.event.type, p.event.id, p.event.subject]).toEqual([
      'homeward.dna.custody-recorded',
      'smp-1.custody.1',
      'smp-1',
    ]);
    expect(p.event.data).toEqual({
      sampleId: 'smp-1',
      step: 'sealed',
      at: '2026-11-28T01:30:00Z',
      by: 'tech-7',
      recordHash: p.record.hash,
    });
    // The same time as the previous record is not before it.
    expect(plan(chain(), step({ at: '2026-11-28T01:00:00Z' })).kind).toBe('append');
  });

  it('replays a retry of the last step, even on a chain that fails verification', () => {
    const p = plan(chain(), step());
    if (p.kind !== 'append') throw new Error(p.kind);
    const records = [...chain(), p.record];
    expect(plan(records, step())).toEqual({ kind: 'replay', record: p.record });
    expect(plan(records, step(), [records[0]!.hash, 'f'.repeat(64)])).toEqual({
      kind: 'replay',
      record: p.record,
    });
    // Another note is other content: not a replay.
    expect(plan(records, step({ note: 'again' })).kind).toBe('refused');
  });

  it('refuses a chain without records or one that fails verification', () => {
    expect(plan([], step())).toEqual({
      kind: 'refused',
      refusal: {
        error: 'custodyChainBroken',
        code: 'DNA_ERR_CUSTODY_CHAIN_BROKEN',
        detail: 'the sample has no custody record',
      },
    });
    const edited = [{ ...chain()[0]!, by: 'someone-else' }];
    expect(plan(edited, step(), [chain()[0]!.hash])).toEqual({
      kind: 'refused',
      refusal: {
        error: 'custodyChainBroken',
        code: 'DNA_ERR_CUSTODY_CHAIN_BROKEN',
        detail:
          'the custody chain fails verification at record 0 (hash-mismatch); nothing can be appended until it is investigated',
      },
    });
  });

  it('refuses a step out of order, naming the current and the allowed steps', () => {
    expect(plan(chain(), step({ step: 'received' }))).toEqual({
      kind: 'refused',
      refusal: {
        error: 'custodyOutOfOrder',
        code: 'DNA_ERR_CUSTODY_OUT_OF_ORDER',
        detail: 'a sample at "collected" cannot go to "received"; next: sealed, destroyed',
        extensions: { currentStep: 'collected', allowedSteps: ['sealed', 'destroyed'] },
      },
    });
    const destroyed = plan(chain(), step({ step: 'destroyed' }));
    if (destroyed.kind !== 'append') throw new Error(destroyed.kind);
    expect(plan([...chain(), destroyed.record], step({ step: 'sealed' }))).toMatchObject({
      refusal: {
        detail: 'a sample at "destroyed" cannot go to "sealed"; next: nothing (destroyed)',
        extensions: { currentStep: 'destroyed', allowedSteps: [] },
      },
    });
  });

  it('refuses a step dated before the previous record', () => {
    expect(plan(chain(), step({ at: '2026-11-28T00:59:59Z' }))).toEqual({
      kind: 'refused',
      refusal: {
        error: 'custodyTimeOrder',
        code: 'DNA_ERR_CUSTODY_TIME_ORDER',
        detail: 'the step cannot have happened before the previous one (collected)',
        errors: [{ field: '/at', message: 'is earlier than the previous custody record' }],
      },
    });
  });
});

describe('ids', () => {
  it('derive a sample from its kit whatever the case, and a match from its samples whatever the order', () => {
    expect(sampleIdFor('hw-2026-000123')).toBe(sampleIdFor('HW-2026-000123'));
    expect(sampleIdFor('HW-2026-000123')).toMatch(/^smp-[A-Za-z0-9]{22}$/);
    expect(sampleIdFor('HW-2026-000124')).not.toBe(sampleIdFor('HW-2026-000123'));
    expect(matchIdFor('c', ['m', 'f'])).toBe(matchIdFor('c', ['f', 'm']));
    expect(matchIdFor('c', ['m', 'f'])).toMatch(/^match-[A-Za-z0-9]{22}$/);
    expect(matchIdFor('c', ['m'])).not.toBe(matchIdFor('m', ['c']));
    // Stored samples and matches are found again by these ids: the derivation never changes.
    expect(sampleIdFor('HW-2026-000123')).toBe('smp-leM8MCeIRK9xUiHkQjCRdd');
    expect(matchIdFor('smp-c', ['smp-m', 'smp-f'])).toBe('match-ZMrpmSZv1uFtyycsORyvSf');
    // A digest whose first characters hold base64url's '-' and '_' (-bEQYA-Z_VP_hffn_CXTYo):
    // they become 'y' and 'x', in place, so that an id is letters and digits only.
    expect(sampleIdFor('KIT-000006')).toBe('smp-ybEQYAyZxVPxhffnxCXTYo');
  });

  it('fingerprint content, not key order or undefined fields', () => {
    expect(canonicalJson({ b: 1, a: [{ d: null, c: 'x' }], u: undefined })).toBe(
      '{"a":[{"c":"x","d":null}],"b":1}',
    );
    expect(fingerprint({ a: 1, b: 2 })).toBe(fingerprint({ b: 2, a: 1 }));
    expect(fingerprint({ a: 1 })).not.toBe(fingerprint({ a: 2 }));
    expect(fingerprint('a', 'b')).not.toBe(fingerprint('ab'));
    expect(canonicalJson([1, [2, 3]])).toBe('[1,[2,3]]');
    expect(fingerprint({ loci: [12, 3] })).not.toBe(fingerprint({ loci: [1, 23] }));
    expect(fingerprint({ a: 1 }, 'x')).toBe('6hdAABxp5zkjfZm8KJVD4fbUfMgkPidW6DxoWx04xUQ');
  });
});
