import { type EventType, EventTypes, type HomewardEvent } from '@homeward/events';
import { type FiguresLedger, victimCountsOf } from '@homeward/figures';
import type {
  BatchHandler,
  BatchItem,
  EventHandler,
  EventHandlers,
  HandlerContext,
} from '@homeward/messaging';
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
 * The events of one fetched batch projected together (the consumer runner's `batchHandler`):
 * the facts and annual contributions of all of them (MongoDB: {@link FiguresLedger.recordAll},
 * three rounds for the whole batch), then each one's Redis script, all in one pipeline (one round
 * trip; Redis runs them in order, so each key's events keep theirs and the history's ids follow
 * the offsets). Each event's steps stay idempotent on their own, so a redelivery after a crash
 * anywhere in the batch (between the stores, or midway through the pipeline) completes what was
 * missing and repeats nothing: facts and contributions are insert-once by `_id`, and a script
 * whose `SET NX` finds its event key changes nothing. Answers whether each event was counted now.
 */
export function projectEvents(deps: ProjectorDeps) {
  return async (items: readonly BatchItem[]): Promise<boolean[]> => {
    // CloudEvents make source + id unique, not id alone (the runner's own guard uses the same).
    const keyed = items.map(({ event }) => ({ eventKey: `${event.source}|${event.id}`, event }));
    const entries = await io(() => deps.annual.recordAll(keyed, deps.utcOffsetMinutes));
    const views = items.map(({ event, ctx }, i) => {
      const { ref, victimRef } = entries[i]!;
      const topic = ctx.topic.startsWith(deps.topicPrefix)
        ? ctx.topic.slice(deps.topicPrefix.length)
        : ctx.topic;
      const view = toView(event, topic, placeOf(event, ref));
      const victims = victimCountsOf(event, event.type === 'homeward.case.child-rescued' ? ref : victimRef);
      const ops = [
        ...liveOps(event, view, deps.live.keys, deps.historyMaxLen),
        ...victimBoardOps(victims, deps.live.keys.victims),
      ];
      return { view, projection: { eventKey: keyed[i]!.eventKey, ops } };
    });
    const counted = await io(() => deps.live.projectAll(views.map((v) => v.projection)));
    for (const [i, { ctx }] of items.entries())
      ctx.log.debug(
        { counted: counted[i], region: views[i]!.view.region, caseId: views[i]!.view.caseId },
        'event projected',
      );
    return counted;
  };
}

/**
 * Projects one event of any type: remembers the facts it establishes, adds its contribution
 * to the annual aggregate (MongoDB, once per event key), then appends it to the history,
 * counts it and moves the board (Redis, once per event key). Each step is idempotent on its
 * own, so a redelivery after a crash between them completes what was missing and repeats
 * nothing.
 */
export function projectEvent(deps: ProjectorDeps) {
  const project = projectEvents(deps);
  return async (event: HomewardEvent, ctx: HandlerContext): Promise<{ counted: boolean }> => {
    const [counted] = await project([{ event, ctx }]);
    return { counted: counted === true };
  };
}

/**
 * One handler per catalogue event type, all projecting through {@link projectEvent} (what the
 * runner falls back to when a batch fails for good: each event alone, the faulty one
 * dead-lettered).
 */
export function projectionHandlers(deps: ProjectorDeps): EventHandlers {
  const project = projectEvent(deps);
  const handler: EventHandler = async (event, ctx) => {
    await project(event, ctx);
  };
  return Object.fromEntries(EventTypes.map((t: EventType) => [t, handler])) as EventHandlers;
}

/** The batch handler: every event of a fetched batch through {@link projectEvents} at once. */
export function projectionBatchHandler(deps: ProjectorDeps): BatchHandler {
  const project = projectEvents(deps);
  return async (items) => {
    await project(items);
  };
}
