import type { EventData, HomewardEvent } from '@homeward/events';
import type { OutboxFields } from '@homeward/messaging';
import type { Collection, Db } from 'mongodb';

export type CancelReason = EventData<'homeward.alert.cancelled'>['reason'];

/** One broadcast of an alert (issued, widened, centre moved, cancelled), for the case timeline. */
export interface AlertHistoryEntry {
  at: Date;
  type: 'homeward.alert.issued' | 'homeward.alert.escalated' | 'homeward.alert.cancelled';
  eventId: string;
  step?: number;
  radiusKm?: number;
  center?: { lat: number; lon: number };
  leadId?: string;
  reason?: CancelReason;
  by?: { agencyId: string; role: string };
}

/**
 * A rapid search alert. `pending` between its creation and the case taking it on (it is never
 * published while pending); `active` while it runs and escalates; `cancelled` at the end.
 * `step` counts broadcasts and is the compare-and-set field of every change; `rung` is the rung
 * of the escalation policy the radius comes from; `nextDueAt` is the durable schedule.
 */
export interface AlertDoc extends OutboxFields {
  _id: string;
  caseId: string;
  status: 'pending' | 'active' | 'cancelled';
  createdAt: Date;
  issuedAt: Date;
  lastSeenAt: Date;
  lastSeenPlace: string;
  region: string;
  center: { lat: number; lon: number };
  child: EventData<'homeward.alert.issued'>['child'];
  step: number;
  rung: number;
  radiusKm: number;
  nextDueAt: Date | null;
  cancelled?: { at: Date; reason: CancelReason; note?: string };
  /** Units that acknowledged (from notification.events.v1), each once. */
  acknowledgedBy?: string[];
  history: AlertHistoryEntry[];
}

const isDuplicate = (err: unknown) => (err as { code?: number }).code === 11000;

export class AlertStore {
  readonly alerts: Collection<AlertDoc>;

  readonly steps: Collection<StepClaim>;

  constructor(db: Db) {
    this.alerts = db.collection<AlertDoc>('alerts');
    this.steps = db.collection<StepClaim>('alert_steps');
  }

  /** Claims a step by inserting its unique id; false when it was claimed before. */
  async claimStep(claim: StepClaim): Promise<boolean> {
    try {
      await this.steps.insertOne(claim);
      return true;
    } catch (err) {
      if (isDuplicate(err)) return false;
      throw err;
    }
  }

  findClaim(id: string): Promise<StepClaim | null> {
    return this.steps.findOne({ _id: id });
  }

  find(alertId: string): Promise<AlertDoc | null> {
    return this.alerts.findOne({ _id: alertId }, { projection: { outbox: 0 } });
  }

  /** Inserts a pending alert; false if one with this id exists (a retry after a crash). */
  async insertPending(doc: AlertDoc): Promise<boolean> {
    try {
      await this.alerts.insertOne(doc);
      return true;
    } catch (err) {
      if (isDuplicate(err)) return false;
      throw err;
    }
  }

  /** The alerts still to publish or to escalate: read once at start to rebuild the schedule. */
  unfinished(): Promise<AlertDoc[]> {
    return this.alerts
      .find({ status: { $in: ['pending', 'active'] } }, { projection: { outbox: 0, history: 0 } })
      .toArray();
  }

  async recordAck(alertId: string, unitId: string): Promise<boolean> {
    const res = await this.alerts.updateOne({ _id: alertId }, { $addToSet: { acknowledgedBy: unitId } });
    return res.matchedCount === 1;
  }
}

/** The claim on one step of an alert, with the change it stands for (see Coordinator.applyStep). */
export interface StepClaim {
  /** `<alertId>.step-<n>`, the id of the step's event too. */
  _id: string;
  alertId: string;
  fromStep: number;
  change: Pick<AlertDoc, 'step' | 'rung' | 'radiusKm' | 'nextDueAt' | 'center'>;
  event: HomewardEvent;
  entry: AlertHistoryEntry;
  /** Real time, for telling a dead claimer from a racing one. */
  claimedAt: Date;
}
