import { describe, expect, it } from 'vitest';
import { redact, summarize, toView } from '../../src/domain/event-view.ts';
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
      'missing-child report from agency/hefei-psb',
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

describe('redaction', () => {
  it('replaces every contact field, at any depth and in arrays, and leaves other values alone', () => {
    expect(
      redact({
        guardian: { name: 'Wang Fang', address: 'Luyang district', contact: '+86 551', phone: '139' },
        buyerHousehold: { headName: 'Zhang San', idNumber: '34010419800101123X' },
        units: [[{ phone: '110' }], 'text', 3, null],
        count: 2,
        flag: false,
      }),
    ).toEqual({
      guardian: { name: 'Wang Fang', address: '[redacted]', contact: '[redacted]', phone: '[redacted]' },
      buyerHousehold: { headName: 'Zhang San', idNumber: '[redacted]' },
      units: [[{ phone: '[redacted]' }], 'text', 3, null],
      count: 2,
      flag: false,
    });
  });

  it('drops every genotype-like field, whatever it holds', () => {
    expect(
      redact({
        sampleId: 's1',
        genotype: 'x',
        genotypes: {},
        alleles: [12, 13],
        loci: { D8S1179: ['12', '13'] },
        profile: 'p',
        nested: { loci: 1 },
      }),
    ).toEqual({ sampleId: 's1', nested: {} });
  });

  it('keeps a contact that is not text (a structure is redacted inside instead)', () => {
    expect(redact({ contact: { phone: '138', preferred: 'sms' } })).toEqual({
      contact: { phone: '[redacted]', preferred: 'sms' },
    });
    expect(redact('plain')).toBe('plain');
    expect(redact(null)).toBeNull();
  });
});

describe('the view of an event', () => {
  it('carries the envelope, the topic, its place, the summary and the redacted data', () => {
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
      data: redact(e.data),
    });
    expect(JSON.stringify(toView(e, 'case.events.v1', {}))).not.toContain('+86 138');
  });

  it('leaves out a time the envelope does not have', () => {
    const { time: _time, ...untimed } = caseClosed('c1');
    expect('time' in toView(untimed as never, 'case.events.v1', {})).toBe(false);
  });
});
