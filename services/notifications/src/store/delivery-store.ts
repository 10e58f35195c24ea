import type { OutboxFields } from '@homeward/messaging';
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

/** The durable record of one settled delivery (insert-only: the first record wins). */
export interface DeliveryDoc {
  /** `<alertId>/<unitId>`: ids never contain `/`, so the pair is unambiguous. */
  _id: string;
  alertId: string;
  unitId: string;
  step: number;
  status: 'delivered' | 'failed';
  attempts: number;
  at: Date;
  latencyMs: number;
  reason?: string;
}

/** An acknowledgement, with its event in the outbox. */
export interface AckDoc extends OutboxFields {
  _id: string;
  alertId: string;
  unitId: string;
  agencyId: string;
  acknowledgedAt: Date;
}

const DUPLICATE_KEY = 11000;

/** `<alertId>/<unitId>`. */
export function pairId(alertId: string, unitId: string): string {
  return `${alertId}/${unitId}`;
}

/**
 * Alerts, settled deliveries (alert and cancellation) and acknowledgements in MongoDB. Hot paths
 * are inserts and `_id` lookups; reading all deliveries of an alert (a filter on `alertId`) is
 * done only to rebuild a ledger Redis lost.
 */
export class DeliveryStore {
  readonly alerts: Collection<AlertDoc>;
  readonly acks: Collection<AckDoc>;
  private readonly deliveries: Record<DeliveryKind, Collection<DeliveryDoc>>;

  constructor(db: Db) {
    this.alerts = db.collection<AlertDoc>('alerts');
    this.acks = db.collection<AckDoc>('acks');
    this.deliveries = {
      alert: db.collection<DeliveryDoc>('alert_deliveries'),
      cancellation: db.collection<DeliveryDoc>('cancel_deliveries'),
    };
  }

  findAlert(alertId: string): Promise<AlertDoc | null> {
    return this.alerts.findOne({ _id: alertId });
  }

  /** Records an issued alert unless known; returns the stored one. */
  async recordIssued(doc: AlertDoc): Promise<AlertDoc> {
    try {
      await this.alerts.insertOne(doc);
      return doc;
    } catch (err) {
      if ((err as { code?: number }).code !== DUPLICATE_KEY) throw err;
      return (await this.findAlert(doc._id)) ?? doc;
    }
  }

  /** Moves the alert to a later step (compare-and-set on the step: never backwards). */
  async recordEscalated(
    alertId: string,
    step: number,
    radiusKm: number,
    center: { lat: number; lon: number },
  ): Promise<void> {
    await this.alerts.updateOne({ _id: alertId, step: { $lt: step } }, { $set: { step, radiusKm, center } });
  }

  async recordCancelled(alertId: string, cancelledAt: Date, reason: string): Promise<void> {
    await this.alerts.updateOne(
      { _id: alertId, status: 'active' },
      { $set: { status: 'cancelled', cancelledAt, reason } },
    );
  }

  async markStarted(alertId: string, kind: DeliveryKind): Promise<void> {
    await this.alerts.updateOne({ _id: alertId }, { $set: { [`started.${kind}`]: true } });
  }

  /** Records settled deliveries; a record already there (a takeover's duplicate) is kept. */
  async recordDeliveries(kind: DeliveryKind, docs: DeliveryDoc[]): Promise<void> {
    if (docs.length === 0) return;
    try {
      await this.deliveries[kind].insertMany(docs, { ordered: false });
    } catch (err) {
      const e = err as { code?: number; writeErrors?: Array<{ code?: number }> | { code?: number } };
      const writeErrors = Array.isArray(e.writeErrors) ? e.writeErrors : e.writeErrors ? [e.writeErrors] : [];
      const onlyDuplicates =
        writeErrors.length > 0
          ? writeErrors.every((w) => w.code === DUPLICATE_KEY)
          : e.code === DUPLICATE_KEY;
      if (!onlyDuplicates) throw err;
    }
  }

  /** Every settled delivery of an alert (a collection scan on FerretDB: recovery only). */
  settledOf(kind: DeliveryKind, alertId: string): Promise<DeliveryDoc[]> {
    return this.deliveries[kind].find({ alertId }).toArray();
  }

  acksOf(alertId: string): Promise<AckDoc[]> {
    return this.acks.find({ alertId }, { projection: { outbox: 0 } }).toArray();
  }

  findAck(alertId: string, unitId: string): Promise<AckDoc | null> {
    return this.acks.findOne({ _id: pairId(alertId, unitId) }, { projection: { outbox: 0 } });
  }

  /** Inserts an acknowledgement; false when one exists already. */
  async insertAck(doc: AckDoc): Promise<boolean> {
    try {
      await this.acks.insertOne(doc);
      return true;
    } catch (err) {
      if ((err as { code?: number }).code === DUPLICATE_KEY) return false;
      throw err;
    }
  }
}
