/**
 * World access judged by address arithmetic, not by string equality: a set of CIDRs (IPv4 and IPv6, from security
 * group rules, NACL entries, WAF IP sets, `aws:SourceIp` conditions, EKS public access CIDRs, NetworkPolicy ip_blocks)
 * is "world" when the public addresses it covers, together, amount to at least one /8 of IPv4 or one /16 of IPv6.
 * `0.0.0.0/1` + `128.0.0.0/1`, `0.0.0.0/2` + `64.0.0.0/2` + ..., a lone `0.0.0.0/5` or `::/1` are all world access;
 * a partner's /24 or a corporate /16 is not.
 *
 * Public means: not in a special-purpose range of the IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC
 * 6890 and its updates) that is not globally reachable — private networks (RFC 1918, IPv6 unique local RFC 4193),
 * shared address space (RFC 6598), loopback, link-local, "this network", documentation and benchmarking ranges,
 * multicast, reserved and broadcast, IPv4-mapped and discard-only IPv6. Those can never reach an AWS endpoint from
 * the internet, so covering them grants nothing to the world.
 *
 * Why a /8 (IPv4) and a /16 (IPv6): no single organization's range that an allow-list may name is that large (a
 * regional internet registry hands ISPs /32s of IPv6; the largest IPv4 holders' blocks are /8s, and admitting one of
 * those admits a whole cloud provider's customers). A regression that means "everyone" (`0.0.0.0/0` split into
 * halves, a typo'd prefix length such as `/1`..`/7`) always crosses it. The thresholds are named constants.
 *
 * Pure (no cdktf imports): used by the policy rules and by tests.
 */
import { Address4, Address6 } from "ip-address";

export type IpFamily = 4 | 6;

/** Inclusive address range. */
export interface Range {
  readonly start: bigint;
  readonly end: bigint;
}

export interface SpecialRange {
  readonly cidr: string;
  readonly name: string;
}

/** IPv4 ranges that are not globally reachable (IANA IPv4 Special-Purpose Address Registry, RFC 6890). */
export const NON_PUBLIC_IPV4: readonly SpecialRange[] = [
  { cidr: "0.0.0.0/8", name: "this network (RFC 791)" },
  { cidr: "10.0.0.0/8", name: "private (RFC 1918)" },
  { cidr: "100.64.0.0/10", name: "shared address space (RFC 6598)" },
  { cidr: "127.0.0.0/8", name: "loopback (RFC 1122)" },
  { cidr: "169.254.0.0/16", name: "link-local (RFC 3927)" },
  { cidr: "172.16.0.0/12", name: "private (RFC 1918)" },
  { cidr: "192.0.0.0/24", name: "IETF protocol assignments (RFC 6890)" },
  { cidr: "192.0.2.0/24", name: "documentation TEST-NET-1 (RFC 5737)" },
  { cidr: "192.168.0.0/16", name: "private (RFC 1918)" },
  { cidr: "198.18.0.0/15", name: "benchmarking (RFC 2544)" },
  { cidr: "198.51.100.0/24", name: "documentation TEST-NET-2 (RFC 5737)" },
  { cidr: "203.0.113.0/24", name: "documentation TEST-NET-3 (RFC 5737)" },
  { cidr: "224.0.0.0/4", name: "multicast (RFC 5771)" },
  { cidr: "240.0.0.0/4", name: "reserved and limited broadcast (RFC 1112, RFC 919)" },
];

/** IPv6 ranges that are not globally reachable (IANA IPv6 Special-Purpose Address Registry, RFC 6890). */
export const NON_PUBLIC_IPV6: readonly SpecialRange[] = [
  { cidr: "::/128", name: "unspecified (RFC 4291)" },
  { cidr: "::1/128", name: "loopback (RFC 4291)" },
  { cidr: "::ffff:0:0/96", name: "IPv4-mapped (RFC 4291)" },
  { cidr: "100::/64", name: "discard-only (RFC 6666)" },
  { cidr: "2001:db8::/32", name: "documentation (RFC 3849)" },
  { cidr: "fc00::/7", name: "unique local (RFC 4193)" },
  { cidr: "fe80::/10", name: "link-local (RFC 4291)" },
  { cidr: "ff00::/8", name: "multicast (RFC 4291)" },
];

/** Prefix length whose size in public addresses makes a CIDR set "the world". */
export const WORLD_PREFIX: Readonly<Record<IpFamily, number>> = { 4: 8, 6: 16 };

const BITS: Readonly<Record<IpFamily, number>> = { 4: 32, 6: 128 };

export interface ParsedCidr {
  readonly family: IpFamily;
  readonly range: Range;
  /** Normalized text (network address / prefix). */
  readonly cidr: string;
}

/** A CIDR (or a single address) as a range; undefined when it is not an address (an expression, a typo). */
export function parseCidr(text: string): ParsedCidr | undefined {
  const value = text.trim();
  if (value === "" || value.includes("${")) return undefined;
  try {
    if (value.includes(":")) {
      if (!Address6.isValid(value)) return undefined;
      const address = new Address6(value);
      return { family: 6, range: { start: address.startAddress().bigInt(), end: address.endAddress().bigInt() }, cidr: `${address.startAddress().correctForm()}/${address.subnetMask}` };
    }
    if (!Address4.isValid(value)) return undefined;
    const address = new Address4(value);
    return { family: 4, range: { start: address.startAddress().bigInt(), end: address.endAddress().bigInt() }, cidr: `${address.startAddress().correctForm()}/${address.subnetMask}` };
  } catch {
    return undefined;
  }
}

