import { createEvent } from '@homeward/events';
import { describe, expect, it } from 'vitest';
import { type CaseDoc, RECENT_LEADS } from '../../src/domain/case.ts';
import {
  alertOf,
  cancelCaseAlert,
  escalateCaseAlert,
  issueCaseAlert,
  moveAlertCentre,
} from '../../src/domain/case-alerts.ts';
import { casesOfMatch, linkedCaseOf, markIdentified } from '../../src/domain/case-identification.ts';
import { addLead, newLead } from '../../src/domain/case-leads.ts';
import { assignTeam, close, issuesAtOnce, openedCase } from '../../src/domain/case-plan.ts';
import { locate, rescue } from '../../src/domain/case-recovery.ts';
import { parseEscalationPolicy } from '../../src/domain/escalation-policy.ts';
import {
  at,
  by,
  H,
  leadEvent,
  MIN,
  onRoster,
  openCase,
  openedEvent,
  police,
  policy,
  SEEN,
  team,
  teamRequest,
} from './fixtures.ts';

const code = (c: string) => expect.objectContaining({ code: c });
/** A case searching with alert 1, issued at 07:55. */
const searching = (): CaseDoc => issueCaseAlert(openCase(), policy, at(5 * MIN)).doc;

describe('a case opened', () => {
  it('is version 1, opened, with its divisions, its report and the first line of its timeline', () => {
    const event = openedEvent();
    const doc = openedCase(event, at(5 * MIN));
    expect(doc).toEqual({
      _id: 'case-1',
      version: 1,
      kind: 'missing-child',
      status: 'opened',
      region: '340104',
      province: '340000',
      prefecture: '340100',
      openedAt: SEEN,
      updatedAt: at(5 * MIN),
      reportId: 'rpt-case-1',
      reportedBy: police,
      report: event.data.report,
      alerts: [],
      activeAlertId: null,
      leadCount: 0,
      recentLeads: [],
      // An opening from before victims existed: its report's child is victim 1.
      victims: [
        {
          victimId: 'case-1.v1',
          category: 'child',
          sex: 'male',
          birthDate: '2019-05-01',
          description: 'red jacket',
          addedAt: SEEN.toISOString(),
        },
      ],
      timeline: [
        {
          at: SEEN,
          type: 'homeward.case.opened',
          eventId: 'rpt-case-1.case-opened',
          by: { agencyId: 'hefei-psb', role: 'police' },
          details: { kind: 'missing-child', region: '340104', reportId: 'rpt-case-1', victims: 1 },
        },
      ],
    });
  });

  it('has its alert issued at once only for a missing child reported by police', () => {
    expect(issuesAtOnce(openedEvent().data)).toBe(true);
    expect(issuesAtOnce(openedEvent({ by: 'hotline' }).data)).toBe(false);
    expect(issuesAtOnce(openedEvent({ kind: 'suspected-trafficking' }).data)).toBe(false);
  });
});

