import type { FieldError } from '@homeward/events';
import { type PlacementErrorKey, PlacementErrors } from '../errors.ts';
import { type AgeBasis, ageOnDate } from './age.ts';
import type { CaseFacts, ParentRecord } from './case-facts.ts';
import { dateAt } from './dates.ts';
import { ADULT_AGE, type PlacementType } from './followup-policy.ts';
import { type GuardianIdentity, householdsToRefuse, isFamilyMember, matchBuyer } from './normalise.ts';

export interface PlacementRequest {
  type: PlacementType;
  guardian?: GuardianIdentity & { relation?: string };
  institution?: { name: string; address: string };
  decisionDate: string;
  /** A birth date civil affairs established; takes precedence over the case's own. */
  birthDate?: string;
  /**
   * Police documented why a return goes to this guardian although no matched parent is named
   * (a police identification, a parent the report did not record).
   */
  policeReason?: { officer: string; reason: string };
}

/**
 * The identified family: the parents a confirmed DNA match named, as their case (the missing
 * child's) recorded them, the living ones. `parentsCases` holds the facts of those cases.
 */
export function familyOf(
  facts: CaseFacts,
  parentsCases: ReadonlyMap<string, CaseFacts | null>,
): ParentRecord[] {
  const family: ParentRecord[] = [];
  for (const id of facts.dnaIdentifications) {
    if (!id.parentsCaseId) continue;
    const parents = parentsCases.get(id.parentsCaseId)?.parents ?? [];
    for (const p of parents)
      if (p.living !== false && (!id.relations || id.relations.includes(p.relation))) family.push(p);
  }
  return family;
}

/** A broken placement rule: the error it answers with (a 422 of the catalogue), and why. */
export interface RuleViolation {
  error: Extract<
    PlacementErrorKey,
    | 'caseNotRescued'
    | 'identificationRequired'
    | 'guardianIsBuyer'
    | 'guardianNotFamily'
    | 'ageUnknown'
    | 'minorIndependentLiving'
  >;
  /** The stable problem code of that error. */
  code: string;
  detail: string;
  errors?: FieldError[];
}

export type RuleOutcome =
  | { ok: true; age: number; ageBasis: AgeBasis['kind'] }
  | { ok: false; violation: RuleViolation };

/** Who a placement type places the child with: a guardian, an institution, or neither. */
export function partyErrors(req: PlacementRequest): FieldError[] {
  const errors: FieldError[] = [];
  const wantsGuardian = ['return-to-family', 'foster-family', 'kinship-care'].includes(req.type);
  const wantsInstitution = req.type === 'civil-affairs-institution';
  if (wantsGuardian && !req.guardian)
    errors.push({ field: '/guardian', message: `a ${req.type} placement names the guardian` });
  if (!wantsGuardian && req.guardian)
    errors.push({ field: '/guardian', message: `a ${req.type} placement has no guardian` });
  if (wantsInstitution && !req.institution)
    errors.push({
      field: '/institution',
      message: 'a civil-affairs-institution placement names the institution',
    });
  if (!wantsInstitution && req.institution)
    errors.push({ field: '/institution', message: `a ${req.type} placement has no institution` });
  return errors;
}

/** Where the age comes from: a stated birth date, the reported one, or the apparent age. */
export function ageBasisOf(
  facts: CaseFacts,
  req: PlacementRequest,
  utcOffsetMinutes: number,
): AgeBasis | undefined {
  if (req.birthDate) return { kind: 'stated-birth-date', birthDate: req.birthDate };
  if (facts.birthDate) return { kind: 'birth-date', birthDate: facts.birthDate };
  if (facts.apparentAge)
    return {
      kind: 'apparent-age',
      apparentAge: facts.apparentAge.years,
      observedOn: dateAt(new Date(facts.apparentAge.observedAt), utcOffsetMinutes),
    };
  return undefined;
}

