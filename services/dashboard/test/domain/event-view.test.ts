import { EventTypes } from '@homeward/events';
import { describe, expect, it } from 'vitest';
import { project, projectData, summarize, toView } from '../../src/domain/event-view.ts';
import { STREAM_ALLOWLISTS } from '../../src/domain/stream-allowlists.ts';
import {
  acknowledged,
  alertCancelled,
  alertEscalated,
  alertIssued,
  caseClosed,
  caseOpened,
  childLocated,
  childRescued,
  custody,
  delivered,
  ev,
  followupCompleted,
  followupOverdue,
  followupScheduled,
  leadAdded,
  matchConfirmed,
  matchFound,
  placementDecided,
  reportSubmitted,
  sampleCollected,
} from '../events.ts';

const officer = {
  officerId: 'o-1',
  name: 'Officer Wu',
  agencyId: 'hefei-psb',
  region: '340104',
  contact: '110',
};

describe('the one-line summary of each event', () => {
  it('names ids, places and outcomes for every event type on the stream', () => {
    const lines = [
      summarize(reportSubmitted('Li Xiaoming')),
      summarize(caseOpened('c1', { reporter: 'hotline' })),
      summarize(leadAdded('c1')),
      summarize(
        ev('homeward.case.team-assigned', {
          caseId: 'c1',
          assignedAt: '2026-03-01T10:00:00+08:00',
          chief: officer,
          investigationLead: officer,
          rescueLead: officer,
          familyLiaisonLead: officer,
        }),
      ),
      summarize(childLocated('c1', '2026-03-02T10:00:00+08:00')),
      summarize(childRescued('c1', '2026-03-03T10:00:00+08:00')),
      summarize(caseClosed('c1')),
      summarize(alertIssued('a1', 'c1', { radiusKm: 50 })),
      summarize(alertEscalated('a1', 'c1')),
      summarize(alertCancelled('a1', 'c1', 'found')),
      summarize(delivered('a1', 'u1')),
      summarize(acknowledged('a1', 'u1')),
      summarize(
        ev('homeward.notification.failed', {
          alertId: 'a1',
          unitId: 'u2',
          step: 0,
          failedAt: '2026-03-01T09:06:00+08:00',
          attempts: 3,
          reason: 'timeout',
        }),
      ),
      summarize(sampleCollected('s1', 'c1')),
      summarize(custody('s1', 'shipped', '2026-03-02T12:00:00+08:00')),
      summarize(
        ev('homeward.dna.profile-entered', {
          sampleId: 's1',
          enteredAt: '2026-03-03T09:00:00+08:00',
          lociCount: 20,
          matchable: true,
        }),
      ),
      summarize(matchFound('m1', 's1', 'c1')),
      summarize(matchConfirmed('m1', 's1', 'c1')),
      summarize(
        ev('homeward.dna.match-rejected', {
          matchId: 'm2',
          childSampleId: 's1',
          parentSampleIds: ['p1'],
          rejectedAt: '2026-03-04T10:00:00+08:00',
          rejectedBy: 'Dr Wang',
        }),
      ),
      summarize(placementDecided('c1', 'foster-family')),
      summarize(followupScheduled('f1', 'c1')),
      summarize(followupCompleted('f1', 'c1')),
      summarize(followupOverdue('f1', 'c1')),
    ];
    expect(lines).toEqual([
      'missing-child report received from agency/hefei-psb',
      'missing-child case c1 opened in 340104 (hotline)',
      'lead l-c1-12 (sighting) on case c1 at Hefei West bus terminal',
      'special team assigned to case c1',
      'child of case c1 located at Lu an bus station',
      'child of case c1 rescued at a village in Lu an',
      'case c1 closed (child returned home)',
      'alert a1 issued: 50 km around Hefei South Station',
      'alert a1 widened 100 → 200 km',
      'alert a1 cancelled (found)',
      'unit u1 notified of alert a1 (step 0)',
      'unit u1 acknowledged alert a1',
      'delivery to unit u2 failed for alert a1',
      'sample s1 collected (rescued-child)',
      'sample s1: shipped',
      'profile of sample s1 entered (20 loci)',
      'match m1 found for sample s1, awaiting review',
      'match m1 confirmed',
      'match m2 rejected',
      'placement foster-family decided for case c1',
      'follow-up compulsory-education scheduled for case c1, due 2026-04-01',
      'follow-up f1 completed',
      'follow-up f1 overdue since 2026-04-01',
    ]);
  });

  it('still names the ids of an event missing a nested part, rather than failing', () => {
    const { reportedBy: _r, ...opened } = caseOpened('c1').data;
    expect(summarize(ev('homeward.case.opened', opened as never))).toMatch(
      /^missing-child case c1 opened in 340104/,
    );
    const { seenAt: _s, ...lead } = leadAdded('c1').data;
    expect(summarize(ev('homeward.case.lead-added', lead as never))).toMatch(
      /^lead l-c1-12 \(sighting\) on case c1/,
    );
    const { subject: _subject, ...sample } = sampleCollected('s1', 'c1').data;
    expect(summarize(ev('homeward.dna.sample-collected', sample as never))).toMatch(/^sample s1 collected/);
  });

  it('falls back to the type for an event it has no words for', () => {
    const unknown = { ...caseClosed('c1'), type: 'homeward.case.archived' } as never;
    expect(summarize(unknown)).toBe('homeward.case.archived');
  });
});

