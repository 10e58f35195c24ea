import type { EventType } from '@homeward/events';
import { describe, expect, it } from 'vitest';
import { projectData } from '../../src/domain/event-view.ts';

/**
 * What the operators' stream shows of each event type, field by field (a dotted path is a
 * field of a nested object, or of each object of an array; `{}` an object shown empty: that it
 * is there, never what it says). Written out here, apart from the allowlists, so that a field
 * dropped from the stream or one let through by mistake fails a test naming the type.
 */
const SHOWN: Record<EventType, string> = {
  'homeward.report.submitted': 'kind',
  'homeward.case.opened':
    'caseId kind region openedAt reportId reportedBy.agencyId reportedBy.role reportedBy.region victims.victimId victims.category victims.sex',
  'homeward.case.victims-added':
    'caseId addedAt addedBy.agencyId addedBy.role addedBy.region victims.victimId victims.category victims.sex',
  'homeward.case.victims-located':
    'caseId locatedAt place region victims.victimId victims.category victims.sex victims.ageGroup identification.method',
  'homeward.case.victims-rescued':
    'caseId rescuedAt place region victims.victimId victims.category victims.sex victims.ageGroup identification.method',
  'homeward.case.lead-added':
    'caseId leadId reportId addedAt reportedBy.agencyId reportedBy.role reportedBy.region origin seenAt.at seenAt.place seenAt.lat seenAt.lon seenAt.region',
  'homeward.case.team-assigned':
    'caseId assignedAt chief.officerId chief.agencyId chief.region investigationLead.officerId investigationLead.agencyId investigationLead.region rescueLead.officerId rescueLead.agencyId rescueLead.region familyLiaisonLead.officerId familyLiaisonLead.agencyId familyLiaisonLead.region',
  'homeward.case.child-located': 'caseId locatedAt place region lat lon identification.method victimIds',
  'homeward.case.child-rescued': 'caseId rescuedAt place region identification.method victimIds',
  'homeward.case.household-recorded': 'caseId recordedAt noBuyerHousehold{}',
  'homeward.case.team-overdue': 'caseId kind region openedAt limitHours detectedAt',
  'homeward.case.assistance-requested':
    'caseId assistanceId requestedAt region actions requestedBy.agencyId requestedBy.role requestedBy.region',
  'homeward.case.assistance-accepted':
    'caseId assistanceId acceptedAt region acceptedBy.agencyId acceptedBy.role acceptedBy.region',
  'homeward.case.assistance-declined':
    'caseId assistanceId declinedAt region declinedBy.agencyId declinedBy.role declinedBy.region',
  'homeward.case.assistance-revoked':
    'caseId assistanceId revokedAt region revokedBy.agencyId revokedBy.role revokedBy.region',
  'homeward.case.closed': 'caseId closedAt reason',
  'homeward.alert.issued':
    'alertId caseId issuedAt lastSeenAt lastSeenPlace center.lat center.lon region radiusKm step child.sex sought',
  'homeward.alert.escalated':
    'alertId caseId escalatedAt center.lat center.lon radiusKm previousRadiusKm step',
  'homeward.alert.cancelled': 'alertId caseId cancelledAt reason',
  'homeward.notification.delivered': 'alertId unitId step kind deliveredAt attempts latencyMs',
  'homeward.notification.acknowledged': 'alertId unitId acknowledgedAt',
  'homeward.notification.failed': 'alertId unitId step kind failedAt attempts reason',
  'homeward.notification.unit-registered': 'unitId kind region location.lat location.lon registeredAt',
  'homeward.notification.unit-updated': 'unitId kind region location.lat location.lon updatedAt',
  'homeward.notification.unit-removed': 'unitId region removedAt',
  'homeward.dna.sample-collected':
    'sampleId subject.kind subject.caseId subject.relation collectedAt collectedBy.agencyId collectedBy.role collectedBy.region region',
  'homeward.dna.sampling-overdue': 'caseId subject region owedSince limitHours detectedAt',
  'homeward.dna.custody-recorded': 'sampleId step at recordHash',
  'homeward.dna.profile-entered': 'sampleId enteredAt lociCount matchable',
  'homeward.dna.match-found':
    'matchId childSampleId parentSampleIds caseId combinedIndex probability frequencyVersion foundAt relationship references.sampleId references.relation childCaseId parents.sampleId parents.relation foldedMatchIds',
  'homeward.dna.match-confirmed':
    'matchId childSampleId parentSampleIds caseId confirmedAt relationship references.sampleId references.relation childCaseId parents.sampleId parents.relation',
  'homeward.dna.match-rejected':
    'matchId childSampleId parentSampleIds caseId rejectedAt relationship references.sampleId references.relation childCaseId parents.sampleId parents.relation',
  'homeward.placement.overdue': 'caseId clock since limitDays detectedAt region',
  'homeward.placement.decided':
    'placementId caseId type decisionDate decidedAt revision region victimId category plan sex ageGroup disability',
  'homeward.followup.scheduled':
    'followupId caseId placementId type dueDate region victimId owner sex ageGroup',
  'homeward.followup.completed': 'followupId caseId type completedAt victimId owner sex ageGroup',
  'homeward.followup.overdue': 'followupId caseId type dueDate detectedAt victimId owner sex ageGroup',
  'homeward.coordination.submission-submitted':
    'submissionId year region agencyId role version submittedAt dueDate late',
  'homeward.coordination.submission-returned':
    'submissionId year region agencyId role version returnedAt returnedBy.agencyId returnedBy.role returnedBy.region',
  'homeward.coordination.submission-accepted':
    'submissionId year region agencyId role version acceptedAt acceptedBy.agencyId acceptedBy.role acceptedBy.region',
  'homeward.coordination.submission-reminder':
    'submissionId year region agencyId role stage dueDate remindedAt',
};

