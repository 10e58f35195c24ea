import type { EventData, MissingChildReport, MissingWomanReport } from '@homeward/events';

/**
 * What a searcher needs and nothing more: the child's sex, birth date, description and photo
 * link, where and when last seen. The child's name and the reporter's contacts stay on the
 * case; DNA data never reaches this service.
 */
export function searcherView(report: MissingChildReport | MissingWomanReport): {
  child: EventData<'homeward.alert.issued'>['child'];
  sought: 'child' | 'adult';
  lastSeenAt: string;
  lastSeenPlace: string;
  center: { lat: number; lon: number };
  region: string;
} {
  const c =
    report.kind === 'missing-child'
      ? report.child
      : { ...report.woman, sex: 'female' as const, birthDate: report.woman.birthDate };
  return {
    child: {
      sex: c.sex,
      ...(c.birthDate ? { birthDate: c.birthDate } : {}),
      ...(c.description ? { description: c.description } : {}),
      ...(c.photoUrl ? { photoUrl: c.photoUrl } : {}),
    },
    sought: report.kind === 'missing-child' ? 'child' : 'adult',
    lastSeenAt: report.lastSeen.at,
    lastSeenPlace: report.lastSeen.place,
    center: { lat: report.lastSeen.lat, lon: report.lastSeen.lon },
    region: report.lastSeen.region,
  };
}
