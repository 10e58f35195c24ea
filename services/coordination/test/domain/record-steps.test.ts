import type { HomewardEvent } from '@homeward/events';
import { describe, expect, it } from 'vitest';
import { recordSteps, type SupervisedRecord, sameRecord } from '../../src/domain/records.ts';
import { ev, LUYANG, SHUSHAN } from '../scenario.ts';

/** Folds events into records as the handler does, in memory. */
function fold(events: HomewardEvent[], start: SupervisedRecord[] = []): Record<string, SupervisedRecord> {
  const records = new Map<string, SupervisedRecord>(start.map((r) => [r._id, r]));
  for (const e of events)
    for (const step of recordSteps(e)) records.set(step.id, step.apply(records.get(step.id) ?? null));
  return Object.fromEntries(records);
}

const T1 = '2026-03-01T01:00:00.000Z';
const T2 = '2026-03-02T01:00:00.000Z';
/** T1 written in the reports' calendar: the same instant, another spelling. */
const T1_LOCAL = '2026-03-01T09:00:00+08:00';
const officer = { officerId: 'o', name: 'Officer', agencyId: 'shushan-psb', region: SHUSHAN };
const police = { agencyId: 'shushan-psb', role: 'police' as const, region: SHUSHAN };

const opened = (at = T1) =>
  ev(
    'homeward.case.opened',
    {
      caseId: 'C',
      kind: 'unidentified-child',
      region: SHUSHAN,
      openedAt: at,
      reportId: 'R',
      reportedBy: police,
      report: {
        kind: 'unidentified-child',
        child: { sex: 'male', apparentAge: 6 },
        foundAt: { at, place: 'a station', lat: 31.8, lon: 117.2, region: SHUSHAN },
      },
    },
    'C',
  );
const team = (at: string) =>
  ev(
    'homeward.case.team-assigned',
    {
      caseId: 'C',
      assignedAt: at,
      chief: officer,
      investigationLead: officer,
      rescueLead: officer,
      familyLiaisonLead: officer,
    },
    'C',
  );
const located = (at: string, identified: boolean) =>
  ev(
    'homeward.case.child-located',
    {
      caseId: 'C',
      locatedAt: at,
      place: 'p',
      ...(identified ? { identification: { method: 'documents' as const, identifiedBy: 'officer 7' } } : {}),
    },
    'C',
  );
const rescued = (at: string, region: string, identified: boolean) =>
  ev(
    'homeward.case.child-rescued',
    {
      caseId: 'C',
      rescuedAt: at,
      place: 'a village',
      region,
      ...(identified
        ? { identification: { method: 'family-recognition' as const, identifiedBy: 'officer 7' } }
        : {}),
    },
    'C',
  );
const closed = (at: string) =>
  ev('homeward.case.closed', { caseId: 'C', closedAt: at, reason: 'found' }, 'C');
const alert = (at: string) =>
  ev(
    'homeward.alert.issued',
    {
      alertId: 'A',
      caseId: 'C',
      issuedAt: at,
      lastSeenAt: at,
      lastSeenPlace: 'p',
      center: { lat: 31, lon: 117 },
      region: SHUSHAN,
      radiusKm: 100,
      step: 0,
      child: { sex: 'female' },
    },
    'C',
  );
const confirmed = (at: string, caseId?: string) =>
  ev(
    'homeward.dna.match-confirmed',
    {
      matchId: 'M',
      childSampleId: 'S',
      parentSampleIds: ['P'],
      ...(caseId ? { caseId } : {}),
      confirmedAt: at,
      confirmedBy: 'analyst',
    },
    'C',
  );
const decided = (at: string, type: 'return-to-family' | 'foster-family', revision = 1) =>
  ev(
    'homeward.placement.decided',
    {
      placementId: 'PL',
      caseId: 'C',
      type,
      decisionDate: at.slice(0, 10),
      decidedAt: at,
      revision,
      region: LUYANG,
    },
    'C',
  );
const collected = (sampleId: string, at: string, kind: 'parent' | 'unidentified-child', caseId?: string) =>
  ev(
    'homeward.dna.sample-collected',
    {
      sampleId,
      subject: {
        kind,
        ...(caseId ? { caseId } : {}),
        ...(kind === 'parent' ? { relation: 'mother' as const } : {}),
      },
      kitBarcode: `kit-${sampleId}`,
      collectedAt: at,
      collectedBy: { ...police, role: 'health' as const },
      region: LUYANG,
    },
    sampleId,
  );
const custody = (step: 'sealed' | 'shipped', at: string) =>
  ev('homeward.dna.custody-recorded', { sampleId: 'S', step, at, by: 'tech', recordHash: 'h' }, 'S');

