// `npm run service -- restart NAME | status`: talks to the services `npm start` supervises.
import { requestRestart, runningServices } from './supervisor.ts';

const out = (line: string) => process.stdout.write(`${line}\n`);

function main(command: string | undefined, name: string | undefined): number {
  switch (command) {
    case 'restart': {
      if (!name) {
        out('usage: service restart NAME');
        return 2;
      }
      const pid = requestRestart(name);
      out(`${name}: SIGTERM sent to pid ${pid}; the launcher starts it again once it has stopped`);
      return 0;
    }
    case 'status': {
      const all = runningServices();
      if (all.length === 0) out('no service is running under `npm start`');
      for (const s of all) out(`${s.name.padEnd(22)} pid ${s.pid}`);
      return 0;
    }
    default:
      out('usage: service restart NAME | status');
      return 2;
  }
}

try {
  process.exit(main(process.argv[2], process.argv[3]));
} catch (err) {
  process.stderr.write(`service: ${(err as Error).message}\n`);
  process.exit(1);
}
