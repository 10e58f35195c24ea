import { Roles } from '@homeward/events';
import fc from 'fast-check';
import { devKey } from './helpers.ts';

/** fast-check itself, for a service's own generators (services do not depend on it directly). */
export { fc };

// biome-ignore lint/suspicious/noExplicitAny: OpenAPI documents and JSON schemas are walked generically
type Json = any;

/** What a fuzz run needs of a started service: Fastify's `inject` (no network). */
export interface Injectable {
  http: {
    inject: (opts: {
      method: string;
      url: string;
      headers: Record<string, string>;
      payload?: string;
    }) => PromiseLike<{ statusCode: number; body: string }>;
  };
}

/** One POST or PUT operation of an OpenAPI document. */
export interface FuzzOperation {
  method: 'POST' | 'PUT';
  /** The OpenAPI path template, e.g. `/v1/cases/{caseId}`. */
  path: string;
  pathParams: string[];
  /** The JSON schema of the `application/json` request body, if the operation documents one. */
  bodySchema: Json | undefined;
  /** The request body's schema by media type, as documented. */
  content: Record<string, Json>;
}

/** One generated request. */
export interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** Sent as it is; undefined sends no body. */
  payload: string | undefined;
}

/** A request answered with a 5xx (or that made `inject` throw). */
export interface FuzzFailure {
  request: FuzzRequest & { role: string | null };
  /** The seed of the run that generated it. */
  seed: number;
  status: number;
  answer: string;
}

/** What `fuzzService` measured. */
export interface FuzzReport {
  operations: FuzzOperation[];
  cases: number;
  casesPerOperation: Record<string, number>;
  statuses: Record<string, number>;
  /** The first few answers of each status, to see how deep the requests got. */
  samples: Record<string, string[]>;
  failures: FuzzFailure[];
  ms: number;
}

/** Options of `fuzzService`. */
export interface FuzzOptions {
  /** How many requests in all, spread evenly over the operations. */
  cases: number;
  /** Roles allowed on the service's operations: most requests carry one of these. */
  roles: readonly string[];
  /** Fixed seed, so a failure found in CI replays locally. */
  seed?: number;
  /**
   * Extra request generators for an operation (say, intake's CloudEvents modes), mixed in with
   * the generic ones; return undefined to keep only the generic ones.
   */
  extra?: (op: FuzzOperation) => fc.Arbitrary<Omit<FuzzRequest, 'method' | 'url'>> | undefined;
  /**
   * Values that exist (ids, say), by name: a path parameter or a body field of that name takes
   * one of them part of the time, so requests reach more than a 404.
   */
  knownValues?: Known;
  /** How many requests are in flight at once. */
  concurrency?: number;
}

/** Known values by path parameter or body field name. */
export type Known = Record<string, readonly string[]>;

/** Lists the POST and PUT operations of an OpenAPI 3 document. */
export function postAndPutOperations(doc: Json): FuzzOperation[] {
  const ops: FuzzOperation[] = [];
  for (const [path, item] of Object.entries<Json>(doc.paths ?? {})) {
    for (const method of ['post', 'put'] as const) {
      const op = item?.[method];
      if (!op) continue;
      const pathParams = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
      const content = Object.fromEntries(
        Object.entries<Json>(op.requestBody?.content ?? {}).map(([type, media]) => [type, media?.schema]),
      );
      const bodySchema = content['application/json'];
      ops.push({ method: method.toUpperCase() as 'POST' | 'PUT', path, pathParams, bodySchema, content });
    }
  }
  return ops;
}

/** Strings an input validator or a database may trip on. */
const nastyString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\uD800',
    '$where',
    '$gt',
    'a.b',
    '__proto__',
    'constructor',
    '../../etc/passwd',
    '%00',
    'null',
    'NaN',
    '1e309',
    '-1',
    '2026-02-30T25:61:00Z',
    '9999-12-31T23:59:59Z',
    '0000-01-01',
    '🧒🏽‍🦱',
    'Ω'.repeat(300),
  ),
  fc.integer({ min: 1_000, max: 200_000 }).map((n) => 'x'.repeat(n)),
);

