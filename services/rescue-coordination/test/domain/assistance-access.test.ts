import { describe, expect, it } from 'vitest';
import { caseScopeFilter, mayReach } from '../../src/domain/access.ts';
import {
  answerAssistance,
  granted,
  isAddressee,
  isCasePolice,
  readGrantsOf,
  requestAssistance,
  revokeAssistance,
} from '../../src/domain/assistance.ts';
import type { Assistance, CaseDoc } from '../../src/domain/case.ts';
import { at, H, MIN, openCase } from './fixtures.ts';

// Assistance between regions' police, and who reaches a case through it. The fixture's case lies
// in county 340104 (Hefei's Baohe district, prefecture 340100, province 340000); Nanjing's police
// (prefecture 320100, its county 320102) are asked to assist.

const casePolice = { agencyId: 'hefei-psb', role: 'police', region: '340100', extra: 'dropped' } as const;
const nanjing = { agencyId: 'nanjing-psb', role: 'police', region: '320102' } as const;
const nanjingPrefecture = { agencyId: 'nanjing-psb', role: 'police', region: '320100' } as const;
const suzhou = { agencyId: 'suzhou-psb', role: 'police', region: '320500' } as const;
const nanjingOperator = { agencyId: 'nanjing-ops', role: 'operator', region: '320102' } as const;

const ask = (doc: CaseDoc, actions: Assistance['actions'] = ['read', 'locate'], region = '320100') =>
  requestAssistance(doc, { region, reason: 'the buyer lives in Nanjing', actions }, casePolice, at(H));

/** A case with one assistance asked of Nanjing and answered. */
function answered(answer: 'accepted' | 'declined', actions: Assistance['actions'] = ['read', 'locate']) {
  const asked = ask(openCase(), actions);
  return answerAssistance(asked.doc, asked.result.assistanceId, answer, nanjing, at(2 * H));
}

const closed = (doc: CaseDoc): CaseDoc => ({ ...doc, status: 'closed' });

describe('asking another region for assistance', () => {
  it('records the request on the case, in its timeline and in one event, one version on', () => {
    const doc = openCase();
    const { doc: next, events, result } = ask(doc, ['read', 'locate', 'read']);
    expect(result).toEqual({
      assistanceId: 'case-1.assist-1',
      region: '320100',
      reason: 'the buyer lives in Nanjing',
      actions: ['read', 'locate'],
      status: 'requested',
      requestedAt: at(H),
      requestedBy: { agencyId: 'hefei-psb', role: 'police', region: '340100' },
    });
    expect(next.assistance).toEqual([result]);
    expect(next.version).toBe(doc.version + 1);
    expect(next.updatedAt).toEqual(at(H));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'homeward.case.assistance-requested',
      source: 'homeward/rescue-coordination',
      subject: 'case-1',
      time: at(H).toISOString(),
      id: `case-1.assistance-requested.v${doc.version + 1}`,
      data: {
        caseId: 'case-1',
        assistanceId: 'case-1.assist-1',
        requestedAt: at(H).toISOString(),
        region: '320100',
        reason: 'the buyer lives in Nanjing',
        actions: ['read', 'locate'],
        requestedBy: { agencyId: 'hefei-psb', role: 'police', region: '340100' },
      },
    });
    expect(next.timeline).toEqual([
      ...doc.timeline,
      {
        at: at(H),
        type: 'homeward.case.assistance-requested',
        eventId: events[0]!.id,
        by: { agencyId: 'hefei-psb', role: 'police' },
        details: {
          assistanceId: 'case-1.assist-1',
          region: '320100',
          reason: 'the buyer lives in Nanjing',
          actions: ['read', 'locate'],
        },
      },
    ]);
    // A request grants nothing yet.
    expect(next.readGrants).toBeUndefined();
  });

  it('numbers a second request after the first, keeping both', () => {
    const first = ask(openCase());
    const second = ask(first.doc, ['rescue'], '320500');
    expect(second.result.assistanceId).toBe('case-1.assist-2');
    expect(second.doc.assistance?.map((a) => a.assistanceId)).toEqual(['case-1.assist-1', 'case-1.assist-2']);
  });

  it("refuses a region containing the case's, or lying within it, with 422 on /region", () => {
    for (const region of ['340104', '340100', '340000', '000000'])
      expect(() => ask(openCase(), ['read'], region), region).toThrow(
        expect.objectContaining({
          code: 'RESCUE_ERR_ASSISTANCE_REGION',
          status: 422,
          message: expect.stringContaining(region),
          errors: [{ field: '/region', message: "must lie outside the case's region" }],
        }),
      );
    const prefectureCase: CaseDoc = { ...openCase(), region: '340100' };
    expect(() => ask(prefectureCase, ['read'], '340102')).toThrow(
      expect.objectContaining({ code: 'RESCUE_ERR_ASSISTANCE_REGION' }),
    );
    // A sibling county is outside: its police need the grant.
    expect(ask(openCase(), ['read'], '340102').result.region).toBe('340102');
  });

  it('refuses on a closed case: assistance ends with it', () => {
    expect(() => ask(closed(openCase()))).toThrow(
      expect.objectContaining({
        code: 'RESCUE_ERR_INVALID_TRANSITION',
        message: expect.stringContaining('closed'),
      }),
    );
  });
});

