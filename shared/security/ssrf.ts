import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { originDenied, originUnresolved } from '../http/errors';

/**
 * Address ranges a WEB_FOLDER or WEB_PROXY fetch may not reach: everything that is not a public unicast
 * address, plus cloud metadata and platform addresses. IPv6 forms that embed an IPv4 address (mapped, NAT64,
 * 6to4, Teredo) are refused whole, since the embedded address could be any of the IPv4 ranges.
 */
const IPV4_RANGES: [string, number, string][] = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local (cloud metadata)'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignment'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
  // Azure's platform address (WireServer, DNS, health probes): reachable from every Azure VM and host.
  ['168.63.129.16', 32, 'Azure platform (metadata)'],
];

const IPV6_RANGES: [string, number, string][] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['::', 96, 'IPv4-compatible'],
  ['::ffff:0:0', 96, 'IPv4-mapped'],
  ['64:ff9b::', 96, 'NAT64'],
  ['64:ff9b:1::', 48, 'NAT64'],
  ['100::', 64, 'discard'],
  ['2001::', 32, 'Teredo'],
  ['2001:db8::', 32, 'documentation'],
  ['2002::', 16, '6to4'],
  // Unique local addresses; include AWS's IPv6 metadata address fd00:ec2::254.
  ['fc00::', 7, 'private'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local'],
  ['ff00::', 8, 'multicast'],
];

interface Rule {
  list: BlockList;
  prefix: number;
  reason: string;
}

/**
 * One list per range and family, most specific first so the reason is the narrowest (::1 is loopback before it
 * is IPv4-compatible). Families are kept apart: a BlockList matches IPv4 queries against IPv4-mapped IPv6 rules.
 */
function rules(ranges: [string, number, string][], family: 'ipv4' | 'ipv6'): Rule[] {
  return ranges
    .map(([network, prefix, reason]) => {
      const list = new BlockList();
      list.addSubnet(network, prefix, family);
      return { list, prefix, reason };
    })
    .sort((a, b) => b.prefix - a.prefix);
}

const RULES = { 4: rules(IPV4_RANGES, 'ipv4'), 6: rules(IPV6_RANGES, 'ipv6') };

/** Why an address may not be contacted (for example "loopback"), or undefined for a public unicast address. */
export function forbiddenAddressReason(address: string): string | undefined {
  const family = isIP(address);
  if (family !== 4 && family !== 6) return 'non-IP';
  return RULES[family].find((rule) => rule.list.check(address, family === 4 ? 'ipv4' : 'ipv6'))?.reason;
}

export interface PinnedAddress {
  address: string;
  family: 4 | 6;
}

/**
 * Resolves an origin's host name once and checks every address it resolves to; the caller connects to the
 * returned address only, so a second resolution (DNS rebinding) cannot switch it. With `allowPrivate` the
 * check is skipped (local development and tests), the pinning is not. Throws IkError EACCES when refused,
 * before any connection is attempted.
 */
export async function resolvePublicAddress(hostname: string, allowPrivate: boolean): Promise<PinnedAddress> {
  const host = hostname.replace(/^\[(.*)\]$/, '$1');
  const literal = isIP(host);
  let addresses: PinnedAddress[];
  if (literal === 4 || literal === 6) {
    addresses = [{ address: host, family: literal }];
  } else {
    try {
      addresses = (await lookup(host, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      throw originUnresolved(`The web origin's host name could not be resolved (${code})`, `Resolving "${host}" failed (${code})`);
    }
  }
  if (!allowPrivate) {
    // Any refused address refuses the name: a name that mixes public and internal addresses is misconfigured or hostile.
    for (const { address } of addresses) {
      const reason = forbiddenAddressReason(address);
      if (reason) {
        throw originDenied(`The web origin's host resolves to a ${reason} address, which origins may not reach (ALLOW_PRIVATE_ORIGIN_ADDRESSES is off)`,
          `"${host}" resolves to ${address}, a ${reason} address`,
        );
      }
    }
  }
  const first = addresses[0];
  if (!first) throw originUnresolved("The web origin's host name resolved to no address", `"${host}" resolved to no address`);
  return first;
}
