import type { CustodyRecord } from './custody.ts';

/**
 * The lab that holds a sample: the agency of the last `received` or `profiled` step. Undefined
 * before a lab received it. Only that lab reads the sample's genotypes or enters its profile.
 */
export function labInCustody(
  records: readonly Pick<CustodyRecord, 'step' | 'agencyId'>[],
): string | undefined {
  for (let i = records.length - 1; i >= 0; i--) {
    const r = records[i]!;
    if (r.step === 'received' || r.step === 'profiled') return r.agencyId;
  }
  return undefined;
}

/**
 * Once a sample has been received by a lab, only that lab records its later steps (stored,
 * destroyed, a profile); before that, any lab whose region contains the sample's (it is
 * sealed and shipped on its way to one).
 */
export function mayHandle(
  records: readonly Pick<CustodyRecord, 'step' | 'agencyId'>[],
  agencyId: string,
): boolean {
  const holder = labInCustody(records);
  return holder === undefined || holder === agencyId;
}
