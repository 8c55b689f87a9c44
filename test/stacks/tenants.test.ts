import { describe, expect, it } from "vitest";
import { loadConfig } from "../../config/loader";
import { bundledConfig, bundledSynth, synthToTexts, tempConfig } from "../support/synth";

const config = bundledConfig();
const texts = bundledSynth();
const tenantIds = config.tenants.map((tenant) => tenant.config.id);

describe("tenant stacks", () => {
  it("gives a shared tenant one stack and a dedicated tenant an infra and a platform stack", () => {
    expect([...texts.keys()]).toEqual(expect.arrayContaining(["prod-tenant-globex", "tenant-initech-infra", "tenant-initech-platform"]));
  });

  it("builds the dedicated tenant's VPC from its allocated CIDR", () => {
    const infra = JSON.parse(texts.get("tenant-initech-infra")!) as { resource: Record<string, Record<string, Record<string, unknown>>> };
    expect(Object.values(infra.resource.aws_vpc!)[0]).toMatchObject({ cidr_block: "10.128.0.0/16" });
  });

  it("puts the tenant id in every stack's default tags and resource names", () => {
    for (const id of tenantIds) {
      for (const [name, text] of texts) {
        if (!name.includes(`-${id}`) && !name.includes(`tenant-${id}-`)) continue;
        const json = JSON.parse(text) as { provider: { aws: { default_tags: { tags: Record<string, string> }[] }[] }; resource?: Record<string, Record<string, Record<string, unknown>>> };
        expect(json.provider.aws[0]!.default_tags[0]!.tags.Tenant, name).toBe(id);
        for (const resources of Object.values(json.resource ?? {})) {
          for (const resource of Object.values(resources)) {
            for (const key of ["name", "bucket", "identifier", "cluster_identifier", "replication_group_id", "domain_name"]) {
              const value = resource[key];
              if (typeof value === "string" && value.startsWith("acme-")) expect(value, `${name} ${key}`).toContain(id);
            }
          }
        }
      }
    }
  });

  it("never references another tenant's resources", () => {
    for (const id of tenantIds) {
      const own = [...texts].filter(([name]) => name.endsWith(`-tenant-${id}`) || name.startsWith(`tenant-${id}-`));
      for (const [name, text] of own) {
        for (const other of tenantIds.filter((candidate) => candidate !== id)) {
          expect(text.includes(other), `${name} mentions tenant ${other}`).toBe(false);
        }
      }
    }
  });

  it("keeps every stack's state key unique", () => {
    const keys = [...texts.values()].map((text) => (JSON.parse(text) as { terraform: { backend: { s3: { key: string } } } }).terraform.backend.s3.key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("leaves every other stack byte-identical when one tenant's file is removed", () => {
    const without = synthToTexts(loadConfig(tempConfig({ remove: ["tenants/globex.yaml"] })));
    expect([...without.keys()]).toEqual([...texts.keys()].filter((name) => name !== "prod-tenant-globex"));
    for (const [name, text] of without) expect(text, name).toBe(texts.get(name));
    const withoutDedicated = synthToTexts(loadConfig(tempConfig({ remove: ["tenants/initech.yaml"] })));
    expect([...withoutDedicated.keys()].some((name) => name.includes("initech"))).toBe(false);
    for (const [name, text] of withoutDedicated) expect(text, name).toBe(texts.get(name));
  });
});
