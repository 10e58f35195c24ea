import { randomUUID } from 'node:crypto';
import { type Role, Roles } from '@homeward/events';
import type { FactStore, Persistence } from '@homeward/persistence';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { principalOf } from './access.ts';
import type { Principal } from './auth.ts';
import type { Clock } from './clock.ts';
import type { HttpServer } from './http-server.ts';
import { PageQuery, pageOf, pageWindow } from './paging.ts';
import { problemResponses } from './problem.ts';
import { regionFilter, withScope } from './scope.ts';

/**
 * What kind of personal data a read touched (`case`, `report`, `placement`, `followup`,
 * `sample`, `genotype`, `match`, `victim`, ...): lower-case words, one per record type.
 */
export type AuditedRecordType = string;
const RECORD_TYPE_PATTERN = '^[a-z][a-z-]{0,31}$';

/**
 * One read of personal data, kept durably in the owning service's store: who read (agency,
 * role, region), when, through which route, which records (ids and their regions) and with
 * which filters. Ids and codes only: never the data that was read.
 */
export interface AuditRecord {
  /** Random: two reads are two records, whatever the client sends as its request id. */
  _id: string;
  at: Date;
  actor: { agencyId: string; role: Role; region: string };
  /** What was read, e.g. `case.read`, `followup.list`. */
  action: string;
  recordType: AuditedRecordType;
  recordIds: string[];
  /** The regions of the records read: an operator of a containing region sees the record. */
  regions: string[];
  /** The query filters of a list read (names and values as sent; never a body). */
  filters?: Record<string, string | number | boolean>;
  route?: string;
  requestId?: string;
}

/** What a route says about one read. */
export interface AuditedRead {
  action: string;
  recordType: AuditedRecordType;
  recordIds: readonly string[];
  regions: readonly string[];
  filters?: Record<string, unknown>;
}

/** The collection every service keeps its audit in. */
export const AUDIT_COLLECTION = 'audit_log';

/** Query of `GET /v1/audit`. */
export const AuditQuery = Type.Composite([
  Type.Object({
    agencyId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    role: Type.Optional(Type.Union(Roles.map((r) => Type.Literal(r)))),
    action: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z.-]+$' })),
    recordType: Type.Optional(Type.String({ pattern: RECORD_TYPE_PATTERN })),
    recordId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    region: Type.Optional(
      Type.String({ pattern: '^[0-9]{6}$', description: "records of this region (within the caller's)" }),
    ),
    since: Type.Optional(Type.String({ format: 'date-time' })),
    until: Type.Optional(Type.String({ format: 'date-time' })),
  }),
  PageQuery,
]);
export type AuditQuery = Static<typeof AuditQuery>;

const AuditEntry = Type.Object({
  id: Type.String(),
  at: Type.String({ format: 'date-time' }),
  actor: Type.Object({ agencyId: Type.String(), role: Type.String(), region: Type.String() }),
  action: Type.String(),
  recordType: Type.String(),
  recordIds: Type.Array(Type.String()),
  regions: Type.Array(Type.String()),
  filters: Type.Optional(
    Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()])),
  ),
  route: Type.Optional(Type.String()),
  requestId: Type.Optional(Type.String()),
});

const AuditPage = Type.Object({
  items: Type.Array(AuditEntry),
  limit: Type.Integer(),
  offset: Type.Integer(),
  nextOffset: Type.Union([Type.Integer(), Type.Null()]),
});

/**
 * The audit of personal-data reads, one per service, in its own store (`audit_log`). A route
 * calls {@link AuditLog.read} once per read, after the read succeeded and before it answers; a
 * failed write fails the request (no unaudited read leaves the service).
 */
export class AuditLog {
  constructor(
    private readonly store: FactStore<AuditRecord>,
    private readonly clock: Clock,
  ) {}

  /** The service's audit over its persistence (MongoDB in production, memory in unit tests). */
  static of(persistence: Persistence, clock: Clock): AuditLog {
    return new AuditLog(persistence.facts<AuditRecord>(AUDIT_COLLECTION), clock);
  }

