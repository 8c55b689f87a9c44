/**
 * Planning of the DNS stage: which stack creates each zone, who delegates it (a DNS stack of the platform, or the
 * operator), and the order of DNS and infra stacks that follows.
 */
import { rmSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { dnsStackOrder, planHostedZones, zoneCreationConflicts, type ZoneEnvironment } from "../../../constructs/hosted-zones/rules";
import { environmentZonePlans } from "../../../stacks/app";
import { only, problems } from "../../support/config-problems";
import { bundledConfig, tempConfig } from "../../support/synth";

const ACCOUNT = "111111111111";
const OTHER_ACCOUNT = "222222222222";

function environment(name: string, domains: Record<string, [string, "create" | "lookup"]>, accountId = ACCOUNT): ZoneEnvironment {
  return { name, accountId, domains: Object.fromEntries(Object.entries(domains).map(([key, [domain, hostedZone]]) => [key, { name: domain, hostedZone }])) };
}

describe("planHostedZones", () => {
  it("delegates a child zone from its parent in the same DNS stack, and leaves the top zone to the operator", () => {
    const plan = planHostedZones([environment("prod", { top: ["example.com", "create"], app: ["app.example.com", "create"] })]).get("prod");
    expect(plan?.created).toEqual([
      { key: "top", name: "example.com" },
      { key: "app", name: "app.example.com" },
    ]);
    expect(plan?.delegations).toEqual([{ parentKey: "top", parent: "example.com", child: "app.example.com", childEnvironment: "prod" }]);
    expect(plan?.manual).toEqual([{ zone: "example.com", parent: "com", reason: expect.stringContaining("no zone of this configuration encloses it") }]);
    expect(plan?.infraAfterDnsOf).toEqual(["prod"]);
    expect(plan?.dnsAfterDnsOf).toEqual([]);
  });

  it("delegates a zone of another environment in the same account from the parent's DNS stack, which then runs after the child's", () => {
    const plans = planHostedZones([
      environment("prod", { platform: ["acme.example.com", "create"] }),
      environment("staging", { platform: ["staging.acme.example.com", "create"] }),
    ]);
    expect(plans.get("prod")?.delegations).toEqual([{ parentKey: "platform", parent: "acme.example.com", child: "staging.acme.example.com", childEnvironment: "staging" }]);
    expect(plans.get("prod")?.dnsAfterDnsOf).toEqual(["staging"]);
    expect(plans.get("staging")?.manual).toEqual([]);
    // staging's certificates wait for the delegation prod-dns writes.
    expect(plans.get("staging")?.infraAfterDnsOf).toEqual(["prod", "staging"]);
    expect(dnsStackOrder(plans).order).toEqual(["staging", "prod"]);
  });

  it("leaves delegation to the operator when the parent zone is in another account, or only looked up", () => {
    const crossAccount = planHostedZones([
      environment("prod", { platform: ["acme.example.com", "create"] }, OTHER_ACCOUNT),
      environment("staging", { platform: ["staging.acme.example.com", "create"] }),
    ]);
    expect(crossAccount.get("prod")?.delegations).toEqual([]);
    expect(crossAccount.get("staging")?.manual).toEqual([{ zone: "staging.acme.example.com", parent: "acme.example.com", reason: expect.stringContaining(`created by prod in account ${OTHER_ACCOUNT}, another account`) }]);
    expect(crossAccount.get("staging")?.infraAfterDnsOf).toEqual(["staging"]);

    const lookedUp = planHostedZones([environment("prod", { top: ["example.com", "lookup"], app: ["app.example.com", "create"] })]).get("prod");
    expect(lookedUp?.delegations).toEqual([]);
    expect(lookedUp?.manual).toEqual([{ zone: "app.example.com", parent: "example.com", reason: expect.stringContaining("looked up, not created") }]);
  });

  it("delegates from the closest enclosing zone: a looked-up zone in between makes the delegation manual", () => {
    const plan = planHostedZones([
      environment("prod", { top: ["example.com", "create"], middle: ["eu.example.com", "lookup"], leaf: ["shop.eu.example.com", "create"] }),
    ]).get("prod");
    expect(plan?.delegations).toEqual([]);
    expect(plan?.manual.map((entry) => [entry.zone, entry.parent])).toEqual([
      ["example.com", "com"],
      ["shop.eu.example.com", "eu.example.com"],
    ]);
  });

  it("makes an environment's infra wait for the DNS stack that creates a zone it only looks up", () => {
    const plans = planHostedZones([environment("prod", { shared: ["shared.example.com", "create"] }), environment("dev", { shared: ["shared.example.com", "lookup"] })]);
    expect(plans.get("dev")?.created).toEqual([]);
    expect(plans.get("dev")?.infraAfterDnsOf).toEqual(["prod"]);
    expect(dnsStackOrder(plans).order).toEqual(["prod"]);
  });

  it("plans the bundled configuration: three DNS stacks, staging's platform zone delegated by prod-dns", () => {
    const plans = environmentZonePlans(bundledConfig());
    expect(dnsStackOrder(plans).order).toEqual(["dev", "staging", "prod"]);
    expect(plans.get("prod")?.delegations.map((entry) => `${entry.parent} -> ${entry.child}`)).toEqual(["acme.example.com -> staging.acme.example.com"]);
    expect(plans.get("prod")?.manual.map((entry) => entry.zone).sort()).toEqual(["acme.example.com", "murima.example.com", "noor.example.com", "smartedu.example.com"]);
    expect(plans.get("staging")?.manual.map((entry) => entry.zone).sort()).toEqual(["murima.staging.example.com", "noor.staging.example.com", "smartedu.staging.example.com"]);
  });
});

describe("zone rules that reject configuration", () => {
  it("finds a zone created by two environments", () => {
    expect(zoneCreationConflicts([environment("dev", { a: ["example.com", "create"] }), environment("prod", { b: ["example.com", "create"] })])).toEqual([
      { environment: "prod", key: "b", name: "example.com", createdBy: { environment: "dev", key: "a" } },
    ]);
    expect(zoneCreationConflicts([environment("dev", { a: ["example.com", "lookup"] }), environment("prod", { b: ["example.com", "create"] })])).toEqual([]);
  });

  it("finds environments whose zones delegate to each other in a cycle", () => {
    const plans = planHostedZones([
      environment("dev", { top: ["example.com", "create"], deep: ["b.a.example.com", "create"] }),
      environment("prod", { middle: ["a.example.com", "create"] }),
    ]);
    expect(dnsStackOrder(plans).cycle).toEqual(["dev", "prod", "dev"]);
  });

  it("the loader reports a zone two environments create, at the second declaration", () => {
    const dir = tempConfig({ set: { "environments/dev.yaml": { edge: { domains: { platform: { name: "acme.example.com", hostedZone: "create" } } } } } });
    try {
      const issue = only(problems(dir), "edge.domains.platform.hostedZone");
      expect(issue.file).toMatch(/environments\/prod\.yaml$/);
      expect(issue.message).toMatch(/zone acme\.example\.com is already created by .*dev\.yaml edge\.domains\.platform; only one environment can create \(and delegate\) a zone — use hostedZone: lookup here/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the loader reports zones nested in each other across environments", () => {
    const dir = tempConfig({ set: { "environments/dev.yaml": { edge: { domains: { deep: { name: "noor.staging.acme.example.com", hostedZone: "create" }, top: { name: "example.com", hostedZone: "create" } } } } } });
    try {
      const issues = problems(dir).filter((issue) => issue.message.includes("nested in each other"));
      expect(issues).toHaveLength(1);
      expect(issues[0]?.path).toEqual(["edge", "domains"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
