import { createEvent, type FieldError, findUnsafeKeys } from '@homeward/events';
import { type OutboxRelay, outboxInsert } from '@homeward/messaging';
import {
  type Clock,
  ConflictError,
  InputError,
  type Logger,
  NotFoundError,
  type Principal,
  RuleViolationError,
} from '@homeward/service-kit';
import {
  appendRecord,
  type ChainVerification,
  type CustodyRecord,
  type CustodyStep,
  nextSteps,
  type OverduePolicy,
  overdue,
  verifyChain,
} from './domain/custody.ts';
import { fingerprint, sampleIdFor } from './domain/ids.ts';
import { validateProfile } from './domain/profile.ts';
import { type KinshipMatching, type MatchSummary, SOURCE } from './kinship-matching.ts';
import type {
  CustodyDoc,
  DnaStore,
  ProfileDoc,
  SampleDoc,
  StoredGenotype,
  Subject,
} from './store/dna-store.ts';

/** Times more than this ahead of the service's clock are refused (clock skew allowance). */
const FUTURE_TOLERANCE_MS = 5 * 60_000;
/** Steps a sample must be in for its profile to be entered: the lab has it. */
const PROFILE_STEPS: readonly CustodyStep[] = ['received', 'profiled', 'stored'];

export interface NewSample {
  subject: Subject;
  kitBarcode: string;
  collectedAt: string;
  place: string;
  region: string;
  collector: string;
}

export interface NewCustodyStep {
  step: CustodyStep;
  at: string;
  by: string;
  place: string;
  region?: string;
  trackingNumber?: string;
  note?: string;
}

export interface SampleServiceDeps {
  store: DnaStore;
  relay: OutboxRelay;
  clock: Clock;
  logger: Logger;
  matching: KinshipMatching;
  overduePolicy: OverduePolicy;
  minimumLoci: number;
}

/** Samples, their custody and their profiles: validation, state machine, one write per change. */
export class SampleService {
  constructor(private readonly deps: SampleServiceDeps) {}

  /** Registers a sample and its first custody record; the kit barcode is the idempotency key. */
  async register(
    input: NewSample,
    principal: Principal,
    traceparent?: string,
  ): Promise<{ sample: SampleDoc; replay: boolean }> {
    const now = this.deps.clock.now();
    const errors: FieldError[] = [];
    const { subject } = input;
    if (subject.kind === 'parent') {
      if (!subject.relation)
        errors.push({
          field: '/subject/relation',
          message: 'a parent sample needs the relation (mother or father)',
        });
      if (!subject.caseId)
        errors.push({ field: '/subject/caseId', message: "a parent sample needs the missing child's case" });
    } else if (subject.relation) {
      errors.push({ field: '/subject/relation', message: 'only a parent sample has a relation' });
    }
    if (Date.parse(input.collectedAt) > now.getTime() + FUTURE_TOLERANCE_MS) {
      errors.push({ field: '/collectedAt', message: 'is in the future' });
    }
    if (errors.length > 0) throw new InputError('the sample is invalid', errors, 'DNA_ERR_INVALID_SAMPLE');

    const sampleId = sampleIdFor(input.kitBarcode);
    const print = fingerprint(input);
    const doc: SampleDoc = {
      _id: sampleId,
      subject,
      kitBarcode: input.kitBarcode,
      collectedAt: input.collectedAt,
      place: input.place,
      region: input.region,
      collector: input.collector,
      collectedBy: principal,
      createdAt: now,
      fingerprint: print,
    };
    // The sample first, then its first record with the event: the record derives from the
    // sample alone, so a retry after a crash between the two writes completes it unchanged.
    const inserted = await this.deps.store.insertOnce(this.deps.store.samples, doc);
    const sample = inserted ? doc : await this.deps.store.findSample(sampleId);
    if (!sample) throw new Error(`sample ${sampleId} vanished after a duplicate-key insert`);
    if (!inserted) this.sameKit(sample, print);
    await this.firstRecord(sample, traceparent);
    if (inserted)
      this.deps.logger.info({ sampleId, subject: subject.kind, caseId: subject.caseId }, 'sample registered');
    return { sample, replay: !inserted };
  }