describe('leads and identification', () => {
  it('a lead is a row of its own; the case counts it and keeps it among the newest; the same lead again changes nothing', () => {
    const event = leadEvent();
    const lead = newLead(event);
    expect(lead).toEqual({
      caseId: 'case-1',
      leadId: 'lead-1',
      addedAt: new Date('2026-11-28T08:30:00Z'),
      origin: 'sighting',
      seenAt: event.data.seenAt,
      reportedBy: event.data.reportedBy,
      description: 'a boy in a red jacket',
      photoUrl: 'https://photos.example.org/l/1.jpg',
    });
    const before = openCase();
    const d = addLead(before, lead, at(40 * MIN));
    expect(d?.events).toEqual([]);
    const row = { _id: 'case-1:000000001', seq: 1, ...lead };
    expect(d?.result).toEqual(row);
    expect(d?.doc).toMatchObject({ version: 2, updatedAt: at(40 * MIN), leadCount: 1, recentLeads: [row] });
    // No timeline line per lead: the case document does not grow with its sightings.
    expect(d?.doc.timeline).toEqual(before.timeline);
    expect(addLead(d!.doc, lead, at(41 * MIN))).toBeNull();
  });

  it('keeps only the newest leads on the case, however many come, and counts them all', () => {
    let doc = openCase();
    for (let i = 1; i <= RECENT_LEADS + 5; i++)
      doc = addLead(doc, newLead(leadEvent('case-1', `lead-${i}`)), at(H))!.doc;
    expect(doc.leadCount).toBe(RECENT_LEADS + 5);
    expect(doc.recentLeads).toHaveLength(RECENT_LEADS);
    expect(doc.recentLeads[0]?.leadId).toBe('lead-6');
    expect(doc.recentLeads.at(-1)).toMatchObject({
      leadId: `lead-${RECENT_LEADS + 5}`,
      seq: RECENT_LEADS + 5,
      _id: `case-1:0000000${RECENT_LEADS + 5}`,
    });
  });

  it('a lead without description or photo records neither', () => {
    const event = leadEvent();
    const { description: _d, photoUrl: _p, ...bare } = event.data;
    const lead = newLead({ ...event, data: bare });
    expect(lead).not.toHaveProperty('description');
    expect(lead).not.toHaveProperty('photoUrl');
  });

  it('a confirmed match identifies the child once', () => {
    const event = createEvent(
      'homeward.dna.match-confirmed',
      {
        matchId: 'm-1',
        childSampleId: 's-child',
        parentSampleIds: ['s-mother'],
        caseId: 'case-1',
        confirmedAt: '2026-11-28T12:00:00Z',
        confirmedBy: 'lab',
      },
      { source: 'homeward/dna-tracking', id: 'm-1.confirmed' },
    );
    const d = markIdentified(openCase(), event, at(H));
    expect(d?.doc).toMatchObject({
      version: 2,
      identified: {
        matchId: 'm-1',
        childSampleId: 's-child',
        parentSampleIds: ['s-mother'],
        confirmedAt: '2026-11-28T12:00:00Z',
        confirmedBy: 'lab',
      },
    });
    expect(d?.doc.timeline.at(-1)).toEqual({
      at: new Date('2026-11-28T12:00:00Z'),
      type: 'homeward.dna.match-confirmed',
      eventId: 'm-1.confirmed',
      details: { matchId: 'm-1', confirmedBy: 'lab' },
    });
    expect(d?.events).toEqual([]);
    expect(d?.result).toBe(true);
    expect(markIdentified(d!.doc, event, at(2 * H))).toBeNull();
    const other = { ...event, data: { ...event.data, matchId: 'm-2' } };
    expect(markIdentified(d!.doc, other, at(2 * H))?.doc.identified?.matchId).toBe('m-2');
  });
});

describe('the team', () => {
  it('is named with team-assigned (the case version it makes in its id) and a timeline line', () => {
    const d = assignTeam(openCase(), teamRequest('340100'), onRoster, police, at(H));
    expect(d.events).toHaveLength(1);
    expect(d.events[0]).toMatchObject({
      id: 'case-1.team-assigned.v2',
      type: 'homeward.case.team-assigned',
      source: 'homeward/rescue-coordination',
      subject: 'case-1',
      time: at(H).toISOString(),
      data: { caseId: 'case-1', assignedAt: at(H).toISOString(), ...team('340100') },
    });
    expect(d.doc).toMatchObject({
      version: 2,
      updatedAt: at(H),
      team: { assignedAt: at(H), ...team('340100') },
    });
    expect(d.doc.timeline.at(-1)).toEqual({
      at: at(H),
      type: 'homeward.case.team-assigned',
      eventId: 'case-1.team-assigned.v2',
      by: { agencyId: 'hefei-psb', role: 'police' },
      details: team('340100'),
    });
  });

  it('refuses a chief of a sibling county with 422 naming the field', () => {
    expect(() => assignTeam(openCase(), teamRequest('340102'), onRoster, police, at(H))).toThrow(
      expect.objectContaining({
        code: 'RESCUE_ERR_CHIEF_REGION',
        status: 422,
        message: expect.stringContaining('340102'),
        errors: [{ field: '/chiefId', message: 'must head 340104, its prefecture or its province' }],
      }),
    );
  });

  it('takes the chief from the roster: the county head, its prefecture and province heads lead; no one else', () => {
    for (const region of ['340104', '340100', '340000']) {
      expect(
        assignTeam(openCase(), teamRequest(region), onRoster, police, at(H)).doc.team?.chief.region,
      ).toBe(region);
    }
    for (const region of ['340102', '340105', '340200', '341500', '320000', '320100']) {
      expect(() => assignTeam(openCase(), teamRequest(region), onRoster, police, at(H))).toThrow(
        code('RESCUE_ERR_CHIEF_REGION'),
      );
    }
  });

  it('refuses a plain officer as chief, however close its region', () => {
    expect(() =>
      assignTeam(openCase(), { ...teamRequest('340104'), chiefId: 'plain-340104' }, onRoster, police, at(H)),
    ).toThrow(
      expect.objectContaining({
        code: 'RESCUE_ERR_CHIEF_NOT_HEAD',
        status: 422,
        errors: [{ field: '/chiefId', message: 'must head a county, prefecture or province police' }],
      }),
    );
  });

  it('refuses ids not on the roster, chief or lead, naming each field', () => {
    expect(() =>
      assignTeam(
        openCase(),
        { ...teamRequest('340104'), chiefId: 'nobody', rescueLeadId: 'ghost' },
        onRoster,
        police,
        at(H),
      ),
    ).toThrow(
      expect.objectContaining({
        code: 'RESCUE_ERR_OFFICER_NOT_ON_ROSTER',
        status: 422,
        errors: [
          { field: '/chiefId', message: 'is not on the police roster' },
          { field: '/rescueLeadId', message: 'is not on the police roster' },
        ],
      }),
    );
  });

  it('is refused on a closed case', () => {
    const closed = close(openCase(), 'done', police, at(H)).doc;
    expect(() => assignTeam(closed, teamRequest('340100'), onRoster, police, at(2 * H))).toThrow(
      code('RESCUE_ERR_INVALID_TRANSITION'),
    );
  });
});

