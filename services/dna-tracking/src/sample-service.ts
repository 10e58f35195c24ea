import type { HomewardEvent } from '@homeward/events';
import type {
  AppError,
  Clock,
  Logger,
  Principal,
  ErrorOptions as ProblemOptions,
} from '@homeward/service-kit';
import { inScope, scopeFilter } from '@homeward/service-kit';
import {
  type ChainVerification,
  type CustodyRecord,
  type CustodyStep,
  type OverduePolicy,
  overdue,
  verifyChain,
} from './domain/custody.ts';
import { labInCustody, mayHandle } from './domain/custody-access.ts';
import { sampleIdFor } from './domain/ids.ts';
import {
  mayEnterProfileAt,
  type ProfileReading,
  profileEnteredEvent,
  readProfile,
} from './domain/profile-entry.ts';
import {
  custodyContent,
  custodyStepErrors,
  firstRecord,
  type NewCustodyStep,
  type NewSample,
  newSampleDoc,
  planCustodyStep,
  sampleErrors,
} from './domain/sample-rules.ts';
import { caseRefusal, paidKey, subjectOfSample } from './domain/sampling-duties.ts';
import { type DnaErrorKey, DnaErrors } from './errors.ts';
import type { MatchingService, MatchSummary } from './matching-service.ts';
import type { CustodyDoc, DnaStore, ProfileDoc, SampleDoc } from './store/dna-store.ts';

export type { NewCustodyStep, NewSample } from './domain/sample-rules.ts';

/** Custody writes that find their position taken re-read this many times before giving up. */
const CUSTODY_ATTEMPTS = 6;

export interface SampleServiceDeps {
  store: DnaStore;
  clock: Clock;
  logger: Logger;
  matching: MatchingService;
  overduePolicy: OverduePolicy;
  minimumLoci: number;
}

/**
 * Samples, their custody and their profiles: reads, the rules of `domain/` (sample-rules,
 * custody, profile-entry), and one insert per change, each carrying its event.
 */
export class SampleService {
  constructor(private readonly deps: SampleServiceDeps) {}

  /**
   * Registers a sample and its first custody record; the kit barcode is the idempotency key. A
   * sample that names a case needs a case dna-tracking knows (422 otherwise), and pays that
   * case's duty (the parent's relation, or the child's own sample).
   */
  async register(
    input: NewSample,
    principal: Principal,
    traceparent?: string,
  ): Promise<{ sample: SampleDoc; replay: boolean }> {
    const now = this.deps.clock.now();
    const errors = sampleErrors(input, now);
    if (errors.length > 0) throw DnaErrors.invalidSample.error('the sample is invalid', { errors });
    if (!inScope(principal, input.region))
      throw DnaErrors.regionOutOfScope.error(
        `region ${input.region} does not lie in the caller's region ${principal.region}`,
      );
    const { caseId } = input.subject;
    if (caseId) {
      const refusal = caseRefusal(input.subject, await this.deps.store.findCase(caseId));
      if (refusal) throw refusalError(refusal);
    }

    const doc = newSampleDoc(sampleIdFor(input.kitBarcode), input, principal, now);
    // The sample first, then its first record with the event: the record derives from the
    // sample alone, so a retry after a crash between the two writes completes it unchanged.
    const inserted = await this.deps.store.samples.insertOnce(doc);
    const sample = inserted ? doc : await this.deps.store.findSample(doc._id);
    if (!sample) throw new Error(`sample ${doc._id} vanished after a duplicate-key insert`);
    if (!inserted && sample.fingerprint !== doc.fingerprint)
      throw DnaErrors.kitReused.error(
        'this kit barcode is registered for another sample; a kit is used once',
      );
    const first = firstRecord(sample, traceparent);
    await this.insertRecord(sample._id, first.record, first.event);
    // After the sample and its first record, so a retry after a crash in between pays it too;
    // the first sample to name a duty pays it (a second kit for the same parent changes nothing).
    const paying = subjectOfSample(sample.subject);
    if (sample.subject.caseId && paying) {
      const key = paidKey(sample.subject.caseId, paying);
      await this.deps.store.paid.insertOnce({ _id: key, sampleId: sample._id, at: now });
    }
    if (inserted)
      this.deps.logger.info(
        { sampleId: doc._id, subject: input.subject.kind, caseId: input.subject.caseId },
        'sample registered',
      );
    return { sample, replay: !inserted };
  }

  /** Inserts a record with its event, then its anchor; false when the position is taken. */
  private async insertRecord(
    sampleId: string,
    record: CustodyRecord,
    event: HomewardEvent,
  ): Promise<boolean> {
    const _id = `${sampleId}:${record.seq}`;
    const doc: CustodyDoc = { _id, sampleId, ...record };
    const inserted = await this.deps.store.custody.insertOnce(doc, [event]);
    if (inserted) await this.deps.store.anchor(sampleId, record.seq, record.hash);
    return inserted;
  }

