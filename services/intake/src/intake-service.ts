import {
  type CloudEvent,
  type EventData,
  type MissingChildReport,
  type ReportData,
  regionContains,
  type UnidentifiedChildReport,
} from '@homeward/events';
import { DocumentNotFound, type InsertLink, insertInOrder, type Leases, linkOf } from '@homeward/persistence';
import type { AppError, Clock, Principal } from '@homeward/service-kit';
import { type ChildKeyClaim, claimFor, judgeClaim, slideWindow } from './domain/duplicate-child.ts';
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
import type { CaseDoc, IntakeStores, ReportDoc } from './store/report-store.ts';

export interface IntakeServiceDeps {
  stores: IntakeStores;
  /** Serialises the decisions about one child across instances (the kit's `RedisLocks`). */
  leases: Leases;
  clock: Clock;
  duplicateWindowDays: number;
}

export interface Submission {
  event: CloudEvent;
  principal: Principal;
  channel: 'http' | 'kafka';
  traceparent?: string;
  /**
   * The caller's admission (HTTP: its rate limit), still on its way: awaited before the report
   * is refused, written or answered, so that its refusal comes first, as if it had been awaited
   * before the call; meanwhile a missing-child report takes its child's lease (one round trip
   * to Redis for both, not one after the other).
   */
  admitted?: Promise<unknown>;
}

/** The answer to a report: the same for its first delivery and every retry. */
export interface SubmitResult {
  reportId: string;
  caseId: string;
  outcome: Outcome;
  /** True when this was a retry answered from the first delivery's record. */
  replay: boolean;
}

/** What `GET /v1/reports/{reportId}/contacts` answers. */
export interface ReportContacts {
  reportId: string;
  caseId: string;
  kind: ReportData['kind'];
  region: string;
  reporter?: MissingChildReport['reporter'];
  currentGuardian?: UnidentifiedChildReport['currentGuardian'];
}

function refuse(r: Refusal): AppError {
  return Errors[r.refused].error(r.detail, r.errors ? { errors: r.errors } : {});
}

/**
 * Intake's application service: the one pipeline behind both ways in (HTTP and Kafka), and
 * intake's view of cases. It loads, lets the domain decide (screening, the duplicate-child
 * rule, the outcome event) and writes the report, which its event derives from, in one ordered
 * insert with the record of the case it opens and, for a child's first report, the claim on the
 * child's key. Errors are the catalogue's (400, 403, 404, 409), so each way in maps them its own
 * way.
 */
export class IntakeService {
  /**
   * Cases this instance recorded itself, most recent last (bounded): their own `case.opened`,
   * coming back on the topic, then needs no read to see they are recorded.
   */
  private readonly recorded = new Set<string>();

  constructor(private readonly deps: IntakeServiceDeps) {}

  private noteRecorded(caseId: string): void {
    this.recorded.add(caseId);
    if (this.recorded.size > 10_000) this.recorded.delete(this.recorded.values().next().value as string);
  }