describe('allowlists per event type', () => {
  it('every catalogue type has one, and an unknown type shows no data at all', () => {
    expect(Object.keys(STREAM_ALLOWLISTS).sort()).toEqual([...EventTypes].sort());
    expect(projectData('homeward.case.archived', { caseId: 'c1', secret: 'x' })).toEqual({});
    expect(projectData('homeward.case.closed', 'not an object')).toEqual({});
  });

  it('keeps only the listed fields, at any depth and in arrays; a field nobody listed never passes', () => {
    const allow = {
      a: true,
      o: { x: true },
      list: { y: true },
      ids: true,
      code: (v: unknown) => v === 'ok',
    } as const;
    expect(
      project(
        {
          a: 1,
          b: 'dropped',
          o: { x: 'kept', phone: '139' },
          list: [{ y: 1, idNumber: '3401' }, 'text'],
          ids: ['s1', 's2'],
          code: 'ok',
        },
        allow,
      ),
    ).toEqual({ a: 1, o: { x: 'kept' }, list: [{ y: 1 }, {}], ids: ['s1', 's2'], code: 'ok' });
    // A structure where a scalar is listed, or a value the predicate refuses, is left out.
    expect(project({ a: { phone: '139' }, ids: [{ name: 'n' }], code: 'Chaohu school' }, allow)).toEqual({});
    expect(project(null, allow)).toBeUndefined();
  });

  it('a raw report shows as its kind only; a case without the report; a rescue without the buyer', () => {
    const report = reportSubmitted('Li Xiaoming');
    expect(projectData(report.type, report.data)).toEqual({ kind: 'missing-child' });
    const opened = caseOpened('c1');
    const openedView = JSON.stringify(projectData(opened.type, opened.data));
    expect(openedView).not.toContain('Li Xiaoming');
    expect(openedView).not.toContain('+86');
    expect(projectData(opened.type, opened.data)).toMatchObject({ caseId: 'c1', kind: 'missing-child' });
    const rescued = ev('homeward.case.child-rescued', {
      caseId: 'c1',
      rescuedAt: '2026-03-03T10:00:00+08:00',
      place: 'a village',
      region: '341502',
      buyerHousehold: { headName: 'Zhang San', address: '3 Hill Road', idNumber: '34010419800101123X' },
      identification: { method: 'documents', identifiedBy: 'Officer Wu', note: 'birth certificate' },
    });
    expect(projectData(rescued.type, rescued.data)).toEqual({
      caseId: 'c1',
      rescuedAt: '2026-03-03T10:00:00+08:00',
      place: 'a village',
      region: '341502',
      identification: { method: 'documents' },
    });
  });

  it("officers show by agency and region, never by name or contact; a follow-up's outcome only as a code", () => {
    const team = ev('homeward.case.team-assigned', {
      caseId: 'c1',
      assignedAt: '2026-03-01T10:00:00+08:00',
      chief: officer,
      investigationLead: officer,
      rescueLead: officer,
      familyLiaisonLead: officer,
    });
    const view = projectData(team.type, team.data);
    expect(view.chief).toEqual({ officerId: 'o-1', agencyId: 'hefei-psb', region: '340104' });
    expect(JSON.stringify(view)).not.toContain('Officer Wu');
    const coded = { ...followupCompleted('f1', 'c1').data, outcome: 'school-enrolled' };
    expect(projectData('homeward.followup.completed', coded).outcome).toBe('school-enrolled');
    const named = { ...coded, outcome: 'school: Chaohu No. 3 primary school' };
    expect('outcome' in projectData('homeward.followup.completed', named)).toBe(false);
  });
});

describe('the view of an event', () => {
  it('carries the envelope, the topic, its place, the summary and the allowed data', () => {
    const e = caseOpened('c1');
    expect(toView(e, 'case.events.v1', { region: '340104', caseId: 'c1' })).toEqual({
      id: e.id,
      source: e.source,
      type: 'homeward.case.opened',
      time: e.time,
      topic: 'case.events.v1',
      region: '340104',
      caseId: 'c1',
      summary: 'missing-child case c1 opened in 340104 (police)',
      data: projectData(e.type, e.data),
    });
    expect(JSON.stringify(toView(e, 'case.events.v1', {}))).not.toContain('+86 138');
  });

  it('leaves out a time the envelope does not have', () => {
    const { time: _time, ...untimed } = caseClosed('c1');
    expect('time' in toView(untimed as never, 'case.events.v1', {})).toBe(false);
  });
});

