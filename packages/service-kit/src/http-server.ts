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
  /** Readiness: every check must answer true (Kafka, MongoDB, Redis connections). */
  readiness: Record<string, () => Promise<boolean>>;
  /** Whether the service is accepting work (false while starting and while shutting down). */
  isAccepting: () => boolean;
  /** OpenAPI tags, in the order the docs show them. */
  tags?: Array<{ name: string; description: string }>;
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

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: `Homeward ${opts.name}`, version: opts.version, description: opts.description },
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
  app.get(
    '/health/live',
    {
      schema: {
        ...health,
        summary: 'The process is alive',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/health/ready',
    {
      schema: {
        ...health,
        summary: 'Ready: Kafka, MongoDB and Redis connections answer',
        response: {
          200: Type.Object({ status: Type.String(), checks: Type.Record(Type.String(), Type.Boolean()) }),
          503: Type.Object({ status: Type.String(), checks: Type.Record(Type.String(), Type.Boolean()) }),
        },
      },
    },
    async (_req, reply) => {
      const entries = await Promise.all(
        Object.entries(opts.readiness).map(async ([name, check]) => {
          const ok = await Promise.race([
            check().catch(() => false),
            new Promise<boolean>((r) => setTimeout(() => r(false), 2000).unref()),
          ]);
          return [name, ok] as const;
        }),
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
  return app;
}
