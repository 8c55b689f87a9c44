/**
 * Check (f), generic over every synthesized stack: no certificate validates in a zone created in the same stack. And
 * the zone requirements the preflight reads (which zones a stack needs delegated, and where their name servers come
 * from).
 */
import { Construct } from "constructs";
import { describe, expect, it } from "vitest";
import { DnsValidatedCertificate } from "../../../constructs/certificates";
import { DnsZone } from "../../../constructs/dns";
import { StackModel, type SynthesizedStack } from "../../../constructs/policy/model";
import { certificateValidationRecords, certificateZoneProblems, zoneRequirements } from "../../../constructs/policy/zones";
import { bundledSynth } from "../../support/synth";
import { fixture } from "./cases/support";

const stacks = new Map([...bundledSynth()].map(([name, text]) => [name, JSON.parse(text) as SynthesizedStack]));

/** A zone and a certificate validated in it, composed as `<env>-infra`'s edge did before the DNS stage existed. */
class ZoneWithCertificate extends Construct {
  constructor(scope: Construct, id: string, mode: "create" | "lookup") {
    super(scope, id);
    const zone = new DnsZone(this, "zone", { domain: "acme.example.com", mode });
    new DnsValidatedCertificate(this, "certificate", { domainName: "*.acme.example.com", subjectAlternativeNames: ["acme.example.com"], zoneId: zone.zoneId, zoneDomain: "acme.example.com" });
  }
}

describe("(f) certificates never validate in a zone created in the same stack", () => {
  it("holds for every synthesized stack, and the bundled stacks do validate certificates (the check is not vacuous)", () => {
    const validating = [...stacks].filter(([name, json]) => certificateValidationRecords(new StackModel(json, name)).length > 0).map(([name]) => name);
    expect(validating).toEqual(expect.arrayContaining(["dev-infra", "prod-infra", "staging-infra", "prod-tenant-globex", "tenant-initech-platform"]));
    for (const [name, json] of stacks) {
      expect(certificateZoneProblems(new StackModel(json, name)).map((problem) => `${problem.block.path}: ${problem.message}`), name).toEqual([]);
    }
  });

  it("fails a stack that creates a zone and validates a certificate in it (the edge's former composition)", () => {
    const broken = new StackModel(fixture((scope) => new ZoneWithCertificate(scope, "edge", "create")), "fixture");
    const problems = certificateZoneProblems(broken);
    expect(problems.map((problem) => problem.block.path).sort()).toEqual(["fixture/edge/certificate/validation", "fixture/edge/certificate/validation-record"]);
    expect(problems.every((problem) => problem.zone.path === "fixture/edge/zone/zone")).toBe(true);
    expect(problems[0]?.message).toMatch(/which this stack creates: the zone is not delegated during this apply, so ACM cannot validate/);
  });

  it("passes the same composition when the zone is looked up", () => {
    expect(certificateZoneProblems(new StackModel(fixture((scope) => new ZoneWithCertificate(scope, "edge", "lookup")), "fixture"))).toEqual([]);
  });
});

describe("zoneRequirements (for the preflight)", () => {
  it("prod-infra: each domain's zone must be delegated; name servers from prod-dns's output; the top zones by hand", () => {
    const requirements = zoneRequirements(stacks, "prod-infra");
    expect(requirements.map((requirement) => requirement.zone)).toEqual(["acme.example.com", "murima.example.com", "noor.example.com", "smartedu.example.com"]);
    expect(requirements[0]).toEqual({
      zone: "acme.example.com",
      lookups: [expect.stringMatching(/^data\.aws_route53_zone\.edge_zone-platform_zone_/)],
      mustBeDelegated: true,
      nameServers: { kind: "stack-output", stack: "prod-dns", output: "name_servers", key: "acme.example.com" },
      delegation: { kind: "manual", parent: "example.com" },
    });
  });

  it("staging-infra: staging.acme.example.com is delegated by prod-dns's NS record in acme.example.com", () => {
    const platform = zoneRequirements(stacks, "staging-infra").find((requirement) => requirement.zone === "staging.acme.example.com");
    expect(platform).toMatchObject({
      mustBeDelegated: true,
      nameServers: { kind: "stack-output", stack: "staging-dns", key: "staging.acme.example.com" },
      delegation: { kind: "platform", stack: "prod-dns", address: expect.stringMatching(/^aws_route53_record\.zones_delegation-staging-acme-example-com_/), parentZone: "acme.example.com" },
    });
  });

  it("a shared tenant's stack needs the zone its certificate validates in; the platform stack only needs external-dns's zones to exist", () => {
    expect(zoneRequirements(stacks, "prod-tenant-globex").filter((requirement) => requirement.mustBeDelegated).map((requirement) => requirement.zone)).toEqual(["noor.example.com"]);
    const platform = zoneRequirements(stacks, "prod-platform");
    expect(platform.length).toBeGreaterThan(0);
    expect(platform.every((requirement) => !requirement.mustBeDelegated)).toBe(true);
  });

  it("prod-dns reads staging's zone to delegate it: it must exist, not be delegated", () => {
    expect(zoneRequirements(stacks, "prod-dns")).toEqual([
      expect.objectContaining({ zone: "staging.acme.example.com", mustBeDelegated: false, nameServers: { kind: "stack-output", stack: "staging-dns", output: "name_servers", key: "staging.acme.example.com" } }),
    ]);
  });

  it("a zone no stack creates: name servers from the hosted zone itself", () => {
    const lookupOnly = fixture((scope) => new ZoneWithCertificate(scope, "edge", "lookup"));
    expect(zoneRequirements(new Map([["fixture", lookupOnly]]), "fixture")).toEqual([
      expect.objectContaining({ zone: "acme.example.com", mustBeDelegated: true, nameServers: { kind: "hosted-zone", name: "acme.example.com" }, delegation: { kind: "manual", parent: "example.com" } }),
    ]);
    expect(() => zoneRequirements(new Map(), "nope")).toThrow(/no synthesized stack named nope/);
  });
});
