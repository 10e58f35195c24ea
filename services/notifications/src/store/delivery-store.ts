import type { HomewardEvent } from '@homeward/events';
import { type AggregateStore, type FactStore, isDuplicateKey, type Persistence } from '@homeward/persistence';
import type { Collection, Db } from 'mongodb';
import type { DeliveryKind } from '../domain/claims.ts';
import type { SearcherView } from '../domain/unit-alert.ts';

/** What the service knows of an alert: the searcher's view, the current step, whether it ended. */
export interface AlertDoc {
  _id: string;
  caseId: string;
  issuedAt: Date;
  view: SearcherView;
  step: number;
  radiusKm: number;
  center: { lat: number; lon: number };
  status: 'active' | 'cancelled';
  cancelledAt?: Date;
  reason?: string;
  /** Set before the first claim of each kind: a Redis ledger missing afterwards was lost. */
  started?: Partial<Record<DeliveryKind, boolean>>;
}

/** The durable record of one settled delivery, as the store answers it. */
export interface DeliveryDoc {
  alertId: string;
  unitId: string;
  step: number;
  status: 'delivered' | 'failed';
  attempts: number;
  at: Date;
  latencyMs: number;
  reason?: string;
}

/** One settled delivery inside a {@link DeliveryBatchDoc}. */
export type DeliveryEntry = Omit<DeliveryDoc, 'alertId'>;

/**
 * What is stored: the settled deliveries of one alert from one outcome batch, one document for
 * up to a batch of units (insert-only). One document per unit cost FerretDB a row, and this
 * process a document to encode, per webhook; the ledger rebuild, their only reader, reads them
 * back per unit.
 */
export interface DeliveryBatchDoc {
  /** `<alertId>/<batch id>`: the batch id is drawn once per batch, so a retried write is a duplicate. */
  _id: string;
  alertId: string;
  deliveries: DeliveryEntry[];
}

/**
 * A record written before deliveries were stored by batch: one document per unit under
 * `<alertId>/<unitId>`. Still read, so a ledger rebuilt after an upgrade misses none.
 */
type LegacyDeliveryDoc = DeliveryDoc & { _id: string };

/** An acknowledgement (its event rides in the same insert, in the outbox). */
export interface AckDoc {
  _id: string;
  alertId: string;
  unitId: string;
  agencyId: string;
  acknowledgedAt: Date;
}

/** `<alertId>/<unitId>`. */
export function pairId(alertId: string, unitId: string): string {
  return `${alertId}/${unitId}`;
}

/**
 * Alerts, settled deliveries (alert and cancellation) and acknowledgements in MongoDB. Hot paths
 * are inserts and `_id` lookups; reading all deliveries of an alert (a filter on `alertId`) is
 * done only to rebuild a ledger Redis lost. An alert changes only under its lease; deliveries
 * and acknowledgements are facts, written once under their pair id.
 */
export class DeliveryStore {
  private readonly alerts: AggregateStore<AlertDoc>;
  private readonly acks: FactStore<AckDoc>;
  private readonly deliveries: Record<DeliveryKind, FactStore<DeliveryBatchDoc | LegacyDeliveryDoc>>;

  /**
   * `db` serves one write only: the bulk insert of settled deliveries, which the persistence
   * port has no call for yet (see `recordDeliveries`).
   */
  constructor(
    persistence: Persistence,
    private readonly db: Pick<Db, 'collection'>,
  ) {
    this.alerts = persistence.aggregate<AlertDoc>('alerts');
    // The ack answers once stored; the relay publishes its event in the background.
    this.acks = persistence.facts<AckDoc>('acks', { awaitPublish: false });
    this.deliveries = {
      alert: persistence.facts<DeliveryBatchDoc | LegacyDeliveryDoc>('alert_deliveries'),
      cancellation: persistence.facts<DeliveryBatchDoc | LegacyDeliveryDoc>('cancel_deliveries'),
    };
  }

