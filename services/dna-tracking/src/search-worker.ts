// One shard of the kinship index in a worker thread (search-pool.ts starts it): a ProfileIndex
// of its own over the profiles routed to it, answering the pool's calls one at a time.
import { parentPort, workerData } from 'node:worker_threads';
import { type LoadFrequencyTableOptions, loadFrequencyTable } from './domain/allele-frequencies.ts';
import { ProfileIndex, type ProfileIndexOptions } from './domain/matcher.ts';

/** What a shard is started with. */
export interface SearchWorkerData {
  rawTable: unknown;
  tableOptions: LoadFrequencyTableOptions;
  indexOptions: ProfileIndexOptions;
}

/** A call to a shard: a method of ProfileIndex and its arguments. */
export interface SearchCall {
  id: number;
  method: string;
  args: unknown[];
}

const data = workerData as SearchWorkerData;
const index = new ProfileIndex(loadFrequencyTable(data.rawTable, data.tableOptions), data.indexOptions);
const methods = index as unknown as Record<string, (...args: unknown[]) => unknown>;
const port = parentPort!;

port.on('message', (call: SearchCall) => {
  try {
    let result: unknown;
    if (call.method === 'addMany') {
      // A batch of adds in one message (loading); each as ProfileIndex.add.
      for (const args of call.args[0] as unknown[][]) methods.add!.apply(index, args);
    } else result = methods[call.method]!.apply(index, call.args);
    port.postMessage({ id: call.id, result });
  } catch (err) {
    const e = err as Error & { code?: string };
    port.postMessage({ id: call.id, error: { name: e.name, message: e.message, code: e.code } });
  }
});
port.postMessage({ ready: true });
