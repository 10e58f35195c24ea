import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { renderAsyncApi } from '@homeward/messaging';
import type { FastifyInstance } from 'fastify';

// The events documentation beside /docs: the platform's AsyncAPI document at /asyncapi.json and
// the AsyncAPI React component's standalone bundle rendering it at /asyncapi. Every service
// serves the same, whole document: the Kafka contract is the platform's, not one service's (an
// integrator writing to its report topic or an operator reading dead letters needs every topic's
// description in one place, and any service they can reach gives it). Public metadata like
// /openapi.json and /docs: no credential, nothing but what the catalogue already publishes. The
// bundle comes from npm with the kit, so the page works offline (no CDN).

const require = createRequire(import.meta.url);
const componentDir = (file: string) => require.resolve(`@asyncapi/react-component/${file}`);

let documentJson: string | undefined;
/** The document is pure data from the catalogue: serialise it once per process. */
function asyncApiJson(): string {
  documentJson ??= JSON.stringify(renderAsyncApi());
  return documentJson;
}

const assets = new Map<string, { path: string; type: string }>([
  ['standalone.js', { path: 'browser/standalone/index.js', type: 'text/javascript; charset=utf-8' }],
  ['default.min.css', { path: 'styles/default.min.css', type: 'text/css; charset=utf-8' }],
]);
const assetCache = new Map<string, Buffer>();

/** Starts the component on the page; a file of its own so that the page needs no inline script. */
const INIT_SCRIPT = `AsyncApiStandalone.render({
  schema: { url: './asyncapi.json', requestOptions: { credentials: 'omit' } },
  config: { show: { sidebar: true, errors: true }, sidebar: { showOperations: 'byDefault' } },
}, document.getElementById('asyncapi'));
`;

function page(title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} — events (AsyncAPI)</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="./asyncapi/default.min.css">
</head>
<body>
<noscript>This page renders ./asyncapi.json with JavaScript; the JSON document itself is at ./asyncapi.json.</noscript>
<div id="asyncapi"></div>
<script src="./asyncapi/standalone.js"></script>
<script src="./asyncapi/init.js"></script>
</body>
</html>
`;
}

/**
 * The component's bundle builds validators at run time (Ajv compiles schemas with `new
 * Function`), hence `'unsafe-eval'`; everything else is this origin only.
 */
const PAGE_CSP =
  "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/**
 * Registers `GET /asyncapi.json` (the AsyncAPI 3.0 document of every topic and event type) and
 * `GET /asyncapi` (it rendered for people) with their assets, on the `operations` tag, public.
 */
export function registerAsyncApiDocs(app: FastifyInstance, opts: { title: string }): void {
  const schema = { tags: ['operations'], security: [] };
  app.get(
    '/asyncapi.json',
    {
      schema: {
        ...schema,
        summary: 'The AsyncAPI 3.0 document of the platform: every Kafka topic and event type',
        description:
          'The same document on every service: topics, CloudEvents headers, payload schemas, partition keys, who writes and reads each topic, dead letters and the SASL/SCRAM security scheme. Rendered at /asyncapi.',
      },
    },
    async (_req, reply) => reply.type('application/json; charset=utf-8').send(asyncApiJson()),
  );
  app.get(
    '/asyncapi',
    { schema: { ...schema, summary: 'The AsyncAPI document rendered for people', hide: true } },
    async (req, reply) => {
      // The page's links are relative (it may sit behind a path prefix); from `/asyncapi/` they
      // would point one level too deep.
      if (req.url.split('?')[0]!.endsWith('/')) return reply.redirect('../asyncapi');
      return reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', PAGE_CSP)
        .header('x-content-type-options', 'nosniff')
        .send(page(opts.title));
    },
  );
  app.get('/asyncapi/:asset', { schema: { ...schema, hide: true } }, async (req, reply) => {
    const name = (req.params as { asset: string }).asset;
    if (name === 'init.js') return reply.type('text/javascript; charset=utf-8').send(INIT_SCRIPT);
    const asset = assets.get(name);
    if (!asset) return reply.callNotFound();
    let body = assetCache.get(name);
    if (!body) {
      body = readFileSync(componentDir(asset.path));
      assetCache.set(name, body);
    }
    return reply.type(asset.type).header('cache-control', 'public, max-age=3600').send(body);
  });
}
