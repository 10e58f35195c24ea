// A hand-made relatives plan as the index would give it to the WebAssembly pre-scan: its keys
// copied into a key memory, its quantised table into the memory's first table.
import { type RelativeWasm, relativeKeyMemory, relativesModule } from '../../src/domain/relatives-wasm.ts';
import type { RelativeScanPlan } from '../../src/domain/search-kernel.ts';

/** `plan` scanned by WebAssembly (relatives-wasm.ts must be loaded): a copy, the plan untouched. */
export function withWasm(plan: RelativeScanPlan): RelativeScanPlan & { wasm: RelativeWasm } {
  const { memory, keys } = relativeKeyMemory(plan.genotypes.length);
  const module = relativesModule(plan.loci, 0);
  if (!memory || !module) throw new Error('the WebAssembly pre-scan is not loaded');
  keys.set(plan.genotypes);
  new Int32Array(memory.buffer, 0, plan.logTable.length).set(plan.logTable);
  return { ...plan, genotypes: keys, wasm: { module, memory, tableAt: 0 } };
}
