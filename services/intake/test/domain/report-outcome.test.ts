import type { ReportData } from '@homeward/events';
import { victimsOfReport } from '@homeward/events';
import { describe, expect, it } from 'vitest';
import { caseIdFor } from '../../src/domain/ids.ts';
import {
  decideSighting,
  Outcomes,
  opensCase,
  outcomeEvent,
  publishedReport,
  regionOf,
  SOURCE,
} from '../../src/domain/report-outcome.ts';

const now = new Date('2026-11-28T12:00:00Z');
const reportedBy = { agencyId: 'hefei-psb', role: 'police' as const, region: '340100' };
const place = (region: string) => ({ at: '2026-11-28T08:00:00Z', place: 'p', lat: 31.8, lon: 117.3, region });

const missing: ReportData = {
  kind: 'missing-child',
  child: { name: 'Li Xiaoming', sex: 'male', birthDate: '2019-05-01' },
  lastSeen: place('340104'),
};
const unidentified: ReportData = {
  kind: 'unidentified-child',
  child: { sex: 'female', apparentAge: 4 },
  foundAt: place('340102'),
};
const suspected: ReportData = {
  kind: 'suspected-trafficking',
  description: 'absent for two weeks',
  observedAt: '2026-11-26T10:00:00Z',
  location: { place: 'school', region: '340111' },
};
const sighting: ReportData = {
  kind: 'sighting',
  caseId: 'case-1',
  description: 'seen boarding a bus',
  seenAt: place('340103'),
};

describe('where a report goes', () => {
  it('the outcomes are a case opened or a lead added', () => {
    expect(Outcomes).toStrictEqual(['case-opened', 'lead-added']);
  });

  it('a report that opens a case gets the case id derived from its own id', () => {
    expect(opensCase('rpt-1')).toStrictEqual({ caseId: caseIdFor('rpt-1'), outcome: 'case-opened' });
    expect(opensCase('rpt-1', 'child-9')).toStrictEqual({
      caseId: caseIdFor('rpt-1'),
      outcome: 'case-opened',
      childKey: 'child-9',
    });
  });

  it('a sighting needs a known, open case', () => {
    expect(decideSighting('case-1', null)).toStrictEqual({
      refused: 'caseNotFound',
      detail: 'no case "case-1"',
    });
    expect(decideSighting('case-1', { status: 'closed' })).toStrictEqual({
      refused: 'caseClosed',
      detail: 'the case "case-1" is closed',
    });
    expect(decideSighting('case-1', { status: 'open' })).toStrictEqual({
      caseId: 'case-1',
      outcome: 'lead-added',
    });
  });

  it('the region of a report is that of the place it names', () => {
    expect(regionOf(missing)).toBe('340104');
    expect(regionOf(unidentified)).toBe('340102');
    expect(regionOf(suspected)).toBe('340111');
    expect(regionOf(sighting)).toBe('340103');
  });
});

