import type { EventHandler } from '@homeward/messaging';
import type { MatchingService } from '../matching-service.ts';
import type { DnaStore } from '../store/dna-store.ts';

/**
 * A profile entered (by this process or another): if this process's index does not hold it
 * yet, load it from MongoDB, index it and search it. What this process entered itself is
 * indexed already and skipped, so a redelivery changes nothing; a search it does repeat finds
 * its matches stored under the same ids.
 */
export function profileEnteredHandler(deps: {
  store: DnaStore;
  matching: MatchingService;
}): EventHandler<'homeward.dna.profile-entered'> {
  return async (event, ctx) => {
    const { sampleId, matchable } = event.data;
    if (!matchable || deps.matching.isIndexed(sampleId)) return;
    const profile = await deps.store.findProfile(sampleId, true);
    // The event leaves the outbox only after the write, so the profile is there; if it is not
    // (the database was restored to an earlier state), there is nothing to index.
    if (!profile?.matchable) {
      ctx.log.warn({ sampleId }, 'profile-entered for a sample without a matchable profile');
      return;
    }
    const matches = await deps.matching.enter(profile);
    ctx.log.info(
      { sampleId, candidates: matches.length },
      'profile from another process indexed and searched',
    );
  };
}
