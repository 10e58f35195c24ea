import { causeTraceparent } from '@homeward/events';
import {
  type AuditLog,
  describeErrors,
  type FastifyRequest,
  type HttpServer,
  PageQuery,
  pageOf,
  pageWindow,
  principalOf,
  problemResponses,
  type RouteAccess,
} from '@homeward/service-kit';
import { Type } from '@sinclair/typebox';
import type { CustodyRecord } from '../domain/custody.ts';
import { DnaErrors } from '../errors.ts';
import type { NewCustodyStep, NewSample, SampleService } from '../sample-service.ts';
import type { DnaStore, ProfileDoc, SampleDoc } from '../store/dna-store.ts';
import {
  CustodyChain,
  CustodyRecordSchema,
  NewCustodyBody,
  NewSampleBody,
  OverdueSample,
  ProfileBody,
  ProfileEntered,
  ProfileView,
  SampleIdParams,
  SampleView,
} from './schemas.ts';

export interface SampleRoutesDeps {
  samples: SampleService;
  store: DnaStore;
  audit: AuditLog;
}

const SAMPLE_SCOPE =
  "the sample's region lies in the caller's, or the caller is the lab that holds it (its last received/profiled step)";
/** Who reads a sample and its chain. */
export const SAMPLE_READERS: RouteAccess = { roles: ['dna-lab', 'police', 'operator'], scope: SAMPLE_SCOPE };

/**
 * The traceparent for events a request causes: the caller's trace, under the request's span when
 * tracing is on, a new span id otherwise.
 */
export function traceOf(request: FastifyRequest): string {
  const given = request.headers.traceparent;
  return causeTraceparent(typeof given === 'string' ? given : undefined);
}

export function sampleView(s: SampleDoc, current: CustodyRecord | undefined, profile: ProfileDoc | null) {
  return {
    sampleId: s._id,
    subject: s.subject,
    kitBarcode: s.kitBarcode,
    collectedAt: s.collectedAt,
    place: s.place,
    region: s.region,
    collectedBy: s.collectedBy,
    step: current?.step ?? 'collected',
    stepAt: new Date(current?.at ?? s.collectedAt).toISOString(),
    ...(profile
      ? {
          profile: {
            lociTyped: profile.lociTyped,
            matchable: profile.matchable,
            enteredAt: new Date(profile.enteredAt).toISOString(),
          },
        }
      : {}),
  };
}

