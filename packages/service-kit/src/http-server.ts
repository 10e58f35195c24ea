import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  LogController,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Histogram, type Registry } from 'prom-client';
import { type AccessControlOptions, accessControl } from './access.ts';
import { registerAsyncApiDocs } from './asyncapi-docs.ts';
import { NotFoundError } from './errors.ts';
import { ProblemSchema, sendProblem, toProblem } from './problem.ts';

/** The Fastify instance every service builds on, with TypeBox as its type provider. */
export type HttpServer = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface HttpServerOptions {
  name: string;
  version: string;
  description: string;
  logger: Logger;
  registry: Registry;
  bodyLimit: number;
  /**
   * Readiness: every check must answer true, each within {@link HEALTH_CHECK_TIMEOUT_MS}
   * (Kafka, MongoDB, Redis, the consumers). Checked on every request, never remembered.
   */
  readiness: Record<string, () => Promise<boolean>>;
  /** Liveness: false only when the process should be restarted (see {@link addLivenessCheck}). */
  liveness?: Record<string, () => boolean>;
  /** Whether the service is accepting work (false while starting and while shutting down). */
  isAccepting: () => boolean;
  /** OpenAPI tags, in the order the docs show them. */
  tags?: Array<{ name: string; description: string }>;
  /**
   * Enforces each route's `config.access` declaration before validation (see access.ts);
   * without it, declarations are ignored (a server without credentials has no such routes).
   */
  access?: AccessControlOptions;
}

/** How long one readiness check may take before it counts as failed. */
export const HEALTH_CHECK_TIMEOUT_MS = 1_000;

const livenessChecks = new WeakMap<object, Record<string, () => boolean>>();

/**
 * Adds a liveness check to a server after it was built (the service host adds its consumers'
 * here, since it is the one that knows them). `/health/live` fails while any check is false.
 */
export function addLivenessCheck(app: HttpServer, name: string, check: () => boolean): void {
  const checks = livenessChecks.get(app);
  if (!checks) throw new Error('addLivenessCheck: not a server made by buildHttpServer');
  checks[name] = check;
}

async function runCheck(check: () => Promise<boolean>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      check().catch(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), HEALTH_CHECK_TIMEOUT_MS);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Builds the HTTP side of a service: problem details for every error, docs, health, metrics,
 * request logs without bodies. Routes are registered by the service after this.
 */
export async function buildHttpServer(opts: HttpServerOptions): Promise<HttpServer> {
  const app = Fastify({
    loggerInstance: opts.logger.child({ component: 'http' }) as FastifyBaseLogger,
    // Our own onResponse hook logs one line per request, without bodies.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: opts.bodyLimit,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
    },
    ajv: { customOptions: { allErrors: true, coerceTypes: 'array', removeAdditional: false } },
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.addSchema({ ...ProblemSchema, $id: 'Problem' });
  // Before swagger, so that the operations it documents carry each route's access declaration.
  if (opts.access) app.addHook('onRoute', accessControl(opts.access));
  const liveness: Record<string, () => boolean> = { ...opts.liveness };
  livenessChecks.set(app, liveness);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: `Homeward ${opts.name}`,
        version: opts.version,
        description: `${opts.description}\n\nThe platform's Kafka topics and events: [/asyncapi](/asyncapi) (AsyncAPI 3.0, the document at /asyncapi.json).`,
      },
      components: {
        securitySchemes: {
          apiKey: {
            type: 'http',
            scheme: 'bearer',
            description: 'an API key mapped to an agency, a role and a region',
          },
        },
      },
      security: [{ apiKey: [] }],
      tags: [...(opts.tags ?? []), { name: 'operations', description: 'health, metrics and documentation' }],
    },
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { docExpansion: 'list', deepLinking: true },
    staticCSP: true,
  });

  app.setErrorHandler((err, request, reply) => sendProblem(reply, toProblem(err, request)));
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      toProblem(new NotFoundError(`no route for ${request.method} ${request.url.split('?')[0]}`), request),
    ),
  );

  collectDefaultMetrics({ register: opts.registry, prefix: 'homeward_' });
  const httpSeconds = new Histogram({
    name: 'homeward_http_request_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [opts.registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    httpSeconds.observe({ method: request.method, route, status: String(reply.statusCode) }, seconds);
    // One line per request, without bodies or query strings (they may hold personal data).
    if (!route.startsWith('/health') && route !== '/metrics') {
      request.log.info(
        {
          method: request.method,
          route,
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime),
          agencyId: request.principal?.agencyId,
        },
        'request',
      );
    }
  });

  // Graceful close: Node closes idle keep-alive connections once, when close() begins; a
  // connection whose request was still running then stays open until the client drops it
  // (up to the keep-alive timeout). So while closing, answers say `Connection: close`, and
  // idle connections are closed again until the server is down.
  app.addHook('onSend', async (_request, reply, payload) => {
    if (!opts.isAccepting()) reply.header('connection', 'close');
    return payload;
  });
  let idleCloser: NodeJS.Timeout | undefined;
  app.addHook('preClose', async () => {
    idleCloser = setInterval(() => app.server.closeIdleConnections(), 50);
  });
  app.addHook('onClose', async () => clearInterval(idleCloser));

  const health = { tags: ['operations'], security: [] };
  const HealthBody = Type.Object({
    status: Type.String(),
    checks: Type.Record(Type.String(), Type.Boolean()),
  });
  app.get(
    '/health/live',
    {
      schema: {
        ...health,
        summary: 'The process is alive (false only when it should be restarted)',
        response: { 200: Type.Object({ status: Type.Literal('ok') }), 503: HealthBody },
      },
    },
    async (_req, reply) => {
      const checks = Object.fromEntries(Object.entries(liveness).map(([name, check]) => [name, check()]));
      if (Object.values(checks).every(Boolean)) return reply.code(200).send({ status: 'ok' as const });
      return reply.code(503).send({ status: 'not-live', checks });
    },
  );
  app.get(
    '/health/ready',
    {
      schema: {
        ...health,
        summary: 'Ready: Kafka, MongoDB and Redis answer now, and the consumers make progress',
        response: { 200: HealthBody, 503: HealthBody },
      },
    },
    async (_req, reply) => {
      const entries = await Promise.all(
        Object.entries(opts.readiness).map(async ([name, check]) => [name, await runCheck(check)] as const),
      );
      const checks = Object.fromEntries(entries);
      const ready = opts.isAccepting() && entries.every(([, ok]) => ok);
      return reply.code(ready ? 200 : 503).send({
        status: ready ? 'ready' : 'not-ready',
        checks: { ...checks, accepting: opts.isAccepting() },
      });
    },
  );
  app.get(
    '/metrics',
    { schema: { ...health, summary: 'Prometheus metrics', produces: ['text/plain'] } },
    async (_req, reply) => {
      return reply.type(opts.registry.contentType).send(await opts.registry.metrics());
    },
  );
  app.get(
    '/openapi.json',
    { schema: { ...health, summary: 'This OpenAPI document', hide: true } },
    async () => app.swagger(),
  );
  registerAsyncApiDocs(app, { title: `Homeward ${opts.name}` });
  return app;
}
