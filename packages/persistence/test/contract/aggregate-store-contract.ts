import { afterAll, beforeAll, describe } from 'vitest';
import type { ContractHarness } from './harness.ts';
import { queryContract } from './query-contract.ts';
import { writeContract } from './write-contract.ts';

export { type ContractHarness, caseClosed } from './harness.ts';

/**
 * The behaviour every {@link AggregateStore} adapter has: run over the memory adapter in the
 * unit tests and over MongoDB (FerretDB, Redis leases, the real outbox relay and Kafka) in the
 * integration tests, so the memory adapter a service's unit tests use behaves as production does.
 */
export function aggregateStoreContract(name: string, setup: () => Promise<ContractHarness>): void {
  describe(`AggregateStore contract: ${name}`, () => {
    let h: ContractHarness | undefined;
    beforeAll(async () => {
      h = await setup();
    });
    afterAll(async () => {
      await h?.close?.();
    });
    const harness = () => {
      if (!h) throw new Error('the contract harness failed to set up');
      return h;
    };
    writeContract(harness);
    queryContract(harness);
  });
}