/** Samples, custody and profiles. */
export async function sampleRoutes(app: HttpServer, deps: SampleRoutesDeps): Promise<void> {
  const { samples, audit } = deps;

  app.post(
    '/v1/samples',
    {
      schema: {
        tags: ['samples'],
        summary: 'Register a collected sample (police or dna-lab)',
        description:
          'The kit barcode is the idempotency key: a retry with the same content answers 200 with the same sample.\n' +
          describeErrors(DnaErrors.invalidSample, DnaErrors.kitReused),
        body: NewSampleBody,
        response: { 201: SampleView, 200: SampleView, ...problemResponses(400, 401, 403, 409, 429) },
      },
      config: {
        access: {
          roles: ['police', 'dna-lab'],
          scope: "the body's region must lie in the caller's (else 403 DNA_ERR_REGION_OUT_OF_SCOPE)",
        },
      },
    },
    async (request, reply) => {
      const { sample, replay } = await samples.register(
        request.body as NewSample,
        principalOf(request),
        traceOf(request),
      );
      reply.header('location', `/v1/samples/${sample._id}`);
      if (replay) reply.header('idempotent-replayed', 'true');
      const { records } = await samples.custody(sample._id);
      const profile = replay ? await deps.store.findProfile(sample._id) : null;
      return reply.code(replay ? 200 : 201).send(sampleView(sample, records[records.length - 1], profile));
    },
  );

  app.get(
    '/v1/samples',
    {
      schema: {
        tags: ['samples'],
        summary: 'Samples overdue in their custody step (dna-lab, operator)',
        description:
          'overdue=true lists every sample that has sat in its step longer than the configured hours (OVERDUE_<STEP>_HOURS), most overdue first.',
        querystring: Type.Composite([Type.Object({ overdue: Type.Literal(true) }), PageQuery]),
        response: {
          200: Type.Object({
            samples: Type.Array(OverdueSample),
            nextOffset: Type.Union([Type.Integer(), Type.Null()]),
          }),
          ...problemResponses(400, 401, 403, 429),
        },
      },
      config: {
        access: { roles: ['dna-lab', 'operator'], scope: "samples whose region lies in the caller's" },
      },
    },
    async (request) => {
      const q = request.query;
      const { offset, limit } = pageWindow(q);
      const all = await samples.overdue(principalOf(request));
      const page = pageOf(all.slice(offset, offset + limit + 1), q);
      await audit.read(request, {
        action: 'sample.overdue-list',
        recordType: 'sample',
        recordIds: page.items.map((l) => l.sample._id),
        regions: page.items.map((l) => l.sample.region),
        filters: { overdue: true, limit, offset },
      });
      return {
        nextOffset: page.nextOffset,
        samples: page.items.map(({ sample, step, since, limitHours, overdueHours }) => ({
          sampleId: sample._id,
          step,
          stepAt: since.toISOString(),
          limitHours,
          overdueHours,
          subjectKind: sample.subject.kind,
          ...(sample.subject.caseId ? { caseId: sample.subject.caseId } : {}),
          kitBarcode: sample.kitBarcode,
          region: sample.region,
        })),
      };
    },
  );

  app.get(
    '/v1/samples/:sampleId',
    {
      schema: {
        tags: ['samples'],
        summary: 'A sample and its current step (no genotypes)',
        params: SampleIdParams,
        response: { 200: SampleView, ...problemResponses(401, 403, 404, 429) },
      },
      config: { access: SAMPLE_READERS },
    },
    async (request) => {
      const { sample, records } = await samples.custodyFor(request.params.sampleId, principalOf(request));
      await audit.read(request, {
        action: 'sample.read',
        recordType: 'sample',
        recordIds: [sample._id],
        regions: [sample.region],
      });
      return sampleView(sample, records[records.length - 1], await deps.store.findProfile(sample._id));
    },
  );

  app.post(
    '/v1/samples/:sampleId/custody',
    {
      schema: {
        tags: ['custody'],
        summary: 'Record the next custody step (police or dna-lab)',
        description:
          'collected → sealed → shipped (with trackingNumber) → received → profiled → stored; destroyed may follow any step and nothing follows it. ' +
          `A retry of the last step with the same content answers 200.\n${describeErrors(
            DnaErrors.invalidCustodyStep,
            DnaErrors.sampleNotFound,
            DnaErrors.custodyOutOfOrder,
            DnaErrors.custodyChainBroken,
            DnaErrors.concurrentUpdate,
            DnaErrors.custodyTimeOrder,
          )}`,
        params: SampleIdParams,
        body: NewCustodyBody,
        response: {
          201: CustodyRecordSchema,
          200: CustodyRecordSchema,
          ...problemResponses(400, 401, 403, 404, 409, 422, 429),
        },
      },
      config: {
        access: {
          roles: ['dna-lab'],
          scope: `${SAMPLE_SCOPE}; once a lab received it, only that lab records its steps. Police collect (POST /v1/samples); every later step is a lab's. destroyed needs its reason in note`,
        },
      },
    },
    async (request, reply) => {
      const { record, replay } = await samples.recordCustody(
        request.params.sampleId,
        request.body as NewCustodyStep,
        principalOf(request),
        traceOf(request),
      );
      if (replay) reply.header('idempotent-replayed', 'true');
      return reply.code(replay ? 200 : 201).send(record);
    },
  );

  app.get(
    '/v1/samples/:sampleId/custody',
    {
      schema: {
        tags: ['custody'],
        summary: 'The custody chain and its verification',
        params: SampleIdParams,
        response: { 200: CustodyChain, ...problemResponses(401, 403, 404, 429) },
      },
      config: { access: SAMPLE_READERS },
    },
    async (request) => {
      const { sample, records, verification } = await samples.custodyFor(
        request.params.sampleId,
        principalOf(request),
      );
      await audit.read(request, {
        action: 'sample.custody-read',
        recordType: 'sample',
        recordIds: [sample._id],
        regions: [sample.region],
      });
      return {
        sampleId: sample._id,
        step: records[records.length - 1]?.step ?? 'collected',
        records,
        verification,
      };
    },
  );

  app.post(
    '/v1/samples/:sampleId/profile',
    {
      schema: {
        tags: ['profiles'],
        summary: "Enter the sample's STR profile (dna-lab) and search it at once",
        description:
          'At most two alleles per locus, integers or microvariants. ' +
          `Fewer than MINIMUM_LOCI loci: stored with matchable=false and not searched.\n${describeErrors(
            DnaErrors.unsafeKeys,
            DnaErrors.invalidProfile,
            DnaErrors.sampleNotFound,
            DnaErrors.sampleNotAtLab,
            DnaErrors.caseRelationTaken,
            DnaErrors.profileExists,
          )}`,
        params: SampleIdParams,
        body: ProfileBody,
        response: {
          201: ProfileEntered,
          200: ProfileEntered,
          ...problemResponses(400, 401, 403, 404, 409, 429),
        },
      },
      // The domain's validator reports every problem by locus; Fastify's would coerce scalars into arrays.
      validatorCompiler: () => () => true,
      config: {
        access: {
          roles: ['dna-lab'],
          scope: `${SAMPLE_SCOPE}; only the lab that holds the sample enters its profile`,
        },
      },
    },
    async (request, reply) => {
      const {
        profile: p,
        matches,
        replay,
      } = await samples.enterProfile(
        request.params.sampleId,
        request.body,
        principalOf(request),
        traceOf(request),
      );
      if (replay) reply.header('idempotent-replayed', 'true');
      return reply.code(replay ? 200 : 201).send({
        sampleId: p._id,
        lociTyped: p.lociTyped,
        matchable: p.matchable,
        enteredAt: new Date(p.enteredAt).toISOString(),
        matches: matches.map(({ created: _, ...m }) => m),
      });
    },
  );

  app.get(
    '/v1/samples/:sampleId/profile',
    {
      schema: {
        tags: ['profiles'],
        summary: 'The STR genotypes of a sample (dna-lab only; every read is logged)',
        params: SampleIdParams,
        response: { 200: ProfileView, ...problemResponses(401, 403, 404, 429) },
      },
      config: {
        access: {
          roles: ['dna-lab'],
          scope:
            'only the lab that holds the sample (its last received/profiled step); any other caller gets 404',
        },
      },
    },
    async (request) => {
      const p = await samples.readProfile(request.params.sampleId, principalOf(request));
      await audit.read(request, {
        action: 'genotype.read',
        recordType: 'genotype',
        recordIds: [p._id],
        regions: [p.region],
      });
      return {
        sampleId: p._id,
        loci: Object.fromEntries(p.genotypes.map((g) => [g.locus, g.alleles])),
        lociTyped: p.lociTyped,
        matchable: p.matchable,
        enteredAt: new Date(p.enteredAt).toISOString(),
        enteredBy: p.enteredBy,
      };
    },
  );
}
