import type { EventHandler } from '@homeward/messaging';
import { PoisonMessageError } from '@homeward/messaging';
import { type AlertPlace, placeOfIssued, placeOfStored } from '../domain/alert-place.ts';
import { type SearcherView, searcherView, unitAlertEvent, unitCancelEvent } from '../domain/unit-alert.ts';
import { NotificationsPoisonCodes } from '../errors.ts';
import type { FanoutService } from '../fanout-service.ts';
import type { DeliveryStore } from '../store/delivery-store.ts';
import type { UnitIndex } from '../store/unit-index.ts';

/** Units an issued alert's fan-out claims and sends to before its whole radius search answers. */
const FIRST_UNITS = 100;

export interface AlertHandlerDeps {
  store: DeliveryStore;
  index: UnitIndex;
  fanout: FanoutService;
}

/** An issued alert: every unit inside the radius gets the searcher's view, once. */
export function alertIssuedHandler(deps: AlertHandlerDeps): EventHandler<'homeward.alert.issued'> {
  return async (event, ctx) => {
    const d = event.data;
    // The first few units inside are looked up while the alert is stored (a search needs nothing
    // from it; claims still wait for the stored alert), so the first webhooks wait for neither
    // the whole search nor the write after it.
    const first = deps.index.someWithin(d.center, d.radiusKm, FIRST_UNITS);
    first.catch(() => undefined);
    // Stored with `started.alert` already set: claims begin right after this insert, and an alert
    // this call created needs no check of its ledger nor a leased update to mark it (one
    // document write per issued alert instead of four store round trips before the first claim).
    const { alert, inserted } = await deps.store.recordIssued({
      _id: d.alertId,
      caseId: d.caseId,
      issuedAt: new Date(d.issuedAt),
      view: searcherView(d),
      step: d.step,
      radiusKm: d.radiusKm,
      center: d.center,
      status: 'active',
      started: { alert: true },
    });
    if (alert.status === 'cancelled') {
      ctx.log.info({ alertId: d.alertId }, 'alert already cancelled; not fanned out');
      return;
    }
    const { inside, claimed } = await fanOutStep(
      deps,
      alert.view,
      d,
      placeOfIssued(d),
      new Date(d.issuedAt),
      ctx.traceparent,
      inserted,
      await first,
    );
    ctx.log.info({ alertId: d.alertId, step: d.step, inside, claimed }, 'alert fanned out');
  };
}

/**
 * Sends one step of an alert (issue or escalation) to every unit inside its radius; units
 * claimed by an earlier step are skipped by the ledger.
 */
async function fanOutStep(
  deps: AlertHandlerDeps,
  view: SearcherView,
  d: { alertId: string; step: number; radiusKm: number; center: { lat: number; lon: number } },
  place: AlertPlace,
  at: Date,
  traceparent: string | undefined,
  newAlert = false,
  /** Units surely inside, found beforehand (`UnitIndex.someWithin`): claimed and sent first. */
  first?: string[],
): Promise<{ inside: number; claimed: number }> {
  const unitEvent = unitAlertEvent(view, d.step, d.radiusKm, d.center, at);
  let inside = 0;
  const within = async (): Promise<string[]> => {
    const units = await deps.index.within(d.center, d.radiusKm);
    inside = units.length;
    return units;
  };
  const units = first ? { first, rest: within } : await within();
  const { claimed } = await deps.fanout.deliver(d.alertId, 'alert', d.step, units, unitEvent, traceparent, {
    newAlert,
    place,
  });
  return { inside, claimed };
}

/**
 * A widened alert: the units inside the new radius that have not had this alert get it (units
 * claimed by an earlier step are skipped by the ledger).
 */
export function alertEscalatedHandler(deps: AlertHandlerDeps): EventHandler<'homeward.alert.escalated'> {
  return async (event, ctx) => {
    const d = event.data;
    const alert = await deps.store.findAlert(d.alertId);
    if (!alert) {
      throw new PoisonMessageError(
        NotificationsPoisonCodes.unknownAlert,
        `alert ${d.alertId} was escalated but its issue was never received`,
      );
    }
    if (alert.status === 'cancelled') {
      ctx.log.info({ alertId: d.alertId }, 'escalation of a cancelled alert ignored');
      return;
    }
    await deps.store.recordEscalated(d.alertId, d.step, d.radiusKm, d.center);
    const { inside, claimed } = await fanOutStep(
      deps,
      alert.view,
      d,
      placeOfStored(alert),
      new Date(d.escalatedAt),
      ctx.traceparent,
    );
    ctx.log.info({ alertId: d.alertId, step: d.step, inside, claimed }, 'escalation fanned out');
  };
}

/** A cancellation reaches every unit that was sent the alert, with the reason. */
export function alertCancelledHandler(
  deps: AlertHandlerDeps & { claimsOf: (alertId: string) => Promise<string[]> },
): EventHandler<'homeward.alert.cancelled'> {
  return async (event, ctx) => {
    const d = event.data;
    const alert = await deps.store.findAlert(d.alertId);
    if (!alert) {
      ctx.log.info({ alertId: d.alertId }, 'cancellation of an alert never fanned out: nobody to tell');
      return;
    }
    await deps.store.recordCancelled(d.alertId, new Date(d.cancelledAt), d.reason);
    const units = await deps.claimsOf(d.alertId);
    const { claimed } = await deps.fanout.deliver(
      d.alertId,
      'cancellation',
      alert.step,
      units,
      unitCancelEvent(d),
      ctx.traceparent,
      { place: placeOfStored(alert) },
    );
    ctx.log.info({ alertId: d.alertId, units: units.length, claimed }, 'cancellation fanned out');
  };
}
