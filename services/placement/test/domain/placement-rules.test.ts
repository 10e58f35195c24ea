import { describe, expect, it } from 'vitest';
import { type CaseFacts, emptyFacts } from '../../src/domain/case-facts.ts';
import {
  ageBasisOf,
  checkPlacement,
  type PlacementRequest,
  partyErrors,
} from '../../src/domain/placement-rules.ts';

const BUYER = {
  headName: 'Zhang San',
  address: '合肥市蜀山区，长江西路12号',
  idNumber: '34010419800101123X',
};

/** A rescued child born on `birthDate`, with the buying household recorded at rescue. */
function rescued(birthDate: string | undefined, extra: Partial<CaseFacts> = {}): CaseFacts {
  return {
    ...emptyFacts(),
    ...(birthDate ? { birthDate } : {}),
    region: '340104',
    rescue: { rescuedAt: '2026-11-20T02:00:00Z', region: '341500' },
    buyerHouseholds: [BUYER],
    ...extra,
  };
}

const policeId = {
  method: 'documents' as const,
  identifiedBy: 'officer 0571',
  at: '2026-11-20T02:00:00Z',
  via: 'child-rescued' as const,
};
const dnaId = { matchId: 'match-1', confirmedAt: '2026-11-21T00:00:00Z' };
const foster = (over: Partial<PlacementRequest> = {}): PlacementRequest => ({
  type: 'foster-family',
  decisionDate: '2026-11-28',
  guardian: { name: 'Wang Fang', address: 'Hefei, Luyang district, 8 Huaihe Road' },
  ...over,
});

describe('who a placement type places the child with', () => {
  it('asks return-to-family, foster-family and kinship-care for a guardian and nothing else', () => {
    for (const type of ['return-to-family', 'foster-family', 'kinship-care'] as const) {
      expect(
        partyErrors({ type, decisionDate: '2026-11-28', guardian: { name: 'a', address: 'b' } }),
      ).toEqual([]);
      expect(partyErrors({ type, decisionDate: '2026-11-28' })).toEqual([
        { field: '/guardian', message: `a ${type} placement names the guardian` },
      ]);
      expect(
        partyErrors({
          type,
          decisionDate: '2026-11-28',
          guardian: { name: 'a', address: 'b' },
          institution: { name: 'home', address: 'c' },
        }),
      ).toEqual([{ field: '/institution', message: `a ${type} placement has no institution` }]);
    }
  });

  it('asks civil-affairs-institution for the institution and no guardian', () => {
    const institution = { name: 'Hefei Children Welfare Home', address: 'Baohe' };
    expect(
      partyErrors({ type: 'civil-affairs-institution', decisionDate: '2026-11-28', institution }),
    ).toEqual([]);
    expect(partyErrors({ type: 'civil-affairs-institution', decisionDate: '2026-11-28' })).toEqual([
      { field: '/institution', message: 'a civil-affairs-institution placement names the institution' },
    ]);
    expect(
      partyErrors({
        type: 'civil-affairs-institution',
        decisionDate: '2026-11-28',
        institution,
        guardian: { name: 'a', address: 'b' },
      }),
    ).toEqual([{ field: '/guardian', message: 'a civil-affairs-institution placement has no guardian' }]);
  });

  it('gives independent living neither', () => {
    expect(
      partyErrors({
        type: 'independent-living',
        decisionDate: '2026-11-28',
        guardian: { name: 'a', address: 'b' },
      }),
    ).toEqual([{ field: '/guardian', message: 'a independent-living placement has no guardian' }]);
    expect(
      partyErrors({
        type: 'independent-living',
        decisionDate: '2026-11-28',
        institution: { name: 'a', address: 'b' },
      }),
    ).toEqual([{ field: '/institution', message: 'a independent-living placement has no institution' }]);
  });
});

