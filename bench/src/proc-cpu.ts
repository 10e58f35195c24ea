// CPU time, peak memory and context switches of other processes (a service under test, the
// receivers, FerretDB, Kafka, Redis), read from Linux's /proc, so that a benchmark can say what
// each report or delivery cost per process: a figure that holds on a loaded machine where wall
// times do not.
import { readdirSync, readFileSync } from 'node:fs';

/** Linux's clock ticks per second, in which /proc/<pid>/stat counts CPU time. */
const TICKS = 100;

/** CPU seconds (user + system) of a process and its descendants, from /proc; 0 where there is none. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    let ticks = Number(fields[11]) + Number(fields[12]);
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      for (const c of children ? children.split(' ') : []) ticks += cpuSeconds(Number(c)) * TICKS;
    }
    return ticks / TICKS;
  } catch {
    return 0;
  }
}

/** The numbers of a process's /proc status fields (a unit such as `kB` left off); NaN where there is none. */
function statusNumbers<K extends string>(pid: number, names: readonly K[]): Record<K, number> {
  let status = '';
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    // Gone: every field NaN.
  }
  const of = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? Number.NaN);
  return Object.fromEntries(names.map((n) => [n, of(n)])) as Record<K, number>;
}

/** A process's peak resident memory (VmHWM) in MiB, from /proc; NaN where there is none. */
export function peakRssMiB(pid: number): number {
  return statusNumbers(pid, ['VmHWM']).VmHWM / 1024;
}

/** A process's context switches so far, from /proc: voluntary (it waited) and involuntary (taken off its core). */
export function contextSwitches(pid: number): { voluntary: number; involuntary: number } {
  const s = statusNumbers(pid, ['voluntary_ctxt_switches', 'nonvoluntary_ctxt_switches']);
  return { voluntary: s.voluntary_ctxt_switches, involuntary: s.nonvoluntary_ctxt_switches };
}

/** The pids whose command name starts with `name` (the shared FerretDB, say). */
export function pidsNamed(name: string): number[] {
  const pids: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/comm`, 'utf8').startsWith(name)) pids.push(Number(d));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}
