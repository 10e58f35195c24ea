import { MemoryDueIndex } from '../../src/index.ts';
import { dueIndexContract } from '../due-index-contract.ts';

dueIndexContract('memory', { make: async () => new MemoryDueIndex() });
