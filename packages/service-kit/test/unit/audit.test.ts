import { MemoryPersistence } from '@homeward/persistence';
import { auditContract } from '../audit-contract.ts';

auditContract('memory', async () => ({ p: new MemoryPersistence() }));