  /** Records the next step of custody; a retry of the last step with the same content is a replay. */
  async recordCustody(
    sampleId: string,
    input: NewCustodyStep,
    principal: Principal,
    traceparent?: string,
  ): Promise<{ record: CustodyRecord; replay: boolean }> {
    const errors = custodyStepErrors(input, this.deps.clock.now());
    if (errors.length > 0)
      throw DnaErrors.invalidCustodyStep.error('the custody step is invalid', { errors });
    const content = custodyContent(input, principal);
    for (let attempt = 0; ; attempt++) {
      const { sample, records, verification } = await this.custodyFor(sampleId, principal);
      // Once a lab received the sample, its later steps are that lab's alone.
      if (!mayHandle(records, principal.agencyId)) throw notFound(sampleId);
      const plan = planCustodyStep(
        sampleId,
        records,
        verification,
        content,
        this.deps.clock.now(),
        traceparent,
      );
      if (plan.kind === 'replay') return { record: plan.record, replay: true };
      if (plan.kind === 'refused') throw refusalError(plan.refusal);
      if (await this.insertRecord(sample._id, plan.record, plan.event)) {
        this.deps.logger.info({ sampleId, step: plan.record.step, seq: plan.record.seq }, 'custody recorded');
        return { record: plan.record, replay: false };
      }
      // Another request took this position: read again (a concurrent copy of this step becomes a replay).
      if (attempt >= CUSTODY_ATTEMPTS - 1)
        throw DnaErrors.concurrentUpdate.error('the sample is changing concurrently; retry');
    }
  }

  /** The sample, its chain as stored (records in order) and the chain's verification. */
  async custody(
    sampleId: string,
  ): Promise<{ sample: SampleDoc; records: CustodyRecord[]; verification: ChainVerification }> {
    const [sample, chain] = await Promise.all([
      this.deps.store.findSample(sampleId),
      this.deps.store.chain(sampleId),
    ]);
    if (!sample) throw DnaErrors.sampleNotFound.error(`no sample "${sampleId}"`);
    const slots = chain.records.map((r) => (r ? stripRecord(r) : null));
    const records = slots.filter((r): r is CustodyRecord => r !== null);
    return { sample, records, verification: verifyChain(sampleId, slots, chain.anchors) };
  }

  /**
   * A sample and its chain, if the caller reaches it: the sample's region lies in the caller's,
   * or the caller is the lab that holds it. Anything else answers 404, as a missing sample.
   */
  async custodyFor(
    sampleId: string,
    principal: Principal,
  ): Promise<{ sample: SampleDoc; records: CustodyRecord[]; verification: ChainVerification }> {
    const found = await this.custody(sampleId);
    const holder = labInCustody(found.records);
    if (!inScope(principal, found.sample.region) && holder !== principal.agencyId) throw notFound(sampleId);
    return found;
  }

  /** The ids of the samples whose region lies in the caller's (a store query on the region). */
  async sampleIdsInScope(principal: Principal): Promise<string[]> {
    const rows = await this.deps.store.samples.list(scopeFilter(principal, 'region') as never, {
      projection: { region: 1 },
    });
    return rows.map((r) => r._id);
  }

  /** Samples sitting in a step longer than the policy allows, most overdue first. */
  async overdue(
    principal: Principal,
  ): Promise<
    Array<{ sample: SampleDoc; step: CustodyStep; since: Date; limitHours: number; overdueHours: number }>
  > {
    const now = this.deps.clock.now();
    const latest = new Map<string, CustodyDoc>();
    // Only the caller's region's samples are read: their ids first, then their records.
    const ids = await this.sampleIdsInScope(principal);
    for (const r of await this.deps.store.custody.list({ sampleId: { $in: ids } } as never)) {
      const seen = latest.get(r.sampleId);
      if (!seen || r.seq > seen.seq) latest.set(r.sampleId, r);
    }
    const out: Array<{
      sample: SampleDoc;
      step: CustodyStep;
      since: Date;
      limitHours: number;
      overdueHours: number;
    }> = [];
    for (const r of latest.values()) {
      const since = new Date(r.at);
      const late = overdue(r.step, since, now, this.deps.overduePolicy);
      if (!late) continue;
      const sample = await this.deps.store.findSample(r.sampleId);
      if (sample) out.push({ sample, step: r.step, since, ...late });
    }
    return out.sort((a, b) => b.overdueHours - a.overdueHours);
  }