  /**
   * No read before the first write: the report's own insert is the idempotency check (a
   * duplicate `_id` answers as the first delivery did), so a new report costs the store only
   * writes, which group-commit across concurrent requests (on FerretDB a read is a round trip
   * of its own that no batch carries). Reads happen on the rare paths: a retry, a refusal that
   * a retry must not get (its first delivery was accepted), a child already claimed.
   */
  async submit(s: Submission): Promise<SubmitResult> {
    const { event, principal, admitted } = s;
    // Awaited on every path below; handled here too, so that a refusal arriving while the lease
    // is awaited is not reported as unhandled meanwhile.
    admitted?.catch(() => {});
    const now = this.deps.clock.now();
    const screened = screenReport(event, principal.role, now);
    if (screened.refused) {
      await admitted;
      throw refuse(screened);
    }
    const { data } = screened;

    const reportId = reportIdFor(principal.agencyId, event.id);
    const print = fingerprint(event.type, data);
    const incoming: Incoming = { s, data, reportId, print, now };

    if (data.kind === 'sighting') {
      // The case is read while the admission is on its way: reading is not acting on the report.
      const [kase] = await Promise.all([this.deps.stores.cases.get(data.caseId), admitted]);
      const decided = decideSighting(data.caseId, kase);
      if ('refused' in decided) {
        // A retry of a sighting accepted before its case closed gets its first answer.
        const first = await this.deps.stores.reports.get(reportId);
        if (first) return this.replay(first, print);
        throw refuse(decided);
      }
      return this.store(incoming, decided);
    }
    if (data.kind !== 'missing-child') {
      await admitted;
      return this.store(incoming, opensCase(reportId));
    }
    // One decision per child at a time, across instances: a report claims the child's key and
    // stores itself under this lease, so the next report of the child sees both or neither.
    const mine = claimFor(data, reportId, now);
    const decided = this.deps.leases.withLock(`child-decision:${mine._id}`, async () => {
      await admitted;
      // The first report of a child claims its key and opens its case in one write: the claim
      // first, the report and its case only if the claim went in (one round of the store).
      const first = await this.store(incoming, opensCase(reportId, mine._id), mine);
      if (first !== CLAIMED) return first;
      const decision = await this.decideMissingChild(data, mine);
      return 'replay' in decision
        ? await this.replay(decision.replay, print)
        : await this.store(incoming, decision);
    });
    // A lease that stays taken answers 409, unless the admission refuses first.
    return decided.catch(async (err: unknown) => {
      await admitted;
      throw err;
    });
  }

  /** A report of the caller's agency; another agency's is not found (its existence is not theirs to learn). */
  async reportFor(agencyId: string, reportId: string): Promise<ReportDoc> {
    const doc = await this.deps.stores.reports.get(reportId);
    if (!doc || doc.agencyId !== agencyId)
      throw Errors.reportNotFound.error(`no report "${reportId}" for your agency`);
    return doc;
  }

  /**
   * The contacts a report carried (its reporter's, an unidentified child's current guardian's),
   * which `case.opened` never publishes: for police and operators whose region contains the
   * report's. A report outside the caller's region is not found (its existence is not theirs to
   * learn), as is one that does not open or add to a case.
   */
  async contactsFor(principal: Principal, reportId: string): Promise<ReportContacts> {
    const doc = await this.deps.stores.reports.get(reportId);
    const region = doc ? regionOf(doc.data) : undefined;
    if (!doc || !region || !regionContains(principal.region, region))
      throw Errors.reportNotFound.error(`no report "${reportId}" in your region`);
    const d = doc.data as ReportData & { reporter?: unknown; currentGuardian?: unknown };
    return {
      reportId: doc._id,
      caseId: doc.caseId,
      kind: doc.kind,
      region,
      ...(d.kind === 'missing-child' && d.reporter ? { reporter: d.reporter } : {}),
      ...(d.kind === 'unidentified-child' && d.currentGuardian ? { currentGuardian: d.currentGuardian } : {}),
    };
  }

  /**
   * Whether this instance recorded the case itself (see `recorded`): its `case.opened` then
   * changes nothing, and the consumer skips it before decoding (the runner's `seen`).
   */
  hasRecorded(caseId: string): boolean {
    return this.recorded.has(caseId);
  }

  /**
   * Records a case opened (intake's own event, which also repairs a record a crash left
   * unwritten), with the child key of the report that opened it.
   */
  async caseOpened(d: EventData<'homeward.case.opened'>): Promise<void> {
    // Almost always recorded already, by the report's own write path: a read, not a refused
    // insert (which on FerretDB turns its whole group-commit round into one insert per document).
    if (this.hasRecorded(d.caseId) || (await this.deps.stores.cases.get(d.caseId))) return;
    const childKey = (await this.deps.stores.reports.get(d.reportId))?.childKey;
    await this.deps.stores.cases.insertOnce({
      _id: d.caseId,
      status: 'open',
      kind: d.kind,
      region: d.region,
      openedAt: new Date(d.openedAt),
      reportId: d.reportId,
      ...(childKey ? { childKey } : {}),
    });
  }

