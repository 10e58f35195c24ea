import { randomBytes } from 'node:crypto';

function token(): string {
  return randomBytes(12).toString('hex');
}

export const newPlacementId = (): string => `pl-${token()}`;
export const newFollowupId = (): string => `fu-${token()}`;

/**
 * Event ids derived from what they announce: a relay that publishes one outbox twice (a crash
 * between send and removal) repeats the same id, which consumers drop.
 */
export const eventIds = {
  decided: (placementId: string, revision: number) => `${placementId}.r${revision}.decided`,
  scheduled: (followupId: string) => `${followupId}.scheduled`,
  completed: (followupId: string) => `${followupId}.completed`,
  overdue: (followupId: string) => `${followupId}.overdue`,
};
