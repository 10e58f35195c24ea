import { MemoryLeases, MongoPersistence } from '@homeward/persistence';
import { testDatabase } from '@homeward/testing';
import { auditContract } from '../audit-contract.ts';

// The audit and the scope filters write and read no events: a relay that only watches suffices.
const relay = {
  watch: () => undefined,
  commit: async <R>(_c: unknown, _id: unknown, write: () => Promise<R>) => write(),
  notify: async () => {},
  entry: () => {
    throw new Error('no events here');
  },
};

auditContract('mongodb', async () => {
  const { db, close } = await testDatabase('kit-audit');
  return { p: new MongoPersistence({ db, leases: new MemoryLeases(), relay }), done: close };
});
