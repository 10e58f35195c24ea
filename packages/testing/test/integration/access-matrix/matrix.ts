import { type Role, Roles } from '@homeward/events';
import { ACCESS_EXTENSION, type AccessDocument } from '@homeward/service-kit';
import { devCredentials } from '../../../src/index.ts';

/**
 * The role × endpoint × scope matrix, generated from a service's OpenAPI document: every
 * operation that declares access, for every role, once from inside the record's region and once
 * from outside it. What each caller gets follows from the declaration and the row:
 *
 * - a role the operation does not list: 403 (before anything is read, whatever the record);
 * - a listed role inside the record's region (Hefei): `row.inside`;
 * - a listed role outside it (Lu'an): `row.outside`, 404 by default (the record is not revealed).
 *
 * A row per operation, keyed `METHOD /path/{param}` as OpenAPI writes it; an operation without
 * a row fails the test, so a new route cannot ship without saying who may call it and where.
 */
export interface MatrixRow<F> {
  /** The request, against records the fixtures made in Hefei (340104). */
  request: (f: F) => { url: string; body?: unknown } | Promise<{ url: string; body?: unknown }>;
  /** What a listed role inside gets; null: not called (a stream that stays open). */
  inside: number | null;
  /** Per role, where listed roles inside differ (a second write answers its replay). */
  insideBy?: Partial<Record<Role, number>>;
  /** What a listed role outside gets (default 404); null: not called. */
  outside?: number | null;
}

export type MatrixTable<F> = Record<string, MatrixRow<F>>;

/** The inside (Hefei) and outside (Lu'an) development key of each role. */
export function roleKeys(): Record<Role, { inside: string; outside: string }> {
  const creds = devCredentials();
  const out = {} as Record<Role, { inside: string; outside: string }>;
  for (const role of Roles) {
    const inside = creds.find((c) => c.role === role && c.region.startsWith('3401'));
    const outside = creds.find((c) => c.role === role && c.region.startsWith('3415'));
    if (!inside || !outside)
      throw new Error(
        `the development credentials need a Hefei (3401xx) and a Lu'an (3415xx) key for ${role}`,
      );
    out[role] = { inside: inside.key, outside: outside.key };
  }
  return out;
}

/** The operations of an OpenAPI document that declare access (public ones apart). */
export function declaredOperations(doc: {
  paths: Record<string, Record<string, Record<string, unknown>>>;
}): Array<{ op: string; roles: Role[] }> {
  const ops: Array<{ op: string; roles: Role[] }> = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const access = operation[ACCESS_EXTENSION] as AccessDocument | undefined;
      if (!path.startsWith('/v1/')) continue;
      if (!access) throw new Error(`${method.toUpperCase()} ${path} declares no access`);
      if ('public' in access) continue;
      ops.push({ op: `${method.toUpperCase()} ${path}`, roles: access.roles });
    }
  }
  return ops;
}

/** One cell of the matrix: who called what from where, what it should get and got. */
export interface Cell {
  op: string;
  role: Role;
  side: 'inside' | 'outside';
  expected: number;
  got: number;
}

/**
 * Runs one operation's cells: unlisted roles first, then listed roles outside, then inside (so
 * a write that succeeds changes the record last).
 */
export async function runOperation<F>(
  op: { op: string; roles: Role[] },
  row: MatrixRow<F>,
  fixtures: F,
  keys: Record<Role, { inside: string; outside: string }>,
  call: (method: string, url: string, key: string, body: unknown) => Promise<number>,
): Promise<Cell[]> {
  const [method] = op.op.split(' ') as [string];
  const { url, body } = await row.request(fixtures);
  const cells: Cell[] = [];
  const plan: Array<{ role: Role; side: 'inside' | 'outside'; expected: number | null }> = [];
  for (const role of Roles) {
    if (op.roles.includes(role)) continue;
    plan.push({ role, side: 'inside', expected: 403 }, { role, side: 'outside', expected: 403 });
  }
  for (const role of op.roles)
    plan.push({ role, side: 'outside', expected: row.outside === undefined ? 404 : row.outside });
  for (const role of op.roles)
    plan.push({ role, side: 'inside', expected: row.insideBy?.[role] ?? row.inside });
  for (const p of plan) {
    if (p.expected === null) continue;
    const got = await call(method, url, keys[p.role][p.side], body);
    cells.push({ op: op.op, role: p.role, side: p.side, expected: p.expected, got });
  }
  return cells;
}