describe('where the age comes from', () => {
  it('takes a stated birth date first, then the reported one, then the apparent age on its day', () => {
    const facts = rescued('2012-01-01', { apparentAge: { years: 9, observedAt: '2026-01-10T20:00:00Z' } });
    expect(ageBasisOf(facts, foster({ birthDate: '2011-05-05' }), 480)).toEqual({
      kind: 'stated-birth-date',
      birthDate: '2011-05-05',
    });
    expect(ageBasisOf(facts, foster(), 480)).toEqual({ kind: 'birth-date', birthDate: '2012-01-01' });
    // 20:00 UTC is 04:00 the next day in China: the apparent age was judged on 11 January.
    expect(ageBasisOf(rescued(undefined, { apparentAge: facts.apparentAge }), foster(), 480)).toEqual({
      kind: 'apparent-age',
      apparentAge: 9,
      observedOn: '2026-01-11',
    });
    expect(ageBasisOf(rescued(undefined, { apparentAge: facts.apparentAge }), foster(), 0)).toMatchObject({
      observedOn: '2026-01-10',
    });
    expect(ageBasisOf(rescued(undefined), foster(), 480)).toBeUndefined();
  });
});

describe('placement rules', () => {
  it('places only a rescued child', () => {
    const { rescue: _, ...notRescued } = rescued('2012-01-01');
    expect(checkPlacement(notRescued, foster(), 480)).toEqual({
      ok: false,
      violation: {
        error: 'caseNotRescued',
        code: 'PLACEMENT_ERR_CASE_NOT_RESCUED',
        detail: 'the case has no recorded rescue; only a rescued child is placed',
      },
    });
  });

  it('returns a child home only on a confirmed DNA match or a police identification', () => {
    const home = foster({ type: 'return-to-family' });
    expect(checkPlacement(rescued('2012-01-01'), home, 480)).toMatchObject({
      ok: false,
      violation: {
        error: 'identificationRequired',
        code: 'PLACEMENT_ERR_IDENTIFICATION_REQUIRED',
        detail:
          'a return to the family needs a confirmed DNA match or a recorded police identification for the case; neither is recorded',
        errors: [{ field: '/type', message: 'the family is not identified' }],
      },
    });
    const documented = { ...home, policeReason: { officer: 'officer 0571', reason: 'household register' } };
    expect(
      checkPlacement(rescued('2012-01-01', { policeIdentifications: [policeId] }), documented, 480),
    ).toEqual({
      ok: true,
      age: 14,
      ageBasis: 'birth-date',
    });
    const family = [{ relation: 'mother' as const, name: 'Wang Fang' }];
    expect(
      checkPlacement(rescued('2012-01-01', { dnaIdentifications: [dnaId] }), home, 480, family),
    ).toMatchObject({ ok: true });
    // Identified, but not to this guardian: neither a matched parent nor a documented reason.
    expect(
      checkPlacement(rescued('2012-01-01', { policeIdentifications: [policeId] }), home, 480),
    ).toMatchObject({
      ok: false,
      violation: { code: 'PLACEMENT_ERR_GUARDIAN_NOT_FAMILY', errors: [{ field: '/guardian' }] },
    });
    // Other types need no identification.
    for (const type of ['foster-family', 'kinship-care'] as const)
      expect(checkPlacement(rescued('2012-01-01'), foster({ type }), 480).ok).toBe(true);
  });

  it('refuses the buying household by identity number, whatever the type and the name', () => {
    const identified = rescued('2012-01-01', { policeIdentifications: [policeId] });
    for (const type of ['return-to-family', 'foster-family', 'kinship-care'] as const) {
      const outcome = checkPlacement(
        identified,
        foster({
          type,
          guardian: { name: 'Zhang Xiaohua', address: 'elsewhere', idNumber: '340104 19800101 123x' },
        }),
        480,
      );
      expect(outcome).toEqual({
        ok: false,
        violation: {
          error: 'guardianIsBuyer',
          code: 'PLACEMENT_ERR_GUARDIAN_IS_BUYER',
          detail:
            'the guardian is the buying household recorded at rescue (matched by id-number); the child must never stay with it',
          errors: [{ field: '/guardian/idNumber', message: 'matches the buying household by id-number' }],
        },
      });
    }
  });

  it('refuses the head of the buying household by normalised name and address', () => {
    const outcome = checkPlacement(
      rescued('2012-01-01'),
      foster({ guardian: { name: 'ＺＨＡＮＧ-san', address: '合肥市 蜀山区 长江西路 12 号' } }),
      480,
    );
    expect(outcome).toMatchObject({
      ok: false,
      violation: {
        error: 'guardianIsBuyer',
        detail:
          'the guardian is the buying household recorded at rescue (matched by name-and-address); the child must never stay with it',
        errors: [{ field: '/guardian', message: 'matches the buying household by name-and-address' }],
      },
    });
    // Any buyer recorded, not only the first.
    const second = { headName: 'Li Si', address: 'Lu an, 3 Village Road' };
    expect(
      checkPlacement(
        rescued('2012-01-01', { buyerHouseholds: [BUYER, second] }),
        foster({ guardian: { name: 'li si', address: 'Lu an 3 village road' } }),
        480,
      ),
    ).toMatchObject({ ok: false, violation: { error: 'guardianIsBuyer' } });
    // The same name at another address is someone else.
    expect(
      checkPlacement(
        rescued('2012-01-01'),
        foster({ guardian: { name: 'Zhang San', address: '合肥市包河区' } }),
        480,
      ).ok,
    ).toBe(true);
  });

  it('checks the buyer before the age, and not at all without a guardian', () => {
    expect(
      checkPlacement(
        rescued(undefined),
        foster({ guardian: { name: 'x', address: 'y', idNumber: BUYER.idNumber } }),
        480,
      ),
    ).toMatchObject({ violation: { error: 'guardianIsBuyer' } });
    expect(
      checkPlacement(
        rescued('2012-01-01'),
        {
          type: 'civil-affairs-institution',
          decisionDate: '2026-11-28',
          institution: { name: 'h', address: 'a' },
        },
        480,
      ).ok,
    ).toBe(true);
  });

  it('needs the age on the decision date', () => {
    expect(checkPlacement(rescued(undefined), foster(), 480)).toEqual({
      ok: false,
      violation: {
        error: 'ageUnknown',
        code: 'PLACEMENT_ERR_AGE_UNKNOWN',
        detail:
          "the age on the decision date cannot be determined: the case records neither a birth date nor an apparent age; state the child's birthDate",
        errors: [
          { field: '/birthDate', message: 'the case records neither a birth date nor an apparent age' },
        ],
      },
    });
    expect(checkPlacement(rescued('2027-01-01'), foster(), 480)).toMatchObject({
      violation: { error: 'ageUnknown', errors: [{ message: 'the decision date is before the birth date' }] },
    });
    expect(checkPlacement(rescued(undefined), foster({ birthDate: '2010-11-28' }), 480)).toEqual({
      ok: true,
      age: 16,
      ageBasis: 'stated-birth-date',
    });
  });

  it('refuses independent living under 18, from the day before the 18th birthday', () => {
    const alone = { type: 'independent-living' as const, decisionDate: '2026-11-28' };
    expect(checkPlacement(rescued('2008-11-29'), alone, 480)).toEqual({
      ok: false,
      violation: {
        error: 'minorIndependentLiving',
        code: 'PLACEMENT_ERR_MINOR_INDEPENDENT_LIVING',
        detail: 'independent living is for adults; the child is 17 on the decision date',
        errors: [{ field: '/type', message: 'independent-living needs age 18 or over' }],
      },
    });
    expect(checkPlacement(rescued('2012-01-01'), alone, 480)).toMatchObject({
      violation: { error: 'minorIndependentLiving' },
    });
    expect(checkPlacement(rescued('2008-11-28'), alone, 480)).toEqual({
      ok: true,
      age: 18,
      ageBasis: 'birth-date',
    });
    expect(checkPlacement(rescued('1990-06-01'), alone, 480)).toMatchObject({ ok: true, age: 36 });
    // A foster family for a 17-year-old is not independent living.
    expect(checkPlacement(rescued('2008-11-29'), foster(), 480).ok).toBe(true);
  });
});