describe('the one-line summary of the other event types', () => {
  const line = (type: string, data: Record<string, unknown>) =>
    summarize({ ...caseClosed('c1'), type, data } as never);

  it('says whether a buying household was recorded or stated as none, never who', () => {
    expect(line('homeward.case.household-recorded', { caseId: 'c1', noBuyerHousehold: {} })).toBe(
      'buying household of case c1 stated as none',
    );
    expect(line('homeward.case.household-recorded', { caseId: 'c1' })).toBe(
      'buying household of case c1 recorded',
    );
  });

  it('names the limit of a case without a team and of a sample not taken', () => {
    expect(line('homeward.case.team-overdue', { caseId: 'c1', limitHours: 24 })).toBe(
      'case c1 has no special team after 24 h',
    );
    expect(line('homeward.dna.sampling-overdue', { caseId: 'c1', subject: 'mother', limitHours: 48 })).toBe(
      "case c1: the mother's DNA sample not taken after 48 h",
    );
  });

  it('names each placement clock that ran out', () => {
    expect(
      line('homeward.placement.overdue', { caseId: 'c1', clock: 'rescued-not-placed', limitDays: 15 }),
    ).toBe('case c1: rescued, not placed after 15 days');
    expect(
      line('homeward.placement.overdue', { caseId: 'c1', clock: 'identified-not-returned', limitDays: 30 }),
    ).toBe('case c1: identified, not returned home after 30 days');
  });

  it('names units on the map by id, kind and region', () => {
    expect(
      line('homeward.notification.unit-registered', { unitId: 'u1', kind: 'police', region: '340104' }),
    ).toBe('unit u1 (police) registered in 340104');
    expect(
      line('homeward.notification.unit-updated', { unitId: 'u1', kind: 'police', region: '340111' }),
    ).toBe('unit u1 (police) moved or changed, now in 340111');
    expect(line('homeward.notification.unit-removed', { unitId: 'u1', region: '340111' })).toBe(
      'unit u1 removed from 340111',
    );
  });

  it('says which case a confirmed match identified the child of, when it names two', () => {
    const confirmed = (childCaseId: string | undefined, caseId: string | undefined) =>
      line('homeward.dna.match-confirmed', { matchId: 'm1', childCaseId, caseId });
    expect(confirmed('c9', 'c1')).toBe('match m1 confirmed: case c9 identified as the child of case c1');
    expect(confirmed('c1', 'c1')).toBe('match m1 confirmed');
    expect(confirmed(undefined, 'c1')).toBe('match m1 confirmed');
    expect(confirmed('c9', undefined)).toBe('match m1 confirmed');
  });

  it('names an annual submission by year, department and region at each stage', () => {
    const sub = { year: 2026, agencyId: 'hefei-psb', region: '340100' };
    expect(line('homeward.coordination.submission-submitted', { ...sub, version: 2 })).toBe(
      'annual report 2026 of hefei-psb (340100) submitted, version 2',
    );
    expect(
      line('homeward.coordination.submission-returned', { ...sub, returnedBy: { agencyId: 'anhui-office' } }),
    ).toBe('annual report 2026 of hefei-psb (340100) returned by anhui-office');
    // Without who returned it (an older producer's event), still a line, not a failure.
    expect(line('homeward.coordination.submission-returned', sub)).toMatch(
      /^annual report 2026 of hefei-psb \(340100\) returned by/,
    );
    expect(line('homeward.coordination.submission-accepted', sub)).toBe(
      'annual report 2026 of hefei-psb (340100) accepted',
    );
    expect(
      line('homeward.coordination.submission-reminder', { ...sub, stage: 'due-soon', dueDate: '2027-01-31' }),
    ).toBe('annual report 2026 of hefei-psb (340100): reminder (due-soon), due 2027-01-31');
  });

  it('says only the type of an event it keeps no words for', () => {
    expect(line('homeward.case.victims-added', { caseId: 'c1' })).toBe('homeward.case.victims-added');
  });
});

describe('what an event carries besides its own fields', () => {
  it('shows only the data’s own fields, never one it inherits', () => {
    const data = Object.create(
      { reason: 'a field on the prototype' },
      { caseId: { value: 'c1', enumerable: true } },
    );
    expect(projectData('homeward.case.closed', data)).toStrictEqual({ caseId: 'c1' });
  });

  it('leaves out a field whose value the allowlist does not accept, rather than showing it empty', () => {
    expect(
      projectData('homeward.case.closed', {
        caseId: { name: 'Li Wei' },
        reason: ['found', { phone: '139' }],
      }),
    ).toStrictEqual({});
  });
});

describe('values as the stream shows them', () => {
  it('shows a listed field that is empty, false or a number as it is', () => {
    expect(
      projectData('homeward.dna.profile-entered', {
        sampleId: 's1',
        enteredAt: null,
        lociCount: 0,
        matchable: false,
      }),
    ).toStrictEqual({ sampleId: 's1', enteredAt: null, lociCount: 0, matchable: false });
  });

  it('leaves out a text where an object is listed, and figures with any one not whole', () => {
    expect(
      projectData('homeward.case.opened', { caseId: 'c1', reportedBy: 'Officer Wu, +86 139 0000 0000' }),
    ).toStrictEqual({ caseId: 'c1' });
    expect(
      projectData('homeward.coordination.submission-submitted', {
        submissionId: 's1',
        own: { reportsReceived: 3, casesOpened: 1.5 },
      }),
    ).toStrictEqual({ submissionId: 's1' });
  });
});