  /** Records one read by the request's caller. */
  async read(request: FastifyRequest, read: AuditedRead): Promise<AuditRecord> {
    return this.record(principalOf(request), read, {
      route: request.routeOptions.url ?? request.url.split('?')[0] ?? '',
      requestId: String(request.id),
    });
  }

  /** Records one read by `actor` (outside a request: a consumer, a test). */
  async record(
    actor: Principal,
    read: AuditedRead,
    context: { route?: string; requestId?: string } = {},
  ): Promise<AuditRecord> {
    const filters = read.filters ? plainFilters(read.filters) : undefined;
    const record: AuditRecord = {
      _id: randomUUID(),
      at: this.clock.now(),
      actor: { agencyId: actor.agencyId, role: actor.role, region: actor.region },
      action: read.action,
      recordType: read.recordType,
      recordIds: [...read.recordIds],
      regions: [...new Set(read.regions)],
      ...(filters && Object.keys(filters).length > 0 ? { filters } : {}),
      ...(context.route ? { route: context.route } : {}),
      ...(context.requestId ? { requestId: context.requestId } : {}),
    };
    await this.store.insertOnce(record);
    return record;
  }

  /**
   * The records a caller may see, newest first: those whose records' regions or whose reader's
   * region lie in the caller's region; filtered in the store query.
   */
  async list(caller: Principal, q: AuditQuery): Promise<{ items: AuditRecord[]; nextOffset: number | null }> {
    const { limit, offset } = pageWindow(q);
    const clauses: Record<string, unknown>[] = [];
    if (q.agencyId) clauses.push({ 'actor.agencyId': q.agencyId });
    if (q.role) clauses.push({ 'actor.role': q.role });
    if (q.action) clauses.push({ action: q.action });
    if (q.recordType) clauses.push({ recordType: q.recordType });
    if (q.recordId) clauses.push({ recordIds: q.recordId });
    if (q.region) clauses.push(regionFilter('regions', q.region));
    if (q.since) clauses.push({ at: { $gte: new Date(q.since) } });
    if (q.until) clauses.push({ at: { $lt: new Date(q.until) } });
    const own = regionFilter('regions', caller.region);
    const scope =
      Object.keys(own).length === 0 ? {} : { $or: [own, regionFilter('actor.region', caller.region)] };
    const filter = withScope(clauses.length > 0 ? { $and: clauses } : {}, scope);
    const rows = await this.store.list(filter as never, { sort: { at: -1 }, skip: offset, limit: limit + 1 });
    return pageOf(rows, q);
  }
}

function plainFilters(filters: Record<string, unknown>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(filters)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
  }
  return out;
}

/**
 * `GET /v1/audit`: the service's audit records, for operators (of the region the records or the
 * readers lie in) and admins; filters and pages. Every service registers it once.
 */
export async function auditRoutes(app: HttpServer, deps: { audit: AuditLog }): Promise<void> {
  app.get(
    '/v1/audit',
    {
      config: {
        access: {
          roles: ['operator', 'admin'],
          scope: "the audited records' regions or the reader's region lie in the caller's",
        },
      },
      schema: {
        tags: ['audit'],
        summary: 'Who read which personal data, newest first',
        description:
          'Every read of personal data this service answered (a case, a report, a placement, a follow-up list, a sample, a genotype, a match): the reader (agency, role, region), when, the route, the record ids and regions, the filters. Ids only, never the data read.',
        querystring: AuditQuery,
        response: { 200: AuditPage, ...problemResponses(400, 401, 403, 429) },
      },
    },
    async (request) => {
      const q = request.query as AuditQuery;
      const { limit, offset } = pageWindow(q);
      const page = await deps.audit.list(principalOf(request), q);
      return {
        items: page.items.map((r) => ({
          id: r._id,
          at: r.at.toISOString(),
          actor: r.actor,
          action: r.action,
          recordType: r.recordType,
          recordIds: r.recordIds,
          regions: r.regions,
          ...(r.filters ? { filters: r.filters } : {}),
          ...(r.route ? { route: r.route } : {}),
          ...(r.requestId ? { requestId: r.requestId } : {}),
        })),
        limit,
        offset,
        nextOffset: page.nextOffset,
      };
    },
  );
}
