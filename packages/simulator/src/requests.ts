import type { Action, Agency, Plan, SampleRole, Story, UnitPlan } from './plan.ts';

/** The services the simulator talks to, by the contract's names. */
export type ServiceName = 'intake' | 'rescue-coordination' | 'notifications' | 'dna-tracking' | 'placement';

/** An HTTP call as an agency system makes it: the agency whose key signs it, the route and the body. */
export interface HttpCall {
  service: ServiceName;
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  agency: Agency;
  body?: unknown;
  contentType?: string;
}

/** A report CloudEvent (structured), for HTTP or the agency topic. */
export interface ReportEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: 'homeward.report.submitted';
  time: string;
  datacontenttype: 'application/json';
  data: Record<string, unknown>;
}

/** What the run knows of a story so far: the platform's ids for it. */
export interface StoryRefs {
  caseId?: string;
  samples: Partial<Record<SampleRole, string>>;
}

/** The context an action is turned into a request in. */
export interface RequestContext {
  /** The run's id: it keeps event ids and kit barcodes of separate runs apart. */
  runId: string;
  now: Date;
  story?: Story;
  refs?: StoryRefs;
}

const UTC8 = 8 * 3_600_000;
const iso = (d: Date) => new Date(Math.floor(d.getTime() / 1000) * 1000).toISOString();
const minutesBefore = (now: Date, m: number) => iso(new Date(now.getTime() - m * 60_000));
/** A calendar date at UTC+08:00, as the platform's dates are read. */
export const dateAt8 = (d: Date) => new Date(d.getTime() + UTC8).toISOString().slice(0, 10);

const need = <T>(v: T | undefined, what: string): T => {
  if (v === undefined) throw new Error(`not yet known: ${what}`);
  return v;
};

/** The report event of a `report` action, as the agency's system builds it. */
export function reportEvent(action: Extract<Action, { do: 'report' }>, ctx: RequestContext): ReportEvent {
  const at = minutesBefore(ctx.now, action.minutesAgo);
  const where = { at, ...action.place };
  const story = ctx.story;
  let data: Record<string, unknown>;
  switch (action.purpose === 'malformed' ? 'malformed' : action.kind) {
    case 'malformed':
      // A system that lost the child's details on the way: no `child` at all.
      data = { kind: 'missing-child', lastSeen: where };
      break;
    case 'missing-child': {
      const child = need(story?.child, 'the child');
      data = {
        kind: 'missing-child',
        child: {
          name: child.name,
          sex: child.sex,
          birthDate: child.birthDate,
          description: child.description,
        },
        lastSeen: where,
        reporter: { name: need(story?.parents, 'the parents').mother, phone: '+86 138 0000 0000' },
        // The family a return goes to (placement checks the guardian against it).
        parents: [
          { relation: 'mother', name: story!.parents!.mother },
          { relation: 'father', name: story!.parents!.father },
        ],
      };
      break;
    }
    case 'unidentified-child':
      data = {
        kind: 'unidentified-child',
        child: {
          sex: 'unknown',
          apparentAge: need(story?.apparentAge, 'the apparent age'),
          description: 'no documents; does not know the family name of the household',
        },
        foundAt: where,
      };
      break;
    case 'suspected-trafficking':
      data = {
        kind: 'suspected-trafficking',
        description: action.note,
        observedAt: at,
        location: {
          place: action.place.place,
          region: action.place.region,
          lat: action.place.lat,
          lon: action.place.lon,
        },
      };
      break;
    case 'sighting':
      data = {
        kind: 'sighting',
        caseId: need(ctx.refs?.caseId, `the case of ${action.story}`),
        seenAt: where,
        description: action.note,
      };
      break;
    default:
      throw new Error(`unknown report kind ${action.kind}`);
  }
  return {
    specversion: '1.0',
    id: `sim-${ctx.runId}-${action.eventKey}`,
    source: `agency/${action.agency.agencyId}`,
    type: 'homeward.report.submitted',
    time: iso(ctx.now),
    datacontenttype: 'application/json',
    data,
  };
}

/**
 * The team a police agency names, by ids of the development police roster
 * (infra/local/dev-roster.json): its prefecture head as chief and three of its officers.
 */
