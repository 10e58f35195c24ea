import type { FieldError } from '@homeward/events';
import { type PlacementErrorKey, PlacementErrors } from '../errors.ts';
import { type AgeBasis, ageOnDate } from './age.ts';
import type { CaseFacts } from './case-facts.ts';
import { dateAt } from './dates.ts';
import { ADULT_AGE, type PlacementType } from './followup-policy.ts';
import { type GuardianIdentity, matchBuyer } from './normalise.ts';

export interface PlacementRequest {
  type: PlacementType;
  guardian?: GuardianIdentity & { relation?: string };
  institution?: { name: string; address: string };
  decisionDate: string;
  /** A birth date civil affairs established; takes precedence over the case's own. */
  birthDate?: string;
}

/** A broken placement rule: the error it answers with (a 422 of the catalogue), and why. */
export interface RuleViolation {
  error: Extract<
    PlacementErrorKey,
    'caseNotRescued' | 'identificationRequired' | 'guardianIsBuyer' | 'ageUnknown' | 'minorIndependentLiving'
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
 * confirmed DNA match or a recorded police identification; a guardian must not be a buying
 * household recorded at rescue (any type); the age on the decision date must be known; and
 * independent living is for adults only (18 and over).
 */
export function checkPlacement(
  facts: CaseFacts,
  req: PlacementRequest,
  utcOffsetMinutes: number,
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
    const match = matchBuyer(req.guardian, facts.buyerHouseholds);
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
