import type { Disability, FieldError } from '@homeward/events';
import { type PlacementErrorKey, PlacementErrors } from '../errors.ts';
import { type AgeBasis, ageOnDate } from './age.ts';
import type { CaseFacts, ParentRecord, VictimFacts } from './case-facts.ts';
import { dateAt } from './dates.ts';
import {
  ADULT_AGE,
  type PlacementType,
  type VictimPlan,
  VOCATIONAL_TRAINING_FROM_AGE,
} from './followup-policy.ts';
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
  /** The victim placed (required when the case has more than one). */
  victimId?: string;
  /** What the victim will live from. */
  plan?: VictimPlan;
  /** A disability civil affairs established (added to what the case records). */
  disability?: Disability;
  /** How the placement meets the victim's disability; required when the victim has one. */
  disabilityConsideration?: string;
}

/** The victim a decision places, as the rules need it. */
export interface PlacedVictim {
  facts: VictimFacts;
  /** The case has no other child victim: the case's own identifications are this child's. */
  onlyChild: boolean;
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
    | 'planNotAllowed'
    | 'disabilityConsiderationRequired'
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
  victim?: VictimFacts,
): AgeBasis | undefined {
  if (req.birthDate) return { kind: 'stated-birth-date', birthDate: req.birthDate };
  if (victim?.birthDate) return { kind: 'birth-date', birthDate: victim.birthDate };
  if (victim?.apparentAge !== undefined && victim.ageObservedAt)
    return {
      kind: 'apparent-age',
      apparentAge: victim.apparentAge,
      observedOn: dateAt(new Date(victim.ageObservedAt), utcOffsetMinutes),
    };
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
 * unidentified-child report named unless police cleared them; a child's return goes to one of
 * the identified parents (`family`; none for a child among several child victims) or comes with
 * a documented police reason; the age on the
 * decision date must be known; and independent living is for adults only (18 and over).
 */
export function checkPlacement(
  facts: CaseFacts,
  req: PlacementRequest,
  utcOffsetMinutes: number,
  family: readonly ParentRecord[] = [],
  victim?: PlacedVictim,
): RuleOutcome {
  if (victim ? !victim.facts.rescue : !facts.rescue)
    return {
      ok: false,
      violation: {
        error: 'caseNotRescued',
        code: PlacementErrors.caseNotRescued.code,
        detail: victim
          ? `victim "${victim.facts.victimId}" has no recorded rescue; only a rescued victim is placed`
          : 'the case has no recorded rescue; only a rescued child is placed',
      },
    };
  if (req.type === 'return-to-family' && !familyIdentified(facts, victim))
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
    returnNeedsMatchedParent(victim) &&
    !isFamilyMember(req.guardian, victim && !victim.onlyChild ? [] : family)
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
  const age = ageOnDate(ageBasisOf(facts, req, utcOffsetMinutes, victim?.facts), req.decisionDate);
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
  const plan = planProblem(req, age.age);
  if (plan)
    return {
      ok: false,
      violation: {
        error: 'planNotAllowed',
        code: PlacementErrors.planNotAllowed.code,
        detail: plan,
        errors: [{ field: '/plan', message: plan }],
      },
    };
  if ((req.disability || victim?.facts.disability) && !req.disabilityConsideration?.trim())
    return {
      ok: false,
      violation: {
        error: 'disabilityConsiderationRequired',
        code: PlacementErrors.disabilityConsiderationRequired.code,
        detail:
          "the victim has a disability: the decision says how the placement meets it (the disabled persons' federation is asked to assist)",
        errors: [
          { field: '/disabilityConsideration', message: 'is required for a victim with a disability' },
        ],
      },
    };
  return { ok: true, age: age.age, ageBasis: age.basis };
}

/**
 * Whether the family a victim returns to is known. A child needs a confirmed DNA match or a
 * police identification: its own (the action that identified it named it) or, when it is the
 * case's only child (every case from before victims), the case's. An adult says herself where
 * home is: her return needs no identification (the escort and relief follow-ups go with her).
 */
/**
 * Whether a return to the family must go to a matched parent: for a child (the case's, or a
 * child victim). An adult victim goes home to the family she names; no DNA match of parents
 * stands behind it. A child among several child victims has no case-level match of its own
 * (the case's match cannot say which child it names), so its return needs a police reason.
 */
function returnNeedsMatchedParent(victim: PlacedVictim | undefined): boolean {
  return !victim || victim.facts.category === 'child';
}

export function familyIdentified(facts: CaseFacts, victim?: PlacedVictim): boolean {
  if (victim && victim.facts.category === 'adult') return true;
  if (victim?.facts.policeIdentifiedAt) return true;
  if (victim && !victim.onlyChild) return false;
  return facts.dnaIdentifications.length > 0 || facts.policeIdentifications.length > 0;
}

/**
 * What is wrong with a plan, if anything: going home is a return to the family; a relief
 * station (救助站) is a civil-affairs institution; employment, local or elsewhere, is for
 * victims of 16 and over (the policy's age for job guidance and employment elsewhere). A minor
 * with an employment plan still lives with a guardian or an institution: independent living is
 * refused below 18 by the rule before this one, so no minor is ever placed alone.
 */
export function planProblem(req: Pick<PlacementRequest, 'plan' | 'type'>, age: number): string | undefined {
  switch (req.plan) {
    case undefined:
      return undefined;
    case 'return-home':
      return req.type === 'return-to-family' ? undefined : 'return-home is a return-to-family placement';
    case 'relief-shelter':
      return req.type === 'civil-affairs-institution'
        ? undefined
        : 'relief-shelter is a stay at a relief station, a civil-affairs-institution placement';
    case 'local-employment':
    case 'employment-elsewhere':
      return age >= VOCATIONAL_TRAINING_FROM_AGE
        ? undefined
        : `${req.plan} is for victims of ${VOCATIONAL_TRAINING_FROM_AGE} and over; the victim is ${age}`;
  }
}