/**
 * The placement rules, in order: the case must be rescued; a return to the family needs a
 * confirmed DNA match or a recorded police identification; a guardian must not belong to a
 * buying household (any type; see {@link matchBuyer}), nor be the current guardian the
 * unidentified-child report named unless police cleared them; a return goes to one of the
 * identified parents (`family`) or comes with a documented police reason; the age on the
 * decision date must be known; and independent living is for adults only (18 and over).
 */
export function checkPlacement(
  facts: CaseFacts,
  req: PlacementRequest,
  utcOffsetMinutes: number,
  family: readonly ParentRecord[] = [],
): RuleOutcome {
  if (!facts.rescue)
    return {
      ok: false,
      violation: {
        error: 'caseNotRescued',
        code: PlacementErrors.caseNotRescued.code,
        detail: 'the case has no recorded rescue; only a rescued child is placed',
      },
    };
  if (
    req.type === 'return-to-family' &&
    facts.dnaIdentifications.length === 0 &&
    facts.policeIdentifications.length === 0
  )
    return {
      ok: false,
      violation: {
        error: 'identificationRequired',
        code: PlacementErrors.identificationRequired.code,
        detail:
          'a return to the family needs a confirmed DNA match or a recorded police identification for the case; neither is recorded',
        errors: [{ field: '/type', message: 'the family is not identified' }],
      },
    };
  if (req.guardian) {
    const households = householdsToRefuse(facts);
    const match = matchBuyer(req.guardian, households);
    const isCurrentGuardian = match !== undefined && match.index >= facts.buyerHouseholds.length;
    if (match && isCurrentGuardian)
      return {
        ok: false,
        violation: {
          error: 'guardianIsBuyer',
          code: PlacementErrors.guardianIsBuyer.code,
          detail: `the guardian is (or lives with) the current guardian the unidentified-child report named (matched by ${match.by}), treated as the buying household until police clear them`,
          errors: [{ field: '/guardian', message: 'matches the current guardian the report named' }],
        },
      };
    if (match)
      return {
        ok: false,
        violation: {
          error: 'guardianIsBuyer',
          code: PlacementErrors.guardianIsBuyer.code,
          detail: `the guardian is the buying household recorded at rescue (matched by ${match.by}); the child must never stay with it`,
          errors: [
            {
              field: match.by === 'id-number' ? '/guardian/idNumber' : '/guardian',
              message: `matches the buying household by ${match.by}`,
            },
          ],
        },
      };
  }
  if (
    req.type === 'return-to-family' &&
    req.guardian &&
    !req.policeReason &&
    !isFamilyMember(req.guardian, family)
  )
    return {
      ok: false,
      violation: {
        error: 'guardianNotFamily',
        code: PlacementErrors.guardianNotFamily.code,
        detail:
          family.length === 0
            ? "a return to the family goes to a parent a confirmed DNA match identified, as the parents' case recorded them; none is recorded for this case, so the return needs a documented police reason (policeReason)"
            : "the guardian is not one of the parents the confirmed DNA match identified (by identity number or name, as the parents' case recorded them); a return to anyone else needs a documented police reason (policeReason)",
        errors: [{ field: '/guardian', message: 'is not an identified parent' }],
      },
    };
  const age = ageOnDate(ageBasisOf(facts, req, utcOffsetMinutes), req.decisionDate);
  if (!age.ok)
    return {
      ok: false,
      violation: {
        error: 'ageUnknown',
        code: PlacementErrors.ageUnknown.code,
        detail: `the age on the decision date cannot be determined: ${age.reason}; state the child's birthDate`,
        errors: [{ field: '/birthDate', message: age.reason }],
      },
    };
  if (req.type === 'independent-living' && age.age < ADULT_AGE)
    return {
      ok: false,
      violation: {
        error: 'minorIndependentLiving',
        code: PlacementErrors.minorIndependentLiving.code,
        detail: `independent living is for adults; the child is ${age.age} on the decision date`,
        errors: [{ field: '/type', message: `independent-living needs age ${ADULT_AGE} or over` }],
      },
    };
  return { ok: true, age: age.age, ageBasis: age.basis };
}
