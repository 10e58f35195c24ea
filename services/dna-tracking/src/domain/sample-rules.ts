/**
 * The rules of a sample's registration and of each custody step, without I/O: what makes the
 * input valid, what a step records, and whether the chain as stored lets it be appended.
 */
import { type Actor, createEvent, type FieldError, type HomewardEvent } from '@homeward/events';
import { type DnaErrorKey, DnaErrors } from '../errors.ts';
import {
  appendRecord,
  type ChainVerification,
  type CustodyContent,
  type CustodyRecord,
  type CustodyStep,
  nextSteps,
} from './custody.ts';
import { fingerprint, SOURCE } from './ids.ts';
import { isRelativeRelation, type RelativeRelation, RelativeRelations } from './kinship-relatives.ts';
import type { ParentRelation } from './matcher.ts';

/** Times more than this ahead of the service's clock are refused (clock skew allowance). */
export const FUTURE_TOLERANCE_MS = 5 * 60_000;

/**
 * Whose sample it is: a child of unknown origin, a rescued child, a parent of a missing child, or
 * another relative of one (a sibling, half sibling, grandparent, aunt or uncle).
 */
export const SubjectKinds = ['unidentified-child', 'rescued-child', 'parent', 'relative'] as const;
export type SubjectKind = (typeof SubjectKinds)[number];

/** Whose blood a sample is: a child (of a case, if known), or a parent or relative of a missing child's case. */
export interface Subject {
  kind: SubjectKind;
  caseId?: string;
  relation?: ParentRelation | RelativeRelation;
}

/** A sample as registered: never changed afterwards. */
export interface Sample {
  _id: string;
  subject: Subject;
  kitBarcode: string;
  collectedAt: string;
  place: string;
  region: string;
  collector: string;
  collectedBy: Actor;
  createdAt: Date;
  fingerprint: string;
}

/** A registration as submitted. */
export interface NewSample {
  subject: Subject;
  kitBarcode: string;
  collectedAt: string;
  place: string;
  region: string;
  collector: string;
}

/** A custody step as submitted. */
export interface NewCustodyStep {
  step: CustodyStep;
  at: string;
  by: string;
  place: string;
  region?: string;
  trackingNumber?: string;
  note?: string;
}

/** Whether `at` lies further ahead of `now` than the clock skew allowance. */
export function isInFuture(at: string, now: Date): boolean {
  return Date.parse(at) > now.getTime() + FUTURE_TOLERANCE_MS;
}

/**
 * What is wrong with a registration: a parent (mother or father) and a relative (one of
 * {@link RelativeRelations}) name their relation and the missing child's case, a child has no
 * relation, and a sample cannot be collected in the future.
 */
export function sampleErrors(input: NewSample, now: Date): FieldError[] {
  const errors: FieldError[] = [];
  const { subject } = input;
  if (subject.kind === 'parent') {
    if (subject.relation !== 'mother' && subject.relation !== 'father')
      errors.push({
        field: '/subject/relation',
        message: 'a parent sample needs the relation (mother or father)',
      });
    if (!subject.caseId)
      errors.push({ field: '/subject/caseId', message: "a parent sample needs the missing child's case" });
  } else if (subject.kind === 'relative') {
    if (!isRelativeRelation(subject.relation))
      errors.push({
        field: '/subject/relation',
        message: `a relative's sample needs the relation (${RelativeRelations.join(', ')})`,
      });
    if (!subject.caseId)
      errors.push({
        field: '/subject/caseId',
        message: "a relative's sample needs the missing child's case",
      });
  } else if (subject.relation) {
    errors.push({
      field: '/subject/relation',
      message: "only a parent's or a relative's sample has a relation",
    });
  }
  if (isInFuture(input.collectedAt, now)) errors.push({ field: '/collectedAt', message: 'is in the future' });
  return errors;
}

/** What is wrong with a custody step: a shipment, and only a shipment, has a tracking number; no future times. */
export function custodyStepErrors(input: NewCustodyStep, now: Date): FieldError[] {
  const errors: FieldError[] = [];
  if (input.step === 'shipped' && !input.trackingNumber)
    errors.push({ field: '/trackingNumber', message: 'a shipment needs its tracking number' });
  if (input.step !== 'shipped' && input.trackingNumber)
    errors.push({ field: '/trackingNumber', message: 'only a shipment has a tracking number' });
  if (input.step === 'destroyed' && !input.note?.trim())
    errors.push({ field: '/note', message: 'a destruction needs its reason' });
  if (isInFuture(input.at, now)) errors.push({ field: '/at', message: 'is in the future' });
  return errors;
}

/** The sample a registration makes, its id derived from the kit and its fingerprint from the input. */
export function newSampleDoc(sampleId: string, input: NewSample, principal: Actor, now: Date): Sample {
  return {
    _id: sampleId,
    subject: input.subject,
    kitBarcode: input.kitBarcode,
    collectedAt: input.collectedAt,
    place: input.place,
    region: input.region,
    collector: input.collector,
    collectedBy: principal,
    createdAt: now,
    fingerprint: fingerprint(input),
  };
}

