import { describe, expect, it } from "vitest";
import { addressSet, coversWorld, describeWorld, judgeWorld, NON_PUBLIC_IPV4, NON_PUBLIC_IPV6, parseCidr, publicPart, size, subtract, touchesPublic, WORLD_PREFIX } from "../../../constructs/policy/public-space";

describe("world access by address arithmetic", () => {
  it("judges the literal world CIDRs as the world", () => {
    expect(coversWorld(["0.0.0.0/0"])).toBe(true);
    expect(coversWorld(["::/0"])).toBe(true);
  });

  it("judges sets that add up to the internet as the world, whatever their spelling", () => {
    expect(coversWorld(["0.0.0.0/1", "128.0.0.0/1"])).toBe(true);
    expect(coversWorld(["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/2"])).toBe(true);
    expect(coversWorld(["::/1", "8000::/1"])).toBe(true);
    expect(coversWorld(["2000::/3"])).toBe(true);
    // Host bits set: AWS rejects it, but the arithmetic reads the network it names.
    expect(coversWorld(["1.2.3.4/0"])).toBe(true);
  });

  it("treats a /1 to /7 prefix (a typo'd length) as the world, down to one /8 of public addresses", () => {
    for (let prefix = 1; prefix <= 7; prefix += 1) expect(coversWorld([`64.0.0.0/${prefix}`]), `/${prefix}`).toBe(true);
    expect(coversWorld(["3.0.0.0/8"])).toBe(true);
    expect(coversWorld(["3.0.0.0/9"])).toBe(false);
    expect(coversWorld(["3.0.0.0/9", "3.128.0.0/9"])).toBe(true);
    expect(WORLD_PREFIX).toEqual({ 4: 8, 6: 16 });
  });

  it("does not count addresses that are not public: private, shared, loopback, link-local, documentation, multicast", () => {
    expect(coversWorld(["10.0.0.0/8"])).toBe(false);
    expect(coversWorld(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/3"])).toBe(false);
    expect(coversWorld(["fc00::/7", "fe80::/10", "ff00::/8", "2001:db8::/32"])).toBe(false);
    // 0.0.0.0/4 holds 0/8 ("this network") and 10/8 (private): 14 public /8s remain, still the world.
    expect(coversWorld(["0.0.0.0/4"])).toBe(true);
    expect(judgeWorld(["10.0.0.0/7"]).publicAddresses[4]).toBe(1n << 24n); // 11.0.0.0/8
  });

  it("accepts partner and corporate ranges", () => {
    expect(coversWorld(["203.0.113.0/24", "198.51.100.0/24"])).toBe(false);
    expect(coversWorld(["52.94.0.0/16", "2600:1f00::/24"])).toBe(false);
    expect(touchesPublic("52.94.0.0/16")).toBe(true);
    expect(touchesPublic("10.1.0.0/16")).toBe(false);
  });

  it("reports entries that are not addresses instead of counting them", () => {
    const judgement = judgeWorld(["${aws_vpc.main.cidr_block}", "not-a-cidr", "10.0.0.0/8"]);
    expect(judgement.world).toBe(false);
    expect(judgement.unknown).toEqual(["${aws_vpc.main.cidr_block}", "not-a-cidr"]);
    expect(parseCidr("10.0.0.1")?.cidr).toBe("10.0.0.1/32");
  });

  it("merges, subtracts and sizes ranges exactly", () => {
    const set = addressSet(["10.0.0.0/9", "10.128.0.0/9", "10.0.0.0/8"]);
    expect(set.ranges[4]).toEqual([{ start: 167772160n, end: 184549375n }]);
    expect(size(subtract(set.ranges[4], addressSet(["10.0.0.0/9"]).ranges[4]))).toBe(1n << 23n);
    expect(size(publicPart(4, addressSet(["0.0.0.0/0"]).ranges[4]))).toBeLessThan(1n << 32n);
  });

  it("keeps the registries' ranges parseable", () => {
    for (const special of [...NON_PUBLIC_IPV4, ...NON_PUBLIC_IPV6]) expect(parseCidr(special.cidr), special.cidr).toBeDefined();
  });

  it("describes a set with its public size", () => {
    expect(describeWorld(["0.0.0.0/1", "128.0.0.0/1"])).toMatch(/^0\.0\.0\.0\/1, 128\.0\.0\.0\/1 \(together 3\.\d billion public IPv4 addresses, at least a \/8 of IPv4 or a \/16 of IPv6: the whole internet\)$/);
  });
});
