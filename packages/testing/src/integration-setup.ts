import { afterAll } from 'vitest';
import { deleteRemainingTestTopics } from './helpers.ts';

// Setup file of the `integration` vitest project. A test file's topics are deleted when it ends,
// whether or not the file deletes them itself: left behind, every file's ~80 partitions pile up
// in the broker's data directory until its start takes minutes. Registered here, before the
// file's own hooks, so it runs after them (vitest runs afterAll hooks in reverse order): the
// services under test are stopped before their topics go.
afterAll(async () => {
  await deleteRemainingTestTopics();
}, 120_000);
