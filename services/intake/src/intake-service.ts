import { setTimeout as sleep } from 'node:timers/promises';
import type { CloudEvent, EventData, MissingChildReport, ReportData } from '@homeward/events';
import { type OutboxRelay, outboxInsert } from '@homeward/messaging';
import type { AppError, Clock, Logger, Principal } from '@homeward/service-kit';
import { claimFor, judgeClaim } from './domain/duplicate-child.ts';
import { fingerprint, reportIdFor } from './domain/ids.ts';
import {
  type Decision,
  decideSighting,
  type Outcome,
  opensCase,
  outcomeEvent,
  regionOf,
} from './domain/report-outcome.ts';
import { type Refusal, screenReport } from './domain/screening.ts';
import { Errors } from './errors.ts';
import type { ReportDoc, ReportStore } from './store/report-store.ts';

/** How long a report waits for a concurrent opener of its child's case before taking over. */
const OPENER_WAIT_MS = 3_000;
/** How often it looks again meanwhile (an opener lands milliseconds after its claim). */
const OPENER_POLL_MS = 20;

export interface IntakeServiceDeps {
  store: ReportStore;
  relay: OutboxRelay;
  clock: Clock;
  logger: Logger;
  duplicateWindowDays: number;
}

export interface Submission {
  event: CloudEvent;
  principal: Principal;
  channel: 'http' | 'kafka';
  traceparent?: string;
}

/** The answer to a report: the same for its first delivery and every retry. */
export interface SubmitResult {
  reportId: string;
  caseId: string;
  outcome: Outcome;
  /** True when this was a retry answered from the first delivery's record. */
  replay: boolean;
}

/** A report as its sender may read it back. */
export type ReportRecord = Omit<ReportDoc, 'outbox'>;

function refuse(r: Refusal): AppError {
  return Errors[r.refused].error(r.detail, r.errors ? { errors: r.errors } : {});
}

/**
 * Intake's application service: the one pipeline behind both ways in (HTTP and Kafka), and
 * intake's view of cases. It loads, lets the domain decide (screening, the duplicate-child
 * rule, the outcome event) and writes the report with its event in one insert. Errors are the
 * catalogue's (400, 403, 404, 409), so each way in maps them its own way.
 */
export class IntakeService {
  constructor(private readonly deps: IntakeServiceDeps) {}

  async submit(s: Submission): Promise<SubmitResult> {
    const { event, principal } = s;
    const now = this.deps.clock.now();
    const screened = screenReport(event, principal.role, now);
    if (screened.refused) throw refuse(screened);
    const { data } = screened;

    const reportId = reportIdFor(principal.agencyId, event.id);
    const print = fingerprint(event.type, data);
    const existing = await this.deps.store.findReport(reportId);
    if (existing) return this.replay(existing, print);

    const decision = await this.decide(data, reportId, now);
    const outgoing = outcomeEvent(decision, data, {
      reportId,
      reportedBy: principal,
      now,
      traceparent: s.traceparent,
    });
    const doc: ReportDoc = {
      _id: reportId,
      agencyId: principal.agencyId,
      reportedBy: principal,
      eventId: event.id,
      eventSource: event.source,
      fingerprint: print,
      kind: data.kind,
      caseId: decision.caseId,
      outcome: decision.outcome,
      channel: s.channel,
      receivedAt: now,
      data,
      ...(decision.childKey ? { childKey: decision.childKey } : {}),
      ...outboxInsert([outgoing]),
    };
    const inserted = await this.deps.relay.commit(this.deps.store.reports, reportId, () =>
      this.deps.store.insertReport(doc),
    );
    if (!inserted) {
      // A concurrent copy of the same report stored first: answer as it did.
      const first = await this.deps.store.findReport(reportId);
      if (!first) throw new Error(`report ${reportId} vanished after a duplicate-key insert`);
      return this.replay(first, print);
    }
    await this.afterStored(doc);
    return { reportId, caseId: decision.caseId, outcome: decision.outcome, replay: false };
  }

  /** A report of the caller's agency; another agency's is not found (its existence is not theirs to learn). */
  async reportFor(agencyId: string, reportId: string): Promise<ReportRecord> {
    const doc = await this.deps.store.findReport(reportId);
    if (!doc || doc.agencyId !== agencyId)
      throw Errors.reportNotFound.error(`no report "${reportId}" for your agency`);
    return doc;
  }