describe('answering a request', () => {
  it('accepting grants the named actions to the addressed region, and read lists the case there', () => {
    const asked = ask(openCase());
    const { doc, events, result } = answerAssistance(
      asked.doc,
      'case-1.assist-1',
      'accepted',
      { ...nanjing, extra: 1 } as typeof nanjing,
      at(2 * H),
    );
    expect(result).toEqual({
      ...asked.result,
      status: 'accepted',
      answeredAt: at(2 * H),
      answeredBy: { agencyId: 'nanjing-psb', role: 'police', region: '320102' },
    });
    expect(doc.assistance).toEqual([result]);
    expect(doc.readGrants).toEqual(['320100']);
    expect(doc.version).toBe(asked.doc.version + 1);
    expect(doc.updatedAt).toEqual(at(2 * H));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'homeward.case.assistance-accepted',
      subject: 'case-1',
      id: `case-1.assistance-accepted.v${asked.doc.version + 1}`,
      data: {
        caseId: 'case-1',
        assistanceId: 'case-1.assist-1',
        acceptedAt: at(2 * H).toISOString(),
        region: '320100',
        acceptedBy: { agencyId: 'nanjing-psb', role: 'police', region: '320102' },
      },
    });
    expect(doc.timeline.at(-1)).toEqual({
      at: at(2 * H),
      type: 'homeward.case.assistance-accepted',
      eventId: events[0]!.id,
      by: { agencyId: 'nanjing-psb', role: 'police' },
      details: { assistanceId: 'case-1.assist-1', region: '320100' },
    });
  });

  it('declining grants nothing and says so in its own event', () => {
    const { doc, events, result } = answered('declined');
    expect(result.status).toBe('declined');
    expect(doc.readGrants).toEqual([]);
    expect(events[0]).toMatchObject({
      type: 'homeward.case.assistance-declined',
      id: expect.stringMatching(/^case-1\.assistance-declined\.v\d+$/),
      data: {
        caseId: 'case-1',
        assistanceId: 'case-1.assist-1',
        declinedAt: at(2 * H).toISOString(),
        region: '320100',
        declinedBy: { agencyId: 'nanjing-psb', role: 'police', region: '320102' },
      },
    });
    expect(doc.timeline.at(-1)?.type).toBe('homeward.case.assistance-declined');
  });

  it('only the addressed police learn of a request: anyone else, and an unknown id, get 404', () => {
    const asked = ask(openCase());
    for (const who of [suzhou, nanjingOperator, casePolice])
      expect(
        () => answerAssistance(asked.doc, 'case-1.assist-1', 'accepted', who, at(2 * H)),
        who.region,
      ).toThrow(
        expect.objectContaining({
          code: 'RESCUE_ERR_ASSISTANCE_NOT_FOUND',
          status: 404,
          message: 'no assistance "case-1.assist-1" on case "case-1"',
        }),
      );
    expect(() => answerAssistance(asked.doc, 'case-1.assist-9', 'accepted', nanjing, at(2 * H))).toThrow(
      expect.objectContaining({
        code: 'RESCUE_ERR_ASSISTANCE_NOT_FOUND',
        message: expect.stringContaining('assist-9'),
      }),
    );
    expect(() => answerAssistance(openCase(), 'case-1.assist-1', 'accepted', nanjing, at(2 * H))).toThrow(
      expect.objectContaining({ code: 'RESCUE_ERR_ASSISTANCE_NOT_FOUND' }),
    );
    // The prefecture's own police are addressees as much as its county's.
    expect(
      answerAssistance(asked.doc, 'case-1.assist-1', 'accepted', nanjingPrefecture, at(2 * H)).result.status,
    ).toBe('accepted');
  });

  it('a second answer is 409, and a closed case takes no answer', () => {
    const { doc } = answered('accepted');
    expect(() => answerAssistance(doc, 'case-1.assist-1', 'declined', nanjing, at(3 * H))).toThrow(
      expect.objectContaining({
        code: 'RESCUE_ERR_ASSISTANCE_ANSWERED',
        status: 409,
        message: 'the assistance is accepted already',
      }),
    );
    const asked = ask(openCase());
    expect(() =>
      answerAssistance(closed(asked.doc), 'case-1.assist-1', 'accepted', nanjing, at(2 * H)),
    ).toThrow(expect.objectContaining({ code: 'RESCUE_ERR_INVALID_TRANSITION' }));
  });
});