describe('issuing the alert', () => {
  it('one write: the case searches with alert 1 and alert.issued goes with it', () => {
    const d = issueCaseAlert(openCase(), policy, at(10 * MIN));
    expect(d.doc).toMatchObject({ status: 'searching', activeAlertId: 'case-1.alert-1', version: 2 });
    expect(d.doc.alerts).toEqual([d.result]);
    expect(d.result).toMatchObject({ alertId: 'case-1.alert-1', status: 'active', radiusKm: 100 });
    expect(d.events.map((e) => e.id)).toEqual(['case-1.alert-1.issued']);
  });

  it('a second while one runs is 409; after it ended, the next is alert 2', () => {
    const doc = searching();
    expect(() => issueCaseAlert(doc, policy, at(20 * MIN))).toThrow(
      expect.objectContaining({
        code: 'RESCUE_ERR_ALERT_ACTIVE',
        message: expect.stringContaining('case-1.alert-1'),
      }),
    );
    const cancelled = cancelCaseAlert(
      doc,
      'case-1.alert-1',
      { reason: 'withdrawn' },
      police,
      at(20 * MIN),
    ).doc;
    const again = issueCaseAlert(cancelled, policy, at(30 * MIN));
    expect(again.result.alertId).toBe('case-1.alert-2');
    expect(again.doc.alerts.map((a) => [a.alertId, a.status])).toEqual([
      ['case-1.alert-1', 'cancelled'],
      ['case-1.alert-2', 'active'],
    ]);
  });

  it('is for a missing child only (422), and not once the child is located (409)', () => {
    expect(() => issueCaseAlert(openCase({ kind: 'suspected-trafficking' }), policy, at(H))).toThrow(
      expect.objectContaining({
        code: 'RESCUE_ERR_ALERT_NOT_APPLICABLE',
        status: 422,
        message: expect.stringContaining('"suspected-trafficking"'),
      }),
    );
    const located = locate(openCase(), { place: 'x' }, police, at(H)).doc;
    expect(() => issueCaseAlert(located, policy, at(2 * H))).toThrow(code('RESCUE_ERR_INVALID_TRANSITION'));
    // The case's kind and its report's kind must both be a missing child.
    const trafficking = openCase({ kind: 'suspected-trafficking' });
    const mismatched = [
      { ...openCase(), report: trafficking.report },
      { ...trafficking, report: openCase().report },
    ];
    for (const doc of mismatched)
      expect(() => issueCaseAlert(doc, policy, at(H))).toThrow(code('RESCUE_ERR_ALERT_NOT_APPLICABLE'));
  });
});

