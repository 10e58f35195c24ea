import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { trace } from '@opentelemetry/api';
import { afterAll, describe, expect, it } from 'vitest';
import { startTracing } from '../../src/tracing.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..', '..');
const work = mkdtempSync(join(tmpdir(), 'homeward-tracing-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// A module loader hook (it runs on the loader's own thread) that writes every OpenTelemetry
// module a process loads to stderr: what "off loads no SDK" is checked against.
writeFileSync(
  join(work, 'hooks.mjs'),
  `import { writeSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (r.url.includes('@opentelemetry')) writeSync(2, 'LOADED ' + r.url + '\\n');
  return r;
}
`,
);
writeFileSync(
  join(work, 'register.mjs'),
  `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(work, 'hooks.mjs')).href)});\n`,
);

/** Runs a service's start as main.ts does, with or without an endpoint; the OTel modules it loaded. */
function loadedBy(endpoint: string): string[] {
  const script = join(work, `main-${endpoint ? 'on' : 'off'}.mts`);
  writeFileSync(
    script,
    `import { startTracing } from ${JSON.stringify(join(root, 'packages/service-kit/src/index.ts'))};
const t = await startTracing({ serviceName: 'probe', endpoint: ${JSON.stringify(endpoint)} });
process.stdout.write(String(t.enabled));
await t.shutdown();
`,
  );
  const res = spawnSync(
    process.execPath,
    ['--import', join(work, 'register.mjs'), '--import', 'tsx', script],
    { cwd: root, encoding: 'utf8', timeout: 60_000 },
  );
  expect(res.status, res.stderr).toBe(0);
  return res.stderr
    .split('\n')
    .filter((l) => l.startsWith('LOADED '))
    .map((l) => /@opentelemetry\/([^/]+)/.exec(l)?.[1] ?? l);
}

describe('tracing', () => {
  it('off (no endpoint, no exporter): nothing of the SDK is loaded, only the API', () => {
    const loaded = new Set(loadedBy(''));
    expect([...loaded]).toEqual(['api']);
  }, 60_000);

  it('on (an endpoint): the SDK, the OTLP exporter and the instrumentations are loaded', () => {
    const loaded = new Set(loadedBy('http://127.0.0.1:4318'));
    for (const m of [
      'sdk-trace',
      'exporter-trace-otlp-http',
      'instrumentation-http',
      'instrumentation-undici',
      'instrumentation-mongodb',
      'instrumentation-ioredis',
    ])
      expect(loaded.has(m), m).toBe(true);
  }, 60_000);

  it('off answers a handle that does nothing and registers no tracer provider', async () => {
    const t = await startTracing({ serviceName: 'probe', endpoint: '' });
    expect(t.enabled).toBe(false);
    await t.forceFlush();
    await t.shutdown();
    const span = trace.getTracer('probe').startSpan('x');
    expect(span.isRecording()).toBe(false);
    span.end();
  });
});
