import { BlockList, isIP } from 'node:net';

/**
 * Where a unit's webhook may point. Webhooks are requests this service makes on an admin's
 * word to any URL, so an unchecked URL is a server-side request forgery: the cloud's metadata
 * service, a database on the private network, this host's own ports. A target is refused when
 * any address its host resolves to is loopback, private, link-local (the metadata addresses
 * among them), unique-local, shared (carrier-grade NAT), multicast or otherwise reserved,
 * unless the deployment's allow-list names it (development and tests point webhooks at
 * receivers on this host); and when the scheme is not https where https is required.
 */
export interface TargetPolicy {
  requireHttps: boolean;
  /** Networks allowed although they are in {@link BLOCKED_NETS}; empty in production. */
  allowed: BlockList;
}

/** Networks never reached without the allow-list: [address, prefix] pairs, IPv4 then IPv6. */
export const BLOCKED_NETS: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8], // "this" network
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // shared address space (carrier-grade NAT; some clouds' metadata)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, 169.254.169.254 the metadata service
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and the broadcast address
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b::', 96], // NAT64: an IPv4 address behind it
  ['100::', 64], // discard-only
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique-local (fd00:ec2::254 is a metadata address)
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
];

const familyOf = (address: string) => (isIP(address) === 6 ? 'ipv6' : 'ipv4');

function blockList(nets: ReadonlyArray<readonly [string, number]>): BlockList {
  const list = new BlockList();
  for (const [address, prefix] of nets) list.addSubnet(address, prefix, familyOf(address));
  return list;
}

const BLOCKED = blockList(BLOCKED_NETS);

/** The development allow-list when none is configured outside production: this host and private networks. */
export const DEV_ALLOWED_NETS = '127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7';

/**
 * Parses an allow-list setting: comma-separated CIDRs (`127.0.0.0/8,::1/128`) or addresses.
 * Throws on anything else, so a bad deployment fails at start.
 */
export function parseAllowedNets(setting: string): BlockList {
  const nets: Array<[string, number]> = [];
  for (const item of setting
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [address = '', prefix] = item.split('/');
    const family = isIP(address);
    const bits = prefix === undefined ? (family === 6 ? 128 : 32) : Number(prefix);
    if (family === 0 || !Number.isInteger(bits) || bits < 0 || bits > (family === 6 ? 128 : 32))
      throw new Error(`not a network: "${item}" (expected an address or address/prefix)`);
    nets.push([address, bits]);
  }
  return blockList(nets);
}

/** Whether a webhook may connect to this IP address under the policy. */
export function addressAllowed(address: string, policy: TargetPolicy): boolean {
  if (isIP(address) === 0) return false;
  // An IPv4-mapped IPv6 address (`::ffff:127.0.0.1`, `::ffff:7f00:1`, uncompressed or not) needs
  // no unwrapping here: BlockList matches it against the IPv4 networks itself, in both lists
  // (webhook-target.test.ts proves it for every blocked network and every notation).
  const family = familyOf(address);
  if (!BLOCKED.check(address, family)) return true;
  return policy.allowed.check(address, family);
}

/** The host of a URL as an address or name: `[::1]` without its brackets. */
export function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/** Resolves a host name to every address it has (the system resolver, as connections use). */
export type ResolveAll = (host: string) => Promise<Array<{ address: string; family: number }>>;

/**
 * Checks a webhook URL: its scheme, then every address its host is or resolves to. Answers why
 * it is refused (one sentence, naming no address of this network), or undefined when allowed.
 * Resolution failing is a refusal too: a target that does not resolve cannot be checked.
 */
export async function refuseTarget(
  raw: string,
  policy: TargetPolicy,
  resolveAll: ResolveAll,
): Promise<string | undefined> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && !policy.requireHttps))
    return policy.requireHttps ? 'must be an https URL' : 'must be an http or https URL';
  if (url.username || url.password) return 'must not carry credentials';
  const host = hostOf(url);
  let addresses: string[];
  if (isIP(host) !== 0) addresses = [host];
  else {
    try {
      addresses = (await resolveAll(host)).map((a) => a.address);
    } catch {
      return 'names a host that does not resolve';
    }
    if (addresses.length === 0) return 'names a host that does not resolve';
  }
  if (addresses.some((a) => !addressAllowed(a, policy)))
    return 'resolves to a loopback, private, link-local, unique-local or otherwise reserved address';
  return undefined;
}