/** Keys that have broken JSON handling or MongoDB queries elsewhere. */
const nastyKey = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('__proto__', 'constructor', 'prototype', '$set', '$where', 'a.b', '', '_id'),
);

/** Any JSON value, including the edges the default one leaves out. */
const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  { weight: 2, arbitrary: nastyString },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.constantFrom(null, true, false, 0, -0, -1, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 0.1),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
    ),
  },
  { weight: 1, arbitrary: fc.dictionary(nastyKey, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 8 }) },
  { weight: 1, arbitrary: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 20 }) },
);

/** JSON text nested `depth` levels deep in arrays or objects (built as text: too deep to stringify). */
const deepNesting = fc
  .tuple(fc.integer({ min: 50, max: 5_000 }), fc.boolean())
  .map(([depth, arrays]) =>
    arrays
      ? `${'['.repeat(depth)}"leaf"${']'.repeat(depth)}`
      : `${'{"a":'.repeat(depth)}"leaf"${'}'.repeat(depth)}`,
  );

/**
 * A value shaped by a JSON schema. With `mutate`, any node may be swapped for something that
 * breaks it (a wrong type, a missing or extra field, an out-of-range number, a nasty string);
 * without, the value follows the schema as far as fast-check can (formats and patterns
 * included), so requests get past validation and reach the route's own logic.
 */
export function schemaShaped(
  schema: Json,
  mutate = true,
  known: Known = {},
  depth = 0,
): fc.Arbitrary<unknown> {
  const valid = validFor(schema, mutate, known, depth);
  return mutate ? fc.oneof({ weight: 12, arbitrary: valid }, { weight: 1, arbitrary: anyJson }) : valid;
}

function validFor(schema: Json, mutate: boolean, known: Known, depth: number): fc.Arbitrary<unknown> {
  if (!schema || typeof schema !== 'object' || depth > 8) return mutate ? anyJson : fc.constant(null);
  const next = (s: Json) => schemaShaped(s, mutate, known, depth + 1);
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...schema.enum);
  const alts = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(alts) && alts.length > 0) return fc.oneof(...alts.map(next));
  if (Array.isArray(schema.allOf) && schema.allOf.length > 0)
    return validFor(Object.assign({}, ...schema.allOf), mutate, known, depth + 1);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object':
    case undefined: {
      const props = Object.entries<Json>(schema.properties ?? {});
      if (props.length === 0 && type === undefined) return mutate ? anyJson : fc.constant({});
      const required = new Set<string>(schema.required ?? []);
      const shape = Object.fromEntries(
        props.map(([k, s]) => {
          const values = known[k];
          return [k, values?.length ? fc.oneof(fc.constantFrom(...values), next(s)) : next(s)];
        }),
      );
      const base = fc.record(shape, {
        requiredKeys: props.filter(([k]) => required.has(k)).map(([k]) => k),
      });
      if (!mutate) return base;
      // Now and then a required field goes missing, or an unknown one comes along.
      return fc.oneof(
        { weight: 8, arbitrary: base },
        {
          weight: 1,
          arbitrary: fc
            .tuple(base, fc.constantFrom(...(props.length ? props.map(([k]) => k) : ['x'])))
            .map(([o, k]) => {
              const copy = { ...(o as object) } as Record<string, unknown>;
              delete copy[k];
              return copy;
            }),
        },
        {
          weight: 1,
          arbitrary: fc
            .tuple(base, nastyKey, anyJson)
            .map(([o, k, v]) => Object.assign({ ...(o as object) }, JSON.parse(JSON.stringify({ [k]: v })))),
        },
      );
    }
    case 'array': {
      const min = schema.minItems ?? 0;
      const max = Math.max(min, Math.min(schema.maxItems ?? 6, 6));
      return fc.array(
        next(schema.items),
        mutate ? { maxLength: max + 2 } : { minLength: min, maxLength: max },
      );
    }
    case 'string':
      return mutate
        ? fc.oneof({ weight: 6, arbitrary: typedString(schema) }, { weight: 1, arbitrary: nastyString })
        : typedString(schema);
    case 'integer':
    case 'number': {
      const min =
        schema.minimum ?? (schema.exclusiveMinimum === undefined ? -1e6 : schema.exclusiveMinimum + 1);
      const max =
        schema.maximum ?? (schema.exclusiveMaximum === undefined ? 1e6 : schema.exclusiveMaximum - 1);
      const inRange =
        type === 'integer'
          ? fc.integer({ min: Math.ceil(min), max: Math.floor(max) })
          : fc.double({ min, max, noNaN: true });
      if (!mutate) return inRange;
      return fc.oneof(
        { weight: 6, arbitrary: inRange },
        { weight: 1, arbitrary: fc.constantFrom(min - 1, max + 1, 0.5, -0, 1e308, -1e308) },
      );
    }
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      return mutate ? anyJson : fc.constant(null);
  }
}

