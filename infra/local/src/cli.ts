// `npm run infra:up|down|status`: the launcher from the command line. Output is for people.
import { deleteOldTestTopics, down, status, up } from './launcher.ts';
import { LauncherError } from './processes.ts';

const out = (line: string) => process.stdout.write(`${line}\n`);

async function main(command: string | undefined): Promise<number> {
  switch (command) {
    case 'up': {
      const t0 = performance.now();
      for (const r of await up()) out(`${r.component.padEnd(9)} ${r.outcome.padEnd(8)} ${r.ms} ms`);
      out(`infrastructure ready in ${Math.round(performance.now() - t0)} ms`);
      const t1 = performance.now();
      const deleted = await deleteOldTestTopics();
      if (deleted > 0)
        out(`deleted the topics of ${deleted} old test runs in ${Math.round(performance.now() - t1)} ms`);
      return 0;
    }
    case 'down':
      out(`stopped: ${(await down()).join(', ') || 'nothing (no component was started by this launcher)'}`);
      return 0;
    case 'status': {
      const all = await status();
      for (const s of all) {
        out(
          `${s.component.padEnd(9)} ${s.answering ? 'up  ' : 'DOWN'} ${s.endpoint.padEnd(28)} pid ${s.pid ?? '-'}  log ${s.log}`,
        );
      }
      return all.every((s) => s.answering) ? 0 : 1;
    }
    default:
      out('usage: infra up | down | status');
      return 2;
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(
      `infra: ${err instanceof LauncherError ? err.message : String((err as Error)?.stack ?? err)}\n`,
    );
    process.exit(1);
  },
);
