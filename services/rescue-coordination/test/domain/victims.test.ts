import { createEvent, type HomewardEvent } from '@homeward/events';
import { describe, expect, it } from 'vitest';
import type { CaseDoc } from '../../src/domain/case.ts';
import { issueCaseAlert } from '../../src/domain/case-alerts.ts';
import { markIdentified } from '../../src/domain/case-identification.ts';
import { close, issuesAtOnce, openedCase } from '../../src/domain/case-plan.ts';
import { addVictims, locate, rescue } from '../../src/domain/case-recovery.ts';
import { victimsOf } from '../../src/domain/victims.ts';
import { victimCount } from '../../src/routes/views.ts';
import { at, H, openCase, police, policy, SEEN } from './fixtures.ts';

const code = (c: string) => expect.objectContaining({ code: c });

/** The raid: three women (one 17 by her birth date) and a child found in one action. */
const raid = [
  { sex: 'female' as const, apparentAge: 25, description: 'woman A' },
  {
    sex: 'female' as const,
    birthDate: '1990-04-01',
    description: 'woman B',
    disability: { kinds: ['hearing' as const] },
  },
  { sex: 'female' as const, birthDate: '2009-06-01', description: 'girl C, 17' },
  { sex: 'male' as const, apparentAge: 6, description: 'boy D' },
];

function trafficking(): CaseDoc {
  return openCase({ kind: 'suspected-trafficking' });
}

function womanOpened(): HomewardEvent<'homeward.case.opened'> {
  return createEvent(
    'homeward.case.opened',
    {
      caseId: 'case-w',
      kind: 'missing-woman',
      region: '340104',
      openedAt: SEEN.toISOString(),
      reportId: 'rpt-w',
      reportedBy: { agencyId: 'anhui-womens-federation', role: 'womens-federation', region: '340000' },
      report: {
        kind: 'missing-woman',
        woman: { name: 'Wang Fang', apparentAge: 30 },
        lastSeen: { at: SEEN.toISOString(), place: 'station', lat: 31.8, lon: 117.3, region: '340104' },
        trafficked: true,
      },
      victims: [
        {
          victimId: 'case-w.v1',
          category: 'adult',
          sex: 'female',
          apparentAge: 30,
          ageObservedAt: SEEN.toISOString(),
        },
      ],
    },
    { source: 'homeward/intake', subject: 'case-w', id: 'rpt-w.case-opened' },
  );
}

describe('victims added by police', () => {
  it('one action adds several victims, numbered after the case, child or adult by age when found', () => {
    const d = addVictims(trafficking(), { victims: raid, foundAt: '2026-11-28T09:00:00Z' }, police, at(H));
    expect(d.result.map((v) => [v.victimId, v.category])).toEqual([
      ['case-1.v1', 'adult'],
      ['case-1.v2', 'adult'],
      ['case-1.v3', 'child'],
      ['case-1.v4', 'child'],
    ]);
    expect(d.events.map((e) => [e.type, e.id])).toEqual([
      ['homeward.case.victims-added', 'case-1.victims-added.v2'],
    ]);
    expect(d.events[0]?.data).toMatchObject({
      caseId: 'case-1',
      addedAt: '2026-11-28T09:00:00Z',
      addedBy: police,
      victims: [
        { victimId: 'case-1.v1', sex: 'female', apparentAge: 25, ageObservedAt: '2026-11-28T09:00:00Z' },
        { victimId: 'case-1.v2', birthDate: '1990-04-01', disability: { kinds: ['hearing'] } },
        { victimId: 'case-1.v3', birthDate: '2009-06-01' },
        { victimId: 'case-1.v4', apparentAge: 6 },
      ],
    });
    // More found later are numbered on.
    const later = addVictims(d.doc, { victims: [raid[0]!] }, police, at(2 * H));
    expect(later.result.map((v) => v.victimId)).toEqual(['case-1.v5']);
    expect(victimsOf(later.doc)).toHaveLength(5);
  });

  it('refuses a victim without an age, a birth date after the finding, and a closed case', () => {
    expect(() =>
      addVictims(trafficking(), { victims: [{ sex: 'female', description: 'x' }] }, police, at(H)),
    ).toThrow(
      expect.objectContaining({
        code: 'RESCUE_ERR_VICTIMS_NOT_APPLICABLE',
        status: 422,
        errors: [{ field: '/victims/0', message: 'needs a birthDate or an apparentAge' }],
      }),
    );
    expect(() =>
      addVictims(
        trafficking(),
        {
          victims: [{ sex: 'female', birthDate: '2026-12-01', description: 'x' }],
          foundAt: '2026-11-28T09:00:00Z',
        },
        police,
        at(H),
      ),
    ).toThrow(code('RESCUE_ERR_VICTIMS_NOT_APPLICABLE'));
    const closed = close(trafficking(), 'unfounded', police, at(H)).doc;
    expect(() => addVictims(closed, { victims: raid }, police, at(2 * H))).toThrow(
      code('RESCUE_ERR_INVALID_TRANSITION'),
    );
  });
});