function typedString(schema: Json): fc.Arbitrary<string> {
  switch (schema.format) {
    case 'date-time':
      return fc
        .date({ min: new Date('1900-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
        .map((d) => d.toISOString());
    case 'date':
      return fc
        .date({ min: new Date('1900-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 10));
    case 'email':
      return fc.emailAddress();
    case 'uri':
      return fc.webUrl();
    case 'uuid':
      return fc.uuid();
  }
  if (typeof schema.pattern === 'string') {
    try {
      return fc.stringMatching(new RegExp(schema.pattern));
    } catch {
      // A pattern fast-check cannot invert: fall back to plain strings.
    }
  }
  return fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 40, 200) });
}

/** The body of a request: JSON text most of the time, sometimes not JSON at all, or none. */
function bodies(op: FuzzOperation, known: Known): fc.Arbitrary<Omit<FuzzRequest, 'method' | 'url'>> {
  const json = (v: unknown) => ({
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify(v),
  });
  const valid = op.bodySchema ? schemaShaped(op.bodySchema, false, known) : anyJson;
  const mutated = op.bodySchema ? schemaShaped(op.bodySchema, true, known) : anyJson;
  return fc.oneof(
    { weight: 6, arbitrary: valid.map(json) },
    { weight: 6, arbitrary: mutated.map(json) },
    { weight: 4, arbitrary: anyJson.map(json) },
    {
      weight: 1,
      arbitrary: deepNesting.map((payload) => ({ headers: { 'content-type': 'application/json' }, payload })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.oneof(
            fc.string(),
            fc.constantFrom('{', '{"a":', '[1,]', 'null', '{"__proto__":{"x":1}}', '\u0000'),
          ),
          fc.constantFrom(
            'application/json',
            'text/plain',
            'application/x-www-form-urlencoded',
            'application/xml',
          ),
        )
        .map(([payload, type]) => ({ headers: { 'content-type': type }, payload })),
    },
    { weight: 1, arbitrary: fc.constant({ headers: {}, payload: undefined }) },
  );
}

function pathValue(name: string, known: readonly string[] | undefined): fc.Arbitrary<string> {
  const random = fc.oneof(
    fc.uuid(),
    fc.string({ minLength: 1, maxLength: 30 }),
    fc.constantFrom(
      '0',
      '-1',
      'null',
      'undefined',
      '$gt',
      '..',
      'a.b',
      ' ',
      '%',
      '__proto__',
      'x'.repeat(500),
    ),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }),
  );
  const values = known && known.length > 0 ? fc.oneof(fc.constantFrom(...known), random) : random;
  // An empty segment would address another route: keep every value non-empty.
  return values.map((v) => encodeURIComponent(v || name));
}

/** All requests for one operation, each with the role it is sent as (null: no credentials). */
function requests(
  op: FuzzOperation,
  opts: FuzzOptions,
): fc.Arbitrary<{ request: FuzzRequest; role: string | null }> {
  const url = fc.tuple(...op.pathParams.map((p) => pathValue(p, opts.knownValues?.[p]))).map((values) => {
    let i = 0;
    return op.path.replace(/\{([^}]+)\}/g, () => values[i++] ?? 'x');
  });
  const extra = opts.extra?.(op);
  const body = extra
    ? fc.oneof({ weight: 1, arbitrary: bodies(op, opts.knownValues ?? {}) }, { weight: 1, arbitrary: extra })
    : bodies(op, opts.knownValues ?? {});
  const role = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...opts.roles) },
    { weight: 2, arbitrary: fc.constantFrom(...Roles) },
    { weight: 1, arbitrary: fc.constant(null) },
  );
  return fc.tuple(url, body, role).map(([u, b, r]) => ({
    role: r,
    request: {
      method: op.method,
      url: u,
      headers: { ...b.headers, ...(r ? { authorization: `Bearer ${devKey(r)}` } : {}) },
      payload: b.payload,
    },
  }));
}