describe('what coordination remembers of a case', () => {
  it('its kind, region and opening, and the moments that discharge its duties', () => {
    const r = fold([
      opened(),
      team(T2),
      alert(T1),
      located(T2, false),
      rescued(T2, LUYANG, false),
      closed(T2),
      decided(T2, 'foster-family'),
    ]);
    expect(Object.keys(r)).toEqual(['case:C']);
    expect(r['case:C']).toStrictEqual({
      _id: 'case:C',
      kind: 'case',
      caseId: 'C',
      caseKind: 'unidentified-child',
      region: SHUSHAN,
      openedAt: T1,
      teamAt: T2,
      alertAt: T1,
      locatedAt: T2,
      rescuedAt: T2,
      rescueRegion: LUYANG,
      closedAt: T2,
      placedAt: T2,
    });
  });

  it('keeps the first moment of each: a later or repeated event does not move it, an earlier one does', () => {
    const moments = (a: string, b: string) =>
      fold([team(a), team(b), alert(a), alert(b), located(a, true), located(b, true), closed(a), closed(b)])[
        'case:C'
      ]!;
    for (const r of [moments(T1, T2), moments(T2, T1)])
      expect(r).toMatchObject({ teamAt: T1, alertAt: T1, locatedAt: T1, identifiedAt: T1, closedAt: T1 });
    // The same instant spelled another way is not earlier: the first spelling stays.
    expect(moments(T1, T1_LOCAL)).toMatchObject({ teamAt: T1, alertAt: T1, locatedAt: T1, closedAt: T1 });
    expect(moments(T1_LOCAL, T1)).toMatchObject({ teamAt: T1_LOCAL, alertAt: T1_LOCAL, closedAt: T1_LOCAL });
  });

  it('a rescue keeps its first moment and first region; each event’s fields survive the others', () => {
    const r = fold([rescued(T2, LUYANG, false), rescued(T1, SHUSHAN, false), opened()])['case:C']!;
    expect(r).toMatchObject({ rescuedAt: T1, rescueRegion: LUYANG, openedAt: T1, region: SHUSHAN });
  });

  it('a child is identified by the police at located or rescue, or by a confirmed DNA match naming the case', () => {
    expect(fold([located(T2, false)])['case:C']).not.toHaveProperty('identifiedAt');
    expect(fold([rescued(T2, SHUSHAN, false)])['case:C']).not.toHaveProperty('identifiedAt');
    expect(fold([located(T2, true)])['case:C']).toMatchObject({ identifiedAt: T2 });
    expect(fold([rescued(T2, SHUSHAN, true), located(T1, true)])['case:C']).toMatchObject({
      identifiedAt: T1,
    });
    expect(fold([located(T1, true), rescued(T2, SHUSHAN, true)])['case:C']).toMatchObject({
      identifiedAt: T1,
    });
    expect(fold([confirmed(T2, 'C'), confirmed(T1, 'C')])['case:C']).toMatchObject({ identifiedAt: T1 });
    expect(fold([confirmed(T1, 'C'), confirmed(T2, 'C')])['case:C']).toMatchObject({ identifiedAt: T1 });
    // A match naming no case changes no record.
    expect(recordSteps(confirmed(T1))).toEqual([]);
  });

  it('a placement decision places the child; only a return to the family returns it, at its first decision', () => {
    expect(fold([decided(T2, 'foster-family')])['case:C']).not.toHaveProperty('returnedAt');
    const r = fold([
      decided(T2, 'return-to-family'),
      decided(T1, 'return-to-family', 2),
      decided(T2, 'foster-family'),
    ])['case:C']!;
    expect(r).toMatchObject({ placedAt: T1, returnedAt: T1 });
  });

  it('a record of another kind under the case’s id is started afresh as the case', () => {
    const wrong: SupervisedRecord = { _id: 'case:C', kind: 'sample', sampleId: 'S', steps: { sealed: T1 } };
    expect(fold([closed(T2)], [wrong])['case:C']).toStrictEqual({
      _id: 'case:C',
      kind: 'case',
      caseId: 'C',
      closedAt: T2,
    });
  });
});