  /**
   * Enters a sample's STR profile (once; a retry with the same genotypes is a replay), then,
   * if it is matchable, searches it at once.
   */
  async enterProfile(
    sampleId: string,
    body: unknown,
    principal: Principal,
    traceparent?: string,
  ): Promise<{ profile: ProfileDoc; matches: MatchSummary[]; replay: boolean }> {
    // The sample and the caller's reach first: a sample outside scope is 404 whatever the body.
    const { sample, records } = await this.custodyFor(sampleId, principal);
    const read = readProfile(body, this.deps.minimumLoci);
    if (!read.ok) throw refusalError(read.refusal);
    const { reading } = read;
    const existing = await this.deps.store.findProfile(sampleId, true);
    const holder = labInCustody(records);
    // Only the lab that holds the sample enters its profile (before any lab holds it: 409 below).
    if (holder !== undefined && holder !== principal.agencyId) throw notFound(sampleId);
    if (existing) return this.replayProfile(existing, reading.fingerprint);
    const step = records[records.length - 1]?.step ?? 'collected';
    if (!mayEnterProfileAt(step)) {
      throw DnaErrors.sampleNotAtLab.error(
        `a profile is entered once the lab has the sample (received, profiled or stored); this one is at "${step}"`,
        { extensions: { currentStep: step } },
      );
    }
    const { caseId, relation } = sample.subject;
    // One mother and one father per case; relatives are not limited (two siblings, say).
    if (caseId && (relation === 'mother' || relation === 'father')) {
      const holder = await this.deps.store.claimCaseParent(caseId, relation, sampleId);
      if (holder !== sampleId) {
        throw DnaErrors.caseRelationTaken.error(
          `the case already has a ${relation} profile (sample ${holder})`,
        );
      }
    }
    const now = this.deps.clock.now();
    const profile = profileDoc(sampleId, reading, sample, principal, now);
    const event = profileEnteredEvent(sampleId, reading, now, traceparent);
    const inserted = await this.deps.store.profiles.insertOnce(profile, [event]);
    if (!inserted) {
      const winner = await this.deps.store.findProfile(sampleId, true);
      if (!winner) throw new Error(`profile ${sampleId} vanished after a duplicate-key insert`);
      return this.replayProfile(winner, reading.fingerprint);
    }
    this.deps.logger.info(
      { sampleId, lociTyped: reading.lociTyped, matchable: reading.matchable },
      'profile entered',
    );
    const matches = reading.matchable ? await this.deps.matching.enter(profile) : [];
    return { profile, matches, replay: false };
  }

  /** A retry: same genotypes, or 409; finishes what the first delivery may not have (index, search). */
  private async replayProfile(
    existing: ProfileDoc,
    print: string,
  ): Promise<{ profile: ProfileDoc; matches: MatchSummary[]; replay: true }> {
    if (existing.fingerprint !== print) {
      throw DnaErrors.profileExists.error('the sample already has a different profile');
    }
    const matches = existing.matchable ? await this.deps.matching.enter(existing) : [];
    return { profile: existing, matches, replay: true };
  }

  /** The genotypes of a sample, for dna-lab (the route enforces the role); the read is logged. */
  async readProfile(sampleId: string, principal: Principal): Promise<ProfileDoc & { region: string }> {
    // Genotypes are read by the lab that holds the sample, and by no one else (404 otherwise).
    const { sample, records } = await this.custody(sampleId);
    if (labInCustody(records) !== principal.agencyId) throw notFound(sampleId);
    const profile = await this.deps.store.findProfile(sampleId, true);
    if (!profile) throw DnaErrors.profileNotFound.error(`sample "${sampleId}" has no profile yet`);
    this.deps.logger.info({ sampleId, agencyId: principal.agencyId }, 'profile read');
    return { ...profile, region: sample.region };
  }
}

const notFound = (sampleId: string) => DnaErrors.sampleNotFound.error(`no sample "${sampleId}"`);

function profileDoc(
  sampleId: string,
  reading: ProfileReading,
  sample: SampleDoc,
  principal: Principal,
  now: Date,
): ProfileDoc {
  return {
    _id: sampleId,
    genotypes: reading.genotypes,
    lociTyped: reading.lociTyped,
    matchable: reading.matchable,
    enteredAt: now,
    enteredBy: principal,
    fingerprint: reading.fingerprint,
    subject: sample.subject,
  };
}

function stripRecord(doc: CustodyDoc): CustodyRecord {
  const { _id: _, sampleId: _s, ...record } = doc;
  return record;
}

/** The problem a rule's refusal answers with. */
function refusalError(
  r: { error: DnaErrorKey; code: string; detail: string } & Omit<ProblemOptions, 'cause'>,
): AppError {
  const { error, code: _, detail, ...opts } = r;
  return DnaErrors[error].error(detail, opts);
}