/**
 * A sample's first record (`collected`) and its `sample-collected` event, derived from the
 * sample alone, so a retry after a crash between the two writes rebuilds them unchanged.
 */
export function firstRecord(
  sample: Sample,
  traceparent?: string,
): { record: CustodyRecord; event: HomewardEvent } {
  const record = appendRecord(sample._id, [], {
    step: 'collected',
    at: sample.collectedAt,
    by: sample.collector,
    agencyId: sample.collectedBy.agencyId,
    role: sample.collectedBy.role,
    place: sample.place,
    region: sample.region,
    recordedAt: new Date(sample.createdAt).toISOString(),
  });
  const { subject } = sample;
  const event = createEvent(
    'homeward.dna.sample-collected',
    {
      sampleId: sample._id,
      subject: {
        kind: subject.kind,
        ...(subject.caseId ? { caseId: subject.caseId } : {}),
        ...(subject.relation ? { relation: subject.relation } : {}),
      },
      kitBarcode: sample.kitBarcode,
      collectedAt: sample.collectedAt,
      collectedBy: sample.collectedBy,
      region: sample.region,
    },
    {
      source: SOURCE,
      subject: sample._id,
      time: new Date(sample.createdAt),
      id: `${sample._id}.collected`,
      ...(traceparent ? { traceparent } : {}),
    },
  ) as HomewardEvent;
  return { record, event };
}

/** The content a custody step records: what was submitted and who submitted it. */
export function custodyContent(input: NewCustodyStep, principal: Actor): Omit<CustodyContent, 'recordedAt'> {
  return {
    step: input.step,
    at: input.at,
    by: input.by,
    agencyId: principal.agencyId,
    role: principal.role,
    place: input.place,
    ...(input.region ? { region: input.region } : {}),
    ...(input.trackingNumber ? { trackingNumber: input.trackingNumber } : {}),
    ...(input.note ? { note: input.note } : {}),
  };
}

/** Why a custody step is refused. */
export interface CustodyRefusal {
  error: Extract<DnaErrorKey, 'custodyChainBroken' | 'custodyOutOfOrder' | 'custodyTimeOrder'>;
  /** The stable problem code of that error. */
  code: string;
  detail: string;
  errors?: FieldError[];
  extensions?: Record<string, unknown>;
}

/** The outcome of {@link planCustodyStep}. */
export type CustodyPlan =
  | { kind: 'replay'; record: CustodyRecord }
  | { kind: 'refused'; refusal: CustodyRefusal }
  | { kind: 'append'; record: CustodyRecord; event: HomewardEvent };

/**
 * The next custody record of a chain read as stored: the same content as the last record is a
 * retry (replayed, whatever the chain's state); a chain that fails verification takes nothing
 * more; the step must be one that may follow the last (409 otherwise) and not be dated before it.
 */
export function planCustodyStep(
  sampleId: string,
  records: readonly CustodyRecord[],
  verification: ChainVerification,
  content: Omit<CustodyContent, 'recordedAt'>,
  now: Date,
  traceparent?: string,
): CustodyPlan {
  const last = records[records.length - 1];
  if (!last)
    return refused({
      error: 'custodyChainBroken',
      code: DnaErrors.custodyChainBroken.code,
      detail: 'the sample has no custody record',
    });
  const { seq: _s, prevHash: _p, hash: _h, recordedAt: _r, ...lastContent } = last;
  if (fingerprint(lastContent) === fingerprint(content)) return { kind: 'replay', record: last };
  if (!verification.valid)
    return refused({
      error: 'custodyChainBroken',
      code: DnaErrors.custodyChainBroken.code,
      detail: `the custody chain fails verification at record ${verification.failedAt} (${verification.reason}); nothing can be appended until it is investigated`,
    });
  const allowed = nextSteps(last.step);
  if (!allowed.includes(content.step))
    return refused({
      error: 'custodyOutOfOrder',
      code: DnaErrors.custodyOutOfOrder.code,
      detail: `a sample at "${last.step}" cannot go to "${content.step}"; next: ${allowed.join(', ') || 'nothing (destroyed)'}`,
      extensions: { currentStep: last.step, allowedSteps: allowed },
    });
  if (Date.parse(content.at) < Date.parse(last.at))
    return refused({
      error: 'custodyTimeOrder',
      code: DnaErrors.custodyTimeOrder.code,
      detail: `the step cannot have happened before the previous one (${last.step})`,
      errors: [{ field: '/at', message: 'is earlier than the previous custody record' }],
    });
  const record = appendRecord(sampleId, records, { ...content, recordedAt: now.toISOString() });
  const event = createEvent(
    'homeward.dna.custody-recorded',
    { sampleId, step: record.step, at: record.at, by: record.by, recordHash: record.hash },
    {
      source: SOURCE,
      subject: sampleId,
      time: now,
      id: `${sampleId}.custody.${record.seq}`,
      ...(traceparent ? { traceparent } : {}),
    },
  ) as HomewardEvent;
  return { kind: 'append', record, event };
}

function refused(refusal: CustodyRefusal): CustodyPlan {
  return { kind: 'refused', refusal };
}
