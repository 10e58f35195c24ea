/**
 * The kinship index spread over worker threads, one shard each, so that a search uses every
 * core: a profile lives in one shard (a parent or relative in its case's, so that a case's pair
 * and family are scored where all their members are; a child in its own id's), and a search
 * asks every shard at once and merges their answers, best first. The numbers are the
 * ProfileIndex's, shard by shard: only where a candidate is computed changes.
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { FrequencyTableMetadata, LoadFrequencyTableOptions } from './domain/allele-frequencies.ts';
import type { RelativeRelation } from './domain/kinship-relatives.ts';
import {
  type CaseReference,
  type ChildCandidate,
  type ChildSearchResult,
  type ParentSearchResult,
  ProfileIndexError,
  type ProfileIndexOptions,
  type ProfileRole,
  type RelativeCandidate,
  type SampleMeta,
  type SearchOptions,
} from './domain/matcher.ts';
import type { StrProfile } from './domain/profile.ts';
import type { SearchWorkerData } from './search-worker.ts';

/** How a pool is made. */
export interface SearchPoolOptions extends SearchWorkerData {
  /** Shards (worker threads); every core by default. */
  shards?: number;
  frequencyTable: FrequencyTableMetadata;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

// The worker is TypeScript, as the service is (run by tsx): tsx's loader is registered in the
// thread before the module is imported (resolved from the working directory, as tsx itself is).
const WORKER = new URL('./search-worker.ts', import.meta.url).href;
const BOOT = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(WORKER)}); });`;

const byIndex = (a: { combinedIndex: number }, b: { combinedIndex: number }) =>
  b.combinedIndex - a.combinedIndex;

/** The kinship index over worker threads (see the module comment). */
export class SearchPool {
  readonly #workers: Worker[];
  readonly #pending = new Map<number, Pending>();
  readonly #shardOf = new Map<string, number>();
  readonly #frequencyTable: FrequencyTableMetadata;
  #next = 0;
  #size = 0;

  private constructor(workers: Worker[], frequencyTable: FrequencyTableMetadata) {
    this.#workers = workers;
    this.#frequencyTable = frequencyTable;
    for (const w of workers) {
      w.on(
        'message',
        (m: { id?: number; result?: unknown; error?: { name: string; message: string; code?: string } }) => {
          if (m.id === undefined) return;
          const p = this.#pending.get(m.id);
          this.#pending.delete(m.id);
          if (!p) return;
          if (m.error) p.reject(reviveError(m.error));
          else p.resolve(m.result);
        },
      );
    }
  }

  /** Starts the shards and waits until each has built its (empty) index. */
  static async start(opts: SearchPoolOptions): Promise<SearchPool> {
    const n = Math.max(1, opts.shards ?? availableParallelism());
    const data: SearchWorkerData = {
      rawTable: opts.rawTable,
      tableOptions: opts.tableOptions,
      indexOptions: opts.indexOptions,
    };
    const workers = await Promise.all(
      Array.from({ length: n }, async () => {
        const w = new Worker(BOOT, { eval: true, workerData: data });
        await new Promise<void>((resolve, reject) => {
          w.once('error', reject);
          w.once('message', () => resolve());
        });
        return w;
      }),
    );
    return new SearchPool(workers, opts.frequencyTable);
  }

  /** Number of shards. */
  get shards(): number {
    return this.#workers.length;
  }

  /** Number of profiles held. */
  get size(): number {
    return this.#size;
  }

  /** The frequency table the shards score with. */
  get frequencyTable(): FrequencyTableMetadata {
    return this.#frequencyTable;
  }

  /** Whether a profile with this id is indexed. */
  has(id: string): boolean {
    return this.#shardOf.has(id);
  }

  /** Adds a profile to its shard (ProfileIndex.add's rules). */
  async add(id: string, profile: StrProfile, role: ProfileRole, meta: SampleMeta = {}): Promise<void> {
    if (this.#shardOf.has(id)) {
      throw new ProfileIndexError('DNA_ERR_DUPLICATE_PROFILE', `Profile ${id} is already indexed`);
    }
    const shard = this.#route(role === 'child' ? id : (meta.caseId ?? id));
    this.#shardOf.set(id, shard);
    try {
      await this.#call(shard, 'add', [id, profile, role, meta]);
      this.#size++;
    } catch (err) {
      this.#shardOf.delete(id);
      throw err;
    }
  }

  /**
   * Adds many profiles, one message per shard (loading at start). Ids already indexed, or
   * repeated in the batch, are refused before anything is sent.
   */
  async addMany(entries: ReadonlyArray<[string, StrProfile, ProfileRole, SampleMeta?]>): Promise<void> {
    const batches: unknown[][][] = this.#workers.map(() => []);
    const seen = new Set<string>();
    for (const [id] of entries) {
      if (this.#shardOf.has(id) || seen.has(id)) {
        throw new ProfileIndexError('DNA_ERR_DUPLICATE_PROFILE', `Profile ${id} is already indexed`);
      }
      seen.add(id);
    }
    for (const [id, profile, role, meta = {}] of entries) {
      const shard = this.#route(role === 'child' ? id : (meta.caseId ?? id));
      this.#shardOf.set(id, shard);
      batches[shard]!.push([id, profile, role, meta]);
    }
    this.#size += entries.length;
    await Promise.all(
      batches.map((batch, shard) => (batch.length > 0 ? this.#call(shard, 'addMany', [batch]) : undefined)),
    );
  }

  /** Removes a profile; false when it is not indexed. */
  async remove(id: string): Promise<boolean> {
    const shard = this.#shardOf.get(id);
    if (shard === undefined) return false;
    this.#shardOf.delete(id);
    this.#size--;
    return (await this.#call(shard, 'remove', [id])) as boolean;
  }

  /** ProfileIndex.searchParentsForChild over every shard. */
  async searchParentsForChild(child: StrProfile, options: SearchOptions = {}): Promise<ParentSearchResult> {
    const parts = (await this.#all('searchParentsForChild', [child, options])) as ParentSearchResult[];
    return {
      singles: parts.flatMap((p) => p.singles).sort(byIndex),
      pairs: parts.flatMap((p) => p.pairs).sort(byIndex),
      frequencyTable: this.#frequencyTable,
    };
  }

  /** ProfileIndex.searchChildrenForParent over every shard. */
  async searchChildrenForParent(
    parent: StrProfile,
    options: SearchOptions & { otherParent?: StrProfile } = {},
  ): Promise<ChildSearchResult> {
    const parts = (await this.#all('searchChildrenForParent', [parent, options])) as ChildSearchResult[];
    const children: ChildCandidate[] = parts.flatMap((p) => p.children).sort(byIndex);
    return { children, frequencyTable: this.#frequencyTable };
  }

  /** ProfileIndex.searchRelativesForChild over every shard. */
  async searchRelativesForChild(
    child: StrProfile,
    options: SearchOptions = {},
  ): Promise<RelativeCandidate[]> {
    const parts = (await this.#all('searchRelativesForChild', [child, options])) as RelativeCandidate[][];
    return parts.flat().sort(byIndex);
  }

  /** ProfileIndex.searchChildrenForRelative over every shard. */
  async searchChildrenForRelative(
    reference: StrProfile,
    relation: RelativeRelation,
    options: SearchOptions = {},
  ): Promise<RelativeCandidate[]> {
    const parts = (await this.#all('searchChildrenForRelative', [
      reference,
      relation,
      options,
    ])) as RelativeCandidate[][];
    return parts.flat().sort(byIndex);
  }

  /** ProfileIndex.referencesOf, in the case's shard. */
  async referencesOf(caseId: string): Promise<CaseReference[]> {
    return (await this.#call(this.#route(caseId), 'referencesOf', [caseId])) as CaseReference[];
  }

  /** ProfileIndex.familyIndex, in the case's shard. */
  async familyIndex(child: StrProfile, caseId: string) {
    return (await this.#call(this.#route(caseId), 'familyIndex', [child, caseId])) as ReturnType<
      import('./domain/matcher.ts').ProfileIndex['familyIndex']
    >;
  }

  /** ProfileIndex.profileOf, in the profile's shard. */
  async profileOf(id: string): Promise<StrProfile | undefined> {
    const shard = this.#shardOf.get(id);
    if (shard === undefined) return undefined;
    return (await this.#call(shard, 'profileOf', [id])) as StrProfile | undefined;
  }

  /** Stops the shards. */
  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
    for (const p of this.#pending.values()) p.reject(new Error('search pool closed'));
    this.#pending.clear();
  }

  #route(key: string): number {
    return createHash('sha1').update(key).digest().readUInt32BE(0) % this.#workers.length;
  }

  #call(shard: number, method: string, args: unknown[]): Promise<unknown> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#workers[shard]!.postMessage({ id, method, args });
    });
  }

  #all(method: string, args: unknown[]): Promise<unknown[]> {
    return Promise.all(this.#workers.map((_, shard) => this.#call(shard, method, args)));
  }
}

function reviveError(e: { name: string; message: string; code?: string }): Error {
  if (e.name === 'ProfileIndexError' && e.code) {
    return new ProfileIndexError(e.code as ProfileIndexError['code'], e.message);
  }
  const err = e.name === 'RangeError' ? new RangeError(e.message) : new Error(e.message);
  return err;
}

/** What a pool needs besides its shards: the table file's content and how to read it. */
export type SearchPoolTable = Pick<SearchPoolOptions, 'rawTable' | 'tableOptions'>;
export type { LoadFrequencyTableOptions, ProfileIndexOptions };