  /**
   * Records a case closed and frees its child's key, so that a later disappearance opens a new
   * case. A redelivery frees the key again (a crash may have come between the two writes); a
   * case intake never saw open has nothing to free.
   */
  async caseClosed(d: EventData<'homeward.case.closed'>): Promise<void> {
    let closed: CaseDoc;
    try {
      const { doc } = await this.deps.stores.cases.update(d.caseId, (c) =>
        c.status === 'closed' ? null : { doc: { ...c, status: 'closed', closedAt: new Date(d.closedAt) } },
      );
      closed = doc;
    } catch (err) {
      if (err instanceof DocumentNotFound) return;
      throw err;
    }
    if (closed.childKey) {
      await this.deps.stores.childKeys.remove(closed.childKey, (k) => k.caseId === closed._id);
    }
  }

  /**
   * Stores a decided report (its event handed to the relay) and, when it opens a case, the case
   * record after it, in one write; with `claim`, the child's key claimed in front of them, and
   * nothing stored but CLAIMED answered when the key is claimed already.
   */
  private async store(r: Incoming, decision: Decision): Promise<SubmitResult>;
  private async store(
    r: Incoming,
    decision: Decision,
    claim: ChildKeyClaim,
  ): Promise<SubmitResult | typeof CLAIMED>;
  private async store(
    r: Incoming,
    decision: Decision,
    claim?: ChildKeyClaim,
  ): Promise<SubmitResult | typeof CLAIMED> {
    const { s, data, reportId, now } = r;
    const outgoing = outcomeEvent(decision, data, {
      reportId,
      reportedBy: s.principal,
      now,
      traceparent: s.traceparent,
    });
    const doc: ReportDoc = {
      _id: reportId,
      agencyId: s.principal.agencyId,
      reportedBy: s.principal,
      eventId: s.event.id,
      eventSource: s.event.source,
      fingerprint: r.print,
      kind: data.kind,
      caseId: decision.caseId,
      outcome: decision.outcome,
      channel: s.channel,
      receivedAt: now,
      data,
      ...(decision.childKey ? { childKey: decision.childKey } : {}),
      ...(s.traceparent ? { traceparent: s.traceparent } : {}),
    };
    const kase = caseOf(doc);
    // Noted before the writes: the outbox may publish `case.opened` once the report is stored,
    // and the consumer may read it back before the case's own insert has answered. A failed
    // write takes the note back; its 5xx makes the agency retry, and the replay writes the case.
    if (kase) this.noteRecorded(kase._id);
    const { reports, cases, childKeys } = this.deps.stores;
    const links: InsertLink[] = [
      ...(claim ? [linkOf(childKeys, claim)] : []),
      linkOf(reports, doc, [outgoing]),
      ...(kase ? [linkOf(cases, kase)] : []),
    ];
    let outcomes: Array<boolean | undefined>;
    try {
      outcomes = await insertInOrder(links);
    } catch (err) {
      if (kase) this.recorded.delete(kase._id);
      throw err;
    }
    if (claim && !outcomes.shift()) {
      if (kase) this.recorded.delete(kase._id);
      return CLAIMED;
    }
    const [stored, caseCreated] = outcomes;
    if (!stored) {
      // The replay below notes the case again if the first delivery opened it.
      if (kase) this.recorded.delete(kase._id);
      // A retry, or a concurrent copy that stored first: answer as the first delivery did.
      const first = await this.deps.stores.reports.get(reportId);
      if (!first) throw new Error(`report ${reportId} vanished after a duplicate-key insert`);
      // Our case record is the first delivery's only if it opened the same case from the same
      // content; otherwise it records a case that no event opens: take it back.
      if (kase && caseCreated === true && !(first.fingerprint === r.print && first.caseId === kase._id)) {
        await this.deps.stores.cases.remove(
          kase._id,
          (c) => c.reportId === reportId && new Date(c.openedAt).getTime() === now.getTime(),
        );
      }
      return this.replay(first, r.print);
    }
    if (!kase) await this.afterStored(doc);
    return { reportId, caseId: decision.caseId, outcome: decision.outcome, replay: false };
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
    const kase = caseOf(doc);
    if (kase) {
      await this.deps.stores.cases.insertOnce(kase);
      this.noteRecorded(kase._id);
    } else if (doc.childKey && doc.data.kind === 'missing-child') {
      const seenAt = doc.data.lastSeen.at;
      await this.deps.stores.childKeys
        .update(doc.childKey, (k) => {
          const next = slideWindow(k, doc.caseId, seenAt);
          return next ? { doc: next } : null;
        })
        .catch((err: unknown) => {
          // Released meanwhile (its case closed): there is no window left to slide.
          if (!(err instanceof DocumentNotFound)) throw err;
        });
    }
  }