describe('located and rescued end the search in the same write', () => {
  it('located: child-located and alert.cancelled (found) together; the alert off the case', () => {
    const d = locate(searching(), { place: 'Lu an bus station', region: '341500' }, police, at(H));
    // The child is victim 1: victims-located names it, child-located says it for consumers
    // that know only children (with its id, so one that reads both counts it once).
    expect(d.events.map((e) => [e.type, e.id])).toEqual([
      ['homeward.case.victims-located', 'case-1.victims-located.v3'],
      ['homeward.case.child-located', 'case-1.child-located.v3'],
      ['homeward.alert.cancelled', 'case-1.alert-1.cancelled'],
    ]);
    expect(d.events[0]?.data).toEqual({
      caseId: 'case-1',
      place: 'Lu an bus station',
      region: '341500',
      locatedAt: at(H).toISOString(),
      victims: [{ victimId: 'case-1.v1', category: 'child', sex: 'male', ageGroup: 'under-14' }],
    });
    expect(d.events[1]?.data).toEqual({
      caseId: 'case-1',
      place: 'Lu an bus station',
      region: '341500',
      locatedAt: at(H).toISOString(),
      victimIds: ['case-1.v1'],
    });
    expect(d.events[2]?.data).toMatchObject({ reason: 'found' });
    expect(d.doc).toMatchObject({
      status: 'located',
      activeAlertId: null,
      version: 3,
      located: { caseId: 'case-1', place: 'Lu an bus station', by: police },
    });
    expect(d.doc.alerts[0]).toMatchObject({
      status: 'cancelled',
      nextDueAt: null,
      cancelled: { reason: 'found' },
    });
    expect(d.doc.timeline.at(-1)).toEqual({
      at: at(H),
      type: 'homeward.case.victims-located',
      eventId: 'case-1.victims-located.v3',
      by: { agencyId: 'hefei-psb', role: 'police' },
      details: {
        place: 'Lu an bus station',
        locatedAt: at(H).toISOString(),
        identified: false,
        victimIds: ['case-1.v1'],
      },
    });
    expect(d.doc.victims?.[0]?.located).toEqual({ at: at(H).toISOString(), place: 'Lu an bus station' });
  });

  it('located with a time and an identification keeps them; without an alert, no cancellation', () => {
    const identification = { method: 'documents' as const, identifiedBy: 'officer-1' };
    const d = locate(
      openCase(),
      { place: 'x', locatedAt: '2026-11-28T08:00:00Z', identification },
      police,
      at(H),
    );
    expect(d.events.map((e) => e.type)).toEqual([
      'homeward.case.victims-located',
      'homeward.case.child-located',
    ]);
    expect(d.events[0]?.data).toMatchObject({ locatedAt: '2026-11-28T08:00:00Z', identification });
    expect(d.events[1]?.data).toMatchObject({ locatedAt: '2026-11-28T08:00:00Z', identification });
    expect(d.doc.victims?.[0]?.identified).toEqual({
      at: '2026-11-28T08:00:00Z',
      via: 'police',
      method: 'documents',
    });
    expect(d.doc.timeline.at(-1)?.details).toMatchObject({
      identified: true,
      locatedAt: '2026-11-28T08:00:00Z',
    });
  });

  it('rescued without located: child-rescued and alert.cancelled (found); buyer household recorded', () => {
    const buyerHousehold = { headName: 'Zhang San', address: 'Shou county' };
    const d = rescue(searching(), { place: 'farm', region: '341500', buyerHousehold }, police, at(H));
    expect(d.events.map((e) => [e.type, e.id])).toEqual([
      ['homeward.case.victims-rescued', 'case-1.victims-rescued.v3'],
      ['homeward.case.child-rescued', 'case-1.child-rescued.v3'],
      ['homeward.alert.cancelled', 'case-1.alert-1.cancelled'],
    ]);
    expect(d.events[0]?.data).toEqual({
      caseId: 'case-1',
      place: 'farm',
      region: '341500',
      buyerHousehold,
      rescuedAt: at(H).toISOString(),
      victims: [{ victimId: 'case-1.v1', category: 'child', sex: 'male', ageGroup: 'under-14' }],
    });
    expect(d.events[1]?.data).toEqual({
      caseId: 'case-1',
      place: 'farm',
      region: '341500',
      buyerHousehold,
      rescuedAt: at(H).toISOString(),
      victimIds: ['case-1.v1'],
    });
    expect(d.doc).toMatchObject({
      status: 'rescued',
      activeAlertId: null,
      rescued: { buyerHousehold, by: police },
    });
    expect(d.doc.alerts[0]?.status).toBe('cancelled');
    expect(d.doc.timeline.at(-1)).toEqual({
      at: at(H),
      type: 'homeward.case.victims-rescued',
      eventId: 'case-1.victims-rescued.v3',
      by: { agencyId: 'hefei-psb', role: 'police' },
      details: {
        place: 'farm',
        region: '341500',
        rescuedAt: at(H).toISOString(),
        buyerHouseholdRecorded: true,
        noBuyerHouseholdStated: false,
        currentGuardianCleared: false,
        identified: false,
        victimIds: ['case-1.v1'],
      },
    });
  });

  it('rescued after located: no cancellation (the alert ended already), its own time kept', () => {
    const located = locate(searching(), { place: 'x' }, police, at(H)).doc;
    const identification = { method: 'family-recognition' as const, identifiedBy: 'officer-1' };
    const d = rescue(
      located,
      { place: 'y', region: '341500', rescuedAt: '2026-11-28T09:00:00Z', identification },
      police,
      at(2 * H),
    );
    expect(d.events.map((e) => e.type)).toEqual([
      'homeward.case.victims-rescued',
      'homeward.case.child-rescued',
    ]);
    expect(d.events[0]?.data).toMatchObject({ rescuedAt: '2026-11-28T09:00:00Z' });
    expect(d.doc.timeline.at(-1)?.details).toMatchObject({ buyerHouseholdRecorded: false, identified: true });
    expect(() => rescue(d.doc, { place: 'z', region: '341500' }, police, at(3 * H))).toThrow(
      code('RESCUE_ERR_INVALID_TRANSITION'),
    );
  });
});