describe('the event a report publishes', () => {
  const ctx = { reportId: 'rpt-1', reportedBy, now };

  it("case.opened carries the report without the reporter's contacts or fields beyond the contract", () => {
    const withContacts = {
      ...missing,
      child: { ...(missing as { child: object }).child, nickname: 'Doudou' },
      lastSeen: { ...place('340104'), landmark: 'gate 3' },
      reporter: { name: 'Wang Fang', phone: '+86 138 0000 1111' },
    } as unknown as ReportData;
    // The current guardian rides for placement's buying-household rule, and only its fields.
    const guardian = { name: 'Li Si', relation: 'neighbour', address: '1 Road' };
    const guarded = {
      ...unidentified,
      currentGuardian: { ...guardian, phone: '+86 139 0000 2222' },
    } as unknown as ReportData;
    // A missing child's parents ride for dna-tracking's duties and placement's family rule.
    const parents = [{ relation: 'mother', name: 'Chen Mei', idNumber: '340104198001010020', living: true }];
    const withParents = {
      ...missing,
      parents: [{ ...parents[0], phone: '+86 1' }],
      reporter: { name: 'Wang Fang', phone: '+86 138 0000 1111' },
    } as unknown as ReportData;
    const traffic = {
      ...suspected,
      persons: [{ description: 'a man', sex: 'male', apparentAge: 40, phone: '123456' }],
      reporter: { phone: '+86 1' },
    } as unknown as ReportData;
    const reportOf = (d: ReportData) =>
      (outcomeEvent(opensCase('rpt-1'), d, ctx).data as { report: unknown }).report;
    expect(reportOf(withContacts)).toStrictEqual(missing);
    expect(reportOf(guarded)).toStrictEqual({ ...unidentified, currentGuardian: guardian });
    expect(reportOf(withParents)).toStrictEqual({ ...missing, parents });
    expect(reportOf(traffic)).toStrictEqual({
      ...suspected,
      persons: [{ description: 'a man', sex: 'male', apparentAge: 40 }],
    });
    expect(publishedReport(missing as Exclude<ReportData, { kind: 'sighting' }>)).toStrictEqual(missing);
  });

  it('case.opened carries the report, keyed and identified by the report', () => {
    for (const data of [missing, unidentified, suspected]) {
      const decision = opensCase('rpt-1');
      expect(outcomeEvent(decision, data, ctx)).toStrictEqual({
        specversion: '1.0',
        id: 'rpt-1.case-opened',
        source: SOURCE,
        type: 'homeward.case.opened',
        time: '2026-11-28T12:00:00.000Z',
        datacontenttype: 'application/json',
        subject: decision.caseId,
        data: {
          caseId: decision.caseId,
          kind: data.kind,
          region: regionOf(data),
          openedAt: '2026-11-28T12:00:00.000Z',
          reportId: 'rpt-1',
          reportedBy,
          report: data,
          victims: victimsOfReport(decision.caseId, data),
        },
      });
    }
    // The child of a missing-child or unidentified-child report is victim 1; a report that
    // names no victims opens a case with none (police add them later).
    const child = outcomeEvent(opensCase('rpt-1'), missing, ctx).data as { caseId: string; victims: unknown };
    expect(child.victims).toEqual([
      { victimId: `${child.caseId}.v1`, category: 'child', sex: 'male', birthDate: '2019-05-01' },
    ]);
    expect((outcomeEvent(opensCase('rpt-1'), suspected, ctx).data as { victims: unknown }).victims).toEqual(
      [],
    );
    expect(SOURCE).toBe('homeward/intake');
  });

  it('carries the trace it was sent in, and no trace attribute without one', () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    expect(outcomeEvent(opensCase('rpt-1'), missing, { ...ctx, traceparent }).traceparent).toBe(traceparent);
    expect('traceparent' in outcomeEvent(opensCase('rpt-1'), missing, ctx)).toBe(false);
    expect(
      'traceparent' in outcomeEvent(opensCase('rpt-1'), missing, { ...ctx, traceparent: undefined }),
    ).toBe(false);
  });

  it('a sighting becomes a lead with what a searcher needs, and its photo when it has one', () => {
    const decision = { caseId: 'case-1', outcome: 'lead-added' as const };
    const e = outcomeEvent(decision, sighting, ctx);
    expect(e).toMatchObject({ id: 'rpt-1.lead-added', type: 'homeward.case.lead-added', subject: 'case-1' });
    expect(e.data).toStrictEqual({
      caseId: 'case-1',
      leadId: 'rpt-1',
      reportId: 'rpt-1',
      addedAt: '2026-11-28T12:00:00.000Z',
      reportedBy,
      origin: 'sighting',
      seenAt: sighting.seenAt,
      description: 'seen boarding a bus',
    });
    const withPhoto = { ...sighting, photoUrl: 'https://example.org/p.jpg' };
    expect(outcomeEvent(decision, withPhoto, ctx).data).toMatchObject({
      photoUrl: 'https://example.org/p.jpg',
    });
  });

  it('a second report of a missing child becomes a lead: where it was last seen, and how it looks', () => {
    const decision = { caseId: 'case-1', outcome: 'lead-added' as const, childKey: 'child-1' };
    expect(outcomeEvent(decision, missing, ctx).data).toStrictEqual({
      caseId: 'case-1',
      leadId: 'rpt-1',
      reportId: 'rpt-1',
      addedAt: '2026-11-28T12:00:00.000Z',
      reportedBy,
      origin: 'duplicate-report',
      seenAt: place('340104'),
    });
    const described = {
      ...missing,
      child: { ...missing.child, description: 'red jacket', photoUrl: 'https://example.org/c.jpg' },
    } as unknown as ReportData;
    expect(outcomeEvent(decision, described, ctx).data).toMatchObject({
      description: 'red jacket',
      photoUrl: 'https://example.org/c.jpg',
    });
  });

  it('refuses the impossible: a sighting opening a case, a lead from another kind', () => {
    expect(() => outcomeEvent(opensCase('rpt-1'), sighting, ctx)).toThrow('a sighting never opens a case');
    const lead = { caseId: 'case-1', outcome: 'lead-added' as const };
    expect(() => outcomeEvent(lead, unidentified, ctx)).toThrow(
      'a unidentified-child report never adds a lead',
    );
    expect(() => outcomeEvent(lead, suspected, ctx)).toThrow(
      'a suspected-trafficking report never adds a lead',
    );
  });
});