/**
 * Reads a started service's OpenAPI document and sends `cases` generated requests through
 * `inject`, spread over its POST and PUT operations; every answer of 500 or more (or a throw)
 * is collected with its request. Generation uses a fixed seed, so a run replays exactly.
 */
export async function fuzzService(app: Injectable, opts: FuzzOptions): Promise<FuzzReport> {
  const started = Date.now();
  const docRes = await app.http.inject({ method: 'GET', url: '/openapi.json', headers: {} });
  if (docRes.statusCode !== 200) throw new Error(`GET /openapi.json answered ${docRes.statusCode}`);
  const operations = postAndPutOperations(JSON.parse(docRes.body));
  if (operations.length === 0) throw new Error('the OpenAPI document lists no POST or PUT operation');
  // FUZZ_CASES and FUZZ_SEED explore further by hand: more cases, another seed (the seed is
  // printed with each failure, so what one run finds replays).
  const cases = Math.max(opts.cases, Number(process.env.FUZZ_CASES) || 0);
  const perOp = Math.ceil(cases / operations.length);
  const seed = opts.seed ?? (Number(process.env.FUZZ_SEED) || 20261201);
  const all = operations.flatMap((op, i) =>
    fc.sample(requests(op, opts), { numRuns: perOp, seed: seed + i }),
  );

  const report: FuzzReport = {
    operations,
    cases: 0,
    casesPerOperation: {},
    statuses: {},
    samples: {},
    failures: [],
    ms: 0,
  };
  for (const op of operations) report.casesPerOperation[`${op.method} ${op.path}`] = perOp;
  const concurrency = opts.concurrency ?? 8;
  let next = 0;
  const worker = async () => {
    while (next < all.length) {
      const { request, role } = all[next++]!;
      let status: number;
      let answer: string;
      try {
        const res = await app.http.inject({
          method: request.method,
          url: request.url,
          headers: request.headers,
          ...(request.payload === undefined ? {} : { payload: request.payload }),
        });
        status = res.statusCode;
        answer = res.body;
      } catch (err) {
        status = 599;
        answer = `inject threw: ${err instanceof Error ? err.stack : String(err)}`;
      }
      report.cases++;
      const bucket = String(status);
      report.statuses[bucket] = (report.statuses[bucket] ?? 0) + 1;
      const samples = report.samples[bucket] ?? [];
      report.samples[bucket] = samples;
      if (samples.length < 12) samples.push(answer.slice(0, 300));
      if (status >= 500) report.failures.push({ request: { ...request, role }, seed, status, answer });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  report.ms = Date.now() - started;
  return report;
}

/** A failure, readable in a test's output (long payloads cut short). */
export function describeFuzzFailure(f: FuzzFailure): string {
  const cut = (s: string | undefined) =>
    s && s.length > 600 ? `${s.slice(0, 600)}… (${s.length} chars)` : s;
  return [
    `${f.request.method} ${f.request.url} as ${f.request.role ?? 'nobody'} → ${f.status} (seed ${f.seed})`,
    `  headers: ${JSON.stringify({ ...f.request.headers, authorization: undefined })}`,
    `  body: ${cut(f.request.payload)}`,
    `  answer: ${cut(f.answer)}`,
  ].join('\n');
}

/** One line for a test's output: how many cases, how long, which statuses. */
export function summarizeFuzz(service: string, r: FuzzReport): string {
  const statuses = Object.entries(r.statuses)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([s, n]) => `${s}×${n}`)
    .join(' ');
  return `${service} fuzz: ${r.cases} cases over ${r.operations.length} operations in ${r.ms} ms (${statuses})\n`;
}
