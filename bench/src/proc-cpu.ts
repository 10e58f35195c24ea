// CPU time (and peak memory and context switches) of other processes (a service under test, the receivers, FerretDB, Kafka, Redis), read
// from Linux's /proc, so that a benchmark can say what each report or delivery cost per process:
// a figure that holds on a loaded machine where wall times do not.
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

/** A process's peak resident memory (VmHWM) in MiB, from /proc; NaN where there is none. */
export function peakRssMiB(pid: number): number {
  try {
    const kib = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kib === undefined ? Number.NaN : Number(kib) / 1024;
  } catch {
    return Number.NaN;
  }
}

/** A process's context switches so far, from /proc: voluntary (it waited) and involuntary (taken off its core). */
export function contextSwitches(pid: number): { voluntary: number; involuntary: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const of = (name: string) =>
      Number(new RegExp(`^${name}:\\s+(\\d+)$`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { voluntary: of('voluntary_ctxt_switches'), involuntary: of('nonvoluntary_ctxt_switches') };
  } catch {
    return { voluntary: Number.NaN, involuntary: Number.NaN };
  }
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