/** Personal data a producer may carry beside those fields, at any depth: never shown. */
const PERSONAL = {
  name: 'Li Wei',
  phone: '+86 138 0000 0000',
  idNumber: '34010419800101123X',
  description: 'a scar on the left hand',
};

type Data = Record<string, unknown>;

/** An object with each path set (its value the path itself), with or without personal data. */
function dataOf(paths: string[], personal: boolean): Data {
  const root: Data = personal ? { ...PERSONAL } : {};
  for (const path of paths) {
    const steps = path.replace(/\{\}$/, '').split('.');
    let at = root;
    for (const step of steps.slice(0, -1)) {
      at[step] ??= personal ? { ...PERSONAL } : {};
      at = at[step] as Data;
    }
    const last = steps.at(-1)!;
    at[last] = path.endsWith('{}') ? (personal ? { ...PERSONAL } : {}) : path;
  }
  return root;
}

describe('what the operators’ stream shows of each event type', () => {
  it.each(Object.entries(SHOWN))('%s: %s, and no personal data', (type, shown) => {
    const paths = shown.split(' ');
    expect(projectData(type, dataOf(paths, true))).toEqual(dataOf(paths, false));
  });

  it('shows each victim of a list, each cut to what is shown', () => {
    const data = {
      caseId: 'c1',
      victims: [
        { victimId: 'c1-v1', category: 'child', sex: 'female', birthDate: '2019-05-01', name: 'Li Na' },
        { victimId: 'c1-v2', category: 'adult', sex: 'female', description: 'tall' },
      ],
    };
    expect(projectData('homeward.case.victims-added', data)).toEqual({
      caseId: 'c1',
      victims: [
        { victimId: 'c1-v1', category: 'child', sex: 'female' },
        { victimId: 'c1-v2', category: 'adult', sex: 'female' },
      ],
    });
  });
});

describe('an annual submission’s figures on the stream', () => {
  const submitted = (own: unknown) =>
    projectData('homeward.coordination.submission-submitted', {
      submissionId: 's1',
      year: 2026,
      own,
      platform: { reportsReceived: 12, casesOpened: 4 },
    });

  it('shows figures of whole numbers by counter', () => {
    expect(submitted({ reportsReceived: 10, casesOpened: 0 })).toEqual({
      submissionId: 's1',
      year: 2026,
      own: { reportsReceived: 10, casesOpened: 0 },
      platform: { reportsReceived: 12, casesOpened: 4 },
    });
  });

  it.each([
    ['a fraction', { reportsReceived: 1.5 }],
    ['a text', { reportsReceived: 'ten, see the letter from Mr Zhang' }],
    ['a list', [3, 4]],
    ['null', null],
    ['a number alone', 12],
  ])('leaves out figures that are %s', (_what, own) => {
    expect(submitted(own)).not.toHaveProperty('own');
    expect(submitted(own)).toHaveProperty('platform');
  });
});
