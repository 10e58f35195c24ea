import type { EventHandler } from '@homeward/messaging';
import type { IntakeService } from '../intake-service.ts';

/**
 * Intake's view of cases, kept from `case.events.v1`: an opened case (its own events, which
 * also repairs a record a crash left unwritten) and a closed one, which frees the child's key
 * so that a later disappearance opens a new case.
 */
export function caseOpenedHandler(intake: IntakeService): EventHandler<'homeward.case.opened'> {
  return (event) => intake.caseOpened(event.data);
}

/** See {@link caseOpenedHandler}. */
export function caseClosedHandler(intake: IntakeService): EventHandler<'homeward.case.closed'> {
  return (event) => intake.caseClosed(event.data);
}