describe('what coordination remembers of a sample', () => {
  it('its region, collector and case, and each custody step at its first recording', () => {
    const r = fold([
      custody('sealed', T2),
      collected('S', T1, 'unidentified-child', 'C'),
      custody('sealed', '2026-03-05T00:00:00.000Z'),
      collected('S', T2, 'unidentified-child', 'C'),
      custody('shipped', T2),
    ]);
    expect(r['sample:S']).toStrictEqual({
      _id: 'sample:S',
      kind: 'sample',
      sampleId: 'S',
      region: LUYANG,
      collectorRole: 'health',
      caseId: 'C',
      steps: { collected: T1, sealed: T2, shipped: T2 },
    });
    // A child's sample discharges the case's child sampling, at its first collection.
    expect(r['case:C']).toEqual({ _id: 'case:C', kind: 'case', caseId: 'C', childSampleAt: T1 });
  });

  it('a parent’s sample discharges the parents’ sampling; one without a case changes only the sample', () => {
    const r = fold([collected('P', T2, 'parent', 'C'), collected('P2', T1, 'parent', 'C')]);
    expect(r['case:C']).toEqual({ _id: 'case:C', kind: 'case', caseId: 'C', parentSampleAt: T1 });
    const alone = recordSteps(collected('Q', T1, 'parent'));
    expect(alone.map((s) => s.id)).toEqual(['sample:Q']);
    expect(alone[0]!.apply(null)).not.toHaveProperty('caseId');
  });

  it('a record of another kind under the sample’s id is started afresh as the sample', () => {
    const wrong: SupervisedRecord = { _id: 'sample:S', kind: 'case', caseId: 'X' };
    expect(fold([custody('sealed', T1)], [wrong])['sample:S']).toStrictEqual({
      _id: 'sample:S',
      kind: 'sample',
      sampleId: 'S',
      steps: { sealed: T1 },
    });
    expect(fold([collected('S', T1, 'parent')], [wrong])['sample:S']).toMatchObject({
      kind: 'sample',
      steps: { collected: T1 },
    });
  });
});

describe('what coordination remembers of a follow-up', () => {
  const scheduled = ev(
    'homeward.followup.scheduled',
    {
      followupId: 'F',
      caseId: 'C',
      placementId: 'PL',
      type: 'legal-aid',
      dueDate: '2026-04-01',
      region: LUYANG,
    },
    'C',
  );
  const overdue = (detectedAt: string, dueDate = '2026-04-01') =>
    ev(
      'homeward.followup.overdue',
      { followupId: 'F', caseId: 'C', type: 'legal-aid', dueDate, detectedAt },
      'C',
    );
  const completed = (at: string) =>
    ev(
      'homeward.followup.completed',
      { followupId: 'F', caseId: 'C', type: 'legal-aid', completedAt: at, outcome: 'done' },
      'C',
    );

  it('its region and due date when scheduled, its first overdue detection and first completion', () => {
    const r = fold([overdue(T2), scheduled, overdue(T1), completed(T2), completed(T1)])['followup:F'];
    expect(r).toStrictEqual({
      _id: 'followup:F',
      kind: 'followup',
      followupId: 'F',
      caseId: 'C',
      type: 'legal-aid',
      region: LUYANG,
      dueDate: '2026-04-01',
      overdueAt: T1,
      completedAt: T1,
    });
  });

  it('an overdue event tells the due date when the schedule has not arrived, and never changes a known one', () => {
    expect(fold([overdue(T1, '2026-03-01')])['followup:F']).toMatchObject({ dueDate: '2026-03-01' });
    expect(fold([scheduled, overdue(T1, '2026-03-01')])['followup:F']).toMatchObject({
      dueDate: '2026-04-01',
    });
    expect(fold([completed(T1)])['followup:F']).not.toHaveProperty('overdueAt');
    expect(fold([completed(T1)])['followup:F']).not.toHaveProperty('dueDate');
  });

  it('a record of another kind under the follow-up’s id is started afresh as the follow-up', () => {
    const wrong: SupervisedRecord = { _id: 'followup:F', kind: 'case', caseId: 'X' };
    expect(fold([completed(T1)], [wrong])['followup:F']).toStrictEqual({
      _id: 'followup:F',
      kind: 'followup',
      followupId: 'F',
      caseId: 'C',
      type: 'legal-aid',
      completedAt: T1,
    });
  });
});

describe('what changes nothing', () => {
  it('events that discharge no duty change no record', () => {
    expect(
      recordSteps(
        ev('homeward.alert.cancelled', { alertId: 'A', caseId: 'C', cancelledAt: T1, reason: 'found' }, 'C'),
      ),
    ).toEqual([]);
  });

  it('a repeated event leaves the record the same, so it is not written again', () => {
    const once = fold([team(T1)])['case:C']!;
    const step = recordSteps(team(T1))[0]!;
    expect(sameRecord(once, step.apply(once))).toBe(true);
    expect(sameRecord(once, recordSteps(team('2026-02-01T00:00:00Z'))[0]!.apply(once))).toBe(false);
    expect(sameRecord(null, once)).toBe(false);
  });
});