const ROSTER_TEAMS: Record<string, string[]> = {
  'hefei-psb': ['hf-psb-0001', 'hf-psb-0101', 'hf-psb-0102', 'hf-psb-0103'],
  'luan-psb': ['la-psb-0001', 'la-psb-0101', 'la-psb-0102', 'la-psb-0103'],
};

function rosterTeam(agency: Agency) {
  const ids = ROSTER_TEAMS[agency.agencyId];
  if (!ids) throw new Error(`no development roster team for police agency ${agency.agencyId}`);
  const [chiefId, investigationLeadId, rescueLeadId, familyLiaisonLeadId] = ids as [
    string,
    string,
    string,
    string,
  ];
  return { chiefId, investigationLeadId, rescueLeadId, familyLiaisonLeadId };
}

/** The body a unit is registered with (its webhook in the simulator's receivers). */
export function unitBody(unit: UnitPlan, webhookUrl: string, secret: string) {
  return {
    name: unit.name,
    kind: unit.kind,
    location: { lat: unit.lat, lon: unit.lon },
    region: unit.region,
    agencyId: unit.agencyId,
    webhook: { url: webhookUrl, secret },
  };
}

/**
 * The HTTP call of an action that is one call (everything but reports, units, matches and
 * follow-ups, which need an answer first: see the runner).
 */
export function actionCall(action: Action, ctx: RequestContext): HttpCall {
  const caseId = () => need(ctx.refs?.caseId, `the case of ${action.story}`);
  const story = ctx.story;
  switch (action.do) {
    case 'team':
      return {
        service: 'rescue-coordination',
        method: 'POST',
        path: `/v1/cases/${caseId()}/team`,
        agency: action.agency,
        body: rosterTeam(action.agency),
      };
    case 'alert':
      return {
        service: 'rescue-coordination',
        method: 'POST',
        path: `/v1/cases/${caseId()}/alerts`,
        agency: action.agency,
        body: {},
      };
    case 'sample': {
      const subject =
        action.sample === 'child'
          ? { kind: 'rescued-child', caseId: caseId() }
          : { kind: 'parent', relation: action.sample, caseId: caseId() };
      return {
        service: 'dna-tracking',
        method: 'POST',
        path: '/v1/samples',
        agency: action.agency,
        body: {
          subject,
          kitBarcode: `SIM-${ctx.runId}-${action.story}-${action.sample}`
            .replace(/[^A-Za-z0-9-]/g, '-')
            .slice(0, 64),
          collectedAt: minutesBefore(ctx.now, 1),
          place: `${action.agency.agencyId} forensic room`,
          region: need(story, 'the story').region,
          collector: `${action.agency.agencyId}-officer-5`,
        },
      };
    }
    case 'custody': {
      const sampleId = need(ctx.refs?.samples[action.sample], `the ${action.sample}'s sample`);
      return {
        service: 'dna-tracking',
        method: 'POST',
        path: `/v1/samples/${sampleId}/custody`,
        agency: action.agency,
        body: {
          step: action.step,
          at: minutesBefore(ctx.now, 0),
          by: `${action.agency.agencyId}-staff-2`,
          place:
            action.step === 'received'
              ? 'Provincial forensic DNA laboratory'
              : `${action.agency.agencyId} forensic room`,
          ...(action.step === 'shipped'
            ? { trackingNumber: `SF${ctx.runId.replace(/\D/g, '').slice(-6)}${action.story}` }
            : {}),
        },
      };
    }
    case 'located':
      return {
        service: 'rescue-coordination',
        method: 'POST',
        path: `/v1/cases/${caseId()}/located`,
        agency: action.agency,
        body: {
          locatedAt: minutesBefore(ctx.now, 0),
          ...action.place,
          ...(action.identified
            ? {
                identification: {
                  method: 'documents',
                  identifiedBy: `${action.agency.agencyId}-officer-2`,
                  note: 'household register and school records',
                },
              }
            : {}),
        },
      };
    case 'rescued':
      return {
        service: 'rescue-coordination',
        method: 'POST',
        path: `/v1/cases/${caseId()}/rescued`,
        agency: action.agency,
        body: {
          rescuedAt: minutesBefore(ctx.now, 0),
          place: action.place.place,
          region: action.place.region,
          ...(action.buyer
            ? {
                buyerHousehold: {
                  headName: `Ma ${action.story?.toUpperCase()}`,
                  address: `${action.place.place}, house 7`,
                },
              }
            : {}),
          ...(action.identified && story?.kind === 'missing-child'
            ? { identification: { method: 'documents', identifiedBy: `${action.agency.agencyId}-officer-2` } }
            : {}),
        },
      };
    case 'placement': {
      const decided = new Date(ctx.now.getTime() - action.daysAgo * 86_400_000);
      const parents = story?.parents;
      return {
        service: 'placement',
        method: 'POST',
        path: '/v1/placements',
        agency: action.agency,
        body: {
          caseId: caseId(),
          type: action.type,
          ...(action.type === 'return-to-family'
            ? {
                guardian: {
                  name: need(parents, 'the parents').mother,
                  address: parents!.address,
                  relation: 'mother',
                },
                // Without a DNA match naming her, police documented who she is.
                ...(story?.dna
                  ? {}
                  : {
                      policeReason: {
                        officer: `${action.agency.agencyId}-liaison`,
                        reason: 'the mother identified by her household register at the rescue',
                      },
                    }),
              }
            : {
                institution: {
                  name: `${action.agency.agencyId} children's welfare home`,
                  address: 'Welfare Road 1',
                },
              }),
          decisionDate: dateAt8(decided),
          handoverPlan: 'escorted by the family liaison officer and a caseworker',
        },
      };
    }
    case 'close':
      return {
        service: 'rescue-coordination',
        method: 'POST',
        path: `/v1/cases/${caseId()}/close`,
        agency: action.agency,
        body: { reason: action.reason },
      };
    default:
      throw new Error(`${action.do} is not a single call`);
  }
}

