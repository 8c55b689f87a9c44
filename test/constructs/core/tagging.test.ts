import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { Aspects } from "cdktf";
import { describe, expect, it } from "vitest";
import { RESOURCE_TAG_RESERVE } from "../../../constructs/core/standard-tags";
import { standardTags, TagAspect } from "../../../constructs/core/tagging";
import { bundledSynth, resourceList, synthConstruct, type Synthesized } from "../../support/synth";

const TAGS = standardTags({
  project: "acme",
  environment: "prod",
  tenant: "globex",
  owner: "platform-team",
  costCentre: "CC-1",
  repository: "example-org/platform-iac",
  stack: "prod-infra",
  extra: { Team: "payments", Owner: "must-not-win" },
});

describe("standardTags", () => {
  it("carries environment, tenant, owner, cost centre, managed-by, repository and stack, sorted", () => {
    expect(TAGS).toEqual({
      CostCentre: "CC-1",
      Environment: "prod",
      ManagedBy: "cdktf",
      Owner: "platform-team",
      Project: "acme",
      Repository: "example-org/platform-iac",
      Stack: "prod-infra",
      Team: "payments",
      Tenant: "globex",
    });
    expect(Object.keys(TAGS)).toEqual(Object.keys(TAGS).toSorted());
  });
});

describe("TagAspect", () => {
  it("adds the tags to instances, volumes and network interfaces launched from a launch template", () => {
    const { json } = synthConstruct((scope) => {
      new LaunchTemplate(scope, "lt", {
        name: "acme-prod-nodes",
        tagSpecifications: [{ resourceType: "instance", tags: { Name: "node", Team: "own" } }],
      });
      Aspects.of(scope).add(new TagAspect(TAGS));
    });
    const [template] = resourceList(json, "aws_launch_template");
    const specs = template!.tag_specifications as { resource_type: string; tags: Record<string, string> }[];
    expect(specs.map((spec) => spec.resource_type)).toEqual(["instance", "volume", "network-interface"]);
    for (const spec of specs) expect(spec.tags).toMatchObject({ Environment: "prod", Tenant: "globex", ManagedBy: "cdktf" });
    // the template's own tags win over the standard ones
    expect(specs[0]!.tags).toMatchObject({ Name: "node", Team: "own" });
  });

  it("is applied with the provider default tags in every bundled stack", () => {
    for (const [name, text] of bundledSynth()) {
      const [provider] = (JSON.parse(text) as Synthesized).provider?.aws ?? [];
      const [defaults] = (provider?.default_tags ?? []) as { tags: Record<string, string> }[];
      const tags = defaults?.tags ?? {};
      expect(tags, name).toMatchObject({ Project: "acme", ManagedBy: "cdktf", Stack: name });
      expect(tags.Owner, name).toBe(name === "prod-tenant-globex" ? "globex-success-team" : "platform-team");
      // Administrator stacks (bootstrap, account-*) belong to no environment: the deploy roles' guard keys on this tag.
      const environment = name === "bootstrap" || name.startsWith("account-") ? undefined : name.startsWith("tenant-") ? "prod" : name.split("-")[0];
      expect(tags.Environment, name).toBe(environment);
    }
  });
});

describe("tag budget", () => {
  it("no bundled resource carries more of its own tags than RESOURCE_TAG_RESERVE (the loader leaves that room)", () => {
    let most = 0;
    for (const text of bundledSynth().values()) {
      const json = JSON.parse(text) as { resource?: Record<string, Record<string, { tags?: unknown }>> };
      for (const instances of Object.values(json.resource ?? {})) {
        for (const body of Object.values(instances)) {
          if (body.tags && typeof body.tags === "object") most = Math.max(most, Object.keys(body.tags).length);
        }
      }
    }
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(RESOURCE_TAG_RESERVE);
  });
});