describe('the family rule and the victims of a case', () => {
  const home = foster({ type: 'return-to-family' });
  const family = [{ relation: 'mother' as const, name: 'Wang Fang' }];
  const victim = (category: 'child' | 'adult', birthDate: string) => ({
    victimId: `c.v${category === 'child' ? 2 : 1}`,
    category,
    sex: 'female' as const,
    birthDate,
    rescue: { rescuedAt: '2026-11-20T02:00:00Z', region: '341500' },
    policeIdentifiedAt: '2026-11-20T02:00:00Z',
  });

  it('an adult victim goes home to the family she names: no matched parent, no police reason', () => {
    const woman = { facts: victim('adult', '1998-03-02'), onlyChild: false };
    expect(checkPlacement(rescued(undefined), home, 480, [], woman)).toMatchObject({ ok: true, age: 28 });
  });

  it("a child among several child victims: the case's DNA match names no parent of its own", () => {
    const facts = rescued(undefined, { dnaIdentifications: [dnaId] });
    const girl = victim('child', '2012-01-01');
    expect(checkPlacement(facts, home, 480, family, { facts: girl, onlyChild: false })).toMatchObject({
      ok: false,
      violation: { code: 'PLACEMENT_ERR_GUARDIAN_NOT_FAMILY' },
    });
    expect(checkPlacement(facts, home, 480, family, { facts: girl, onlyChild: true })).toMatchObject({
      ok: true,
    });
    const documented = { ...home, policeReason: { officer: 'officer 0571', reason: 'household register' } };
    expect(checkPlacement(facts, documented, 480, family, { facts: girl, onlyChild: false })).toMatchObject({
      ok: true,
    });
  });

  it('each refusal tells the caseworker what is missing and which field to change', () => {
    const { rescue: _, ...notRescued } = victim('child', '2012-01-01');
    expect(
      checkPlacement(rescued(undefined), foster(), 480, [], { facts: notRescued, onlyChild: false }),
    ).toEqual({
      ok: false,
      violation: {
        error: 'caseNotRescued',
        code: 'PLACEMENT_ERR_CASE_NOT_RESCUED',
        detail: 'victim "c.v2" has no recorded rescue; only a rescued victim is placed',
      },
    });
    const namedByReport = rescued('2012-01-01', {
      currentGuardian: { name: 'Zhou Wu', relation: 'father', address: 'Lu an, 5 Village Road' },
    });
    expect(
      checkPlacement(
        namedByReport,
        foster({ guardian: { name: 'Zhou Wu', address: 'Lu an, 5 Village Road' } }),
        480,
      ),
    ).toEqual({
      ok: false,
      violation: {
        error: 'guardianIsBuyer',
        code: 'PLACEMENT_ERR_GUARDIAN_IS_BUYER',
        detail:
          'the guardian is (or lives with) the current guardian the unidentified-child report named (matched by name-and-address), treated as the buying household until police clear them',
        errors: [{ field: '/guardian', message: 'matches the current guardian the report named' }],
      },
    });
    const notFamily = (detail: string) => ({
      ok: false,
      violation: {
        error: 'guardianNotFamily',
        code: 'PLACEMENT_ERR_GUARDIAN_NOT_FAMILY',
        detail,
        errors: [{ field: '/guardian', message: 'is not an identified parent' }],
      },
    });
    // Identified by the police, but no parent recorded: the return needs a documented reason.
    expect(checkPlacement(rescued('2012-01-01', { policeIdentifications: [policeId] }), home, 480)).toEqual(
      notFamily(
        "a return to the family goes to a parent a confirmed DNA match identified, as the parents' case recorded them; none is recorded for this case, so the return needs a documented police reason (policeReason)",
      ),
    );
    // A matched mother is recorded, and the guardian is someone else.
    const mother = [{ relation: 'mother' as const, name: 'Li Mei' }];
    expect(checkPlacement(rescued('2012-01-01', { dnaIdentifications: [dnaId] }), home, 480, mother)).toEqual(
      notFamily(
        "the guardian is not one of the parents the confirmed DNA match identified (by identity number or name, as the parents' case recorded them); a return to anyone else needs a documented police reason (policeReason)",
      ),
    );
  });

  it('the buying household (a bride groom’s too) is refused for an adult victim as for a child', () => {
    const woman = { facts: victim('adult', '1998-03-02'), onlyChild: false };
    expect(
      checkPlacement(
        rescued(undefined),
        { ...home, guardian: { name: BUYER.headName, address: BUYER.address } },
        480,
        [],
        woman,
      ),
    ).toMatchObject({ ok: false, violation: { code: 'PLACEMENT_ERR_GUARDIAN_IS_BUYER' } });
  });
});