  findAlert(alertId: string): Promise<AlertDoc | null> {
    return this.alerts.get(alertId);
  }

  /** Records an issued alert unless known; returns the stored one, and whether this call stored it. */
  async recordIssued(doc: AlertDoc): Promise<{ alert: AlertDoc; inserted: boolean }> {
    if (await this.alerts.insertOnce(doc)) return { alert: doc, inserted: true };
    return { alert: (await this.findAlert(doc._id)) ?? doc, inserted: false };
  }

  /** Moves a known alert to a later step (never backwards). */
  async recordEscalated(
    alertId: string,
    step: number,
    radiusKm: number,
    center: { lat: number; lon: number },
  ): Promise<void> {
    await this.changeIfKnown(alertId, (a) => (a.step < step ? { ...a, step, radiusKm, center } : null));
  }

  /** Ends a known, active alert. */
  async recordCancelled(alertId: string, cancelledAt: Date, reason: string): Promise<void> {
    await this.changeIfKnown(alertId, (a) =>
      a.status === 'active' ? { ...a, status: 'cancelled', cancelledAt, reason } : null,
    );
  }

  /** Notes that claims of this kind began (see `AlertDoc.started`). */
  async markStarted(alertId: string, kind: DeliveryKind): Promise<void> {
    await this.changeIfKnown(alertId, (a) =>
      a.started?.[kind] ? null : { ...a, started: { ...a.started, [kind]: true } },
    );
  }

  /**
   * Records batches of settled deliveries, insert-once like the store's facts: a batch already
   * there (a retried write) is kept. One unordered `insertMany` per outcome batch, because a
   * batch of 500 as single inserts took 4.6–5.0 s on FerretDB against 0.1–0.6 s in bulk
   * (measured), and one document per alert in it rather than one per unit.
   */
  async recordDeliveries(kind: DeliveryKind, docs: DeliveryBatchDoc[]): Promise<void> {
    if (docs.length === 0) return;
    try {
      const rows: Collection<DeliveryBatchDoc> = this.db.collection(this.deliveries[kind].name);
      await rows.insertMany(docs, { ordered: false });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }

  /**
   * Every settled delivery of an alert, one per unit (a collection scan on FerretDB: recovery
   * only). A unit settled twice (an instance took over a claim whose outcome was being recorded)
   * answers with its first record, as the insert-once rows per unit did.
   */
  async settledOf(kind: DeliveryKind, alertId: string): Promise<DeliveryDoc[]> {
    const rows = await this.deliveries[kind].list({ alertId });
    const first = new Map<string, DeliveryDoc>();
    const keep = (d: DeliveryDoc): void => {
      const seen = first.get(d.unitId);
      if (!seen || d.at.getTime() < seen.at.getTime()) first.set(d.unitId, d);
    };
    for (const row of rows) {
      if ('deliveries' in row) for (const e of row.deliveries) keep({ alertId, ...e });
      else {
        const { _id, ...d } = row;
        keep(d);
      }
    }
    return [...first.values()];
  }

  acksOf(alertId: string): Promise<AckDoc[]> {
    return this.acks.list({ alertId });
  }

  findAck(alertId: string, unitId: string): Promise<AckDoc | null> {
    return this.acks.get(pairId(alertId, unitId));
  }

  /** Stores an acknowledgement with its event; false when one exists already. */
  insertAck(doc: AckDoc, event: HomewardEvent): Promise<boolean> {
    return this.acks.insertOnce(doc, [event]);
  }

  /**
   * Changes an alert under its lease when it is known; an unknown one (its issue never came)
   * is left alone: `upsert` whose decision for "none" is "nothing".
   */
  private async changeIfKnown(alertId: string, next: (a: AlertDoc) => AlertDoc | null): Promise<void> {
    await this.alerts.upsert(alertId, (a) => {
      const doc = a && next(a);
      return doc ? { doc } : null;
    });
  }
}