describe('revoking an assistance', () => {
  it('ends an accepted grant at once, leaving the other assistances as they were', () => {
    const accepted = answered('accepted').doc;
    const withSecond = ask(accepted, ['rescue'], '320500').doc;
    const { doc, events, result } = revokeAssistance(withSecond, 'case-1.assist-1', casePolice, at(3 * H));
    expect(result).toMatchObject({
      status: 'revoked',
      revokedAt: at(3 * H),
      revokedBy: { agencyId: 'hefei-psb', role: 'police', region: '340100' },
    });
    expect(result).not.toHaveProperty('revokedBy.extra');
    expect(doc.assistance).toEqual([result, withSecond.assistance![1]]);
    expect(doc.readGrants).toEqual([]);
    expect(granted(doc, nanjing, 'read')).toBe(false);
    expect(doc.version).toBe(withSecond.version + 1);
    expect(events[0]).toMatchObject({
      type: 'homeward.case.assistance-revoked',
      id: `case-1.assistance-revoked.v${withSecond.version + 1}`,
      data: {
        caseId: 'case-1',
        assistanceId: 'case-1.assist-1',
        revokedAt: at(3 * H).toISOString(),
        region: '320100',
        revokedBy: { agencyId: 'hefei-psb', role: 'police', region: '340100' },
      },
    });
    expect(doc.timeline.at(-1)).toEqual({
      at: at(3 * H),
      type: 'homeward.case.assistance-revoked',
      eventId: events[0]!.id,
      by: { agencyId: 'hefei-psb', role: 'police' },
      details: { assistanceId: 'case-1.assist-1', region: '320100' },
    });
  });

  it('withdraws a request not yet answered', () => {
    const asked = ask(openCase());
    expect(revokeAssistance(asked.doc, 'case-1.assist-1', casePolice, at(2 * H)).result.status).toBe(
      'revoked',
    );
  });

  it('a declined or revoked assistance has nothing to revoke (409); an unknown one is 404', () => {
    const declined = answered('declined').doc;
    expect(() => revokeAssistance(declined, 'case-1.assist-1', casePolice, at(3 * H))).toThrow(
      expect.objectContaining({
        code: 'RESCUE_ERR_ASSISTANCE_ANSWERED',
        message: 'the assistance is declined: nothing to revoke',
      }),
    );
    const revoked = revokeAssistance(answered('accepted').doc, 'case-1.assist-1', casePolice, at(3 * H)).doc;
    expect(() => revokeAssistance(revoked, 'case-1.assist-1', casePolice, at(4 * H))).toThrow(
      expect.objectContaining({ message: 'the assistance is revoked: nothing to revoke' }),
    );
    expect(() => revokeAssistance(revoked, 'case-1.assist-2', casePolice, at(4 * H))).toThrow(
      expect.objectContaining({ code: 'RESCUE_ERR_ASSISTANCE_NOT_FOUND' }),
    );
  });
});

