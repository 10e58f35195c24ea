import { type EventType, EventTypes, type HomewardEvent, Topics } from '@homeward/events';
import type { EventHandler, EventHandlers, HandlerContext } from '@homeward/messaging';
import { contributionOf } from '../domain/figures.ts';
import { recordSteps, sameRecord } from '../domain/records.ts';
import { refNeeded, refsWritten } from '../domain/refs.ts';
import type { CoordinationStore } from '../store/coordination-store.ts';

export interface ProjectorDeps {
  store: CoordinationStore;
  utcOffsetMinutes: number;
}

/**
 * A store failure that is not a command error (a closed or lost connection, a timeout) is the
 * infrastructure's, not the event's: retried in place rather than dead-lettered, since figures
 * that skip an event no longer add up.
 */
class StoreUnavailableError extends Error {
  readonly retriable = true;
  constructor(cause: unknown) {
    super(`store unavailable: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'StoreUnavailableError';
  }
}

async function io<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const e = err as { name?: string; retriable?: boolean };
    if (e.retriable !== undefined || e.name === 'MongoServerError') throw err;
    throw new StoreUnavailableError(err);
  }
}

/**
 * Projects one platform event: remembers the facts it establishes, adds its contribution to the
 * platform's figures (once per event key), and moves the records whose duties it discharges
 * (under each record's lease, writing only what changed). Each step is idempotent on its own,
 * so a redelivery after a crash between them completes what was missing and repeats nothing.
 */
export function projectEvent(deps: ProjectorDeps) {
  return async (event: HomewardEvent, ctx: HandlerContext): Promise<void> => {
    // CloudEvents make source + id unique, not id alone (the runner's own guard uses the same).
    const eventKey = `${event.source}|${event.id}`;
    await io(() => deps.store.saveRefs(refsWritten(event)));
    const refId = refNeeded(event);
    const ref = refId ? ((await io(() => deps.store.getRef(refId))) ?? undefined) : undefined;
    const contribution = contributionOf(event, ref, deps.utcOffsetMinutes);
    if (contribution) await io(() => deps.store.addContribution(eventKey, contribution));
    for (const step of recordSteps(event)) {
      await io(() =>
        deps.store.records.upsert(step.id, (current) => {
          const next = step.apply(current);
          return sameRecord(current, next) ? null : { doc: next, result: null };
        }),
      );
    }
    ctx.log.debug({ counted: contribution !== undefined }, 'event projected');
  };
}

/** The platform's topics coordination reads: every one but its own. */
export const CONSUMED_TOPICS = Object.values(Topics).filter((t) => t !== Topics.coordinationEvents);

/** One handler per event type of the consumed topics, all projecting through {@link projectEvent}. */
export function projectionHandlers(deps: ProjectorDeps): EventHandlers {
  const project = projectEvent(deps);
  const handler: EventHandler = async (event, ctx) => {
    await project(event, ctx);
  };
  return Object.fromEntries(
    EventTypes.filter((t) => !t.startsWith('homeward.coordination.')).map((t: EventType) => [t, handler]),
  ) as EventHandlers;
}