/** What completes a follow-up of each type (placement's rule: the field it needs). */
export function followupOutcome(type: string): Record<string, string> {
  switch (type) {
    case 'compulsory-education':
      return { school: 'Changjiang Road primary school' };
    case 'medical-psychological-rehabilitation':
      return { hospital: 'Anhui mental health centre (designated)' };
    case 'vocational-training':
      return { course: 'provincial vocational college, catering' };
    case 'employment-services':
      return { employer: 'Hefei industrial park, packaging line' };
    case 'legal-aid':
      return { note: "the women's federation explained the child's rights to the family" };
    default:
      return { note: 'handed over to the family; the home visit found the child well' };
  }
}

/**
 * Every request the plan makes, in order, as if each earlier one had been answered with a
 * predictable id: what "the same seed makes the same events" is checked on. The live run
 * sends the same requests with the platform's real ids.
 */
export function materialise(plan: Plan, runId: string, now: Date): unknown[] {
  const refs = new Map<string, StoryRefs>();
  const stories = new Map(plan.stories.map((s) => [s.id, s]));
  const out: unknown[] = [];
  for (const action of plan.actions) {
    const story = action.story ? stories.get(action.story) : undefined;
    const r = action.story ? (refs.get(action.story) ?? { samples: {} }) : { samples: {} };
    if (action.story) refs.set(action.story, r);
    const ctx = {
      runId,
      now: new Date(now.getTime() + action.at * 1000),
      ...(story ? { story } : {}),
      refs: r,
    };
    switch (action.do) {
      case 'register-units':
        out.push(
          plan.units.map((u) => ({ unitId: u.unitId, ...unitBody(u, `receiver/${u.unitId}`, 'secret') })),
        );
        break;
      case 'report':
        out.push({ channel: action.channel, event: reportEvent(action, ctx) });
        if (action.purpose === 'open') r.caseId = `case-of-${action.story}`;
        break;
      case 'sample':
        out.push(actionCall(action, ctx));
        r.samples[action.sample] = `sample-of-${action.story}-${action.sample}`;
        break;
      case 'profile':
      case 'confirm-match':
      case 'complete-followups':
        out.push({ do: action.do, story: action.story, agency: action.agency, at: action.at });
        break;
      default:
        out.push(actionCall(action, ctx));
    }
  }
  return out;
}
