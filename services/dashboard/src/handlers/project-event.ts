import { type EventType, EventTypes, type HomewardEvent } from '@homeward/events';
import { type FiguresLedger, victimCountsOf } from '@homeward/figures';
import type { EventHandler, EventHandlers, HandlerContext } from '@homeward/messaging';
import { victimBoardOps } from '../domain/board.ts';
import { toView } from '../domain/event-view.ts';
import { liveOps } from '../domain/live-ops.ts';
import { placeOf } from '../domain/refs.ts';
import type { LiveStore } from '../store/live-store.ts';

export interface ProjectorDeps {
  annual: FiguresLedger;
  live: LiveStore;
  /** The deployment's topic prefix, stripped to show logical topic names. */
  topicPrefix: string;
  historyMaxLen: number;
  utcOffsetMinutes: number;
}

/**
 * A store failure that is not a command error (a closed or lost connection, a timeout) is the
 * infrastructure's, not the event's: retried in place rather than dead-lettered, since a
 * projection that skips an event no longer adds up.
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
    const name = (err as { name?: string }).name ?? '';
    if (name === 'ReplyError' || name === 'MongoServerError') throw err;
    throw new StoreUnavailableError(err);
  }
}

/**
 * Projects one event of any type: remembers the facts it establishes, adds its contribution
 * to the annual aggregate (MongoDB, once per event key), then appends it to the history,
 * counts it and moves the board (Redis, once per event key). Each step is idempotent on its
 * own, so a redelivery after a crash between them completes what was missing and repeats
 * nothing.
 */
export function projectEvent(deps: ProjectorDeps) {
  return async (event: HomewardEvent, ctx: HandlerContext): Promise<{ counted: boolean }> => {
    // CloudEvents make source + id unique, not id alone (the runner's own guard uses the same).
    const eventKey = `${event.source}|${event.id}`;
    const topic = ctx.topic.startsWith(deps.topicPrefix)
      ? ctx.topic.slice(deps.topicPrefix.length)
      : ctx.topic;
    const { ref, victimRef } = await io(() => deps.annual.record(eventKey, event, deps.utcOffsetMinutes));
    const view = toView(event, topic, placeOf(event, ref));
    const victims = victimCountsOf(event, event.type === 'homeward.case.child-rescued' ? ref : victimRef);
    const ops = [
      ...liveOps(event, view, deps.live.keys, deps.historyMaxLen),
      ...victimBoardOps(victims, deps.live.keys.victims),
    ];
    const counted = await io(() => deps.live.project(eventKey, ops));
    ctx.log.debug({ counted, region: view.region, caseId: view.caseId }, 'event projected');
    return { counted };
  };
}

/** One handler per catalogue event type, all projecting through {@link projectEvent}. */
export function projectionHandlers(deps: ProjectorDeps): EventHandlers {
  const project = projectEvent(deps);
  const handler: EventHandler = async (event, ctx) => {
    await project(event, ctx);
  };
  return Object.fromEntries(EventTypes.map((t: EventType) => [t, handler])) as EventHandlers;
}