  /**
   * Records a case opened (intake's own event, which also repairs a record a crash left
   * unwritten), with the child key of the report that opened it.
   */
  async caseOpened(d: EventData<'homeward.case.opened'>): Promise<void> {
    const childKey = (await this.deps.store.findReport(d.reportId))?.childKey;
    await this.deps.store.recordCaseOpened({
      _id: d.caseId,
      status: 'open',
      kind: d.kind,
      region: d.region,
      openedAt: new Date(d.openedAt),
      reportId: d.reportId,
      ...(childKey ? { childKey } : {}),
    });
  }

  /** Records a case closed and frees its child's key, so that a later disappearance opens a new case. */
  async caseClosed(d: EventData<'homeward.case.closed'>): Promise<void> {
    const closed = await this.deps.store.closeCase(d.caseId, new Date(d.closedAt));
    if (closed?.childKey) await this.deps.store.releaseChildKey(closed.childKey, closed._id);
  }

  /** Answers a retry from the first delivery, after re-running its idempotent follow-ups. */
  private async replay(first: ReportDoc, print: string): Promise<SubmitResult> {
    if (first.fingerprint !== print) {
      throw Errors.idReused.error(
        'this CloudEvent id was already used by your agency for a different report; use a new id for new content',
      );
    }
    await this.afterStored(first);
    return { reportId: first._id, caseId: first.caseId, outcome: first.outcome, replay: true };
  }

  /** What must follow a stored report; idempotent, so a retry after a crash completes it. */
  private async afterStored(doc: ReportDoc): Promise<void> {
    if (doc.outcome === 'case-opened') {
      if (doc.data.kind === 'sighting') throw new Error('a sighting never opens a case');
      await this.deps.store.recordCaseOpened({
        _id: doc.caseId,
        status: 'open',
        kind: doc.data.kind,
        region: regionOf(doc.data),
        openedAt: doc.receivedAt,
        reportId: doc._id,
        ...(doc.childKey ? { childKey: doc.childKey } : {}),
      });
    } else if (doc.childKey && doc.data.kind === 'missing-child') {
      await this.deps.store.touchChildKey(doc.childKey, doc.caseId, doc.data.lastSeen.at);
    }
  }

  private async decide(data: ReportData, reportId: string, now: Date): Promise<Decision> {
    switch (data.kind) {
      case 'sighting': {
        const decided = decideSighting(data.caseId, await this.deps.store.findCase(data.caseId));
        if ('refused' in decided) throw refuse(decided);
        return decided;
      }
      case 'missing-child':
        return this.decideMissingChild(data, reportId, now);
      default:
        return opensCase(reportId);
    }
  }

  /**
   * The duplicate-child rule with concurrent reports in mind: the first report to claim the
   * child's key opens the case; the others find the claim and add leads to that case (the
   * verdicts are the domain's `judgeClaim`).
   */
  private async decideMissingChild(data: MissingChildReport, reportId: string, now: Date): Promise<Decision> {
    const mine = claimFor(data, reportId, now);
    const opened = opensCase(reportId, mine._id);
    // Real time, not the service clock: this bounds a wait in this process, and a test's
    // fixed clock would make it endless.
    const deadline = performance.now() + OPENER_WAIT_MS;
    for (;;) {
      const claim = await this.deps.store.claimChildKey(mine);
      if (!claim) return opened;
      const kase = await this.deps.store.findCase(claim.caseId);
      const verdict = judgeClaim(claim, {
        reportId,
        seenAt: data.lastSeen.at,
        caseStatus: kase?.status,
        openerLanded: kase !== null || (await this.deps.store.findReport(claim.openerReportId)) !== null,
        windowDays: this.deps.duplicateWindowDays,
        now,
        waitedTooLong: performance.now() > deadline,
      });
      switch (verdict) {
        case 'mine':
          return opened;
        case 'lead':
          return { caseId: claim.caseId, outcome: 'lead-added', childKey: mine._id };
        case 'take-over':
          if (await this.deps.store.replaceChildKey(claim, mine)) return opened;
          break;
        case 'wait':
          await sleep(OPENER_POLL_MS);
          break;
      }
    }
  }
}