describe('a raid that frees three women and a child', () => {
  const withRaid = () =>
    addVictims(trafficking(), { victims: raid, foundAt: '2026-11-28T09:00:00Z' }, police, at(H)).doc;

  it('is one rescue: victims-rescued names all four with their age groups, child-rescued only the children', () => {
    const buyerHousehold = { headName: 'Zhao Gang', address: 'Village 3, Feixi' };
    const d = rescue(withRaid(), { place: 'Village 3', region: '340123', buyerHousehold }, police, at(2 * H));
    expect(d.events.map((e) => e.type)).toEqual([
      'homeward.case.victims-rescued',
      'homeward.case.child-rescued',
    ]);
    expect(d.events[0]?.data).toMatchObject({
      region: '340123',
      buyerHousehold,
      victims: [
        { victimId: 'case-1.v1', category: 'adult', sex: 'female', ageGroup: '18-and-over' },
        { victimId: 'case-1.v2', category: 'adult', sex: 'female', ageGroup: '18-and-over' },
        { victimId: 'case-1.v3', category: 'child', sex: 'female', ageGroup: '14-17' },
        { victimId: 'case-1.v4', category: 'child', sex: 'male', ageGroup: 'under-14' },
      ],
    });
    expect(d.events[1]?.data).toMatchObject({ victimIds: ['case-1.v3', 'case-1.v4'], buyerHousehold });
    expect(d.doc.status).toBe('rescued');
    expect(victimsOf(d.doc).every((v) => v.rescued?.region === '340123')).toBe(true);
  });

  it('a later rescue that records a household keeps it beside the first rescue; both claims at once are refused', () => {
    const first = rescue(
      withRaid(),
      { place: 'Village 3', region: '340123', victimIds: ['case-1.v1'] },
      police,
      at(2 * H),
    );
    const buyerHousehold = { headName: 'Zhao Gang', address: 'Village 4, Feixi' };
    const later = rescue(
      first.doc,
      { place: 'Village 4', region: '340123', buyerHousehold },
      police,
      at(3 * H),
    );
    expect(later.doc.rescued).toEqual(first.doc.rescued);
    expect(later.doc.householdRecords).toEqual([
      { caseId: 'case-1', recordedAt: at(3 * H).toISOString(), buyerHousehold, by: police },
    ]);
    expect(() =>
      rescue(
        first.doc,
        { place: 'x', region: '340123', buyerHousehold, noBuyerHousehold: { reason: 'in transit' } },
        police,
        at(3 * H),
      ),
    ).toThrow(
      expect.objectContaining({
        code: 'RESCUE_ERR_HOUSEHOLD_CONFLICT',
        errors: [{ field: '/noBuyerHousehold', message: 'excludes buyerHousehold' }],
      }),
    );
  });

  it('rescuing only women publishes no child-rescued: a woman is never counted as a child', () => {
    const d = rescue(
      withRaid(),
      { place: 'Village 3', region: '340123', victimIds: ['case-1.v1', 'case-1.v2'] },
      police,
      at(2 * H),
    );
    expect(d.events.map((e) => e.type)).toEqual(['homeward.case.victims-rescued']);
    // The others follow later, each on its own path; a victim rescued twice is refused.
    const rest = rescue(d.doc, { place: 'Village 4', region: '340123' }, police, at(3 * H));
    expect(
      (rest.events[0]!.data as { victims: Array<{ victimId: string }> }).victims.map((v) => v.victimId),
    ).toEqual(['case-1.v3', 'case-1.v4']);
    expect(() =>
      rescue(d.doc, { place: 'x', region: '340123', victimIds: ['case-1.v1'] }, police, at(3 * H)),
    ).toThrow(
      expect.objectContaining({
        code: 'RESCUE_ERR_VICTIMS_NOT_APPLICABLE',
        errors: [{ field: '/victimIds/0', message: 'victim "case-1.v1" is rescued already' }],
      }),
    );
    expect(() =>
      rescue(d.doc, { place: 'x', region: '340123', victimIds: ['case-1.v9'] }, police, at(3 * H)),
    ).toThrow(code('RESCUE_ERR_VICTIMS_NOT_APPLICABLE'));
    expect(() => rescue(rest.doc, { place: 'x', region: '340123' }, police, at(4 * H))).toThrow(
      code('RESCUE_ERR_INVALID_TRANSITION'),
    );
  });

  it('located victims may be rescued later; a police identification marks the victims of its action', () => {
    const identification = { method: 'documents' as const, identifiedBy: 'officer-1' };
    const located = locate(
      withRaid(),
      { place: 'Village 3', victimIds: ['case-1.v2'], identification },
      police,
      at(2 * H),
    );
    expect(located.events.map((e) => e.type)).toEqual(['homeward.case.victims-located']);
    const v = victimsOf(located.doc);
    expect(v[1]?.identified).toMatchObject({ via: 'police', method: 'documents' });
    expect(v[0]?.identified).toBeUndefined();
    // Located cases may still have others located, and then all rescued.
    const more = locate(located.doc, { place: 'Village 3' }, police, at(3 * H));
    expect((more.events[0]!.data as { victims: unknown[] }).victims).toHaveLength(3);
    expect(rescue(more.doc, { place: 'Village 3', region: '340123' }, police, at(4 * H)).doc.status).toBe(
      'rescued',
    );
  });
});

