import { type EventData, regionContains } from '@homeward/events';
import { DocumentNotFound } from '@homeward/persistence';
import type { Clock, DueIndex, Logger } from '@homeward/service-kit';
import { type Scoped, scopeFilter } from '@homeward/service-kit';
import {
  type CaseDutiesDoc,
  type DutyRow,
  dutyRows,
  firstDeadline,
  onClosed,
  onRescued,
  openedCase,
  overdueDuties,
  paidKey,
  samplingOverdueEvent,
} from './domain/sampling-duties.ts';
import type { DnaStore } from './store/dna-store.ts';

export interface SamplingServiceDeps {
  store: DnaStore;
  /** Case id → when its next unpaid duty becomes overdue. */
  index: DueIndex;
  clock: Clock;
  logger: Logger;
  limitHours: number;
}

/** Filters of the duty listing; `scope` is the caller (it sees the cases inside its region). */
export interface DutyFilter {
  scope: Scoped;
  region?: string;
  caseId?: string;
  overdue?: boolean;
}

/**
 * What each case owes in DNA samples: kept from `case.events.v1` (opened, rescued, closed), paid
 * by the samples that name the case, listed for people, and watched by a clock that raises
 * `homeward.dna.sampling-overdue` once per unpaid duty past `SAMPLING_OVERDUE_HOURS`.
 */
export class SamplingService {
  constructor(private readonly deps: SamplingServiceDeps) {}

  /** A case opened: it is known (samples may name it) and owes what its kind owes. */
  async recordOpened(d: EventData<'homeward.case.opened'>): Promise<boolean> {
    const doc = openedCase(d);
    const fresh = await this.deps.store.cases.insertOnce(doc);
    if (fresh) await this.deps.index.bringForward(doc._id, this.firstDeadline(doc, new Set()));
    return fresh;
  }

  /** A child rescued: it owes its own sample. A case this service never heard of changes nothing. */
  async recordRescued(d: EventData<'homeward.case.child-rescued'>): Promise<boolean> {
    return this.change(d.caseId, (doc) => onRescued(doc, d));
  }

  /** A case closed: its duties are retired. */
  async recordClosed(d: EventData<'homeward.case.closed'>): Promise<boolean> {
    const changed = await this.change(d.caseId, (doc) => onClosed(doc, d));
    if (changed) await this.deps.index.set(d.caseId, null);
    return changed;
  }

  private async change(caseId: string, step: (doc: CaseDutiesDoc) => CaseDutiesDoc | null): Promise<boolean> {
    try {
      const { changed, doc } = await this.deps.store.cases.update(caseId, (current) => {
        const next = step(current);
        return next ? { doc: next, result: true } : null;
      });
      if (changed && doc.status === 'open')
        await this.deps.index.bringForward(caseId, this.firstDeadline(doc, await this.paidOf(doc)));
      return changed;
    } catch (err) {
      if (err instanceof DocumentNotFound) {
        this.deps.logger.warn({ caseId }, 'case event for a case never opened here; nothing owed');
        return false;
      }
      throw err;
    }
  }

  /** What the cases in the caller's scope owe, longest owed first. */
  async duties(filter: DutyFilter): Promise<DutyRow[]> {
    const [cases, paid] = await Promise.all([
      this.deps.store.openCases(scopeFilter(filter.scope, 'region')),
      this.deps.store.paidKeys(),
    ]);
    const now = this.deps.clock.now();
    return dutyRows(
      cases.filter(
        (c) =>
          (!filter.region || regionContains(filter.region, c.region)) &&
          (!filter.caseId || c._id === filter.caseId),
      ),
      (k) => paid.has(k),
      now,
      this.deps.limitHours,
    ).filter((r) => filter.overdue === undefined || r.overdue === filter.overdue);
  }

  /**
   * The clock: raises `sampling-overdue` for each unpaid duty of the case past its limit, each
   * in the outbox of a claim whose `_id` is `<caseId>:<subject>` (a taken `_id` fails atomically,
   * so any number of checkers, and restarts, raise it once), then sets the case's next moment in
   * the index or removes it. Returns how many this call raised.
   */
  async raiseOverdue(caseId: string): Promise<number> {
    const doc = await this.deps.store.findCase(caseId);
    if (doc?.status !== 'open') {
      await this.deps.index.set(caseId, null);
      return 0;
    }
    const now = this.deps.clock.now();
    const paid = await this.paidOf(doc);
    const { due, next } = overdueDuties(doc, (k) => paid.has(k), now, this.deps.limitHours);
    let raised = 0;
    for (const duty of due) {
      const claim = { _id: paidKey(caseId, duty.subject), caseId, detectedAt: now.toISOString() };
      const event = samplingOverdueEvent(doc, duty, now, this.deps.limitHours);
      if (await this.deps.store.samplingClaims.insertOnce(claim, [event])) raised++;
    }
    await this.deps.index.set(caseId, next ?? null);
    if (raised > 0)
      this.deps.logger.info({ caseId, subjects: due.map((d) => d.subject), raised }, 'sampling overdue');
    return raised;
  }

  /** Refills the index from MongoDB (at start): every open case with an unpaid duty. */
  async rebuild(): Promise<number> {
    const [cases, paid] = await Promise.all([this.deps.store.openCases(), this.deps.store.paidKeys()]);
    const entries: Array<[string, Date]> = [];
    for (const doc of cases) {
      const at = this.firstDeadline(doc, paid);
      if (at) entries.push([doc._id, at]);
    }
    await this.deps.index.bringForwardAll(entries);
    return entries.length;
  }

  private firstDeadline(doc: CaseDutiesDoc, paid: Set<string>): Date | undefined {
    return firstDeadline(doc, (k) => paid.has(k), this.deps.limitHours);
  }

  private paidOf(doc: CaseDutiesDoc): Promise<Set<string>> {
    return this.deps.store.paidOf(
      doc._id,
      doc.owed.map((d) => d.subject),
    );
  }
}
