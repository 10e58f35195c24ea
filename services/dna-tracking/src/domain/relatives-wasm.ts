/**
 * The relatives pre-scan ({@link RelativeKernel} of search-kernel.ts) as WebAssembly: the same
 * sum of quantised log indices per row, over the same keys, with the same cut, so it passes on
 * exactly the slots the JavaScript loop passes on (search-kernel.test.ts holds them to it), in
 * about a third of the CPU time (no bounds check on the table's loads, measured: bench
 * dna-relatives). The JavaScript loop stays the reference, and the fallback wherever this module
 * is not ready (before {@link loadRelativesWasm}, or a pack too big for 32-bit addresses).
 *
 * The relatives' keys live in a shared `WebAssembly.Memory` (made here, {@link relativeKeyMemory}),
 * which the index's pack, the worker threads and the WebAssembly scans all read without a copy:
 * {@link TABLE_SLOTS} tables of {@link TABLE_BYTES} first (each the quantised table of one open
 * search, written by the planner: see ProfileIndex.planRelativeSearch), then the rows of keys at
 * {@link KEYS_AT}.
 *
 * The module is written below as WebAssembly text, one per number of loci (its row unrolled, as
 * the JavaScript loop is), and assembled by wabt (the WebAssembly Binary Toolkit's own parser,
 * built for JavaScript): no binary is kept in the repository, and the text is what is reviewed.
 * wabt rather than AssemblyScript: the loop is a dozen instructions that the text says exactly
 * (which loads, which adds), with no compiler and no runtime between it and the machine code;
 * wabt loads in about 20 ms and assembles the module in under a millisecond, once per process.
 * SIMD is not used: the scan is a gather (one table load per locus at an address read from the
 * keys), which WebAssembly's SIMD has no instruction for, and the adds are not what it waits on.
 */

/** Keys are 16-bit: a table of every key's quantised log index (Int32) takes this many bytes. */
export const TABLE_BYTES = 0x10000 * 4;
/**
 * Tables at the front of a key memory: one per relatives search open at once on the index (a
 * search that finds none free scans with the JavaScript loop, which reads the plan's own table).
 */
export const TABLE_SLOTS = 2;
/** Byte offset of the rows of keys in a key memory. */
export const KEYS_AT = TABLE_SLOTS * TABLE_BYTES;
const PAGE = 0x10000;
/** Pages a 32-bit WebAssembly memory can have (4 GiB). */
const MAX_PAGES = 0x10000;

/** Where a relatives scan's WebAssembly reads: its module, the key memory and the plan's table. */
export interface RelativeWasm {
  /** {@link relativesModule} for the plan's number of loci. */
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** Byte offset of the plan's quantised table (a slot of {@link TABLE_BYTES}). */
  tableAt: number;
}

/**
 * Room for `length` 16-bit keys: in a shared key memory (after its {@link TABLE_SLOTS} tables)
 * when it fits 32-bit addresses, or else, with no memory, on a plain SharedArrayBuffer (the
 * JavaScript loop scans it).
 */
export function relativeKeyMemory(length: number): { memory?: WebAssembly.Memory; keys: Uint16Array } {
  const pages = Math.ceil((KEYS_AT + 2 * length) / PAGE);
  if (pages > MAX_PAGES) return { keys: new Uint16Array(new SharedArrayBuffer(2 * length)) };
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  return { memory, keys: new Uint16Array(memory.buffer, KEYS_AT, length) };
}

/** wabt's parser, once loaded. */
let wabt:
  | { parseWat: (name: string, text: string, features: { threads: boolean }) => WabtModule }
  | undefined;
interface WabtModule {
  toBinary(options: object): { buffer: Uint8Array };
  destroy(): void;
}
let loading: Promise<void> | undefined;
const modules = new Map<number, WebAssembly.Module>();

/** Loads the assembler (once a process; the scans use WebAssembly from then on). */
export function loadRelativesWasm(): Promise<void> {
  loading ??= import('wabt').then(async ({ default: load }) => {
    wabt = await load();
  });
  return loading;
}

/**
 * The compiled scan for rows of `loci` loci and the table at byte `tableAt` (one of the
 * {@link TABLE_SLOTS}), or undefined before {@link loadRelativesWasm}.
 */
export function relativesModule(loci: number, tableAt: number): WebAssembly.Module | undefined {
  const key = loci * TABLE_SLOTS + tableAt / TABLE_BYTES;
  const known = modules.get(key);
  if (known || !wabt) return known;
  const parsed = wabt.parseWat(`relatives-${loci}.wat`, relativeScanText(loci, tableAt), { threads: true });
  try {
    const module = new WebAssembly.Module(parsed.toBinary({}).buffer);
    modules.set(key, module);
    return module;
  } finally {
    parsed.destroy();
  }
}