describe('closing', () => {
  it('is refused while an alert runs, naming it; then closes with closed and its reason', () => {
    const doc = searching();
    expect(() => close(doc, 'hoax', police, at(H))).toThrow(
      expect.objectContaining({
        code: 'RESCUE_ERR_ALERT_ACTIVE',
        message: expect.stringContaining('/v1/alerts/case-1.alert-1/cancel'),
      }),
    );
    const cancelled = cancelCaseAlert(doc, 'case-1.alert-1', { reason: 'hoax' }, police, at(H)).doc;
    const d = close(cancelled, 'hoax', police, at(2 * H));
    expect(d.events).toHaveLength(1);
    expect(d.events[0]).toMatchObject({
      id: 'case-1.closed.v4',
      type: 'homeward.case.closed',
      data: { caseId: 'case-1', closedAt: at(2 * H).toISOString(), reason: 'hoax' },
    });
    expect(d.doc).toMatchObject({
      status: 'closed',
      closed: { closedAt: at(2 * H), reason: 'hoax', by: police },
    });
    expect(d.doc.timeline.at(-1)).toEqual({
      at: at(2 * H),
      type: 'homeward.case.closed',
      eventId: 'case-1.closed.v4',
      by: { agencyId: 'hefei-psb', role: 'police' },
      details: { reason: 'hoax' },
    });
    expect(() => close(d.doc, 'again', police, at(3 * H))).toThrow(code('RESCUE_ERR_INVALID_TRANSITION'));
  });
});

