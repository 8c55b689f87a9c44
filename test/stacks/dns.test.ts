/**
 * `<env>-dns`: the DNS stage in the catalog (stage, who applies it, what waits for it) and the synthesized stacks.
 */
import { describe, expect, it } from "vitest";
import { accountStackName } from "../../constructs/core/stack-names";
import { stackCatalog } from "../../stacks/app";
import { bundledConfig, bundledStackJson, resourceList } from "../support/synth";

type Output = { value: Record<string, unknown>; description?: string };

describe("the DNS stage in the catalog", () => {
  const catalog = stackCatalog(bundledConfig());
  const entry = (name: string) => catalog.find((candidate) => candidate.name === name);

  it("has a DNS stack per environment that creates zones, applied by CI, in the environment's account, before any infra stack", () => {
    for (const name of ["dev-dns", "staging-dns", "prod-dns"]) {
      expect(entry(name), name).toMatchObject({ stage: "dns", appliedBy: "ci", environment: name.replace(/-dns$/, ""), account: { accountId: "111111111111", region: "eu-west-1" } });
    }
    const names = catalog.map((candidate) => candidate.name);
    const lastDns = Math.max(...names.filter((name) => name.endsWith("-dns")).map((name) => names.indexOf(name)));
    const firstInfra = Math.min(...catalog.filter((candidate) => candidate.stage === "infra").map((candidate) => names.indexOf(candidate.name)));
    expect(lastDns).toBeLessThan(firstInfra);
  });

  it("makes each infra stack wait for the DNS stacks that create and delegate its zones (staging's platform zone is delegated by prod-dns)", () => {
    // Every stack CI applies also waits for its account's baseline (the CI roles that apply it).
    const baseline = (name: string) => accountStackName(entry(name)?.accountName ?? "");
    expect(entry("dev-infra")?.dependsOn).toEqual([baseline("dev-infra"), "dev-dns"]);
    expect(entry("staging-infra")?.dependsOn).toEqual([baseline("staging-infra"), "prod-dns", "staging-dns"]);
    expect(entry("prod-infra")?.dependsOn).toEqual([baseline("prod-infra"), "prod-dns"]);
    expect(entry("prod-dns")?.dependsOn).toEqual([baseline("prod-dns"), "staging-dns"]);
    // A dedicated tenant's platform issues certificates in its environment's zones.
    expect(entry("tenant-initech-infra")?.dependsOn).toEqual([baseline("tenant-initech-infra"), "prod-dns"]);
    expect(baseline("prod-infra")).toBe("account-main");
  });
});

describe("prod-dns", () => {
  const json = bundledStackJson("prod-dns") as ReturnType<typeof bundledStackJson> & { output: Record<string, Output> };

  it("holds the production zones, protected, and the delegation of staging's zone under acme.example.com", () => {
    expect(resourceList(json, "aws_route53_zone").map((zone) => zone.name).sort()).toEqual(["acme.example.com", "murima.example.com", "noor.example.com", "smartedu.example.com"]);
    expect(resourceList(json, "aws_route53_zone").every((zone) => (zone.lifecycle as { prevent_destroy: boolean }).prevent_destroy)).toBe(true);
    expect(resourceList(json, "aws_route53_record").map((record) => [record.name, record.type, record.ttl])).toEqual([["staging.acme.example.com", "NS", 172_800]]);
    expect(Object.values(json.data?.aws_route53_zone ?? {}).map((zone) => zone.name)).toEqual(["staging.acme.example.com"]);
  });

  it("outputs every zone's name servers and ids, and which zones to delegate by hand, where", () => {
    expect(Object.keys(json.output.name_servers?.value ?? {}).sort()).toEqual(["acme.example.com", "murima.example.com", "noor.example.com", "smartedu.example.com"]);
    expect(json.output.name_servers?.value["acme.example.com"]).toMatch(/^\$\{aws_route53_zone\.zones_zone-platform_zone_[0-9A-F]{8}\.name_servers\}$/);
    expect(Object.keys(json.output.zone_ids?.value ?? {}).sort()).toEqual(["acme.example.com", "murima.example.com", "noor.example.com", "smartedu.example.com"]);
    expect(json.output.manual_delegations?.value["noor.example.com"]).toEqual({
      parent: "example.com",
      name_servers: expect.stringMatching(/^\$\{tolist\(aws_route53_zone\.zones_zone-noor_zone_[0-9A-F]{8}\.name_servers\)\}$/),
      reason: expect.stringContaining("add its NS records to example.com"),
    });
  });
});

describe("staging-dns and dev-dns", () => {
  it("staging's platform zone is not a manual delegation: prod-dns writes it", () => {
    const staging = bundledStackJson("staging-dns") as { output: Record<string, Output> };
    expect(Object.keys(staging.output.manual_delegations?.value ?? {}).sort()).toEqual(["murima.staging.example.com", "noor.staging.example.com", "smartedu.staging.example.com"]);
    expect(Object.keys(staging.output.name_servers?.value ?? {})).toContain("staging.acme.example.com");
  });

  it("dev's zones are not protected (development profile)", () => {
    const dev = bundledStackJson("dev-dns");
    expect(resourceList(dev, "aws_route53_zone").map((zone) => (zone.lifecycle as { prevent_destroy: boolean }).prevent_destroy)).toEqual([false, false, false]);
  });
});
