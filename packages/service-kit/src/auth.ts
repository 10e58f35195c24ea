import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type Role, Roles, validateSchema } from '@homeward/events';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { UnauthorizedError } from './errors.ts';

/** Who is calling: the agency behind an API key, its role and its region. */
export interface Principal {
  agencyId: string;
  role: Role;
  region: string;
}

const CredentialsFile = Type.Array(
  Type.Object({
    key: Type.String({ minLength: 16 }),
    agencyId: Type.String({ minLength: 1, pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]*$' }),
    role: Type.Union(Roles.map((r) => Type.Literal(r))),
    // A division code, or 000000 for a national credential.
    region: Type.String({ pattern: '^(000000|[1-8][0-9]{5})$' }),
  }),
);

/**
 * The API keys of one deployment, read from a file (never from code). Keys are held only as
 * SHA-256 digests, so a heap dump or a log line of this object reveals none.
 */
export class Credentials {
  private readonly byDigest = new Map<string, Principal>();
  private readonly agencies = new Map<string, Principal[]>();

  constructor(entries: Array<{ key: string } & Principal>) {
    for (const e of entries) {
      const principal: Principal = { agencyId: e.agencyId, role: e.role, region: e.region };
      this.byDigest.set(digest(e.key), principal);
      const list = this.agencies.get(e.agencyId) ?? [];
      list.push(principal);
      this.agencies.set(e.agencyId, list);
    }
  }

  /**
   * Reads and checks a credentials file. `refuseKeyPrefix` (production: the development
   * prefix) refuses the whole file if any key starts with it.
   */
  static fromFile(path: string, opts: { refuseKeyPrefix?: string | undefined } = {}): Credentials {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new Error(`cannot read the credentials file ${path}: ${(err as Error).message}`);
    }
    const errors = validateSchema(CredentialsFile, parsed);
    if (errors.length > 0)
      throw new Error(`the credentials file ${path} is invalid: ${JSON.stringify(errors)}`);
    const prefix = opts.refuseKeyPrefix;
    if (prefix) {
      const dev = (parsed as Array<{ key: string; agencyId: string }>).filter((e) =>
        e.key.startsWith(prefix),
      );
      if (dev.length > 0)
        throw new Error(
          `the credentials file ${path} holds development keys (prefix ${prefix}) for ${dev.map((e) => e.agencyId).join(', ')}: refused in production`,
        );
    }
    return new Credentials(parsed as Array<{ key: string } & Principal>);
  }

  authenticate(apiKey: string): Principal | undefined {
    return this.byDigest.get(digest(apiKey));
  }

  /** The principals of an agency (an agency may hold keys for more than one role). */
  agency(agencyId: string): Principal[] {
    return this.agencies.get(agencyId) ?? [];
  }
}

function digest(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** Reads the bearer key and sets `request.principal`, or fails with 401. */
export function authenticate(credentials: Credentials, request: FastifyRequest): Principal {
  const header = request.headers.authorization;
  if (!header)
    throw new UnauthorizedError(
      'the Authorization header is missing; send "Authorization: Bearer <api key>"',
    );
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new UnauthorizedError('the Authorization header must be "Bearer <api key>"');
  const principal = credentials.authenticate(match[1]!);
  if (!principal) throw new UnauthorizedError('the API key is not known');
  request.principal = principal;
  return principal;
}