describe("police on a case's alert", () => {
  it('cancel: the alert ends, the case stops searching with it, the officer recorded', () => {
    const d = cancelCaseAlert(searching(), 'case-1.alert-1', { reason: 'hoax', note: 'lied' }, police, at(H));
    expect(d.doc).toMatchObject({ activeAlertId: null, status: 'searching', version: 3 });
    expect(d.result).toMatchObject({ status: 'cancelled', cancelled: { reason: 'hoax', note: 'lied' } });
    expect(d.doc.alerts).toEqual([d.result]);
    expect(d.result.history.at(-1)?.by).toEqual(by);
    expect(d.events.map((e) => e.id)).toEqual(['case-1.alert-1.cancelled']);
  });

  it('an unknown alert is 404; an ended one 409', () => {
    expect(() => cancelCaseAlert(searching(), 'case-1.alert-9', { reason: 'hoax' }, police, at(H))).toThrow(
      expect.objectContaining({
        code: 'RESCUE_ERR_ALERT_NOT_FOUND',
        status: 404,
        message: expect.stringContaining('case-1.alert-9'),
      }),
    );
    const cancelled = cancelCaseAlert(searching(), 'case-1.alert-1', { reason: 'hoax' }, police, at(H)).doc;
    expect(() => cancelCaseAlert(cancelled, 'case-1.alert-1', { reason: 'hoax' }, police, at(H))).toThrow(
      code('RESCUE_ERR_ALERT_ENDED'),
    );
  });

  it('move the centre to a lead: same radius, next step, the case still searching with it', () => {
    const added = addLead(searching(), newLead(leadEvent()), at(40 * MIN))!;
    const withLead = added.doc;
    const lead = added.result;
    const d = moveAlertCentre(withLead, 'case-1.alert-1', 'lead-1', lead, police, at(45 * MIN));
    expect(d.result).toMatchObject({ step: 1, radiusKm: 100, center: { lat: 31.85, lon: 117.2 } });
    expect(d.doc).toMatchObject({ activeAlertId: 'case-1.alert-1', version: withLead.version + 1 });
    expect(d.doc.alerts).toEqual([d.result]);
    expect(d.events.map((e) => e.id)).toEqual(['case-1.alert-1.step-1']);
  });

  it('move: an unknown lead is 404, an ended alert 409 (before the lead is looked at)', () => {
    expect(() => moveAlertCentre(searching(), 'case-1.alert-1', 'nope', null, police, at(H))).toThrow(
      expect.objectContaining({
        code: 'RESCUE_ERR_LEAD_NOT_FOUND',
        message: expect.stringContaining('"nope"'),
      }),
    );
    const cancelled = cancelCaseAlert(searching(), 'case-1.alert-1', { reason: 'hoax' }, police, at(H)).doc;
    // A lead of another case, or another lead than named, is not this case's lead.
    const other = addLead(openCase(), newLead(leadEvent('case-1', 'lead-1')), at(H))!.result;
    other.caseId = 'case-2';
    expect(() => moveAlertCentre(searching(), 'case-1.alert-1', 'lead-1', other, police, at(H))).toThrow(
      expect.objectContaining({ code: 'RESCUE_ERR_LEAD_NOT_FOUND' }),
    );
    const mine = addLead(openCase(), newLead(leadEvent('case-1', 'lead-1')), at(H))!.result;
    expect(() => moveAlertCentre(searching(), 'case-1.alert-1', 'lead-2', mine, police, at(H))).toThrow(
      expect.objectContaining({ code: 'RESCUE_ERR_LEAD_NOT_FOUND' }),
    );
    expect(() => moveAlertCentre(cancelled, 'case-1.alert-1', 'nope', null, police, at(H))).toThrow(
      expect.objectContaining({
        code: 'RESCUE_ERR_ALERT_ENDED',
        message: expect.stringContaining('case-1.alert-1'),
      }),
    );
  });

  it('alertOf finds an alert of the case', () => {
    const doc = searching();
    expect(alertOf(doc, 'case-1.alert-1')).toBe(doc.alerts[0]);
  });
});

describe('escalation in the case', () => {
  it('due: one write with alert.escalated, the next due time for the index', () => {
    const doc = searching();
    const plan = escalateCaseAlert(doc, 'case-1.alert-1', policy, at(H));
    expect(plan.outcome).toBe('escalated');
    expect(plan.nextDueAt).toEqual(at(2 * H));
    expect(plan.decision?.doc).toMatchObject({ version: 3, activeAlertId: 'case-1.alert-1' });
    expect(plan.decision?.doc.alerts[0]).toMatchObject({ step: 1, radiusKm: 200 });
    expect(plan.decision?.result).toBe(plan.decision?.doc.alerts[0]);
    expect(plan.decision?.events.map((e) => e.id)).toEqual(['case-1.alert-1.step-1']);
  });

  it('not due: nothing to write, due as before', () => {
    expect(escalateCaseAlert(searching(), 'case-1.alert-1', policy, at(H - 1))).toEqual({
      outcome: 'not-due',
      nextDueAt: at(H),
      decision: null,
    });
  });

  it('ended, unknown or on its last rung: nothing to write, out of the index', () => {
    const located = locate(searching(), { place: 'x' }, police, at(30 * MIN)).doc;
    for (const [doc, id, outcome] of [
      [located, 'case-1.alert-1', 'ended'],
      [searching(), 'case-1.alert-7', 'ended'],
      [issueCaseAlert(openCase(), policy, at(4 * H)).doc, 'case-1.alert-1', 'final'],
    ] as const) {
      expect(escalateCaseAlert(doc, id, policy, at(5 * H))).toEqual({
        outcome,
        nextDueAt: null,
        decision: null,
      });
    }
  });

  it('rescheduled by a changed policy: a write without events, the new due time', () => {
    const longer = parseEscalationPolicy('2h:100,*:200');
    const plan = escalateCaseAlert(searching(), 'case-1.alert-1', longer, at(H));
    expect(plan.outcome).toBe('rescheduled');
    expect(plan.nextDueAt).toEqual(at(2 * H));
    expect(plan.decision?.events).toEqual([]);
    expect(plan.decision?.doc.alerts[0]?.nextDueAt).toEqual(at(2 * H));
    expect(plan.decision?.doc.version).toBe(3);
    expect(plan.decision?.result.nextDueAt).toEqual(at(2 * H));
  });
});

