import { describe, expect, it } from 'vitest';
import { canonicalJson, caseIdFor, eventIdFor, fingerprint, reportIdFor } from '../../src/domain/ids.ts';

describe('derived ids', () => {
  it('are stable per agency and event id, and differ across agencies', () => {
    expect(reportIdFor('a', '1')).toBe(reportIdFor('a', '1'));
    expect(reportIdFor('a', '1')).not.toBe(reportIdFor('b', '1'));
    expect(caseIdFor(reportIdFor('a', '1'))).toMatch(/^case-[A-Za-z0-9]{22}$/);
  });

  it('fingerprints ignore key order but not content', () => {
    expect(fingerprint('t', { a: 1, b: { c: 2, d: 3 } })).toBe(fingerprint('t', { b: { d: 3, c: 2 }, a: 1 }));
    expect(fingerprint('t', { a: 1 })).not.toBe(fingerprint('t', { a: 2 }));
  });

  // A retry after a deploy must compute the ids the first delivery stored: the derivation is
  // part of the idempotency contract, so these values may never change.
  it('are the same across versions of the code', () => {
    const reportId = reportIdFor('hefei-psb', 'hefei-psb-2026-000123');
    expect(reportId).toBe('rpt-VP1tCk0vy6NAoNmPXIY8yo');
    expect(caseIdFor(reportId)).toBe('case-l0DxyrrruUlX9dHommjd11');
    expect(fingerprint('homeward.report.submitted', { kind: 'sighting', caseId: 'case-1' })).toBe(
      '5PsyGXR0I4mqhvFkYRhll2uarSsIuOiq1x0ABJVltXA',
    );
  });

  it('never hold "-" or "_" after their prefix (they read as separators in logs and URLs)', () => {
    // This one's digest has both, as "y" and "x" in the same places.
    expect(reportIdFor('hefei-psb', 'ce-30')).toBe('rpt-cCLyEvlyzGLqZUgmvyGbOx');
    for (let i = 0; i < 500; i++) {
      expect(reportIdFor('agency', `ce-${i}`)).toMatch(/^rpt-[A-Za-z0-9]{22}$/);
      expect(caseIdFor(`rpt-${i}`)).toMatch(/^case-[A-Za-z0-9]{22}$/);
    }
  });

  it('each part of the key counts: the agency and the event id are not simply concatenated', () => {
    expect(reportIdFor('ab', 'c')).not.toBe(reportIdFor('a', 'bc'));
    expect(fingerprint('t1', {})).not.toBe(fingerprint('t2', {}));
  });

  it('event ids name the report and what it became', () => {
    expect(eventIdFor('rpt-1', 'case-opened')).toBe('rpt-1.case-opened');
    expect(eventIdFor('rpt-1', 'lead-added')).toBe('rpt-1.lead-added');
  });
});

describe('canonical JSON', () => {
  it('sorts keys at every depth, keeps array order, and writes scalars as JSON does', () => {
    expect(canonicalJson({ b: [3, { z: 1, y: null }], a: 'x' })).toBe('{"a":"x","b":[3,{"y":null,"z":1}]}');
    expect(canonicalJson([2, 1])).toBe('[2,1]');
    expect(canonicalJson(null)).toBe('null');
    expect(canonicalJson('a"b')).toBe('"a\\"b"');
    expect(canonicalJson(true)).toBe('true');
    expect(canonicalJson({})).toBe('{}');
    expect(canonicalJson([])).toBe('[]');
  });
});