  private async firstRecord(sample: SampleDoc, traceparent: string | undefined): Promise<void> {
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
    );
    await this.insertRecord(sample._id, record, event);
  }

  /** Inserts a record with its event, then its anchor; false when the position is taken. */
  private async insertRecord(
    sampleId: string,
    record: CustodyRecord,
    event: ReturnType<typeof createEvent>,
  ): Promise<boolean> {
    const _id = `${sampleId}:${record.seq}`;
    const doc: CustodyDoc = { _id, sampleId, ...record, ...outboxInsert([event]) };
    const inserted = await this.deps.relay.commit(this.deps.store.custody, _id, () =>
      this.deps.store.insertOnce(this.deps.store.custody, doc),
    );
    if (inserted) await this.deps.store.anchor(sampleId, record.seq, record.hash);
    return inserted;
  }

  private sameKit(existing: SampleDoc, print: string): SampleDoc {
    if (existing.fingerprint !== print) {
      throw new ConflictError(
        'this kit barcode is registered for another sample; a kit is used once',
        'DNA_ERR_KIT_REUSED',
      );
    }
    return existing;
  }

  /** Records the next step of custody; a retry of the last step with the same content is a replay. */
  async recordCustody(
    sampleId: string,
    input: NewCustodyStep,
    principal: Principal,
    traceparent?: string,
  ): Promise<{ record: CustodyRecord; replay: boolean }> {
    const errors: FieldError[] = [];
    if (input.step === 'shipped' && !input.trackingNumber)
      errors.push({ field: '/trackingNumber', message: 'a shipment needs its tracking number' });
    if (input.step !== 'shipped' && input.trackingNumber)
      errors.push({ field: '/trackingNumber', message: 'only a shipment has a tracking number' });
    if (Date.parse(input.at) > this.deps.clock.now().getTime() + FUTURE_TOLERANCE_MS)
      errors.push({ field: '/at', message: 'is in the future' });
    if (errors.length > 0)
      throw new InputError('the custody step is invalid', errors, 'DNA_ERR_INVALID_CUSTODY_STEP');

    const content = {
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
    for (let attempt = 0; ; attempt++) {
      const { sample, records, verification } = await this.custody(sampleId);
      const last = records[records.length - 1];
      if (!last) throw new ConflictError('the sample has no custody record', 'DNA_ERR_CUSTODY_CHAIN_BROKEN');
      const { seq: _s, prevHash: _p, hash: _h, recordedAt: _r, ...lastContent } = last;
      if (fingerprint(lastContent) === fingerprint(content)) return { record: last, replay: true };
      if (!verification.valid) {
        throw new ConflictError(
          `the custody chain fails verification at record ${verification.failedAt} (${verification.reason}); nothing can be appended until it is investigated`,
          'DNA_ERR_CUSTODY_CHAIN_BROKEN',
        );
      }
      if (!nextSteps(last.step).includes(input.step)) {
        throw Object.assign(
          new ConflictError(
            `a sample at "${last.step}" cannot go to "${input.step}"; next: ${nextSteps(last.step).join(', ') || 'nothing (destroyed)'}`,
            'DNA_ERR_CUSTODY_OUT_OF_ORDER',
          ),
          { extensions: { currentStep: last.step, allowedSteps: nextSteps(last.step) } },
        );
      }
      if (Date.parse(input.at) < Date.parse(last.at)) {
        throw new RuleViolationError(
          `the step cannot have happened before the previous one (${last.step})`,
          'DNA_ERR_CUSTODY_TIME_ORDER',
          [{ field: '/at', message: 'is earlier than the previous custody record' }],
        );
      }
      const now = this.deps.clock.now();
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
      );
      if (await this.insertRecord(sample._id, record, event)) {
        this.deps.logger.info({ sampleId, step: record.step, seq: record.seq }, 'custody recorded');
        return { record, replay: false };
      }
      // Another request took this position: read again (a concurrent copy of this step becomes a replay).
      if (attempt >= 5)
        throw new ConflictError('the sample is changing concurrently; retry', 'DNA_ERR_CONCURRENT_UPDATE');
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
    if (!sample) throw new NotFoundError(`no sample "${sampleId}"`, 'DNA_ERR_SAMPLE_NOT_FOUND');
    const slots = chain.records.map((r) => (r ? stripRecord(r) : null));
    const records = slots.filter((r): r is CustodyRecord => r !== null);
    return { sample, records, verification: verifyChain(sampleId, slots, chain.anchors) };
  }

  /** Samples sitting in a step longer than the policy allows, most overdue first. */
  async overdue(): Promise<
    Array<{ sample: SampleDoc; step: CustodyStep; since: Date; limitHours: number; overdueHours: number }>
  > {
    const now = this.deps.clock.now();
    const latest = new Map<string, CustodyDoc>();
    for await (const r of this.deps.store.allCustodyRecords()) {
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
    const unsafe = findUnsafeKeys(body);
    if (unsafe.length > 0)
      throw new InputError('the profile contains keys that are not allowed', unsafe, 'DNA_ERR_UNSAFE_KEYS');
    const v = validateProfile(body, { minimumLoci: this.deps.minimumLoci });
    if (!v.ok) {
      throw new InputError(
        'the profile is invalid',
        v.errors.map((e) => ({ field: pointer(e.field), message: e.message })),
        'DNA_ERR_INVALID_PROFILE',
      );
    }
    const genotypes: StoredGenotype[] = Object.entries(v.profile.loci).map(([locus, g]) => ({
      locus: locus as StoredGenotype['locus'],
      alleles: [g![0], g![1]],
    }));
    const print = fingerprint(genotypes);
    const [sample, existing] = await Promise.all([
      this.deps.store.findSample(sampleId),
      this.deps.store.findProfile(sampleId, true),
    ]);
    if (!sample) throw new NotFoundError(`no sample "${sampleId}"`, 'DNA_ERR_SAMPLE_NOT_FOUND');
    if (existing) return this.replayProfile(existing, print);
    const { records } = await this.custody(sampleId);
    const step = records[records.length - 1]?.step ?? 'collected';
    if (!PROFILE_STEPS.includes(step)) {
      throw Object.assign(
        new ConflictError(
          `a profile is entered once the lab has the sample (received, profiled or stored); this one is at "${step}"`,
          'DNA_ERR_SAMPLE_NOT_AT_LAB',
        ),
        { extensions: { currentStep: step } },
      );
    }
    const { caseId, relation } = sample.subject;
    if (caseId && relation) {
      const holder = await this.deps.store.claimCaseParent(caseId, relation, sampleId);
      if (holder !== sampleId) {
        throw new ConflictError(
          `the case already has a ${relation} profile (sample ${holder})`,
          'DNA_ERR_CASE_RELATION_TAKEN',
        );
      }
    }
    const now = this.deps.clock.now();
    const event = createEvent(
      'homeward.dna.profile-entered',
      { sampleId, enteredAt: now.toISOString(), lociCount: v.lociTyped, matchable: v.matchable },
      {
        source: SOURCE,
        subject: sampleId,
        time: now,
        id: `${sampleId}.profile`,
        ...(traceparent ? { traceparent } : {}),
      },
    );
    const profile: ProfileDoc = {
      _id: sampleId,
      genotypes,
      lociTyped: v.lociTyped,
      matchable: v.matchable,
      enteredAt: now,
      enteredBy: principal,
      fingerprint: print,
      subject: sample.subject,
      ...outboxInsert([event]),
    };
    const inserted = await this.deps.relay.commit(this.deps.store.profiles, sampleId, () =>
      this.deps.store.insertOnce(this.deps.store.profiles, profile),
    );
    if (!inserted) {
      const winner = await this.deps.store.findProfile(sampleId, true);
      if (!winner) throw new Error(`profile ${sampleId} vanished after a duplicate-key insert`);
      return this.replayProfile(winner, print);
    }
    this.deps.logger.info({ sampleId, lociTyped: v.lociTyped, matchable: v.matchable }, 'profile entered');
    const { outbox: _, ...stored } = profile;
    const matches = v.matchable ? await this.deps.matching.enter(stored) : [];
    return { profile: stored, matches, replay: false };
  }

  /** A retry: same genotypes, or 409; finishes what the first delivery may not have (index, search). */
  private async replayProfile(
    existing: ProfileDoc,
    print: string,
  ): Promise<{ profile: ProfileDoc; matches: MatchSummary[]; replay: true }> {
    if (existing.fingerprint !== print) {
      throw new ConflictError('the sample already has a different profile', 'DNA_ERR_PROFILE_EXISTS');
    }
    const matches = existing.matchable ? await this.deps.matching.enter(existing) : [];
    return { profile: existing, matches, replay: true };
  }

  /** The genotypes of a sample, for dna-lab (the route enforces the role); the read is logged. */
  async readProfile(sampleId: string, principal: Principal): Promise<ProfileDoc> {
    const profile = await this.deps.store.findProfile(sampleId, true);
    if (!profile) {
      if (!(await this.deps.store.findSample(sampleId)))
        throw new NotFoundError(`no sample "${sampleId}"`, 'DNA_ERR_SAMPLE_NOT_FOUND');
      throw new NotFoundError(`sample "${sampleId}" has no profile yet`, 'DNA_ERR_PROFILE_NOT_FOUND');
    }
    this.deps.logger.info({ sampleId, agencyId: principal.agencyId }, 'profile read');
    return profile;
  }
}

function stripRecord(doc: CustodyDoc): CustodyRecord {
  const { _id: _, sampleId: _s, outbox: _o, ...record } = doc;
  return record;
}

/** `loci.Penta D[1]` → `/loci/Penta D/1`: the domain's field names as JSON pointers. */
function pointer(field: string): string {
  if (field === '') return '/';
  return `/${field
    .replace(/\[(\d+)\]$/, '.$1')
    .replace(/^loci\./, 'loci/')
    .replace(/\.(\d+)$/, '/$1')}`;
}