describe('a case with several leads and alerts', () => {
  it('keeps each lead, and every decision that answers nothing but yes says so', () => {
    const one = addLead(openCase(), newLead(leadEvent('case-1', 'lead-1')), at(H))!;
    const two = addLead(one.doc, newLead(leadEvent('case-1', 'lead-2')), at(H));
    expect(two?.doc.recentLeads.map((l) => l.leadId)).toEqual(['lead-1', 'lead-2']);
    expect(two?.doc.leadCount).toBe(2);
    const doc = openCase();
    expect(assignTeam(doc, teamRequest('340100'), onRoster, police, at(H)).result).toBe(true);
    expect(locate(doc, { place: 'x' }, police, at(H)).result).toBe(true);
    expect(rescue(doc, { place: 'x', region: '341500' }, police, at(H)).result).toBe(true);
    expect(close(doc, 'x', police, at(H)).result).toBe(true);
    expect(one.result.seq).toBe(1);
  });

  it('changes only the alert it names, and moves the centre to the lead it names', () => {
    const first = cancelCaseAlert(
      searching(),
      'case-1.alert-1',
      { reason: 'withdrawn' },
      police,
      at(10 * MIN),
    );
    const second = issueCaseAlert(first.doc, policy, at(20 * MIN)).doc;
    const lead2 = newLead({
      ...leadEvent('case-1', 'lead-2'),
      data: {
        ...leadEvent('case-1', 'lead-2').data,
        seenAt: { at: '2026-11-28T08:40:00Z', place: 'Lu an', lat: 31.7, lon: 116.5, region: '341500' },
      },
    });
    const added = addLead(addLead(second, newLead(leadEvent('case-1', 'lead-1')), at(H))!.doc, lead2, at(H))!;
    const withLeads = added.doc;
    const moved = moveAlertCentre(withLeads, 'case-1.alert-2', 'lead-2', added.result, police, at(H));
    expect(moved.result.center).toEqual({ lat: 31.7, lon: 116.5 });
    expect(moved.doc.alerts[0]).toEqual(first.result);
    const cancelled = cancelCaseAlert(withLeads, 'case-1.alert-2', { reason: 'hoax' }, police, at(H));
    expect(cancelled.doc.alerts.map((a) => [a.alertId, a.status, a.cancelled?.reason])).toEqual([
      ['case-1.alert-1', 'cancelled', 'withdrawn'],
      ['case-1.alert-2', 'cancelled', 'hoax'],
    ]);
  });
});

describe("a confirmed DNA match links the child's case and the parents' case", () => {
  const match = { caseId: 'parents-1', childCaseId: 'child-1' };

  it('each case sees the other, and a third case neither', () => {
    expect(linkedCaseOf('child-1', match)).toEqual({ caseId: 'parents-1', as: 'parents-case' });
    expect(linkedCaseOf('parents-1', match)).toEqual({ caseId: 'child-1', as: 'child-case' });
    expect(linkedCaseOf('other-1', match)).toBeUndefined();
  });

  it('links nothing when the match names one case only, or the same case twice', () => {
    expect(linkedCaseOf('parents-1', { caseId: 'parents-1' })).toBeUndefined();
    expect(linkedCaseOf('child-1', { childCaseId: 'child-1' })).toBeUndefined();
    expect(linkedCaseOf('c', { caseId: 'c', childCaseId: 'c' })).toBeUndefined();
  });

  it("identifies the child's case and the parents' case, each once", () => {
    expect(casesOfMatch(match)).toEqual(['child-1', 'parents-1']);
    expect(casesOfMatch({ caseId: 'c', childCaseId: 'c' })).toEqual(['c']);
    expect(casesOfMatch({ caseId: 'parents-1' })).toEqual(['parents-1']);
    expect(casesOfMatch({ childCaseId: 'child-1' })).toEqual(['child-1']);
  });
});
