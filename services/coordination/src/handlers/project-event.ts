import { EventCatalogue, type EventType, type HomewardEvent } from '@homeward/events';
import type { EventHandler, EventHandlers, HandlerContext } from '@homeward/messaging';
import { recordSteps, sameRecord } from '../domain/records.ts';
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
    const { contribution } = await io(() =>
      deps.store.figures.record(eventKey, event, deps.utcOffsetMinutes),
    );
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

/**
 * The event types that move the platform's figures or a supervised record; the others (alert
 * escalations, notifications, profiles entered, raw reports) are left to the runner, which
 * skips types without a handler at no cost.
 */
export const PROJECTED_TYPES = [
  'homeward.case.opened',
  'homeward.case.lead-added',
  'homeward.case.team-assigned',
  'homeward.case.child-located',
  'homeward.case.child-rescued',
  'homeward.case.victims-rescued',
  'homeward.case.closed',
  'homeward.alert.issued',
  'homeward.alert.cancelled',
  'homeward.dna.sample-collected',
  'homeward.dna.custody-recorded',
  'homeward.dna.match-found',
  'homeward.dna.match-confirmed',
  'homeward.dna.match-rejected',
  'homeward.placement.decided',
  'homeward.followup.scheduled',
  'homeward.followup.completed',
  'homeward.followup.overdue',
] as const satisfies readonly EventType[];

/** The topics of those types (notifications and raw reports are not read at all). */
export const CONSUMED_TOPICS = [...new Set(PROJECTED_TYPES.map((t) => EventCatalogue[t].topic))];

/** One handler per projected type, all projecting through {@link projectEvent}. */
export function projectionHandlers(deps: ProjectorDeps): EventHandlers {
  const project = projectEvent(deps);
  const handler: EventHandler = async (event, ctx) => {
    await project(event, ctx);
  };
  return Object.fromEntries(PROJECTED_TYPES.map((t) => [t, handler])) as EventHandlers;
}