describe('what a grant lets other police do', () => {
  it("grants the addressed region's police exactly the named actions while the case is open", () => {
    const { doc } = answered('accepted', ['read', 'locate']);
    expect(granted(doc, nanjing, 'read')).toBe(true);
    expect(granted(doc, nanjingPrefecture, 'locate')).toBe(true);
    expect(granted(doc, nanjing, 'rescue')).toBe(false);
    expect(granted(doc, suzhou, 'read')).toBe(false);
    expect(granted(doc, nanjingOperator, 'read')).toBe(false);
    expect(granted(closed(doc), nanjing, 'read')).toBe(false);
    // Asked or declined grants nothing.
    expect(granted(ask(openCase()).doc, nanjing, 'read')).toBe(false);
    expect(granted(answered('declined').doc, nanjing, 'read')).toBe(false);
    expect(granted(openCase(), nanjing, 'read')).toBe(false);
  });

  it('lists the regions read is granted to: accepted, with read, each once', () => {
    const a = (region: string, status: Assistance['status'], actions: Assistance['actions']): Assistance => ({
      assistanceId: `x-${region}-${status}`,
      region,
      reason: 'r',
      actions,
      status,
      requestedAt: at(MIN),
      requestedBy: casePolice,
    });
    expect(
      readGrantsOf([
        a('320100', 'accepted', ['read']),
        a('320100', 'accepted', ['read', 'rescue']),
        a('320500', 'accepted', ['rescue']),
        a('330100', 'requested', ['read']),
        a('330200', 'declined', ['read']),
        a('330300', 'revoked', ['read']),
        a('320000', 'accepted', ['locate', 'read']),
      ]),
    ).toEqual(['320100', '320000']);
  });

  it("the case's own police are police whose region contains the case's; an addressee lies in the assisted region", () => {
    const doc = openCase();
    expect(isCasePolice(doc, casePolice)).toBe(true);
    expect(isCasePolice(doc, { ...casePolice, region: '340104' })).toBe(true);
    expect(isCasePolice(doc, { ...casePolice, region: '340102' })).toBe(false);
    expect(isCasePolice(doc, { ...casePolice, role: 'operator' })).toBe(false);
    expect(isAddressee({ region: '320100' }, nanjing)).toBe(true);
    expect(isAddressee({ region: '320102' }, nanjingPrefecture)).toBe(false);
    expect(isAddressee({ region: '320100' }, nanjingOperator)).toBe(false);
  });

  it('reaches a case from its own region (police or operators), or through a grant, else not', () => {
    const { doc } = answered('accepted', ['read']);
    expect(mayReach(doc, { ...casePolice }, 'rescue')).toBe(true);
    expect(mayReach(doc, { agencyId: 'ops', role: 'operator', region: '340000' }, 'read')).toBe(true);
    expect(mayReach(doc, nanjing, 'read')).toBe(true);
    expect(mayReach(doc, nanjing, 'rescue')).toBe(false);
    expect(mayReach(doc, suzhou, 'read')).toBe(false);
    expect(mayReach(closed(doc), nanjing, 'read')).toBe(false);
  });

  it("a list's filter: the caller's region, and for police the open cases granting read to its county, prefecture or province", () => {
    expect(caseScopeFilter({ agencyId: 'ministry', role: 'police', region: '000000' })).toEqual({});
    expect(caseScopeFilter(nanjingOperator)).toEqual({ region: '320102' });
    expect(caseScopeFilter(nanjing)).toEqual({
      $or: [
        { region: '320102' },
        { status: { $ne: 'closed' }, readGrants: { $in: ['320102', '320100', '320000'] } },
      ],
    });
    expect(caseScopeFilter(nanjingPrefecture)).toEqual({
      $or: [
        { region: { $regex: '^3201' } },
        { status: { $ne: 'closed' }, readGrants: { $in: ['320100', '320000'] } },
      ],
    });
    expect(caseScopeFilter({ ...nanjing, region: '320000' })).toEqual({
      $or: [{ region: { $regex: '^32' } }, { status: { $ne: 'closed' }, readGrants: { $in: ['320000'] } }],
    });
  });
});