/** Sorted, non-overlapping, non-adjacent ranges covering the same addresses. */
export function merge(ranges: readonly Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const out: Range[] = [];
  for (const range of sorted) {
    const last = out[out.length - 1];
    if (last && range.start <= last.end + 1n) {
      if (range.end > last.end) out[out.length - 1] = { start: last.start, end: range.end };
    } else {
      out.push(range);
    }
  }
  return out;
}

/** `ranges` without the addresses of `remove`. */
export function subtract(ranges: readonly Range[], remove: readonly Range[]): Range[] {
  let current = merge(ranges);
  for (const cut of merge(remove)) {
    const next: Range[] = [];
    for (const range of current) {
      if (cut.end < range.start || cut.start > range.end) {
        next.push(range);
        continue;
      }
      if (cut.start > range.start) next.push({ start: range.start, end: cut.start - 1n });
      if (cut.end < range.end) next.push({ start: cut.end + 1n, end: range.end });
    }
    current = next;
  }
  return current;
}

export function size(ranges: readonly Range[]): bigint {
  return merge(ranges).reduce((total, range) => total + (range.end - range.start + 1n), 0n);
}

const NON_PUBLIC: Readonly<Record<IpFamily, readonly Range[]>> = {
  4: NON_PUBLIC_IPV4.map((special) => (parseCidr(special.cidr) as ParsedCidr).range),
  6: NON_PUBLIC_IPV6.map((special) => (parseCidr(special.cidr) as ParsedCidr).range),
};

/** The public addresses of a family's ranges. */
export function publicPart(family: IpFamily, ranges: readonly Range[]): Range[] {
  return subtract(ranges, NON_PUBLIC[family]);
}

export interface AddressSet {
  /** Ranges per family, merged. */
  readonly ranges: Readonly<Record<IpFamily, readonly Range[]>>;
  /** Entries that are not addresses (expressions resolved at plan time, typos). */
  readonly unknown: readonly string[];
}

/** The addresses a list of CIDRs covers, per family. */
export function addressSet(cidrs: readonly string[]): AddressSet {
  const ranges: Record<IpFamily, Range[]> = { 4: [], 6: [] };
  const unknown: string[] = [];
  for (const cidr of cidrs) {
    const parsed = parseCidr(cidr);
    if (parsed) ranges[parsed.family].push(parsed.range);
    else unknown.push(cidr);
  }
  return { ranges: { 4: merge(ranges[4]), 6: merge(ranges[6]) }, unknown };
}

export interface WorldJudgement {
  /** True when the set covers at least WORLD_PREFIX's worth of public addresses in one family. */
  readonly world: boolean;
  /** Public addresses covered, per family. */
  readonly publicAddresses: Readonly<Record<IpFamily, bigint>>;
  /** Entries that are not addresses (not counted). */
  readonly unknown: readonly string[];
}

function publicCount(ranges: Readonly<Record<IpFamily, readonly Range[]>>): Record<IpFamily, bigint> {
  return { 4: size(publicPart(4, ranges[4])), 6: size(publicPart(6, ranges[6])) };
}

function isWorldCount(publicAddresses: Readonly<Record<IpFamily, bigint>>): boolean {
  return ([4, 6] as const).some((family) => publicAddresses[family] >= 1n << BigInt(BITS[family] - WORLD_PREFIX[family]));
}

/** Whether address ranges (per family) give the world access. */
export function worldRanges(ranges: Readonly<Record<IpFamily, readonly Range[]>>): boolean {
  return isWorldCount(publicCount(ranges));
}

/** Whether `cidrs`, together, give the world access (see the module comment for the definition). */
export function judgeWorld(cidrs: readonly string[]): WorldJudgement {
  const set = addressSet(cidrs);
  const publicAddresses = publicCount(set.ranges);
  return { world: isWorldCount(publicAddresses), publicAddresses, unknown: set.unknown };
}

/** Whether `cidrs`, together, give the world access. */
export function coversWorld(cidrs: readonly string[]): boolean {
  return judgeWorld(cidrs).world;
}

/** Whether a CIDR covers any public address at all. */
export function touchesPublic(cidr: string): boolean {
  const parsed = parseCidr(cidr);
  return parsed !== undefined && size(publicPart(parsed.family, [parsed.range])) > 0n;
}

/** "0.0.0.0/1, 128.0.0.0/1 (together 2.1 billion public IPv4 addresses, at least a /8's worth)" */
export function describeWorld(cidrs: readonly string[]): string {
  const judgement = judgeWorld(cidrs);
  const parts = ([4, 6] as const)
    .filter((family) => judgement.publicAddresses[family] > 0n)
    .map((family) => `${approximate(judgement.publicAddresses[family])} public IPv${family} addresses`);
  const listed = cidrs.length > 6 ? `${cidrs.slice(0, 6).join(", ")}, ...` : cidrs.join(", ");
  return `${listed} (${cidrs.length > 1 ? "together " : ""}${parts.join(" and ") || "no public addresses"}${judgement.world ? `, at least a /${WORLD_PREFIX[4]} of IPv4 or a /${WORLD_PREFIX[6]} of IPv6: the whole internet` : ""})`;
}

function approximate(count: bigint): string {
  if (count < 1_000_000n) return count.toString();
  const text = count.toString();
  if (text.length > 15) return `~2^${count.toString(2).length - 1}`;
  const units: [bigint, string][] = [[1_000_000_000_000n, "trillion"], [1_000_000_000n, "billion"], [1_000_000n, "million"]];
  for (const [unit, name] of units) {
    if (count >= unit) return `${(Number(count) / Number(unit)).toFixed(1)} ${name}`;
  }
  return text;
}