  /**
   * The duplicate-child rule, under the child's decision lease, for a report that found its
   * child's key claimed (the first report to claim it opened the case, see `submit`): the next
   * ones find the claim and add a lead to its case, or take the claim over (the verdicts are the
   * domain's `judgeClaim`).
   */
  private async decideMissingChild(
    data: MissingChildReport,
    mine: ChildKeyClaim,
  ): Promise<Decision | { replay: ReportDoc }> {
    const { childKeys, cases, reports } = this.deps.stores;
    const opened = opensCase(mine.openerReportId, mine._id);
    // Rounds repeat only when the claim is released (its case closed) while we look at it.
    for (let round = 0; ; round++) {
      if (round > 0 && (await childKeys.insertOnce(mine))) return opened;
      // The child is claimed: this report may be a retry (its first delivery decided already,
      // and a retry must neither add a lead nor take the claim over), so look for it too.
      const [claim, first] = await Promise.all([childKeys.get(mine._id), reports.get(mine.openerReportId)]);
      if (first) return { replay: first };
      if (!claim) continue;
      const [kase, opener] = await Promise.all([cases.get(claim.caseId), reports.get(claim.openerReportId)]);
      const verdict = judgeClaim(claim, {
        reportId: mine.openerReportId,
        seenAt: data.lastSeen.at,
        caseStatus: kase?.status,
        openerLanded: openedBy(opener, claim),
        windowDays: this.deps.duplicateWindowDays,
      });
      if (verdict === 'mine') return opened;
      if (verdict === 'lead') return { caseId: claim.caseId, outcome: 'lead-added', childKey: mine._id };
      const taken = await childKeys
        .update(mine._id, (k) => (k.openerReportId === claim.openerReportId ? { doc: mine } : null))
        .catch((err: unknown) => {
          if (err instanceof DocumentNotFound) return { changed: false };
          throw err;
        });
      if (taken.changed) return opened;
    }
  }
}

/**
 * Whether a claim's opener landed: the report that made it is stored, and opened the claim's
 * case from this child's key. A claim whose opener is missing was left by a crash; one whose
 * opener is stored with another decision was made by a retry or a reused id (its insert
 * refused, the first delivery's record kept): neither opened anything that a later report
 * could add a lead to.
 */
function openedBy(opener: ReportDoc | null, claim: ChildKeyClaim): boolean {
  return (
    opener !== null &&
    opener.outcome === 'case-opened' &&
    opener.caseId === claim.caseId &&
    opener.childKey === claim._id
  );
}

/** The case record a report opens, or null when it opens none. */
function caseOf(doc: ReportDoc): CaseDoc | null {
  if (doc.outcome !== 'case-opened') return null;
  if (doc.data.kind === 'sighting') throw new Error('a sighting never opens a case');
  return {
    _id: doc.caseId,
    status: 'open',
    kind: doc.data.kind,
    region: regionOf(doc.data),
    openedAt: doc.receivedAt,
    reportId: doc._id,
    ...(doc.childKey ? { childKey: doc.childKey } : {}),
  };
}

/** What `store` answers when the child's key it was to claim is claimed already: nothing stored. */
const CLAIMED = Symbol('claimed');

/** A screened report on its way to the store. */
interface Incoming {
  s: Submission;
  data: ReportData;
  reportId: string;
  print: string;
  now: Date;
}
