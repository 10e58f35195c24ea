import { BlockList } from 'node:net';
import { describe, expect, it } from 'vitest';
import { failureCode } from '../../src/delivery/webhook-sender.ts';
import { MIN_KEY_BYTES, refuseSecret } from '../../src/domain/webhook-signature.ts';
import {
  addressAllowed,
  BLOCKED_NETS,
  DEV_ALLOWED_NETS,
  parseAllowedNets,
  refuseTarget,
  type TargetPolicy,
} from '../../src/domain/webhook-target.ts';

const production: TargetPolicy = { requireHttps: true, allowed: parseAllowedNets('') };
const development: TargetPolicy = { requireHttps: false, allowed: parseAllowedNets(DEV_ALLOWED_NETS) };
const resolving =
  (table: Record<string, string[]>) =>
  async (host: string): Promise<Array<{ address: string; family: number }>> => {
    const found = table[host];
    if (!found) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
const dns = resolving({
  'units.example.org': ['93.184.215.14'],
  'rebind.example.org': ['93.184.215.14', '127.0.0.1'],
  'inside.example.org': ['10.1.2.3'],
  'v6.example.org': ['2606:4700::6810:84e5'],
  'empty.example.org': [],
});

describe('webhook targets', () => {
  it('refuses loopback, private, link-local (metadata), unique-local and reserved addresses', () => {
    for (const address of [
      '127.0.0.1',
      '127.9.9.9',
      '10.0.0.1',
      '172.16.5.4',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.100.100.200',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::1',
      '::',
      'fe80::1',
      'fd00:ec2::254',
      'fc00::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:a9fe:a9fe',
      '64:ff9b::7f00:1',
      'not an address',
    ])
      expect(addressAllowed(address, production), address).toBe(false);
    for (const address of [
      '93.184.215.14',
      '8.8.8.8',
      '172.32.0.1',
      '2606:4700::6810:84e5',
      '::ffff:8.8.8.8',
    ])
      expect(addressAllowed(address, production), address).toBe(true);
  });

  it('the allow-list lets named networks through, never more: development allows this host, not the metadata service', () => {
    for (const address of ['127.0.0.1', '::1', '10.0.0.1', '192.168.0.10', 'fd12::1'])
      expect(addressAllowed(address, development), address).toBe(true);
    for (const address of ['169.254.169.254', 'fe80::1', '100.100.100.200', '0.0.0.0'])
      expect(addressAllowed(address, development), address).toBe(false);
    const one = { requireHttps: true, allowed: parseAllowedNets('10.9.0.0/16, 127.0.0.1') };
    expect(addressAllowed('10.9.3.4', one)).toBe(true);
    expect(addressAllowed('10.8.3.4', one)).toBe(false);
    expect(addressAllowed('127.0.0.1', one)).toBe(true);
    expect(addressAllowed('127.0.0.2', one)).toBe(false);
  });

  it('a bad allow-list fails at start', () => {
    for (const bad of ['localhost', '10.0.0.0/33', '::1/129', '1.2.3/8', '10.0.0.0/x'])
      expect(() => parseAllowedNets(bad), bad).toThrow(/not a network/);
    expect(() => parseAllowedNets(' , ')).not.toThrow();
  });

  it('checks the scheme, then every address the host is or resolves to', async () => {
    const refused = (url: string, policy = production) => refuseTarget(url, policy, dns);
    expect(await refused('https://units.example.org/hook')).toBeUndefined();
    expect(await refused('https://v6.example.org/hook')).toBeUndefined();
    expect(await refused('http://units.example.org/hook')).toBe('must be an https URL');
    expect(await refused('http://units.example.org/hook', development)).toBeUndefined();
    expect(await refused('ftp://units.example.org/hook', development)).toBe('must be an http or https URL');
    expect(await refused('https://user:pw@units.example.org/')).toBe('must not carry credentials');
    expect(await refused('not a url')).toBe('is not a URL');
    for (const url of [
      'https://127.0.0.1/',
      'https://[::1]:8443/',
      'https://169.254.169.254/latest/meta-data/',
      'https://10.0.0.1/',
      'https://2130706433/', // 127.0.0.1 written as a number: the URL parser normalises it
      'https://0x7f.1/',
      'https://rebind.example.org/', // one public address does not excuse a loopback one
      'https://inside.example.org/',
    ])
      expect(await refused(url), url).toMatch(/loopback, private, link-local/);
    expect(await refused('https://nowhere.example.org/')).toBe('names a host that does not resolve');
    expect(await refused('https://empty.example.org/')).toBe('names a host that does not resolve');
  });

  it('failure reasons are generic codes, whatever the error says', () => {
    expect(failureCode({ code: 'UND_ERR_HEADERS_TIMEOUT', message: 'at 10.0.0.7:443' })).toBe('timeout');
    expect(failureCode({ code: 'UND_ERR_CONNECT_TIMEOUT' })).toBe('timeout');
    expect(failureCode({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 10.0.0.7:443' })).toBe(
      'connection-refused',
    );
    expect(failureCode({ code: 'HOMEWARD_WEBHOOK_TARGET_REFUSED' })).toBe('target-refused');
    expect(failureCode({ code: 'UND_ERR_SOCKET', cause: { code: 'ECONNREFUSED' } })).toBe(
      'connection-refused',
    );
    expect(failureCode(new Error('getaddrinfo ENOTFOUND secret.internal'))).toBe('connection-failed');
    expect(failureCode({ code: 'ECONNRESET' })).toBe('connection-failed');
  });
});

describe('webhook secrets', () => {
  const b64 = (n: number) => Buffer.alloc(n, 7).toString('base64');
  it(`a key of at least ${MIN_KEY_BYTES} bytes, decoded after whsec_ or as text`, () => {
    expect(refuseSecret(`whsec_${b64(24)}`)).toBeUndefined();
    expect(refuseSecret(`whsec_${b64(32)}`)).toBeUndefined();
    expect(refuseSecret(`whsec_${b64(23)}`)).toBe('makes a key shorter than 24 bytes');
    expect(refuseSecret('x'.repeat(24))).toBeUndefined();
    expect(refuseSecret('x'.repeat(23))).toBe('makes a key shorter than 24 bytes');
    // 24 characters of text but fewer bytes of key once decoded: refused.
    expect(refuseSecret(`whsec_${'A'.repeat(24)}`)).toBe('makes a key shorter than 24 bytes');
  });

  it('accepts base64 with either padding and every character of its alphabet', () => {
    // 25 and 26 bytes end in == and =; 0xff bytes encode as '/', 0xfa as '+'.
    for (const n of [25, 26, 27]) expect(refuseSecret(`whsec_${b64(n)}`), String(n)).toBeUndefined();
    expect(refuseSecret(`whsec_${Buffer.alloc(30, 255).toString('base64')}`)).toBeUndefined();
    expect(refuseSecret(`whsec_${Buffer.alloc(30, 250).toString('base64')}`)).toBeUndefined();
    const digits = Buffer.from(
      '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ+/0123',
      'base64',
    );
    expect(refuseSecret(`whsec_${digits.toString('base64')}`)).toBeUndefined();
    // Padding only at the end, and never three.
    expect(refuseSecret(`whsec_${b64(25)}${b64(24)}`)).toBe('is not valid base64 after whsec_');
    expect(refuseSecret(`whsec_${b64(24)}A===`)).toBe('is not valid base64 after whsec_');
    expect(refuseSecret(`whsec_${b64(24)}AB=`)).toBe('is not valid base64 after whsec_');
  });

  it('refuses what is not base64 after whsec_ (the decoder would skip it silently)', () => {
    for (const bad of [
      `whsec_${b64(30)}!`,
      `whsec_${b64(30).slice(0, -1)}`,
      `whsec_${'A'.repeat(40)}===`,
      `whsec_${b64(30).replace(/.$/, ' ')}`,
      'whsec_',
      `whsec_${Buffer.alloc(30, 250).toString('base64url')}`,
    ])
      expect(refuseSecret(bad), bad).toMatch(/not valid base64|shorter/);
    expect(refuseSecret(`whsec_${Buffer.alloc(30, 250).toString('base64url')}`)).toBe(
      'is not valid base64 after whsec_',
    );
  });
});

describe('webhook targets: IPv4-mapped IPv6 addresses and allow-list entries', () => {
  // 93.184.215.14 (public) and 10.1.2.3 (private), dotted and in hex after ::ffff:.
  it('judges a mapped address as the IPv4 address inside it, in either notation and any case', () => {
    for (const mapped of ['::ffff:93.184.215.14', '::ffff:5db8:d70e', '::FFFF:5DB8:D70E'])
      expect(addressAllowed(mapped, production), mapped).toBe(true);
    for (const mapped of ['::ffff:10.1.2.3', '::ffff:a01:203', '::ffff:127.0.0.1', '::ffff:7f00:1']) {
      expect(addressAllowed(mapped, production), mapped).toBe(false);
      // The development allow-list's IPv4 networks admit the mapped form too.
      expect(addressAllowed(mapped, development), mapped).toBe(true);
    }
  });

  it('refuses what only looks like a mapped address, and takes ::ffff: elsewhere as plain IPv6', () => {
    for (const bad of ['::ffff:93.184.215.14:1', 'x::ffff:93.184.215.14', '::ffff:93.184.215'])
      expect(addressAllowed(bad, development), bad).toBe(false);
    // Public IPv6 addresses, not mapped ones (0:0:0:0:ffff:a01:203:1 and 1:0:0:0:0:ffff:a01:203).
    for (const plain of ['::ffff:a01:203:1', '1::ffff:a01:203'])
      expect(addressAllowed(plain, production), plain).toBe(true);
  });

  it('refuses a URL with a user name or a password alone', async () => {
    for (const url of ['https://user@units.example.org/hook', 'https://:secret@units.example.org/hook'])
      expect(await refuseTarget(url, production, dns), url).toBe('must not carry credentials');
  });

  it('reads an address alone as its single-address network, and a /0 as every address', () => {
    const one = parseAllowedNets('10.0.0.1, ::2');
    expect([one.check('10.0.0.1'), one.check('10.0.0.2')]).toEqual([true, false]);
    expect([one.check('::2', 'ipv6'), one.check('::3', 'ipv6')]).toEqual([true, false]);
    expect(parseAllowedNets('0.0.0.0/0').check('93.184.215.14')).toBe(true);
    expect(() => parseAllowedNets('10.0.0.0/-1')).toThrow('not a network: "10.0.0.0/-1"');
  });
});

describe('webhook targets: every IPv4-mapped form of a blocked address is refused (node:net BlockList maps them itself)', () => {
  // The IPv4 address inside an IPv4-mapped IPv6 address, in every notation a URL, a resolver or
  // a hand-written address can give it: dotted and hex after ::ffff:, upper case, leading zeros,
  // and the uncompressed forms.
  const mappedForms = (v4: string): string[] => {
    const [a, b, c, d] = v4.split('.').map(Number) as [number, number, number, number];
    const hi = ((a << 8) | b).toString(16);
    const lo = ((c << 8) | d).toString(16);
    return [
      `::ffff:${v4}`,
      `::FFFF:${v4}`,
      `::ffff:${hi}:${lo}`,
      `::FFFF:${hi.toUpperCase()}:${lo.toUpperCase()}`,
      `::ffff:${hi.padStart(4, '0')}:${lo.padStart(4, '0')}`,
      `0:0:0:0:0:ffff:${hi}:${lo}`,
      `0000:0000:0000:0000:0000:ffff:${v4}`,
    ];
  };
  // One address inside each blocked IPv4 network (its first host, and the metadata service).
  const blockedV4 = [
    ...BLOCKED_NETS.filter(([address]) => !address.includes(':')).map(([address]) =>
      address.replace(/\.0$/, '.1'),
    ),
    '169.254.169.254',
    '127.255.255.254',
    '255.255.255.255',
  ];

  it('the blocked networks alone (a BlockList, no mapping of our own) refuse every mapped form', () => {
    const alone = new BlockList();
    for (const [address, prefix] of BLOCKED_NETS)
      alone.addSubnet(address, prefix, address.includes(':') ? 'ipv6' : 'ipv4');
    for (const v4 of blockedV4) {
      expect(alone.check(v4, 'ipv4'), v4).toBe(true);
      for (const mapped of mappedForms(v4)) expect(alone.check(mapped, 'ipv6'), mapped).toBe(true);
    }
    for (const mapped of mappedForms('93.184.215.14'))
      expect(alone.check(mapped, 'ipv6'), mapped).toBe(false);
  });

  it('refuses a webhook whose host is, or resolves to, any mapped form of a blocked address', async () => {
    for (const v4 of blockedV4)
      for (const mapped of mappedForms(v4)) {
        expect(addressAllowed(mapped, production), mapped).toBe(false);
        const viaDns = resolving({ 'mapped.example.org': ['93.184.215.14', mapped] });
        expect(await refuseTarget('https://mapped.example.org/hook', production, viaDns), mapped).toMatch(
          /loopback, private, link-local/,
        );
        expect(await refuseTarget(`https://[${mapped}]/hook`, production, dns), mapped).toMatch(
          /loopback, private, link-local/,
        );
      }
  });

  it('a mapped public address is allowed, and the allow-list admits the mapped forms of what it names, no more', async () => {
    for (const mapped of mappedForms('93.184.215.14')) {
      expect(addressAllowed(mapped, production), mapped).toBe(true);
      expect(await refuseTarget(`https://[${mapped}]/hook`, production, dns), mapped).toBeUndefined();
    }
    for (const mapped of [
      ...mappedForms('127.0.0.1'),
      ...mappedForms('10.1.2.3'),
      ...mappedForms('192.168.7.7'),
    ])
      expect(addressAllowed(mapped, development), mapped).toBe(true);
    for (const mapped of [...mappedForms('169.254.169.254'), ...mappedForms('100.100.100.200')])
      expect(addressAllowed(mapped, development), mapped).toBe(false);
    const one = { requireHttps: true, allowed: parseAllowedNets('127.0.0.1') };
    for (const mapped of mappedForms('127.0.0.1')) expect(addressAllowed(mapped, one), mapped).toBe(true);
    for (const mapped of mappedForms('127.0.0.2')) expect(addressAllowed(mapped, one), mapped).toBe(false);
  });
});