describe('identification by DNA, and the search for a missing woman', () => {
  it('a confirmed match identifies the case child when the case has exactly one', () => {
    const match = createEvent(
      'homeward.dna.match-confirmed',
      {
        matchId: 'm-1',
        childSampleId: 's-1',
        parentSampleIds: ['s-2'],
        caseId: 'case-1',
        confirmedAt: '2026-11-29T10:00:00Z',
        confirmedBy: 'lab',
      },
      { source: 'homeward/dna-tracking', id: 'm-1.confirmed' },
    );
    const d = markIdentified(openCase(), match, at(H));
    expect(victimsOf(d!.doc)[0]?.identified).toEqual({
      at: '2026-11-29T10:00:00Z',
      via: 'dna',
      matchId: 'm-1',
    });
    // Two children: the match does not say which, so no victim is marked.
    const two = addVictims(openCase(), { victims: [raid[3]!] }, police, at(H)).doc;
    expect(victimsOf(markIdentified(two, match, at(2 * H))!.doc).every((v) => !v.identified)).toBe(true);
  });

  it('a missing woman gets no alert at opening; police may issue one, which says an adult is sought', () => {
    const opened = womanOpened();
    expect(issuesAtOnce(opened.data)).toBe(false);
    const doc = openedCase(opened, at(H));
    expect(victimsOf(doc).map((v) => [v.victimId, v.category])).toEqual([['case-w.v1', 'adult']]);
    const d = issueCaseAlert(doc, policy, at(H));
    expect(d.events[0]?.data).toMatchObject({
      child: { sex: 'female' },
      sought: 'adult',
    });
    expect(JSON.stringify(d.events[0]?.data)).not.toContain('Wang Fang');
  });
});

describe('a case stored before victims existed', () => {
  it('is listed with its one child, even from a projection without its report', () => {
    const { victims: _v, report: _r, ...legacy } = openCase();
    expect(victimCount(legacy as CaseDoc)).toBe(1);
    const { victims: _w, report: _s, ...trafficking } = openCase({ kind: 'suspected-trafficking' });
    expect(victimCount(trafficking as CaseDoc)).toBe(0);
    // Read whole, the child of its report is victim 1.
    const { victims: _x, ...whole } = openCase();
    expect(victimsOf(whole as CaseDoc).map((v) => v.victimId)).toEqual(['case-1.v1']);
  });
});