/**
 * Whether every row's sum of `logTable` over `loci` keys is within ±(2^31 − 2), so that the
 * scan's 32-bit sums cannot wrap and a cut clamped to 32 bits compares with them as the unclamped
 * cut does (the FBI table's indices give sums of a few million; only a table of indices beyond
 * 2^±3,000,000 / loci could fail this, and is then scanned by the JavaScript loop).
 */
export function sumsFitInt32(logTable: Int32Array, loci: number): boolean {
  let most = 0;
  for (const v of logTable) most = Math.max(most, Math.abs(v));
  return loci * most <= 2 ** 31 - 2;
}

/**
 * The scan's text for rows of `loci` loci (keys rounded up to an even number, two to a 32-bit
 * word, as the pack holds them, the rows at {@link KEYS_AT}) and the table at byte `tableAt`.
 * `next(s, to, cut)` returns the first slot in [s, to) whose row's sum reaches `cut`, or `to`:
 * per row, for each word of two keys, the low key's and the high key's Int32 entries of the table
 * (entry k at tableAt + 4k), added in 32 bits (which cannot wrap: the planner checks
 * {@link sumsFitInt32}), the padding key of an odd row not read, and the sum compared with `cut`
 * as the JavaScript loop compares it. The two offsets are constants of the loads, not additions.
 * (Measured: 64-bit sums, a balanced tree of adds, a comparison in doubles or the table's offset
 * added per load each cost a tenth or more of the scan.)
 */
export function relativeScanText(loci: number, tableAt: number): string {
  const words = (loci + 1) >>> 1;
  const rowBytes = 4 * words;
  const terms: string[] = [];
  for (let h = 0; h < words; h++) {
    // The word of keys 2h (low half) and 2h + 1 (high half); the low key's entry, then the high
    // key's (the key times 4 is the high half shifted down 14, its two low bits cleared).
    const low = `(i32.load offset=${tableAt} (i32.shl (i32.and (local.tee $w (i32.load offset=${KEYS_AT + 4 * h} (local.get $row))) (i32.const 0xffff)) (i32.const 2)))`;
    const high = `(i32.load offset=${tableAt} (i32.and (i32.shr_u (local.get $w) (i32.const 14)) (i32.const 0x3fffc)))`;
    terms.push(2 * h + 1 < loci ? `(i32.add\n          ${low}\n          ${high})` : low);
  }
  const sum = terms.reduce((total, term) => `(i32.add\n        ${total}\n        ${term})`);
  return `(module
  (import "index" "memory" (memory 0 ${MAX_PAGES} shared))
  (func (export "next")
    (param $s i32) (param $to i32) (param $cut i32)
    (result i32)
    (local $row i32) (local $w i32)
    (if (i32.ge_u (local.get $s) (local.get $to)) (then (return (local.get $to))))
    (local.set $row (i32.mul (local.get $s) (i32.const ${rowBytes})))
    (loop $rows
      (if (i32.ge_s ${sum} (local.get $cut))
        (then (return (local.get $s))))
      (local.set $row (i32.add (local.get $row) (i32.const ${rowBytes})))
      (local.set $s (i32.add (local.get $s) (i32.const 1)))
      (br_if $rows (i32.lt_u (local.get $s) (local.get $to))))
    (local.get $to)))
`;
}

type Next = (s: number, to: number, cut: number) => number;

/**
 * This thread's instance of a plan's module over its memory (instantiating takes about two
 * microseconds, but a search calls this once a chunk): a worker receives a new Memory object with
 * every search, so one search's chunks share one instance.
 */
const instances = new WeakMap<WebAssembly.Memory, { module: WebAssembly.Module; next: Next }>();

/**
 * Slots in [from, to) whose row's sum of the quantised table at `wasm.tableAt` reaches `cut`, in
 * increasing order: what the JavaScript loop returns for the same rows, table and cut. The cut is
 * clamped to 32 bits, which changes no comparison with a sum within ±(2^31 − 2) (a NaN cut, which
 * the loop's `!(sum < cut)` passes every slot on, is the least, which passes every slot too).
 */
export function scanRelativesWasm(wasm: RelativeWasm, cut: number, from: number, to: number): number[] {
  let known = instances.get(wasm.memory);
  if (known?.module !== wasm.module) {
    const instance = new WebAssembly.Instance(wasm.module, { index: { memory: wasm.memory } });
    known = { module: wasm.module, next: instance.exports.next as Next };
    instances.set(wasm.memory, known);
  }
  const { next } = known;
  const least = Number.isNaN(cut) ? -(2 ** 31) : Math.min(2 ** 31 - 1, Math.max(-(2 ** 31), cut));
  const found: number[] = [];
  for (let s = next(from, to, least); s < to; s = next(s + 1, to, least)) found.push(s);
  return found;
}
