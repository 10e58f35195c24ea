import { readFileSync } from 'node:fs';
import { regionContains } from '@homeward/events';
import type { Agency } from './plan.ts';

/** A development credential: an API key mapped to an agency, a role and a region. */
export interface Credential extends Agency {
  key: string;
}

/** The repository's development credentials (`infra/local/dev-credentials.json`). */
export const DEV_CREDENTIALS_FILE = new URL('../../../infra/local/dev-credentials.json', import.meta.url);

/**
 * Reads a credentials file (`[{ key, agencyId, role, region }]`) at run time, so the
 * simulator follows whatever agencies a deployment defines instead of carrying keys of its own.
 */
export function loadCredentials(file: string | URL = DEV_CREDENTIALS_FILE): Credential[] {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Array<Partial<Credential>>;
  return raw
    .filter((c) => c.key && c.agencyId && c.role && c.region)
    .map((c) => ({ key: c.key!, agencyId: c.agencyId!, role: c.role!, region: c.region! }));
}

/** The agencies of the credentials, without their keys (what a plan is made from). */
export const agenciesOf = (creds: readonly Credential[]): Agency[] =>
  creds.map(({ role, agencyId, region }) => ({ role, agencyId, region }));

/** The key an agency signs with; for `admin` and `operator`, the broadest of the role. */
export function keyFor(creds: readonly Credential[], agency: Agency): string {
  const c = creds.find((x) => x.agencyId === agency.agencyId && x.role === agency.role);
  if (!c) throw new Error(`no credential for ${agency.role} ${agency.agencyId}`);
  return c.key;
}

/** A credential of `role` whose region covers `region` (the broadest first). */
export function credentialFor(creds: readonly Credential[], role: string, region = '340000'): Credential {
  const fits = creds
    .filter((c) => c.role === role && (regionContains(c.region, region) || regionContains(region, c.region)))
    .sort((a, b) => a.region.replace(/0+$/, '').length - b.region.replace(/0+$/, '').length);
  if (fits.length === 0) throw new Error(`no ${role} credential for region ${region}`);
  return fits[0]!;
}
