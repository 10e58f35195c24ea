import { describe, expect, it } from 'vitest';
import type { CaseDoc } from '../../src/domain/case.ts';
import { cancelCaseAlert, issueCaseAlert } from '../../src/domain/case-alerts.ts';
import { addLead, newLead } from '../../src/domain/case-leads.ts';
import { assignTeam, close, issuesAtOnce, openedCase } from '../../src/domain/case-plan.ts';
import { locate, rescue } from '../../src/domain/case-recovery.ts';
import {
  at,
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

// The case's own lifecycle decisions (domain/case-plan.ts): opened, its team, closed.

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
});
