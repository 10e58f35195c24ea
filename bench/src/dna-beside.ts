// The dna benches' rounds, on a quiet machine or beside a given load: with BENCH_BESIDE set to a
// shell command (for instance 'npm run test:unit'), the command is started after the index is
// loaded and warmed up, and the bench's rounds (each one search of every kind, the same-run
// reference included) run back to back from its start until it exits, so the figures cover the
// whole of that load, its light and its heavy phases alike, rather than a few seconds of it. The
// load average is sampled at every round. Without BENCH_BESIDE, a fixed number of rounds.
// BENCH_BESIDE_SESSION=same keeps the command in the bench's own session (see runRounds).
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

/** How the rounds went: the command beside them (if any) and the machine's load meanwhile. */
export interface BesideReport {
  rounds: number;
  /** The command run beside, its exit code, how long it ran and where its output went. */
  beside?: { command: string; exitCode: number | null; seconds: number; log: string };
  /** One-minute load average at each round. */
  load: number[];
}

/**
 * Runs `round(i)` for i = 0, 1, ...: `rounds` times, or, with BENCH_BESIDE, from the command's
 * start until it exits (at least once).
 */
export async function runRounds(rounds: number, round: (i: number) => Promise<void>): Promise<BesideReport> {
  const command = process.env.BENCH_BESIDE?.trim();
  const load: number[] = [];
  if (!command) {
    for (let i = 0; i < rounds; i++) {
      load.push(loadavg()[0]!);
      await round(i);
    }
    return { rounds, load };
  }
  const log = join(tmpdir(), `bench-beside-${process.pid}.log`);
  const output = createWriteStream(log);
  await new Promise((resolve) => output.once('open', resolve));
  const started = performance.now();
  // In a session of its own, as a command started from another terminal would be (with the
  // kernel's autogroup scheduling, which groups CPU shares by session, this matters).
  const child = spawn(command, {
    shell: true,
    detached: process.env.BENCH_BESIDE_SESSION !== 'same',
    stdio: ['ignore', output, output],
    env: process.env,
  });
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exitCode = code;
      resolve();
    }),
  );
  let i = 0;
  do {
    load.push(loadavg()[0]!);
    await round(i++);
    // Lets the exit event through between rounds (a round may not yield at all).
    await new Promise((resolve) => setImmediate(resolve));
  } while (exitCode === undefined);
  await exited;
  output.end();
  return {
    rounds: i,
    beside: { command, exitCode: exitCode ?? null, seconds: (performance.now() - started) / 1000, log },
    load,
  };
}

/** The report's lines: the command beside and the load average over the rounds. */
export function besideLines(report: BesideReport): string[] {
  const sorted = [...report.load].sort((a, b) => a - b);
  const mean = sorted.reduce((s, x) => s + x, 0) / Math.max(1, sorted.length);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
  const lines = [
    `rounds                 ${report.rounds}, each every kind of search once (same child), back to back`,
    `load average (1 min)   over the rounds: min ${at(0).toFixed(1)}, median ${at(0.5).toFixed(1)}, mean ${mean.toFixed(1)}, max ${sorted[sorted.length - 1]?.toFixed(1) ?? '0'}`,
  ];
  if (report.beside) {
    const b = report.beside;
    lines.push(
      `beside                 \`${b.command}\`, ran ${b.seconds.toFixed(0)} s, exit code ${b.exitCode} (output in ${b.log}); the rounds ran from its start to its end`,
    );
  } else {
    lines.push('beside                 nothing started by the bench (BENCH_BESIDE unset)');
  }
  return lines;
}
